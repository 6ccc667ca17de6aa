using System.Net;
using System.Text;
using Rdns.Interop.Tests.Support;

namespace Rdns.Resolver.Tests;

/// <summary>
/// A real Knot DNS server on a free loopback port serving two small forward zones with every case a
/// forward-confirmation check meets. knotd is authoritative only: it answers queries with RD set
/// but does not recurse, so out-of-zone CNAME targets are left for the stub to ask about.
/// A missing knotd fails every test that uses this fixture (./test.sh installs it).
/// </summary>
public sealed class KnotForwardZones : IAsyncLifetime
{
    public const int BigCount = 150;

    private KnotDaemon? _knot;

    public IPEndPoint Endpoint => new(IPAddress.Loopback, _knot!.Port);

    public StubResolver Resolver { get; private set; } = null!;

    public static string ExampleZone()
    {
        var zone = new StringBuilder("""
            $ORIGIN example.test.
            $TTL 300
            @               SOA   ns.example.test. hostmaster.example.test. 1 3600 600 86400 300
            @               NS    ns
            ns              A     192.0.2.53
            v4              A     192.0.2.10
            v6              AAAA  2001:db8::10
            dual            A     198.51.100.7
            dual            AAAA  2001:db8::9
            multi           A     192.0.2.21
            multi           A     192.0.2.22
            multi           A     192.0.2.23
            alias1          CNAME alias2
            alias2          CNAME v4
            dangling        CNAME gone
            loop1           CNAME loop2
            loop2           CNAME loop1
            out             CNAME target.other.test.
            txtonly         TXT   "hello"
            a.ent           A     192.0.2.30
            _rdns-challenge TXT   "rdns-verify=3f9a1c"
            _rdns-challenge TXT   "first half, " "second half"
            utf8            TXT   "h\195\169llo w\195\182rld"

            """);
        // hop0 -> ... -> hop8 (8 CNAMEs) ends at an address; long0 -> ... -> long9 (9 CNAMEs) is one too many.
        for (int i = 0; i < 8; i++)
            zone.Append($"hop{i} CNAME hop{i + 1}\n");
        zone.Append("hop8 A 192.0.2.88\n");
        for (int i = 0; i < 9; i++)
            zone.Append($"long{i} CNAME long{i + 1}\n");
        zone.Append("long9 A 192.0.2.99\n");
        // Far more than a 1232-octet UDP reply holds: the answer needs TCP.
        for (int i = 0; i < BigCount; i++)
            zone.Append($"big A 10.0.{i / 256}.{i % 256}\n");
        return zone.ToString();
    }

    public const string OtherZone = """
        $ORIGIN other.test.
        $TTL 300
        @      SOA ns.other.test. hostmaster.other.test. 1 3600 600 86400 300
        @      NS  ns.example.test.
        target A   198.51.100.77

        """;

    public async Task InitializeAsync()
    {
        _knot = await KnotDaemon.StartAsync(new Dictionary<string, string>
        {
            ["example.test."] = ExampleZone(),
            ["other.test."] = OtherZone,
        });
        // Generous per try: a loaded machine must not turn a slow answer into a retry the tests count.
        Resolver = new StubResolver(new ResolverOptions { Servers = [Endpoint], Timeout = TimeSpan.FromSeconds(10) });
    }

    public async Task DisposeAsync()
    {
        if (_knot is not null)
            await _knot.DisposeAsync();
    }
}
