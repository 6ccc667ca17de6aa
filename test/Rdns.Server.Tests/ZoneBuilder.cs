using System.Net;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Server.Tests;

/// <summary>Builds zones in code for tests: names relative to the origin unless they end in a dot.</summary>
internal sealed class ZoneBuilder(string origin)
{
    public DnsName Origin { get; } = DnsName.Parse(origin);

    public List<ResourceRecord> Records { get; } = [];

    public static ZoneBuilder Standard(string origin, uint serial = 1)
    {
        var b = new ZoneBuilder(origin);
        b.Add("@", RecordType.SOA, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), serial, 7200, 900, 1209600, 300));
        b.Name("@", RecordType.NS, "ns1.example.net.");
        return b;
    }

    public DnsName N(string name) => DnsName.Parse(name, Origin);

    public ZoneBuilder Add(string owner, RecordType type, byte[] data, uint ttl = 3600)
    {
        Records.Add(new ResourceRecord(N(owner), type, ttl, data));
        return this;
    }

    public ZoneBuilder Name(string owner, RecordType type, string target, uint ttl = 3600) =>
        Add(owner, type, N(target).Wire.ToArray(), ttl);

    public ZoneBuilder Ptr(string owner, string target) => Name(owner, RecordType.PTR, target);

    public ZoneBuilder Cname(string owner, string target) => Name(owner, RecordType.CNAME, target);

    public ZoneBuilder Ns(string owner, string target) => Name(owner, RecordType.NS, target);

    public ZoneBuilder A(string owner, string address) => Add(owner, RecordType.A, IPAddress.Parse(address).GetAddressBytes());

    public ZoneBuilder Txt(string owner, string text) => Add(owner, RecordType.TXT, Rdata.Txt(text));

    public ZoneSnapshot Build() => ZoneSnapshot.Build(Origin, Records);
}
