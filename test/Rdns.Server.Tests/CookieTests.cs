using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Stages;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>DNS cookies (RFC 7873) with interoperable server cookies (RFC 9018).</summary>
public sealed class CookieTests
{
    private static readonly DnsName Q = DnsName.Parse("1.2.0.192.in-addr.arpa.");

    [Fact]
    public void SipHash_2_4_gives_the_reference_vector()
    {
        // The SipHash paper's vector: key 00..0f, message 00..0e.
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var message = Enumerable.Range(0, 15).Select(i => (byte)i).ToArray();
        Assert.Equal(0xa129ca6149be45e5UL, SipHash.Hash24(key, message));
    }

    [Theory]
    // RFC 9018 Appendix A.1, A.2 and A.3.
    [InlineData("2464c4abcf10c957", "198.51.100.100", 1559731985u, "010000005cf79f111f8130c3eee29480")]
    [InlineData("2464c4abcf10c957", "198.51.100.100", 1559734385u, "010000005cf7a871d4a564a1442aca77")]
    [InlineData("fc93fc62807ddb86", "203.0.113.203", 1559734700u, "010000005cf7a9acf73a7810aca2381e")]
    public void Server_cookies_are_those_of_rfc_9018_appendix_a(string client, string ip, uint stamp, string expected)
    {
        var secret = Convert.FromHexString("e5e973e5a6b2a43f48e7dc849e37bfcf");
        Span<byte> server = stackalloc byte[16];
        DnsCookies.Make(Convert.FromHexString(client), ClientAddress.From(new IPEndPoint(IPAddress.Parse(ip), 53)), stamp, secret, server);
        Assert.Equal(expected, Convert.ToHexStringLower(server));
    }

    private static (DnsPipeline Pipeline, DnsCookies Cookies, FakeTimeProvider Time, CookieSecrets Secrets) Setup()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1559731985));
        var secrets = new CookieSecrets(Convert.FromHexString("e5e973e5a6b2a43f48e7dc849e37bfcf"));
        var cookies = new DnsCookies(secrets, time);
        return (new DnsPipeline(zones, new ServerOptions(), stages: [cookies]), cookies, time, secrets);
    }

    private static readonly RequestSource Client = RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.100"), 5353)));

    private static DnsMessage Ask(DnsPipeline pipeline, byte[]? cookie, RequestSource? source = null)
    {
        var options = cookie is null ? [] : Option(10, cookie);
        var response = new byte[4096];
        int n = pipeline.Answer(DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions(Options: options)).ToWire(), response, source ?? Client);
        return DnsMessage.Parse(response.AsSpan(0, n));
    }

    private static byte[] Option(ushort code, byte[] data)
    {
        var o = new byte[4 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(o, code);
        BinaryPrimitives.WriteUInt16BigEndian(o.AsSpan(2), (ushort)data.Length);
        data.CopyTo(o, 4);
        return o;
    }

    private static byte[] CookieOf(DnsMessage m)
    {
        var options = m.Edns!.Options!;
        int pos = 0;
        while (pos + 4 <= options.Length)
        {
            int code = BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(pos));
            int length = BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(pos + 2));
            if (code == 10)
                return options.AsSpan(pos + 4, length).ToArray();
            pos += 4 + length;
        }
        throw new Xunit.Sdk.XunitException("the response has no COOKIE option");
    }

    [Fact]
    public void A_client_cookie_alone_is_answered_with_the_rfc_9018_server_cookie()
    {
        var (pipeline, cookies, _, _) = Setup();
        var m = Ask(pipeline, Convert.FromHexString("2464c4abcf10c957"));
        Assert.Single(m.Answers);
        Assert.Equal("2464c4abcf10c957010000005cf79f111f8130c3eee29480", Convert.ToHexStringLower(CookieOf(m)));
        Assert.Equal(1, cookies.ClientOnly);
    }

    [Fact]
    public void A_valid_server_cookie_is_recognized_and_renewed_and_one_too_old_or_from_elsewhere_is_not()
    {
        var (pipeline, cookies, time, _) = Setup();
        var full = Convert.FromHexString("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
        time.Advance(TimeSpan.FromMinutes(40));
        var renewed = Ask(pipeline, full);
        Assert.Equal(1, cookies.Valid);
        // A.2: the renewal 40 minutes later.
        Assert.Equal("2464c4abcf10c957010000005cf7a871d4a564a1442aca77", Convert.ToHexStringLower(CookieOf(renewed)));
        // From another address the same cookie proves nothing.
        Ask(pipeline, full, RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.101"), 5353))));
        Assert.Equal(1, cookies.Invalid);
        // More than an hour old: not valid either (RFC 9018 §4.3).
        time.Advance(TimeSpan.FromMinutes(21));
        Ask(pipeline, full);
        Assert.Equal(2, cookies.Invalid);
    }

    [Fact]
    public void Cookies_made_with_the_previous_secret_stay_valid_after_a_rollover()
    {
        var (pipeline, cookies, _, secrets) = Setup();
        var full = Convert.FromHexString("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
        secrets.Set(Convert.FromHexString("445536bcd2513298075a5d379663c962"), Convert.FromHexString("e5e973e5a6b2a43f48e7dc849e37bfcf"));
        Ask(pipeline, full);
        Assert.Equal(1, cookies.Valid);
        secrets.Set(Convert.FromHexString("445536bcd2513298075a5d379663c962"), null);
        Ask(pipeline, full);
        Assert.Equal(1, cookies.Invalid);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(41)]
    public void A_cookie_option_of_a_wrong_length_is_a_format_error(int length)
    {
        var (pipeline, _, _, _) = Setup();
        var m = Ask(pipeline, new byte[length]);
        Assert.Equal((int)Rcode.FormErr, m.Rcode);
        Assert.Empty(m.Answers);
    }
}
