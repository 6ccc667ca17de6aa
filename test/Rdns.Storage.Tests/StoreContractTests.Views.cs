using Rdns.Protocol.Names;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

public abstract partial class StoreContractTests
{
    private static readonly DnsName Private10 = N("10.in-addr.arpa.");

    private static StoredView View(string name, string? tenant = null) =>
        new(name, 0, ["10.20.0.0/16", "127.0.0.2/32"], ["127.0.0.1/32"], ["office-key."], tenant, default, default);

    [Fact]
    public async Task Views_are_added_in_order_listed_changed_and_deleted_with_their_audit_rows()
    {
        var office = await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        var lab = await Store.AddViewAsync(View("lab", "ten-1"), Audit("view.create", "lab"));
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddViewAsync(View("office"), Audit("view.create", "office")));
        Assert.True(lab.Position > office.Position);

        var all = await Store.ListViewsAsync();
        Assert.Equal(["office", "lab"], all.Select(v => v.Name).ToArray());
        Assert.Equal(["10.20.0.0/16", "127.0.0.2/32"], all[0].Clients);
        Assert.Equal(["127.0.0.1/32"], all[0].Destinations);
        Assert.Equal(["office-key."], all[0].Keys);
        Assert.Equal("ten-1", all[1].TenantId);

        var changed = await Store.UpdateViewAsync(View("office") with { Clients = ["192.0.2.0/24"], Keys = [] }, Audit("view.change", "office"));
        Assert.NotNull(changed);
        Assert.Equal((office.Position, "192.0.2.0/24", 0), (changed.Position, Assert.Single(changed.Clients), changed.Keys.Count));
        Assert.Null(await Store.UpdateViewAsync(View("nowhere"), Audit("view.change", "nowhere")));

        Assert.Equal(ViewDeletion.Deleted, await Store.DeleteViewAsync("lab", Audit("view.delete", "lab")));
        Assert.Equal(ViewDeletion.NotFound, await Store.DeleteViewAsync("lab", Audit("view.delete", "lab")));
        Assert.Equal(["office"], (await Store.ListViewsAsync()).Select(v => v.Name).ToArray());
        Assert.Equal(4, (await Store.GetAuditAsync(20)).Count(a => a.Action.StartsWith("view.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_same_zone_name_lives_in_several_views_with_its_own_records_serial_and_journal()
    {
        await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        await Store.AddViewAsync(View("lab"), Audit("view.create", "lab"));
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 1), false, Audit("create", "public"));
        await using (var batch = await Store.BeginBatchAsync("office", [Zone2, Private10]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "office"))
            {
                Creations = [new ZoneCreation(Zone2, Zone(Zone2, 7, ptrs: 2), false), new ZoneCreation(Private10, Zone(Private10, 3, ptrs: 0), false)],
            });
            await batch.CommitAsync();
        }
        await using (var batch = await Store.BeginBatchAsync("lab", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "lab")) { Creations = [new ZoneCreation(Zone2, Zone(Zone2, 20, ptrs: 3), false)] });
            await batch.CommitAsync();
        }

        Assert.Equal(1u, await Store.GetSerialAsync(Zone2));
        Assert.Equal(7u, await Store.GetSerialAsync("office", Zone2));
        Assert.Equal(20u, await Store.GetSerialAsync("lab", Zone2));
        Assert.Null(await Store.GetSerialAsync(Private10));
        Assert.Null(await Store.GetSerialAsync("lab", Private10));
        Assert.Equal(Dump(Zone(Zone2, 7, ptrs: 2)), Dump((await Store.LoadAsync("office", Zone2))!.Records));
        Assert.Equal(Dump(Zone(Zone2, 1, ptrs: 1)), Dump((await Store.LoadAsync(Zone2))!.Records));

        // Listing is per view; the public view's listing (and loading) is what it was before views.
        Assert.Equal([Zone2], (await Store.ListZonesAsync(10)).Select(z => z.Name).ToArray());
        Assert.Equal([Private10, Zone2], (await Store.ListZonesAsync("office", 10)).Select(z => z.Name).OrderBy(n => n.ToString(), StringComparer.Ordinal).ToArray());
        Assert.Equal([Zone2], (await Store.ListZonesAsync("lab", 10)).Select(z => z.Name).ToArray());
        Assert.Equal([Zone2], (await Store.LoadAllAsync()).Select(z => z.Name).ToArray());

        // A commit in one view moves that view's zone only, and journals it there.
        await using (var batch = await Store.BeginBatchAsync("office", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("commit", "office")) { Commits = [Change(Zone2, 7, 8, added: [Ptr(Zone2, 99)])] });
            await batch.CommitAsync();
        }
        Assert.Equal((1u, 8u, 20u), (await Store.GetSerialAsync(Zone2), await Store.GetSerialAsync("office", Zone2), await Store.GetSerialAsync("lab", Zone2)));
        Assert.Single((await Store.GetJournalAsync("office", Zone2, 7))!);
        Assert.Empty((await Store.GetJournalAsync(Zone2, 1))!);
        Assert.Null(await Store.GetJournalAsync("lab", Zone2, 7));

        // A view holding zones is not deleted; deleting its zones first, it is.
        Assert.Equal(ViewDeletion.HasZones, await Store.DeleteViewAsync("lab", Audit("view.delete", "lab")));
        await using (var batch = await Store.BeginBatchAsync("lab", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("delete", "lab")) { Deletions = [Zone2] });
            await batch.CommitAsync();
        }
        Assert.Equal(1u, await Store.GetSerialAsync(Zone2));
        Assert.Equal(ViewDeletion.Deleted, await Store.DeleteViewAsync("lab", Audit("view.delete", "lab")));
    }

    [Fact]
    public async Task Raw_rows_name_each_zone_with_its_view()
    {
        await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 1), false, Audit("create", "public"));
        await using (var batch = await Store.BeginBatchAsync("office", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "office")) { Creations = [new ZoneCreation(Zone2, Zone(Zone2, 7, ptrs: 2), false)] });
            await batch.CommitAsync();
        }
        var rows = new ViewRows();
        await Store.LoadAllAsync(rows);
        Assert.Equal(["office 2.0.192.in-addr.arpa. 7", "public 2.0.192.in-addr.arpa. 1"], rows.Zones.Order(StringComparer.Ordinal).ToArray());
        // A reader that knows only the public view sees only the public view's zone.
        var plain = new PublicRows();
        await Store.LoadAllAsync(plain);
        Assert.Equal(["2.0.192.in-addr.arpa. 1"], plain.Zones.ToArray());
    }

    private sealed class ViewRows : IZoneRowReader
    {
        public List<string> Zones { get; } = [];

        public void Zone(long id, DnsName name, uint serial) => throw new InvalidOperationException("the view's overload is called");

        public void Zone(long id, string view, DnsName name, uint serial) => Zones.Add($"{view} {name} {serial}");

        public void Row(long zoneId, ReadOnlySpan<byte> owner, Protocol.Wire.RecordType type, Protocol.Wire.RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
        {
        }
    }

    private sealed class PublicRows : IZoneRowReader
    {
        public List<string> Zones { get; } = [];

        public void Zone(long id, DnsName name, uint serial) => Zones.Add($"{name} {serial}");

        public void Row(long zoneId, ReadOnlySpan<byte> owner, Protocol.Wire.RecordType type, Protocol.Wire.RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
        {
        }
    }
}
