using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_commit_applies_removals_and_additions_and_journals_the_changeset()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 3), false, Audit("create", "zone"));
        var change = Change(Zone2, 1, 2,
            removed: [Ptr(Zone2, 2), Ptr(Zone2, 77)], // 77 is not there: ignored
            added: [Ptr(Zone2, 4), Ptr(Zone2, 1, "second-name.example.com.")]);
        await Store.CommitAsync([change], Audit("commit", "zone"));

        var loaded = (await Store.LoadAsync(Zone2))!;
        Assert.Equal(2u, loaded.Serial);
        var expected = Zone(Zone2, 2, ptrs: 3).Where(r => !r.Equals(Ptr(Zone2, 2))).Append(Ptr(Zone2, 4)).Append(Ptr(Zone2, 1, "second-name.example.com."));
        Assert.Equal(Dump(expected), Dump(loaded.Records));
        Assert.Equal(6, (await Store.ListZonesAsync(1)).Single().RecordCount);
        Assert.Equal(Dump(change.Changeset), Dump(Assert.Single((await Store.GetJournalAsync(Zone2, 1))!)));
    }

    [Fact]
    public async Task A_commit_from_a_stale_serial_conflicts_and_leaves_the_store_exactly_as_it_was()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("commit", "first"));
        string before = await StateAsync(Store);

        var stale = Change(Zone2, 1, 3, removed: [Ptr(Zone2, 1)], added: [Ptr(Zone2, 10)]);
        var e = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync([stale], Audit("commit", "stale")));
        Assert.Contains("serial 2", e.Message);
        await Assert.ThrowsAsync<StoreConflictException>(() =>
            Store.CommitAsync([Change(Zone3, 1, 2)], Audit("commit", "missing zone")));
        Assert.Equal(before, await StateAsync(Store));
    }

    [Fact]
    public async Task A_commit_of_several_zones_is_all_or_nothing()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "2"));
        await Store.CreateZoneAsync(Zone3, Zone(Zone3, 1), false, Audit("create", "3"));
        await Store.CommitAsync([Change(Zone3, 1, 2)], Audit("commit", "3"));
        string before = await StateAsync(Store);

        var good = Change(Zone2, 1, 2, removed: [Ptr(Zone2, 1)], added: [Ptr(Zone2, 5)]);
        var conflicting = Change(Zone3, 1, 3, added: [Ptr(Zone3, 5)]);
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync([good, conflicting], Audit("commit", "both")));
        Assert.Equal(before, await StateAsync(Store));

        await Store.CommitAsync([good, Change(Zone3, 2, 3, added: [Ptr(Zone3, 5)])], Audit("commit", "both"));
        Assert.Equal(2u, await Store.GetSerialAsync(Zone2));
        Assert.Equal(3u, await Store.GetSerialAsync(Zone3));
        Assert.Equal("commit", (await Store.GetAuditAsync(1)).Single().Action);
    }

    [Fact]
    public async Task Concurrent_commits_from_the_same_serial_let_exactly_one_win()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await using var other = OpenStore();
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Store : other).CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 100 + i)])], Audit("commit", $"attempt {i}"))));
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                await t;
                return "won";
            }
            catch (StoreConflictException)
            {
                return "conflict";
            }
        }));
        Assert.Equal(1, outcomes.Count(o => o == "won"));
        Assert.Equal(7, outcomes.Count(o => o == "conflict"));
        Assert.Equal(6, (await Store.LoadAsync(Zone2))!.Records.Count);
        Assert.Single((await Store.GetJournalAsync(Zone2, 1))!);
    }

    [Fact]
    public async Task The_journal_chains_from_an_older_serial_is_empty_at_the_current_one_and_null_once_pruned()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        var changes = new List<ZoneCommit>();
        // Serials step by 10, then take two of the largest legal jumps (RFC 1982 §3.1) and wrap past 2^32.
        uint serial = 1;
        for (int i = 0; i < JournalLimit + 2; i++)
        {
            uint next = unchecked(serial + (i is 3 or 4 ? 0x7FFFFFF0u : 10u));
            changes.Add(Change(Zone2, serial, next, added: [Ptr(Zone2, 10 + i)]));
            await Store.CommitAsync([changes[^1]], Audit("commit", $"step {i}"));
            serial = next;
        }
        Assert.Equal(serial, await Store.GetSerialAsync(Zone2));
        Assert.Equal(19u, serial); // wrapped

        Assert.Empty((await Store.GetJournalAsync(Zone2, serial))!);
        var fromThirdLast = await Store.GetJournalAsync(Zone2, changes[^3].Changeset.FromSerial);
        Assert.Equal(changes.TakeLast(3).Select(c => Dump(c.Changeset)), fromThirdLast!.Select(Dump));
        // Only the last JournalLimit changesets are kept: the first two steps are gone.
        Assert.Equal(JournalLimit, (await Store.GetJournalAsync(Zone2, changes[2].Changeset.FromSerial))!.Count);
        Assert.Null(await Store.GetJournalAsync(Zone2, changes[1].Changeset.FromSerial));
        Assert.Null(await Store.GetJournalAsync(Zone2, 1));
        Assert.Null(await Store.GetJournalAsync(Zone2, 12345)); // never a serial of this zone
        Assert.Null(await Store.GetJournalAsync(Zone3, 1)); // no such zone
    }

    [Fact]
    public async Task Every_change_writes_an_audit_row_read_back_newest_first()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, new AuditEntry("alice", "zone.create", Zone2.ToString(), null, "2001:db8::1"));
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], new AuditEntry("bob", "ptr.set", "192.0.2.9", "host-9.example.com."));
        await Store.AddKeyAsync(Key("k1", "admin", [1]), new AuditEntry("alice", "key.add", "k1"));
        await Store.AddKeyAsync(Key("k2", "admin", [2]), new AuditEntry("alice", "key.add", "k2"));
        await Store.RevokeKeyAsync("k1", "admin", null, new AuditEntry("alice", "key.revoke", "k1"));
        await Store.DeleteZoneAsync(Zone2, new AuditEntry("carol", "zone.delete", Zone2.ToString()));
        // Nothing changed, nothing audited.
        Assert.False(await Store.DeleteZoneAsync(Zone2, new AuditEntry("carol", "zone.delete", Zone2.ToString())));
        Assert.Equal(KeyRevocation.AlreadyRevoked, await Store.RevokeKeyAsync("k1", "admin", null, new AuditEntry("alice", "key.revoke", "k1")));
        Assert.Equal(KeyRevocation.LastAdminKey, await Store.RevokeKeyAsync("k2", "admin", null, new AuditEntry("alice", "key.revoke", "k2")));

        var audit = await Store.GetAuditAsync(10);
        Assert.Equal(["zone.delete", "key.revoke", "key.add", "key.add", "ptr.set", "zone.create"], audit.Select(a => a.Action));
        Assert.True(audit.Zip(audit.Skip(1)).All(p => p.First.Id > p.Second.Id));
        Assert.All(audit, a => Assert.InRange(a.At, before, DateTimeOffset.UtcNow.AddSeconds(5)));
        var ptr = audit[4];
        Assert.Equal(("bob", "192.0.2.9", "host-9.example.com.", (string?)null), (ptr.Actor, ptr.Target, ptr.Detail, ptr.RemoteAddress));
        Assert.Equal("2001:db8::1", audit[5].RemoteAddress);

        var page = await Store.GetAuditAsync(2, audit[1].Id);
        Assert.Equal(["key.add", "key.add"], page.Select(a => a.Action));
    }

    [Fact]
    public async Task Keys_are_added_found_by_hash_revoked_and_counted()
    {
        var created = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234560);
        var admin = Key("k-admin", "admin", [1, 2, 3], created);
        var tenant = new ApiKeyRecord("k-tenant", "tenant", "t-42", [4, 5, 6], created, "ci deploys");
        await Store.AddKeyAsync(admin, Audit("key.add", "k-admin"));
        await Store.AddKeyAsync(tenant, Audit("key.add", "k-tenant"));
        await Store.AddKeyAsync(Key("k-admin-2", "admin", [7]), Audit("key.add", "k-admin-2"));

        var found = await Store.FindKeyAsync([4, 5, 6]);
        Assert.NotNull(found);
        Assert.Equal((tenant.Id, tenant.Role, tenant.TenantId, tenant.Label), (found.Id, found.Role, found.TenantId, found.Label));
        Assert.Equal(tenant.Hash, found.Hash);
        Assert.Equal(created, found.CreatedAt);
        Assert.Null(found.RevokedAt);
        Assert.Null(await Store.FindKeyAsync([9, 9, 9]));
        Assert.Equal(2, await Store.CountKeysAsync("admin"));
        Assert.Equal(0, await Store.CountKeysAsync("nobody"));

        await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddKeyAsync(Key("k-other", "admin", [1, 2, 3]), Audit("key.add", "dup hash")));
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddKeyAsync(Key("k-admin", "admin", [8]), Audit("key.add", "dup id")));

        Assert.Equal(KeyRevocation.Revoked, await Store.RevokeKeyAsync("k-admin", "admin", null, Audit("key.revoke", "k-admin")));
        Assert.Null(await Store.FindKeyAsync([1, 2, 3]));
        Assert.Equal(1, await Store.CountKeysAsync("admin"));
        Assert.Equal(KeyRevocation.AlreadyRevoked, await Store.RevokeKeyAsync("k-admin", "admin", null, Audit("key.revoke", "k-admin")));
        Assert.Equal(KeyRevocation.NotFound, await Store.RevokeKeyAsync("k-missing", "admin", null, Audit("key.revoke", "k-missing")));
        // A key is found only under its own role and tenant.
        Assert.Equal(KeyRevocation.NotFound, await Store.RevokeKeyAsync("k-tenant", "tenant", "t-other", Audit("key.revoke", "k-tenant")));
        Assert.Equal(KeyRevocation.NotFound, await Store.RevokeKeyAsync("k-tenant", "admin", null, Audit("key.revoke", "k-tenant")));
        // The last operator key stays, so the store cannot be locked out of its own API.
        Assert.Equal(KeyRevocation.LastAdminKey, await Store.RevokeKeyAsync("k-admin-2", "admin", null, Audit("key.revoke", "k-admin-2")));
        Assert.NotNull(await Store.FindKeyAsync([7]));

        // Oldest first: k-admin-2 was created a day before k-admin.
        var admins = await Store.ListKeysAsync("admin", null);
        Assert.Equal(["k-admin-2", "k-admin"], admins.Select(k => k.Id));
        Assert.Null(admins[0].RevokedAt);
        Assert.NotNull(admins[1].RevokedAt);
        Assert.Equal(created, admins[1].CreatedAt);
        Assert.Equal("k-tenant", Assert.Single(await Store.ListKeysAsync("tenant", "t-42")).Id);
        Assert.Empty(await Store.ListKeysAsync("tenant", "t-other"));
        Assert.Equal(KeyRevocation.Revoked, await Store.RevokeKeyAsync("k-tenant", "tenant", "t-42", Audit("key.revoke", "k-tenant")));
        Assert.Null(await Store.FindKeyAsync([4, 5, 6]));
    }

    [Fact]
    public async Task A_store_is_given_one_id_that_the_first_claim_decides()
    {
        Assert.True(await Store.IsEmptyAsync());
        Assert.Null(await Store.GetIdentityAsync());
        Assert.Equal("first", await Store.ClaimIdentityAsync("first", Audit("store.identify", "-")));
        Assert.Equal("first", await Store.ClaimIdentityAsync("second", Audit("store.identify", "-")));
        await using (var other = OpenStore())
            Assert.Equal("first", await other.GetIdentityAsync());
        Assert.Single(await Store.GetAuditAsync(10), a => a.Action == "store.identify" && a.Target == "first");

        // An id alone does not make a store hold something; a zone or a key does.
        Assert.True(await Store.IsEmptyAsync());
        await Store.AddKeyAsync(Key("k", "admin", [1]), Audit("key.add", "k"));
        Assert.False(await Store.IsEmptyAsync());
    }

    private static ApiKeyRecord Key(string id, string role, byte[] hash, DateTimeOffset? created = null) =>
        new(id, role, null, hash, created ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), null);

    [Fact]
    public async Task Records_of_every_type_keep_their_exact_bytes()
    {
        var records = Zone(Zone2, 1);
        records.Add(new ResourceRecord(Zone2.Prepend("a"), RecordType.A, 0, [192, 0, 2, 1]));
        records.Add(new ResourceRecord(Zone2.Prepend("a"), RecordType.AAAA, uint.MaxValue, new byte[16]));
        records.Add(new ResourceRecord(Zone2.Prepend("opaque"), (RecordType)65280, RecordClass.IN, 5, []));
        records.Add(new ResourceRecord(Zone2.Prepend("ch"), RecordType.TXT, RecordClass.CH, 5, Rdata.Txt("chaos")));
        await Store.CreateZoneAsync(Zone2, records, false, Audit("create", "zone"));
        Assert.Equal(Dump(records), Dump((await Store.LoadAsync(Zone2))!.Records));
        Assert.Equal(Dump(records), Dump((await Store.LoadAllAsync()).Single().Records));
    }
}
