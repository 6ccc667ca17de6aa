using System.Buffers.Binary;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Fuzz;

/// <summary>
/// Writes the seed corpora of bench/fuzz/corpus (<c>Rdns.Fuzz seeds DIR</c>): real messages built
/// with the product's own writer, TSIG signatures valid at <see cref="FuzzZones.Now"/> with the
/// fuzz keys, zone files from the tests, API bodies from docs/API.md. Deterministic, so the
/// committed files can be made again byte for byte.
/// </summary>
internal static class Seeds
{
    private const byte Udp = 0, Tcp = 1, FromSecondary = 2;

    public static int Write(string root)
    {
        var clock = new FixedClock(FuzzZones.Now);
        var signer = new TsigSigner(clock);
        var xfr = FuzzZones.Keys.Find(DnsName.Parse("xfr.key."))!;

        // packet: the first octet is the transport and source (see PacketTarget).
        var packet = new Dictionary<string, byte[]>
        {
            ["ptr-udp"] = [Udp, .. Query("1.2.0.192.in-addr.arpa.", RecordType.PTR, rd: true)],
            ["ptr-edns-nsid-cookie"] = [Udp, .. Query("2.2.0.192.in-addr.arpa.", RecordType.PTR,
                edns: new EdnsOptions(4096, DnssecOk: true, Options: [0, 3, 0, 0, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]))],
            ["cname-chain"] = [Udp, .. Query("20.2.0.192.in-addr.arpa.", RecordType.PTR)],
            ["cname-loop"] = [Udp, .. Query("30.2.0.192.in-addr.arpa.", RecordType.PTR)],
            ["rfc2317-referral"] = [Udp, .. Query("65.2.0.192.in-addr.arpa.", RecordType.PTR)],
            ["rfc2317-child"] = [Udp, .. Query("129.128-26.2.0.192.in-addr.arpa.", RecordType.PTR)],
            ["nxdomain"] = [Udp, .. Query("99.2.0.192.in-addr.arpa.", RecordType.PTR)],
            ["ent-nodata"] = [Udp, .. Query("b.c.2.0.192.in-addr.arpa.", RecordType.TXT)],
            ["big-udp-truncated"] = [Udp, .. Query("250.2.0.192.in-addr.arpa.", RecordType.PTR)],
            ["big-tcp"] = [Tcp, .. Query("big.example.test.", RecordType.TXT)],
            ["wildcard"] = [Udp, .. Query("5.100.51.198.in-addr.arpa.", RecordType.PTR)],
            ["wildcard-cname"] = [Udp, .. Query("x.sub.100.51.198.in-addr.arpa.", RecordType.TXT)],
            ["ipv6"] = [Udp, .. Query("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR)],
            ["default-ptr"] = [Udp, .. Query("42.0.0.100.in-addr.arpa.", RecordType.PTR)],
            ["default-a"] = [Udp, .. Query("ip-100-0-0-42.pool.example.test.", RecordType.A)],
            ["forward-mx"] = [Udp, .. Query("example.test.", RecordType.MX, edns: new EdnsOptions())],
            ["any"] = [Tcp, .. Query("4.2.0.192.in-addr.arpa.", RecordType.ANY)],
            ["soa-ch"] = [Udp, .. Query("2.0.192.in-addr.arpa.", RecordType.SOA, cls: RecordClass.CH)],
            ["refused"] = [Udp, .. Query("example.org.", RecordType.A)],
            ["badvers"] = [Udp, .. Query("1.2.0.192.in-addr.arpa.", RecordType.PTR, edns: new EdnsOptions(Version: 1))],
            ["soa-signed"] = [Udp | FromSecondary, .. Signed(signer, xfr, Query("2.0.192.in-addr.arpa.", RecordType.SOA, edns: new EdnsOptions()))],
            ["soa-signed-unknown-key"] = [Udp, .. Signed(signer, new TsigKey(DnsName.Parse("nobody.key."), TsigAlgorithm.HmacSha256, "x"u8), Query("2.0.192.in-addr.arpa.", RecordType.SOA))],
            ["notify"] = [Udp | FromSecondary, .. Notify()],
            ["notify-signed"] = [Udp | FromSecondary, .. Signed(signer, xfr, Notify())],
            ["axfr-tcp"] = [Tcp | FromSecondary, .. Query("2.0.192.in-addr.arpa.", RecordType.AXFR)],
            ["axfr-tcp-signed"] = [Tcp | FromSecondary, .. Signed(signer, xfr, Query("128-26.2.0.192.in-addr.arpa.", RecordType.AXFR))],
            ["axfr-udp"] = [Udp | FromSecondary, .. Query("2.0.192.in-addr.arpa.", RecordType.AXFR)],
            ["ixfr-udp"] = [Udp | FromSecondary, .. Ixfr(2024010101, new EdnsOptions(4096))],
            ["ixfr-tcp"] = [Tcp | FromSecondary, .. Ixfr(2024010101, null)],
            ["ixfr-stranger"] = [Udp, .. Ixfr(1, null)],
            ["update"] = [Udp, .. Update()],
            ["compressed-qname"] = [Udp, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 12, 0, 1],
            ["short"] = [Udp, 0, 1, 0],
        };
        Save(root, "packet", packet);

        var zonefile = new Dictionary<string, byte[]>
        {
            ["reverse"] = [1, .. Encoding.UTF8.GetBytes("""
                $TTL 3600
                @	IN	SOA	ns1.example.net. hostmaster.example.net. ( 2024010101 ; serial
                		7200 3600 1209600 300 )
                @		NS	ns1.example.net.
                1		PTR	gw.example.net.
                3	1d	IN	PTR	host3.example.net.
                20		CNAME	21
                40		TXT	"no PTR here" "and \"quoted\" \065"
                40		TYPE65280	\# 4 0A0B0C0D
                64-27		NS	ns1.64-27
                ns1.64-27	A	192.0.2.65
                ns1.64-27	AAAA	2001:db8::65
                *		PTR	wildcard.example.net.

                """)],
            ["forward"] = [0, .. Encoding.UTF8.GetBytes("""
                $ORIGIN example.test.
                $TTL 1h
                @	IN	SOA	ns1 hostmaster 2024010101 7200 3600 1209600 3600
                @	NS	ns1
                @	MX	10 mail
                _ldap._tcp	SRV	0 0 389 ldap
                @	CAA	0 issue "ca.example.net"
                @	HINFO	"PC" "Linux"
                dh	DHCID	AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=
                alias	CNAME	www
                d	DNAME	example.net.
                WWW	A	192.0.2.80

                """)],
            ["generate"] = [5, .. Encoding.UTF8.GetBytes("$TTL 60\n$ORIGIN 2.0.192.in-addr.arpa.\n$GENERATE 1-20 $ PTR host-${0,3,d}.example.\n" +
                "$GENERATE 0-5/2 d$ 30 IN A 10.0.0.$\n$GENERATE 1024-1026 ${0,3,n} AAAA 2001:db8::${0,4,x}\n")],
            ["include-refused"] = [1, .. Encoding.UTF8.GetBytes("$INCLUDE other.zone\n")],
            ["origin-ttl"] = [7, .. Encoding.UTF8.GetBytes("$ORIGIN sub.2.0.192.in-addr.arpa.\n$TTL 2w1d\nx 1W A 192.0.2.1\n\t300 AAAA ::1\n")],
        };
        foreach (var file in Directory.GetFiles(Path.Combine(Root(), "test/Rdns.Interop.Tests/TestData/zones"), "*.zone").Order(StringComparer.Ordinal))
            zonefile["testdata-" + Path.GetFileNameWithoutExtension(file)] = [0, .. File.ReadAllBytes(file)];
        Save(root, "zonefile", zonefile);

        // tsig: the low two bits of the first octet pick the mode (see TsigTarget).
        var request = DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.AXFR, id: 0x5eed).ToWire();
        var tsig = new Dictionary<string, byte[]>
        {
            ["verify-sha256"] = [0, .. Signed(signer, xfr, Query("2.0.192.in-addr.arpa.", RecordType.SOA))],
            ["verify-sha1"] = [0, .. Signed(signer, FuzzZones.Keys.Find(DnsName.Parse("sha1.key."))!, Notify())],
            ["verify-sha512"] = [0, .. Signed(signer, FuzzZones.Keys.Find(DnsName.Parse("sha512.key."))!, Query("1.2.0.192.in-addr.arpa.", RecordType.PTR, edns: new EdnsOptions()))],
            ["verify-badtime"] = [0, .. Signed(new TsigSigner(new FixedClock(FuzzZones.Now.AddHours(1))), xfr, Query("2.0.192.in-addr.arpa.", RecordType.SOA))],
            ["sign-query"] = [1, .. Query("1.2.0.192.in-addr.arpa.", RecordType.PTR)],
            ["sign-update"] = [1 | (1 << 2), .. Update()],
            ["stream"] = [2 | (2 << 2), .. Stream(signer, xfr, request)],
            ["keyfile"] = [3, .. Encoding.UTF8.GetBytes("key \"xfr.key.\" {\n\talgorithm hmac-sha256;\n\tsecret \"cmRucy1mdXp6LWhtYWMtc2hhMjU2LXNlY3JldC0zMm8=\";\n};\n# two keys\nkey other { algorithm hmac-sha1; secret \"c2VjcmV0\"; };\n")],
        };
        Save(root, "tsig", tsig);

        // json: the first octet picks the request type (see JsonTarget).
        var json = new Dictionary<string, byte[]>
        {
            ["ptr"] = Body(0, """{"ptrdname": "host.example.com", "ttl": 3600}"""),
            ["bulk"] = Body(1, """{"items": [{"ip": "192.0.2.25", "ptrdname": "mail.example.com"}, {"ip": "2001:db8::1", "ptrdname": null, "ttl": 60}]}"""),
            ["zone-prefix"] = Body(2, """{"prefix": "192.0.2.0/24", "nameServers": ["ns1.example.net", "ns2.example.net."]}"""),
            ["zone-name"] = Body(2, """{"name": "2.0.192.in-addr.arpa"}"""),
            ["rrsets"] = Body(3, """{"rrsets": [{"name": "129", "type": "PTR", "ttl": 3600, "data": ["www.example.com."]}, {"name": "130", "type": "PTR", "delete": true}, {"name": "@", "type": "TXT", "data": ["\"a\" b"]}]}"""),
            ["pool"] = Body(4, """{"prefix": "203.0.113.0/24", "defaultPtr": "ip-{ip}.pool.example.net.", "ttl": 3600}"""),
            ["tenant"] = Body(5, """{"name": "Acme"}"""),
            ["key"] = Body(6, """{"label": "ci"}"""),
            ["allocation"] = Body(7, """{"tenant": "ten_1", "prefix": "203.0.113.10/32"}"""),
            ["reverse"] = Body(8, """{"name": "mail.example.com"}"""),
            ["domain"] = Body(9, """{"name": "example.com"}"""),
        };
        Save(root, "json", json);

        var update = new Dictionary<string, byte[]>
        {
            ["update"] = Update(),
            ["update-signed"] = Signed(signer, xfr, Update()),
            ["response-compressed"] = Response(),
            ["notify"] = Notify(),
            ["ixfr"] = Ixfr(2024010101, new EdnsOptions()),
        };
        Save(root, "update", update);
        return 0;
    }

    private static byte[] Query(string name, RecordType type, bool rd = false, EdnsOptions? edns = null, RecordClass cls = RecordClass.IN)
    {
        var m = DnsMessage.Query(DnsName.Parse(name), type, id: 0x1234, recursionDesired: rd, edns: edns);
        m.Questions[0] = m.Questions[0] with { Class = cls };
        return m.ToWire();
    }

    private static byte[] Notify()
    {
        var zone = DnsName.Parse("2.0.192.in-addr.arpa.");
        var m = new DnsMessage { Id = 0x4e4f, Opcode = Opcode.Notify, Flags = HeaderFlags.AA };
        m.Questions.Add(new Question(zone, RecordType.SOA));
        m.Answers.Add(new ResourceRecord(zone, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 2024010102, 7200, 3600, 1209600, 300)));
        return m.ToWire();
    }

