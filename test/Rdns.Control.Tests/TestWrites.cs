using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Control.Tests;

/// <summary>Writes of the write-path tests: one /24 zone created with an SOA and NS, PTRs set in it and read back.</summary>
internal static class TestWrites
{
    public static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    public static IReadOnlyList<ResourceRecord> Skeleton() =>
    [
        new(Zone, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 7200, 900, 1209600, 300)),
        new(Zone, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
    ];

    public static ZoneWrite Create() => new([], new WriteAudit("tester", "zone.create", Zone.ToString())) { Creations = [new NewZone(Zone, Skeleton())] };

    public static ZoneWrite SetPtr(int host, string target, object? attachment = null) =>
        new([new ZoneEdit(Zone, [new RRsetChange(DnsName.Parse($"{host}.{Zone}"), RecordType.PTR, 300, [DnsName.Parse(target).Wire.ToArray()])])],
            new WriteAudit("tester", "ptr.set", host.ToString())) { Attachment = attachment };

    /// <summary>The PTR target of address <paramref name="host"/> in the zone, or null.</summary>
    public static string? PtrOf(ZoneSnapshot? zone, int host) =>
        zone?.GetRRset(DnsName.Parse($"{host}.{Zone}").Wire, RecordType.PTR) is { } set ? Rdata.ReadName(set.Data[0]).ToString() : null;
}
