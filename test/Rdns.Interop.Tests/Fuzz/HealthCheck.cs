using Rdns.Interop.Tests.Differential;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Fuzz;

/// <summary>
/// Whether a server that has just been fed garbage still works: it is alive, answers a set of
/// valid queries over UDP and TCP exactly as it did before, and logged no failure.
/// </summary>
public static class HealthCheck
{
    private static readonly (string Name, RecordType Type, EdnsOptions? Edns)[] Queries =
    [
        ("1.2.0.192.in-addr.arpa.", RecordType.PTR, null),
        ("1.2.0.192.In-Addr.Arpa.", RecordType.PTR, DifferentialCatalog.Edns0),
        ("99.2.0.192.in-addr.arpa.", RecordType.PTR, null),
        ("20.2.0.192.in-addr.arpa.", RecordType.PTR, null),
        ("129.2.0.192.in-addr.arpa.", RecordType.PTR, DifferentialCatalog.Edns0),
        ("1.100.51.198.in-addr.arpa.", RecordType.PTR, null),
        ("x.7.51.198.in-addr.arpa.", RecordType.PTR, null),
        ("0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR, null),
        ("250.2.0.192.in-addr.arpa.", RecordType.PTR, null),
        ("250.2.0.192.in-addr.arpa.", RecordType.PTR, DifferentialCatalog.Edns0),
        ("251.2.0.192.in-addr.arpa.", RecordType.TXT, null),
        ("example.test.", RecordType.NS, null),
        ("example.com.", RecordType.A, null),
    ];

    /// <summary>Each query's reply over UDP and over TCP, as comparable text.</summary>
    public static async Task<IReadOnlyList<string>> AnswersAsync(RdnsServer server)
    {
        var answers = new List<string>();
        ushort id = 0xF000;
        foreach (var (name, type, edns) in Queries)
        {
            var wire = DnsMessage.Query(DnsName.Parse(name), type, id++, edns: edns).ToWire();
            foreach (var transport in new[] { Transport.Udp, Transport.Tcp })
            {
                var reply = transport == Transport.Udp
                    ? await DnsClient.UdpAsync(server.Dns, wire, TimeSpan.FromSeconds(2), attempts: 3)
                    : await DnsClient.TcpAsync(server.Dns, wire, TimeSpan.FromSeconds(5));
                answers.Add($"{name} {type} {(edns is null ? "" : "EDNS ")}over {transport}: {ResponseView.From(reply).Render()}");
            }
        }
        return answers;
    }

    /// <summary>Fails unless the server is running, answers as <paramref name="before"/>, and logged no failure.</summary>
    public static async Task AssertHealthyAsync(RdnsServer server, IReadOnlyList<string> before)
    {
        Assert.True(server.IsRunning, $"./rdns serve exited:\n{server.Output}");
        var after = await AnswersAsync(server);
        for (int i = 0; i < before.Count; i++)
            Assert.Equal(before[i], after[i]);
        Assert.Empty(server.FailureLines());
        Assert.True(server.IsRunning, $"./rdns serve exited:\n{server.Output}");
    }

    /// <summary>The reference answers must themselves be right, or comparing to them proves nothing.</summary>
    public static void AssertSane(IReadOnlyList<string> answers)
    {
        Assert.Contains(answers, a => a.StartsWith("1.2.0.192.in-addr.arpa. PTR over Udp", StringComparison.Ordinal) && a.Contains("rcode NOERROR", StringComparison.Ordinal) && a.Contains("PTR gw.example.net.", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.StartsWith("250.2.0.192.in-addr.arpa. PTR over Udp", StringComparison.Ordinal) && a.Contains("tc", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.StartsWith("251.2.0.192.in-addr.arpa. TXT over Tcp", StringComparison.Ordinal) && a.Contains("record 30 of", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.StartsWith("example.com. A over Tcp", StringComparison.Ordinal) && a.Contains("rcode REFUSED", StringComparison.Ordinal));
        Assert.DoesNotContain(answers, a => a.Contains("no reply", StringComparison.Ordinal));
    }
}
