using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Stages;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>Response rate limiting: per network, class and name; slip; what is never limited.</summary>
public sealed class RateLimitTests
{
    private static readonly DnsName Hit = DnsName.Parse("1.2.0.192.in-addr.arpa.");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    private (DnsPipeline Pipeline, ResponseRateLimiter Rrl, QueryCounters Counters) Setup(int rate = 5, int slip = 2, List<string>? exempt = null)
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        var rrl = new ResponseRateLimiter(new RrlOptions { Rate = rate, Slip = slip, Exempt = exempt ?? [] }, NullLogger.Instance, _time);
        var counters = new QueryCounters(1);
        var cookies = new DnsCookies(new CookieSecrets(), _time);
        return (new DnsPipeline(zones, new ServerOptions(), stages: [cookies, rrl, counters]), rrl, counters);
    }

    private static RequestSource From(string ip, DnsTransport transport = DnsTransport.Udp) =>
        new(transport, ClientAddress.From(new IPEndPoint(IPAddress.Parse(ip), 40000)), ListenerInfo.Local);

    private static (int Full, int Slipped, int Dropped) Send(DnsPipeline pipeline, int count, Func<int, (DnsName Name, RequestSource Source)> next, byte[]? cookie = null)
    {
        int full = 0, slipped = 0, dropped = 0;
        var response = new byte[4096];
        for (int i = 0; i < count; i++)
        {
            var (name, source) = next(i);
            var edns = cookie is null ? null : new EdnsOptions(Options: CookieOption(cookie));
            int n = pipeline.Answer(DnsMessage.Query(name, RecordType.PTR, edns: edns).ToWire(), response, source);
            if (n == 0)
                dropped++;
            else if ((response[2] & 0x02) != 0 || (response[3] & 0xF) == (23 & 0xF))
                slipped++;
            else
                full++;
        }
        return (full, slipped, dropped);
    }

    private static byte[] CookieOption(byte[] cookie)
    {
        var o = new byte[4 + cookie.Length];
        BinaryPrimitives.WriteUInt16BigEndian(o, 10);
        BinaryPrimitives.WriteUInt16BigEndian(o.AsSpan(2), (ushort)cookie.Length);
        cookie.CopyTo(o, 4);
        return o;
    }

    [Fact]
    public void Past_the_rate_every_second_response_slips_and_the_rest_are_dropped()
    {
        var (pipeline, rrl, counters) = Setup();
        // Hosts of one /24 share the account.
        var (full, slipped, dropped) = Send(pipeline, 25, i => (Hit, From($"198.51.100.{i + 1}")));
        Assert.Equal((5, 10, 10), (full, slipped, dropped));
        Assert.Equal(20, rrl.Limited);
        Assert.Equal(10, rrl.Slipped);
        Assert.Equal(10, counters.Dropped);
        Assert.Equal(10, counters.Truncated);
        // Another network has its own account; the next second, so does this one again.
        Assert.Equal((5, 0, 0), Send(pipeline, 5, _ => (Hit, From("203.0.113.9"))));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, Send(pipeline, 5, _ => (Hit, From("198.51.100.200"))).Full);
    }

    [Fact]
    public void Accounts_sharing_one_bucket_do_not_add_up_and_an_account_counts_afresh_after_any_time_away()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        // One bucket for every account: each takes it over from the other and counts from one.
        var rrl = new ResponseRateLimiter(new RrlOptions { Rate = 5, Slip = 2, TableSize = 1 }, NullLogger.Instance, _time);
        var pipeline = new DnsPipeline(zones, new ServerOptions(), stages: [rrl]);
        var (full, _, _) = Send(pipeline, 40, i => (Hit, From(i % 2 == 0 ? "198.51.100.1" : "203.0.113.1")));
        Assert.Equal(40, full);
        Assert.Equal(0, rrl.Limited);
        // One account alone in the bucket is limited past the rate, within its second only.
        Assert.Equal(5, Send(pipeline, 8, _ => (Hit, From("198.51.100.1"))).Full);
        foreach (var away in new[] { 1, 4096, 65536, 1_000_000, 2_000_000 })
        {
            _time.Advance(TimeSpan.FromSeconds(away));
            Assert.Equal(5, Send(pipeline, 8, _ => (Hit, From("198.51.100.1"))).Full);
        }
    }

    [Fact]
    public void A_slipped_response_is_the_header_and_question_with_tc()
    {
        var (pipeline, _, _) = Setup(rate: 1, slip: 1);
        var response = new byte[4096];
        var query = DnsMessage.Query(Hit, RecordType.PTR, id: 99).ToWire();
        pipeline.Answer(query, response, From("198.51.100.1"));
        int n = pipeline.Answer(query, response, From("198.51.100.1"));
        var m = DnsMessage.Parse(response.AsSpan(0, n));
        Assert.True(m.Has(HeaderFlags.TC));
        Assert.Equal(99, m.Id);
        Assert.Empty(m.Answers);
        Assert.Equal(query.Length, n);
    }

    [Fact]
    public void Random_names_under_one_zone_share_one_nxdomain_account_but_names_that_exist_do_not()
    {
        var (pipeline, _, _) = Setup(slip: 0);
        var nx = Send(pipeline, 20, i => (DnsName.Parse($"x{i}.9.2.0.192.in-addr.arpa."), From("198.51.100.1")));
        Assert.Equal((5, 0, 15), nx);
        // Positive answers count per name: a different name has its own account.
        Assert.Equal(5, Send(pipeline, 5, _ => (Hit, From("198.51.100.1"))).Full);
    }

    [Fact]
    public void Tcp_exempt_prefixes_and_valid_cookies_are_never_limited()
    {
        var (pipeline, rrl, _) = Setup(exempt: ["192.0.2.0/24"]);
        Assert.Equal(50, Send(pipeline, 50, _ => (Hit, From("198.51.100.1", DnsTransport.Tcp))).Full);
        Assert.Equal(50, Send(pipeline, 50, _ => (Hit, From("192.0.2.77"))).Full);
        Assert.Equal(0, rrl.Limited);

        // A client with a cookie: learn the server cookie, then send it back.
        var response = new byte[4096];
        var client = Convert.FromHexString("0102030405060708");
        int n = pipeline.Answer(DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions(Options: CookieOption(client))).ToWire(), response, From("198.51.100.9"));
        var options = DnsMessage.Parse(response.AsSpan(0, n)).Edns!.Options!;
        var full = options.AsSpan(4, 24).ToArray();
        Assert.Equal(50, Send(pipeline, 50, _ => (Hit, From("198.51.100.9")), full).Full);
    }

    [Fact]
    public void A_client_with_only_a_client_cookie_is_slipped_a_badcookie_to_retry_with()
    {
        var (pipeline, _, _) = Setup(rate: 1, slip: 1);
        var response = new byte[4096];
        var query = DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions(Options: CookieOption(Convert.FromHexString("0102030405060708")))).ToWire();
        pipeline.Answer(query, response, From("198.51.100.1"));
        int n = pipeline.Answer(query, response, From("198.51.100.1"));
        var m = DnsMessage.Parse(response.AsSpan(0, n));
        Assert.Equal(23, m.Rcode);
        Assert.Empty(m.Answers);
        // With the server cookie it carries, the retry is answered in full.
        var cookie = m.Edns!.Options!.AsSpan(4, 24).ToArray();
        Assert.Equal(3, Send(pipeline, 3, _ => (Hit, From("198.51.100.1")), cookie).Full);
    }

    [Fact]
    public void Rate_zero_turns_limiting_off()
    {
        var (pipeline, rrl, _) = Setup(rate: 0);
        Assert.Equal(100, Send(pipeline, 100, _ => (Hit, From("198.51.100.1"))).Full);
        Assert.False(rrl.Enabled);
    }

    [Fact]
    public void Cookies_and_rate_limiting_allocate_nothing_per_query()
    {
        var (pipeline, _, _) = Setup(rate: 1000);
        var plain = DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var withCookie = DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions(Options: CookieOption(Convert.FromHexString("0102030405060708")))).ToWire();
        var response = new byte[4096];
        var source = From("198.51.100.1");
        SteadyState.AssertAllocatesNothing(() =>
        {
            pipeline.Process(plain, response, source, 0);
            pipeline.Process(withCookie, response, source, 0);
        });
    }

    [Theory]
    [InlineData(-1, 2, "Rrl:Rate")]
    [InlineData(RrlOptions.MaxRate + 1, 2, "Rrl:Rate")]
    [InlineData(10, 101, "Rrl:Slip")]
    public void Bad_settings_are_refused_naming_the_setting(int rate, int slip, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => new RrlOptions { Rate = rate, Slip = slip }.Validate());
        Assert.Contains(named, e.Message);
        Assert.Contains("Rrl:Exempt", Assert.Throws<ArgumentException>(() => new RrlOptions { Exempt = ["10.0.0.1/8"] }.Validate()).Message);
    }
}
