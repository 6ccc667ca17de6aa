using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Storage.Tests;

/// <summary>Zones, changesets and audit entries built in code, and a byte-exact text form of store contents.</summary>
internal static class TestZones
{
    public static readonly DnsName Zone2 = DnsName.Parse("2.0.192.in-addr.arpa.");
    public static readonly DnsName Zone3 = DnsName.Parse("3.0.192.in-addr.arpa.");

    public static DnsName N(string name) => DnsName.Parse(name);

    public static ResourceRecord Soa(DnsName zone, uint serial) =>
        new(zone, RecordType.SOA, 3600, Rdata.Soa(N("ns1.example.net."), N("hostmaster.example.net."), serial, 7200, 900, 1209600, 300));

    public static ResourceRecord Ns(DnsName zone) => new(zone, RecordType.NS, 3600, Rdata.FromName(N("ns1.example.net.")));

    public static ResourceRecord Ptr(DnsName zone, int host, string? target = null) =>
        new(zone.Prepend(host.ToString(System.Globalization.CultureInfo.InvariantCulture)), RecordType.PTR, 3600,
            Rdata.Ptr(N(target ?? $"host-{host}.example.com.")));

    /// <summary>SOA, NS and PTRs for hosts 1..<paramref name="ptrs"/>.</summary>
    public static List<ResourceRecord> Zone(DnsName zone, uint serial, int ptrs = 3)
    {
        var records = new List<ResourceRecord>(ptrs + 2) { Soa(zone, serial), Ns(zone) };
        for (int i = 1; i <= ptrs; i++)
            records.Add(Ptr(zone, i));
        return records;
    }

    /// <summary>A changeset that also swaps the SOA, as every real one does (RFC 1995 §4).</summary>
    public static ZoneCommit Change(DnsName zone, uint from, uint to, IEnumerable<ResourceRecord>? removed = null, IEnumerable<ResourceRecord>? added = null) =>
        new(zone, new Changeset(from, to,
            [Soa(zone, from), .. removed ?? []],
            [Soa(zone, to), .. added ?? []]));

    public static AuditEntry Audit(string action, string target) => new("tester", action, target, "detail", "192.0.2.7");

    /// <summary>Every field of every record, RDATA and owner as hex: equal text means byte-for-byte equal records.</summary>
    public static string Dump(IEnumerable<ResourceRecord> records) =>
        string.Join("\n", records.Select(r =>
            $"{Convert.ToHexString(r.Owner.Wire)} {(ushort)r.Type} {(ushort)r.Class} {r.Ttl} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal));

    public static string Dump(Changeset c) => $"{c.FromSerial}->{c.ToSerial}\n-{Dump(c.Removed)}\n+{Dump(c.Added)}";

    /// <summary>Everything a caller can read from the store, for "nothing changed" checks.</summary>
    public static async Task<string> StateAsync(IRdnsStore store)
    {
        var sb = new StringBuilder();
        foreach (var z in await store.ListZonesAsync(1000))
        {
            sb.AppendLine($"zone {z.Name} serial {z.Serial} count {z.RecordCount} created {z.CreatedAt:O} updated {z.UpdatedAt:O}");
            var loaded = await store.LoadAsync(z.Name);
            sb.AppendLine(Dump(loaded!.Records));
            // Every zone in these tests starts at serial 1.
            var journal = await store.GetJournalAsync(z.Name, 1);
            sb.AppendLine(journal is null ? "journal: null" : string.Join("\n", journal.Select(Dump)));
        }
        foreach (var a in await store.GetAuditAsync(1000))
            sb.AppendLine($"audit {a.Id} {a.At:O} {a.Actor} {a.Action} {a.Target} {a.Detail} {a.RemoteAddress}");
        return sb.ToString();
    }
}
