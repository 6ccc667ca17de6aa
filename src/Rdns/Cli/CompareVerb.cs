using System.CommandLine;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Rdns.Transfer;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns compare SERVER_A SERVER_B [--zone Z ...] [--prefix P ...] [--sample N]</c>: asks two
/// servers the same questions and prints every answer that differs (RCODE and answer records,
/// TTLs included). The questions: the names and types of each zone (transferred from SERVER_A,
/// sampled evenly down to N), and N addresses spread over each prefix (their PTR, and the A or
/// AAAA of the name SERVER_A gives), which is how default names are compared. Exit 0 when every
/// answer matched, 1 when some differ (or a server failed), 2 for bad input.
/// </summary>
internal static class CompareVerb
{
    public static Command Create()
    {
        var first = new Argument<string>("server-a") { Description = "IP:PORT[@TSIGKEY] of the server the zones are transferred from (the primary, say)" };
        var second = new Argument<string>("server-b") { Description = "IP:PORT[@TSIGKEY] of the server compared with it" };
        var zones = new Option<string[]>("--zone") { Description = "A zone whose names are compared (AXFR from server-a; repeatable)" };
        var prefixes = new Option<string[]>("--prefix") { Description = "A prefix whose addresses are compared: PTR and the name's address (repeatable)" };
        var sample = new Option<int>("--sample") { Description = "Questions per zone and addresses per prefix (default 200)", DefaultValueFactory = _ => 200 };
        var tsigKeys = new Option<string?>("--tsig-keys") { Description = "Key file (BIND syntax) holding the keys named after '@'" };
        var command = new Command("compare", "Ask two servers the same questions and print the answers that differ (migration, edges).")
        {
            first, second, zones, prefixes, sample, tsigKeys,
        };
        command.SetAction((result, cancel) => RunAsync(result, result.GetValue(first)!, result.GetValue(second)!, result.GetValue(zones) ?? [],
            result.GetValue(prefixes) ?? [], result.GetValue(sample), result.GetValue(tsigKeys), cancel));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, string firstText, string secondText, string[] zoneTexts, string[] prefixTexts, int sample,
        string? keyFile, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        if (sample is < 1 or > 100_000)
            return Usage.Fail(result, sample.ToString(System.Globalization.CultureInfo.InvariantCulture), "--sample must be 1-100000");
        IReadOnlyList<TsigKey> keys = [];
        if (keyFile is not null)
        {
            try
            {
                keys = TsigKeyFile.Read(keyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TsigKeyFileException)
            {
                return Usage.Fail(result, keyFile, $"--tsig-keys: {e.Message}");
            }
        }
        var servers = new List<PrimaryServer>();
        foreach (var text in new[] { firstText, secondText })
        {
            if (!PrimaryServer.TryParse(text, out var endpoint, out var keyName, out var parseError))
                return Usage.Fail(result, text, parseError);
            TsigKey? key = null;
            if (keyName is not null && (key = keys.FirstOrDefault(k => k.Name.ToString().Equals(keyName, StringComparison.OrdinalIgnoreCase))) is null)
                return Usage.Fail(result, text, $"no TSIG key named {keyName} (--tsig-keys)");
            servers.Add(new PrimaryServer(endpoint, key));
        }
        var zones = new List<DnsName>();
        foreach (var z in zoneTexts)
        {
            if (!DnsName.TryParse(z.EndsWith('.') ? z : z + ".", null, out var name, out var nameError))
                return Usage.Fail(result, z, $"--zone: {nameError}");
            zones.Add(name!);
        }
        var prefixes = new List<IpPrefix>();
        foreach (var p in prefixTexts)
        {
            if (!IpPrefix.TryParse(p, out var prefix, out var prefixError))
                return Usage.Fail(result, p, $"--prefix: {prefixError}");
            prefixes.Add(prefix);
        }
        if (zones.Count == 0 && prefixes.Count == 0)
            return Usage.Fail(result, "nothing to compare: give --zone or --prefix");

        var client = new TransferClient();
        int asked = 0, differences = 0;
        async Task<DnsMessage?> CompareAsync(DnsName name, RecordType type)
        {
            asked++;
            var a = await client.QueryAsync(servers[0].Endpoint, name, type, servers[0].Key, cancellationToken).ConfigureAwait(false);
            var b = await client.QueryAsync(servers[1].Endpoint, name, type, servers[1].Key, cancellationToken).ConfigureAwait(false);
            string left = Describe(a), right = Describe(b);
            if (left != right)
            {
                differences++;
                output.WriteLine($"{name} {RecordTypeText.ToText(type)}\n  {servers[0]}: {left}\n  {servers[1]}: {right}");
            }
            return a;
        }
        try
        {
            foreach (var zone in zones)
            {
                var transfer = await client.TransferAsync(servers[0], zone, null, cancellationToken).ConfigureAwait(false);
                if (transfer is not FullTransfer full)
                    throw new TransferException(TransferFailure.Malformed, $"{servers[0]} sent no full zone of {zone}");
                var questions = full.Records.Select(r => (r.Owner, r.Type)).Distinct().ToList();
                foreach (var (owner, type) in Evenly(questions, sample))
                    await CompareAsync(owner, type).ConfigureAwait(false);
            }
            foreach (var prefix in prefixes)
            {
                foreach (var address in Spread(prefix, sample))
                {
                    var answer = await CompareAsync(DnsName.Parse(ReverseName.ToName(address)), RecordType.PTR).ConfigureAwait(false);
                    var target = answer?.Answers.FirstOrDefault(r => r.Type == RecordType.PTR);
                    if (target is not null)
                        await CompareAsync(Rdata.ReadName(target.Data), address.Family == IpFamily.V4 ? RecordType.A : RecordType.AAAA).ConfigureAwait(false);
                }
            }
        }
        catch (TransferException e)
        {
            error.WriteLine($"rdns: compare: {e.Message}");
            return RdnsCommandLine.InternalError;
        }
        output.WriteLine($"{asked} questions, {differences} answers differ");
        return differences == 0 ? 0 : 1;
    }

    private static string Describe(DnsMessage m) =>
        $"{(Rcode)m.Rcode}" + (m.Answers.Count == 0 ? "" : " " + string.Join(" | ", m.Answers.Select(r => r.ToString()).Order(StringComparer.Ordinal)));

    /// <summary>At most <paramref name="count"/> items, spread evenly from first to last.</summary>
    private static IEnumerable<T> Evenly<T>(IReadOnlyList<T> items, int count)
    {
        if (items.Count <= count)
            return items;
        return Enumerable.Range(0, count).Select(i => items[(int)((long)i * (items.Count - 1) / Math.Max(1, count - 1))]).Distinct();
    }

    /// <summary><paramref name="count"/> addresses from the first to the last of the prefix, evenly spaced.</summary>
    private static IEnumerable<IpAddress> Spread(IpPrefix prefix, int count)
    {
        var span = prefix.Last.Value - prefix.First.Value;
        if (span < (UInt128)count)
        {
            for (UInt128 v = 0; v <= span; v++)
                yield return new IpAddress(prefix.Family, prefix.First.Value + v);
            yield break;
        }
        var step = span / (UInt128)Math.Max(1, count - 1);
        for (int i = 0; i < count; i++)
            yield return new IpAddress(prefix.Family, prefix.First.Value + step * (UInt128)i);
    }
}
