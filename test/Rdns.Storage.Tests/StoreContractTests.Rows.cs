using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>Zones given as rows (octets, as a zone file is read) are stored exactly as the same records given as a list.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_zone_given_as_rows_is_stored_exactly_as_the_same_records_in_a_list()
    {
        var records = Zone(Zone2, 1, ptrs: 0);
        // More rows than the bulk insert sorts for, out of index order; mixed case, several
        // types, a big TXT and a binary owner label.
        var random = new Random(5);
        for (int i = 0; i < 6000; i++)
            records.Add(Ptr(Zone2, random.Next(256), $"Host-{i}.Example.NET."));
        records.Add(new ResourceRecord(Zone2.Prepend("TXT"), RecordType.TXT, 300, Rdata.Txt([new string('x', 255), "second"])));
        records.Add(new ResourceRecord(Zone2.Prepend([0x00, (byte)'.', 0xFF]), RecordType.PTR, 60, Rdata.Ptr(N("binary.example."))));
        var rows = ZoneRows.From(records);
        Assert.Equal(records.Count, rows.Count);

        await Store.CreateZoneAsync(Zone2, rows, false, Audit("create", "zone"));

        Assert.Equal(Dump(records), Dump((await Store.LoadAsync(Zone2))!.Records));
        Assert.Equal(1u, await Store.GetSerialAsync(Zone2));
    }

    [Fact]
    public async Task Empty_rdata_given_as_rows_is_stored_as_empty()
    {
        var records = Zone(Zone2, 1);
        // RFC 3597 generic RDATA of length 0 (\# 0) is a valid record of an unknown type.
        records.Add(new ResourceRecord(Zone2.Prepend("empty"), (RecordType)65280, 300, []));

        await Store.CreateZoneAsync(Zone2, ZoneRows.From(records), false, Audit("create", "zone"));

        var stored = (await Store.LoadAsync(Zone2))!.Records;
        Assert.Equal(Dump(records), Dump(stored));
        Assert.Empty(Assert.Single(stored, r => r.Type == (RecordType)65280).Data);
    }

    [Fact]
    public async Task Rows_of_large_rdata_are_stored_exactly_as_a_list_gives_them()
    {
        // Forty TXT records of about 60 KB: more than the bulk insert takes together, mixed with small rows.
        var records = Zone(Zone2, 1, ptrs: 100);
        var strings = Enumerable.Range(0, 235).Select(i => new string((char)('a' + i % 26), 255)).ToArray();
        for (int i = 0; i < 40; i++)
            records.Insert(3 + i * 2, new ResourceRecord(Zone2.Prepend($"big-{i}"), RecordType.TXT, 300, Rdata.Txt(strings)));

        await Store.CreateZoneAsync(Zone2, ZoneRows.From(records), false, Audit("create", "zone"));

        Assert.Equal(Dump(records), Dump((await Store.LoadAsync(Zone2))!.Records));
    }

    [Fact]
    public async Task Zones_written_during_a_bulk_load_are_kept_once_it_completes()
    {
        var bulk = await Store.BeginBulkLoadAsync();
        await using (bulk)
        {
            await Store.CreateZoneAsync(Zone2, ZoneRows.From(Zone(Zone2, 1)), false, Audit("create", "zone"));
            await bulk.CompleteAsync();
        }
        await Store.CreateZoneAsync(Zone3, ZoneRows.From(Zone(Zone3, 1)), false, Audit("create", "zone"));

        Assert.Equal(Dump(Zone(Zone2, 1)), Dump((await Store.LoadAsync(Zone2))!.Records));
        Assert.Equal(Dump(Zone(Zone3, 1)), Dump((await Store.LoadAsync(Zone3))!.Records));
    }

    [Fact]
    public async Task Rows_that_are_not_a_zone_are_refused_and_nothing_is_stored()
    {
        var noSoa = ZoneRows.From(Zone(Zone2, 1).Where(r => r.Type != RecordType.SOA).ToList());
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateZoneAsync(Zone2, noSoa, false, Audit("create", "zone")));
        var twoSoas = ZoneRows.From([.. Zone(Zone2, 1), Soa(Zone2, 2)]);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateZoneAsync(Zone2, twoSoas, false, Audit("create", "zone")));
        var outside = ZoneRows.From([.. Zone(Zone2, 1), Ptr(Zone3, 1)]);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateZoneAsync(Zone2, outside, false, Audit("create", "zone")));
        Assert.Contains("1.3.0.192.in-addr.arpa.", e.Message);
        var soaBelowApex = ZoneRows.From([Soa(Zone2.Prepend("sub"), 1), Ns(Zone2)]);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateZoneAsync(Zone2, soaBelowApex, false, Audit("create", "zone")));
        Assert.Empty(await Store.ListZonesAsync(10));
        Assert.Empty(await Store.GetAuditAsync(10));
    }
}
