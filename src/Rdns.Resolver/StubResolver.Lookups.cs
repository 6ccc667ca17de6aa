using System.Net;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

public sealed partial class StubResolver
{
    /// <summary>
    /// 8 CNAMEs: real chains (CDN and mail-provider aliases) are two or three long; BIND stops
    /// following at 16 and Unbound at 11, a stub that re-asks for each hop can stop earlier.
    /// </summary>
    public const int MaxCnameHops = 8;

    /// <summary>
    /// The A and AAAA records of <paramref name="name"/>, asked in parallel, CNAME chains followed.
    /// A failure of either type makes the whole lookup a failure (with what the other found kept
    /// in <see cref="AddressLookup.Addresses"/>): a check must not conclude that a name lacks an
    /// IPv6 address because the AAAA query timed out.
    /// </summary>
    public async Task<AddressLookup> LookupAddressesAsync(DnsName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var v4Task = WalkAsync(name, RecordType.A, cancellationToken);
        var v6Task = WalkAsync(name, RecordType.AAAA, cancellationToken);
        await Task.WhenAll(v4Task, v6Task);
        var (v4, v6) = (v4Task.Result, v6Task.Result);

        var addresses = new List<IPAddress>(v4.Records.Count + v6.Records.Count);
        foreach (var record in v4.Records.Concat(v6.Records))
        {
            var address = new IPAddress(record.Data);
            if (!addresses.Contains(address))
                addresses.Add(address);
        }
        var decisive = Rank(v4.Outcome) <= Rank(v6.Outcome) ? v4 : v6;
        var servers = v4.Servers.ToList();
        foreach (var server in v6.Servers)
        {
            if (!servers.Contains(server))
                servers.Add(server);
        }
        return new AddressLookup
        {
            Name = name,
            Outcome = decisive.Outcome,
            Chain = decisive.Chain,
            Rcode = decisive.Rcode,
            Tries = v4.Tries + v6.Tries,
            FailedQueryTries = decisive.LastTries,
            Servers = servers,
            Addresses = addresses,
        };

        // Which type's outcome speaks for the name: any failure, then records, then what explains
        // their absence best. A comes first on a tie.
        static int Rank(LookupOutcome outcome) => outcome switch
        {
            LookupOutcome.Timeout or LookupOutcome.Unreachable or LookupOutcome.Malformed or LookupOutcome.ServerFailure => 0,
            LookupOutcome.Found => 1,
            LookupOutcome.CnameLoop => 2,
            LookupOutcome.CnameChainTooLong => 3,
            LookupOutcome.NoData => 4,
            _ => 5,
        };
    }

    /// <summary>
    /// The TXT records of <paramref name="name"/>, CNAME chains followed; each record's
    /// character-strings are joined (RFC 7208 §3.3 does the same for SPF) and decoded as UTF-8.
    /// </summary>
    public async Task<TxtLookup> LookupTxtAsync(DnsName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var walk = await WalkAsync(name, RecordType.TXT, cancellationToken);
        var texts = new List<string>(walk.Records.Count);
        var joined = new List<byte>();
        foreach (var record in walk.Records)
        {
            joined.Clear();
            var data = record.Data.AsSpan();
            for (int pos = 0; pos < data.Length; pos += 1 + data[pos])
                joined.AddRange(data.Slice(pos + 1, data[pos]));
            texts.Add(Encoding.UTF8.GetString(joined.ToArray()));
        }
        return new TxtLookup
        {
            Name = name,
            Outcome = walk.Outcome,
            Chain = walk.Chain,
            Rcode = walk.Rcode,
            Tries = walk.Tries,
            FailedQueryTries = walk.LastTries,
            Servers = walk.Servers,
            Texts = texts,
        };
    }

    /// <summary>One type's records at a name, after its CNAME chain.</summary>
    private sealed record Walk(LookupOutcome Outcome, List<DnsName> Chain, Rcode Rcode, IReadOnlyList<ResourceRecord> Records,
        int Tries, int LastTries, List<IPEndPoint> Servers);

    /// <summary>
    /// Asks for <paramref name="type"/> at <paramref name="name"/> and follows the CNAME chain in
    /// the answer (RFC 1034 §3.6.2, §5.3.3). When the chain stops at a name the answer has nothing
    /// more about and no SOA closes it (RFC 2308 §2.2: an SOA in the authority section means the
    /// last name really has no data), that name is asked next, up to <see cref="MaxCnameHops"/>
    /// CNAMEs in all. The RCODE of the response describes the last name in the chain (RFC 6604 §2).
    /// </summary>
    private async Task<Walk> WalkAsync(DnsName name, RecordType type, CancellationToken cancellationToken)
    {
        var chain = new List<DnsName> { name };
        var servers = new List<IPEndPoint>();
        int tries = 0;
        var current = name;
        while (true)
        {
            var result = await QueryAsync(current, type, cancellationToken);
            tries += result.Tries;
            foreach (var server in result.ServersTried)
            {
                if (!servers.Contains(server))
                    servers.Add(server);
            }
            Walk End(LookupOutcome outcome, IReadOnlyList<ResourceRecord>? records = null) =>
                new(outcome, chain, result.Rcode, records ?? [], tries, result.Tries, servers);

            if (!result.HasResponse)
            {
                return End(result.Failure switch
                {
                    ResolveFailure.Timeout => LookupOutcome.Timeout,
                    ResolveFailure.Unreachable => LookupOutcome.Unreachable,
                    _ => LookupOutcome.Malformed,
                });
            }
            if (result.Rcode is not (Rcode.NoError or Rcode.NXDomain))
                return End(LookupOutcome.ServerFailure);

            var asked = current;
            var answers = result.Answers;
            while (Alias(answers, current) is { } target)
            {
                if (chain.Count > MaxCnameHops)
                    return End(LookupOutcome.CnameChainTooLong);
                bool seen = chain.Contains(target);
                chain.Add(target);
                if (seen)
                    return End(LookupOutcome.CnameLoop);
                current = target;
            }

            var records = new List<ResourceRecord>();
            foreach (var record in answers)
            {
                if (record.Type != type || record.Class != RecordClass.IN || !record.Owner.Equals(current))
                    continue;
                if (!Rdata.IsValid(type, record.Data))
                    return End(LookupOutcome.Malformed);
                records.Add(record);
            }
            if (records.Count > 0)
                return End(LookupOutcome.Found, records);
            if (result.Rcode == Rcode.NXDomain)
                return End(LookupOutcome.NXDomain);
            if (!current.Equals(asked) && !result.Response!.Authority.Any(r => r.Type == RecordType.SOA))
                continue;
            return End(LookupOutcome.NoData);
        }
    }

    private static DnsName? Alias(IReadOnlyList<ResourceRecord> answers, DnsName owner)
    {
        foreach (var record in answers)
        {
            if (record.Type == RecordType.CNAME && record.Class == RecordClass.IN && record.Owner.Equals(owner))
                return Rdata.ReadName(record.Data);
        }
        return null;
    }
}
