using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Transfers;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>Answers where Knot and BIND set the bar: CHAOS self-description, unknown opcodes, EXPIRE, transfer refusals.</summary>
public sealed class ProtocolEdgeTests
{
    private static readonly RequestSource From = RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 4000)));

    private static ServedZones Zones()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        return zones;
    }

    private static DnsMessage Ask(DnsPipeline pipeline, DnsMessage query, RequestSource? source = null)
    {
        var response = new byte[4096];
        int n = pipeline.Answer(query.ToWire(), response, source ?? From);
        return DnsMessage.Parse(response.AsSpan(0, n));
    }

    private static DnsMessage Chaos(string name, RecordType type)
    {
        var m = new DnsMessage { Id = 7 };
        m.Questions.Add(new Question(DnsName.Parse(name), type, RecordClass.CH));
        return m;
    }

    [Theory]
    [InlineData("version.bind.", "Rdns 9.9")]
    [InlineData("VERSION.SERVER.", "Rdns 9.9")]
    [InlineData("hostname.bind.", "ns1.example")]
    [InlineData("id.server.", "ns1.example")]
    public void Chaos_names_about_the_server_are_answered_with_txt(string name, string expected)
    {
        var pipeline = new DnsPipeline(Zones(), new ServerOptions { Version = "Rdns 9.9", Identity = "ns1.example" });
        var m = Ask(pipeline, Chaos(name, RecordType.TXT));
        Assert.Equal((int)Rcode.NoError, m.Rcode);
        Assert.True(m.Has(HeaderFlags.AA));
        var answer = Assert.Single(m.Answers);
        Assert.Equal(RecordClass.CH, answer.Class);
        Assert.Equal(RecordType.TXT, answer.Type);
        Assert.Equal(Rdata.Txt(expected), answer.Data);
    }

    [Fact]
    public void Hidden_chaos_answers_and_other_chaos_names_are_refused()
    {
        var pipeline = new DnsPipeline(Zones(), new ServerOptions { Version = "", Identity = null });
        Assert.Equal((int)Rcode.Refused, Ask(pipeline, Chaos("version.bind.", RecordType.TXT)).Rcode);
        Assert.Equal((int)Rcode.Refused, Ask(pipeline, Chaos("id.server.", RecordType.TXT)).Rcode);
        Assert.Equal((int)Rcode.Refused, Ask(pipeline, Chaos("authors.bind.", RecordType.TXT)).Rcode);
        var shown = new DnsPipeline(Zones(), new ServerOptions { Version = "Rdns" });
        var noData = Ask(shown, Chaos("version.bind.", RecordType.A));
        Assert.Equal((int)Rcode.NoError, noData.Rcode);
        Assert.Empty(noData.Answers);
    }

    [Fact]
    public void An_unknown_opcode_gets_notimp_copying_rd_but_not_cd()
    {
        var pipeline = new DnsPipeline(Zones(), new ServerOptions());
        var m = new DnsMessage { Id = 3, Opcode = (Opcode)3, Flags = HeaderFlags.RD | HeaderFlags.CD };
        m.Questions.Add(new Question(DnsName.Parse("1.2.0.192.in-addr.arpa."), RecordType.PTR));
        var r = Ask(pipeline, m);
        Assert.Equal((int)Rcode.NotImp, r.Rcode);
        Assert.True(r.Has(HeaderFlags.RD));
        Assert.False(r.Has(HeaderFlags.CD));
    }

    [Fact]
    public void The_expire_option_is_answered_with_the_zones_soa_expire()
    {
        var pipeline = new DnsPipeline(Zones(), new ServerOptions());
        var m = Ask(pipeline, DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA, edns: new EdnsOptions(Options: [0, 9, 0, 0])));
        var options = m.Edns!.Options!;
        Assert.Equal(9, BinaryPrimitives.ReadUInt16BigEndian(options));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(2)));
        // ZoneBuilder.Standard's SOA expires after 1,209,600 s.
        Assert.Equal(1209600u, BinaryPrimitives.ReadUInt32BigEndian(options.AsSpan(4)));
        // Not asked, not given.
        Assert.Empty(Ask(pipeline, DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA, edns: new EdnsOptions())).Edns!.Options!);
    }

    private sealed class CountingLogger : ILogger
    {
        public int Warnings;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
                Interlocked.Increment(ref Warnings);
        }
    }

    [Fact]
    public void Transfers_of_unhosted_zones_are_notauth_and_a_flood_of_refusals_logs_a_line_not_a_flood()
    {
        var logger = new CountingLogger();
        var acl = new TransferAcl([new SecondaryPeer(new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53), null)]);
        var security = new TsigTransferSecurity(Protocol.Tsig.TsigKeyRing.Empty);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), new RequestHandlers
        {
            Tsig = security,
            Transfers = new ZoneTransferHandler(acl, null, security, logger),
        });
        // RFC 5936 §2.2.1: not authoritative for the zone, whoever asks.
        Assert.Equal((int)Rcode.NotAuth, Ask(pipeline, DnsMessage.Query(DnsName.Parse("example.com."), RecordType.IXFR)).Rcode);
        for (int i = 0; i < 10_000; i++)
            Ask(pipeline, DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.IXFR));
        Assert.Equal((int)Rcode.Refused, Ask(pipeline, DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.IXFR)).Rcode);
        Assert.True(logger.Warnings <= 2, $"{logger.Warnings} log lines for 10,002 refusals");
    }
}
