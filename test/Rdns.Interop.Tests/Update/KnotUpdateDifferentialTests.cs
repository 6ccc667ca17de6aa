using System.Net;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;
using static Rdns.TestSupport.DnsUpdateClient;

namespace Rdns.Interop.Tests.Update;

/// <summary>
/// The same UPDATE messages, signed with the same key, sent to knotd and to <c>./rdns serve</c>
/// loaded from the same zone file: each gets the same RCODE, and afterwards both zones transfer
/// (AXFR) the same records, SOA serial included.
/// </summary>
public sealed class KnotUpdateDifferentialTests(ITestOutputHelper output)
{
    private const string Zone = "2.0.192.in-addr.arpa.";

    private const string ZoneText = """
        $ORIGIN 2.0.192.in-addr.arpa.
        $TTL 3600
        @   IN SOA ns1.example.net. hostmaster.example.net. 2026010100 7200 3600 1209600 300
        @   IN NS  ns1.example.net.
        @   IN NS  ns2.example.net.
        1   IN PTR one.example.net.
        2   IN PTR two.example.net.
        2   IN TXT "operator note"
        3   IN CNAME 3.0-25.2.0.192.in-addr.arpa.
        """;

    private static string N(int octet) => $"{octet}.{Zone}";

    private static ResourceRecord Prereq(string owner, RecordType type, RecordClass cls, string? data = null) =>
        new(DnsName.Parse(owner), type, cls, 0, data is null ? [] : Protocol.Text.RdataParser.Parse(type, data));

    private static ResourceRecord Delete(string owner, RecordType type, string data) =>
        new(DnsName.Parse(owner), type, RecordClass.NONE, 0, Protocol.Text.RdataParser.Parse(type, data));

    private const string Dhcid = "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=";

    /// <summary>Each case: a name for the report and the message (prerequisites, updates) for the zone, or another zone.</summary>
    private static IEnumerable<(string Case, DnsMessage Message)> Cases()
    {
        yield return ("nxdomain + add PTR and DHCID", Message(Zone, [Prereq(N(10), RecordType.ANY, RecordClass.NONE)], [Add(N(10), RecordType.PTR, "ten.example.com."), Add(N(10), RecordType.DHCID, Dhcid)]));
        yield return ("nxdomain fails: YXDOMAIN", Message(Zone, [Prereq(N(10), RecordType.ANY, RecordClass.NONE)], [Add(N(10), RecordType.PTR, "other.example.com.")]));
        yield return ("yxdomain fails: NXDOMAIN", Message(Zone, [Prereq(N(11), RecordType.ANY, RecordClass.ANY)], [Add(N(11), RecordType.PTR, "x.example.com.")]));
        yield return ("nxrrset fails: YXRRSET", Message(Zone, [Prereq(N(1), RecordType.PTR, RecordClass.NONE)], [Add(N(1), RecordType.PTR, "x.example.com.")]));
        yield return ("yxrrset fails: NXRRSET", Message(Zone, [Prereq(N(1), RecordType.TXT, RecordClass.ANY)], [Add(N(1), RecordType.PTR, "x.example.com.")]));
        yield return ("yxrrset value-dependent holds", Message(Zone, [Prereq(N(10), RecordType.DHCID, RecordClass.IN, Dhcid)], [Add(N(10), RecordType.PTR, "ten-b.example.com.")]));
        yield return ("yxrrset value-dependent fails: NXRRSET", Message(Zone, [Prereq(N(10), RecordType.PTR, RecordClass.IN, "ten.example.com.")], [Add(N(10), RecordType.TXT, "\"x\"")]));
        yield return ("delete one RR", Message(Zone, null, [Delete(N(10), RecordType.PTR, "ten.example.com.")]));
        yield return ("delete an RR that is not there", Message(Zone, null, [Delete(N(10), RecordType.PTR, "never.example.com.")]));
        yield return ("CNAME beside data is ignored", Message(Zone, null, [Add(N(1), RecordType.CNAME, "elsewhere.example.com.")]));
        yield return ("data beside a CNAME is ignored", Message(Zone, null, [Add(N(3), RecordType.PTR, "x.example.com.")]));
        yield return ("a CNAME replaces a CNAME", Message(Zone, null, [Add(N(3), RecordType.CNAME, "3.128-25.2.0.192.in-addr.arpa.")]));
        yield return ("a new CNAME", Message(Zone, null, [Add(N(4), RecordType.CNAME, "4.0-25.2.0.192.in-addr.arpa.")]));
        yield return ("add TXT beside PTR", Message(Zone, null, [Add(N(1), RecordType.TXT, "\"note\"")]));
        yield return ("delete an RRset", Message(Zone, null, [DeleteRRset(N(2), RecordType.TXT)]));
        yield return ("delete a name", Message(Zone, null, [DeleteName(N(1))]));
        yield return ("apex NS RRset delete is ignored", Message(Zone, null, [DeleteRRset(Zone, RecordType.NS)]));
        yield return ("SOA delete is ignored", Message(Zone, null, [DeleteRRset(Zone, RecordType.SOA)]));
        yield return ("the last apex NS stays", Message(Zone, null, [Delete(Zone, RecordType.NS, "ns1.example.net."), Delete(Zone, RecordType.NS, "ns2.example.net.")]));
        yield return ("add apex TXT", Message(Zone, null, [Add(Zone, RecordType.TXT, "\"apex\"")]));
        yield return ("delete all at the apex keeps SOA and NS", Message(Zone, null, [DeleteName(Zone)]));
        yield return ("duplicate RR", Message(Zone, null, [Add(N(2), RecordType.PTR, "two.example.net.", ttl: 3600)]));
        yield return ("several updates, one serial", Message(Zone, null, [Add(N(20), RecordType.PTR, "a.example.com."), Add(N(21), RecordType.PTR, "b.example.com."), DeleteName(N(20))]));
        yield return ("name outside the zone: NOTZONE", Message(Zone, null, [Add("www.example.com.", RecordType.A, "192.0.2.1")]));
        yield return ("prerequisite outside the zone: NOTZONE", Message(Zone, [Prereq("www.example.com.", RecordType.ANY, RecordClass.ANY)], [Add(N(30), RecordType.PTR, "x.example.com.")]));
        yield return ("prerequisite with a TTL: FORMERR", Message(Zone, [new ResourceRecord(DnsName.Parse(N(2)), RecordType.PTR, RecordClass.ANY, 60, [])], [Add(N(30), RecordType.PTR, "x.example.com.")]));
        yield return ("delete with a TTL: FORMERR", Message(Zone, null, [new ResourceRecord(DnsName.Parse(N(99)), RecordType.PTR, RecordClass.ANY, 60, [])]));
        yield return ("add of type ANY: FORMERR", Message(Zone, null, [new ResourceRecord(DnsName.Parse(N(2)), RecordType.ANY, RecordClass.IN, 60, [])]));
        yield return ("zone not hosted: NOTAUTH", Message("example.org.", null, [Add("www.example.org.", RecordType.A, "192.0.2.1")]));
    }