    private static byte[] Ixfr(uint serial, EdnsOptions? edns)
    {
        var zone = DnsName.Parse("2.0.192.in-addr.arpa.");
        var m = DnsMessage.Query(zone, RecordType.IXFR, id: 0x1f, edns: edns);
        m.Authority.Add(new ResourceRecord(zone, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), serial, 7200, 3600, 1209600, 300)));
        return m.ToWire();
    }

    /// <summary>RFC 2136: zone section, a prerequisite (name in use), deletes and an add.</summary>
    private static byte[] Update()
    {
        var zone = DnsName.Parse("2.0.192.in-addr.arpa.");
        var owner = DnsName.Parse("7.2.0.192.in-addr.arpa.");
        var m = new DnsMessage { Id = 0xd0, Opcode = Opcode.Update };
        m.Questions.Add(new Question(zone, RecordType.SOA));
        m.Answers.Add(new ResourceRecord(DnsName.Parse("1.2.0.192.in-addr.arpa."), RecordType.ANY, RecordClass.ANY, 0, []));
        m.Authority.Add(new ResourceRecord(owner, RecordType.PTR, RecordClass.ANY, 0, []));
        m.Authority.Add(new ResourceRecord(owner, RecordType.PTR, RecordClass.NONE, 0, Rdata.Ptr(DnsName.Parse("old.example.net."))));
        m.Authority.Add(new ResourceRecord(owner, RecordType.PTR, 3600, Rdata.Ptr(DnsName.Parse("new.example.net."))));
        return m.ToWire();
    }

    /// <summary>An answer as the server writes it, with compressed owners and RDATA names.</summary>
    private static byte[] Response()
    {
        var adapter = new QueryProcessorAdapter(FuzzZones.Build(), new FixedClock(FuzzZones.Now), System.Net.IPAddress.Loopback);
        var response = new byte[65535];
        var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 53);
        int n = adapter.Process(Query("example.test.", RecordType.MX), response, true, endpoint.Serialize(), endpoint);
        return response[..n];
    }

    private static byte[] Signed(TsigSigner signer, TsigKey key, byte[] message)
    {
        var buffer = new byte[message.Length + 512];
        message.CopyTo(buffer, 0);
        int length = message.Length;
        if (!signer.TrySignRequest(buffer, ref length, key, out _))
            throw new InvalidOperationException("seed does not fit");
        return buffer[..length];
    }

    /// <summary>Three responses to a signed request, signed as a server signs a stream, each after its length.</summary>
    private static byte[] Stream(TsigSigner signer, TsigKey key, byte[] request)
    {
        var signed = Signed(signer, key, request);
        var verifier = new TsigVerifier(FuzzZones.Keys, new FixedClock(FuzzZones.Now));
        TsigVerifier.TryFindTsig(signed, out int offset);
        verifier.VerifyRequest(signed, offset, out var exchange);
        var output = new List<byte>();
        for (int i = 0; i < 3; i++)
        {
            var buffer = new byte[1024];
            request.CopyTo(buffer, 0);
            buffer[2] |= 0x80;
            int length = request.Length;
            signer.TrySign(buffer, ref length, ref exchange);
            output.Add((byte)(length >> 8));
            output.Add((byte)length);
            output.AddRange(buffer[..length]);
        }
        return [.. output];
    }

    private static byte[] Body(byte kind, string json) => [kind, .. Encoding.UTF8.GetBytes(json)];

    private static void Save(string root, string target, Dictionary<string, byte[]> seeds)
    {
        var dir = Path.Combine(root, target);
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in seeds)
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
    }

    private static string Root()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Rdns.slnx")))
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("not inside the repository");
        return dir;
    }
}