    /// <summary>
    /// Where Rdns follows RFC 2136 (and BIND) and Knot does not: Knot applies a delete whose TTL is
    /// not 0; §3.4.1.3 and BIND answer FORMERR. Checked both ways, so a change on either side shows.
    /// </summary>
    private static readonly Dictionary<string, (Rcode Knot, Rcode Rdns)> Accepted = new()
    {
        ["delete with a TTL: FORMERR"] = (Rcode.NoError, Rcode.FormErr),
    };

    [Fact]
    public async Task The_same_updates_give_knot_and_rdns_the_same_rcodes_and_the_same_zone()
    {
        var key = TsigKey.Generate(DnsName.Parse("diff."), TsigAlgorithm.HmacSha256);
        string secret = Convert.ToBase64String(key.Secret);
        await using var knot = await KnotDaemon.StartAsync(new Dictionary<string, string> { [Zone] = ZoneText }, updateKey: new KnotKey("diff", "hmac-sha256", secret));
        string folder = Directory.CreateTempSubdirectory("rdns-update-diff-").FullName;
        try
        {
            var zones = Directory.CreateDirectory(Path.Combine(folder, "zones")).FullName;
            await File.WriteAllTextAsync(Path.Combine(zones, "2.0.192.in-addr.arpa.zone"), ZoneText);
            await File.WriteAllTextAsync(Path.Combine(folder, "keys.conf"), key.ToBindText());
            await File.WriteAllTextAsync(Path.Combine(folder, "rdns.json"), """{ "Update": { "Keys": { "diff": [ { "zone": "2.0.192.in-addr.arpa" } ] } } }""");
            await using var rdns = await RdnsServer.StartAsync(null, ["--zones", zones, "--tsig-keys", Path.Combine(folder, "keys.conf"),
                "--config", Path.Combine(folder, "rdns.json"), "--secondary", "127.0.0.1:9@diff"]);

            var differences = new List<string>();
            foreach (var (name, message) in Cases())
            {
                var atKnot = await SendAsync(knot.EndPoint, message, key);
                message.Id = (ushort)(message.Id + 1);
                var atRdns = await SendAsync(rdns.Dns, message, key);
                output.WriteLine($"{name}: knot {atKnot.Rcode}, rdns {atRdns.Rcode}");
                if (Accepted.TryGetValue(name, out var expected) ? expected != (atKnot.Rcode, atRdns.Rcode) : atKnot.Rcode != atRdns.Rcode)
                    differences.Add($"{name}: knot {atKnot.Rcode}, rdns {atRdns.Rcode}");
            }
            Assert.Empty(differences);

            var knotZone = await AxfrAsync(knot.EndPoint, secret);
            var rdnsZone = await AxfrAsync(rdns.Dns, secret);
            output.WriteLine("knot:\n" + string.Join('\n', knotZone));
            Assert.Equal(knotZone, rdnsZone);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The zone by AXFR with kdig, one record per line in a canonical order.</summary>
    private static async Task<List<string>> AxfrAsync(IPEndPoint server, string secret)
    {
        var r = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig")!,
            ["@127.0.0.1", "-p", server.Port.ToString(), "-y", $"hmac-sha256:diff:{secret}", "+noall", "+answer", "+nocrypto", "AXFR", Zone], TimeSpan.FromSeconds(20));
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.StdoutLines.Where(l => l.Length > 0 && !l.StartsWith(';')).Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant())
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }
}
