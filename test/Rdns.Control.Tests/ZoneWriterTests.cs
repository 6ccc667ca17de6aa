using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.TestSupport;
using Rdns.Zones;
using Rdns.Zones.Writes;
using static Rdns.Control.Tests.TestWrites;

namespace Rdns.Control.Tests;

/// <summary>The one write path: group commit, isolation of a failing request, catching up with other nodes, and a store that is down.</summary>
public sealed class ZoneWriterTests() : StoreScratch("rdns-writer-")
{

    private sealed record Node(IRdnsStore Store, ServedZones Zones, ZoneWriter Writer);

    private async Task<Node> NodeAsync(string? connection = null)
    {
        var store = StoreFactory.Open(new StoreOptions { Connection = connection }, DataDirectory);
        Own(store);
        await store.MigrateAsync();
        var zones = new ServedZones();
        var writer = new ZoneWriter(store, zones, NullLogger<ZoneWriter>.Instance);
        Own(writer);
        return new Node(store, zones, writer);
    }

    private async Task<PostgresDatabase> DatabaseAsync()
    {
        var db = await PostgresDatabase.CreateAsync();
        Own(db);
        return db;
    }

    [Fact]
    public async Task Concurrent_writes_share_durable_transactions_and_all_land()
    {
        var node = await NodeAsync();
        await node.Writer.WriteAsync(Create());
        var writes = Enumerable.Range(1, 200).Select(i => node.Writer.WriteAsync(SetPtr(i, $"h{i}.example.net."))).ToList();
        await Task.WhenAll(writes);
        var zone = node.Zones.Current.Get(Zone)!;
        Assert.Equal(201u, zone.Serial);
        Assert.All(Enumerable.Range(1, 200), i => Assert.Equal($"h{i}.example.net.", PtrOf(zone, i)));
        // Group commit: 201 requests needed far fewer transactions.
        Assert.Equal(201, node.Writer.Requests);
        Assert.True(node.Writer.Commits < 100, $"{node.Writer.Commits} commits for {node.Writer.Requests} requests");
        // Every batch's requests went in as one group: none was undone.
        Assert.Equal(0, node.Writer.GroupsUndone);
        // Durable: a new store on the same file holds every change, journal included.
        await using var reopened = StoreFactory.Open(new StoreOptions(), DataDirectory);
        Assert.Equal(201u, await reopened.GetSerialAsync(Zone));
        Assert.Equal(200, (await reopened.GetJournalAsync(Zone, 1))!.Count);
    }

    [Fact]
    public async Task A_request_the_store_refuses_leaves_nothing_and_the_rest_of_its_batch_lands()
    {
        var db = await DatabaseAsync();
        var node = await NodeAsync(db.ConnectionString);
        await node.Writer.WriteAsync(Create());
        // Hold the zone's lock from outside, so the next batch waits while more requests queue up.
        var holder = new Npgsql.NpgsqlConnection(db.ConnectionString);
        await holder.OpenAsync();
        var tx = await holder.BeginTransactionAsync();
        await using (var lockCmd = new Npgsql.NpgsqlCommand("SELECT pg_advisory_xact_lock(1380208211, hashtext('2.0.192.in-addr.arpa.'))", holder, tx))
            await lockCmd.ExecuteNonQueryAsync();
        var first = node.Writer.WriteAsync(SetPtr(1, "first.example.net."));
        await Task.Delay(200);
        var rest = new List<Task<ZoneWriteResult>>();
        for (int i = 2; i <= 9; i++)
        {
            // Request 5 also releases an allocation that does not exist: the store refuses it.
            object? attachment = i == 5 ? new TenantAttachment([new ReleaseAllocation("no-such-allocation", DateTimeOffset.UtcNow)]) : null;
            rest.Add(node.Writer.WriteAsync(SetPtr(i, $"h{i}.example.net.", attachment)));
        }
        await Task.Delay(200);
        long commitsBefore = node.Writer.Commits;
        await tx.CommitAsync();
        await holder.DisposeAsync();
        await first;
        await Assert.ThrowsAsync<TenantConflictException>(() => rest[3]);
        foreach (var (task, i) in rest.Select((t, i) => (t, i + 2)).Where(x => x.Item2 != 5))
            await task;
        // The eight queued requests went in one transaction.
        Assert.Equal(2, node.Writer.Commits - commitsBefore);
        await AssertAllButFiveLandedAsync(node);
    }

    /// <summary>What requests 2 to 9 after request 1 leave when request 5 was refused: the others' PTRs, serial 9 here and in the store, a changeset each, none with 5.</summary>
    private static async Task AssertAllButFiveLandedAsync(Node node)
    {
        var zone = node.Zones.Current.Get(Zone)!;
        Assert.Null(PtrOf(zone, 5));
        Assert.Equal("h9.example.net.", PtrOf(zone, 9));
        Assert.Equal(9u, zone.Serial);
        Assert.Equal(9u, await node.Store.GetSerialAsync(Zone));
        var journal = (await node.Store.GetJournalAsync(Zone, 1))!;
        Assert.Equal(Enumerable.Range(1, 8).Select(n => (uint)n), journal.Select(c => c.FromSerial));
        Assert.DoesNotContain(journal, c => c.Added.Any(r => r.Owner.Equals(DnsName.Parse($"5.{Zone}"))));
    }

    /// <summary>
    /// Queues <paramref name="writes"/> while a batch begun on the store holds SQLite's one
    /// writer (behind a first request whose batch waits for it), so that they all go into the
    /// writer's next batch; returns their tasks once that batch has committed.
    /// </summary>
    private static async Task<List<Task<ZoneWriteResult>>> OneBatchAsync(Node node, IEnumerable<ZoneWrite> writes)
    {
        var held = await node.Store.BeginBatchAsync([Zone]);
        var first = node.Writer.WriteAsync(SetPtr(1, "first.example.net."));
        await Task.Delay(200);
        var queued = writes.Select(w => node.Writer.WriteAsync(w)).ToList();
        await Task.Delay(200);
        long commitsBefore = node.Writer.Commits;
        await held.DisposeAsync();
        await first;
        await Task.WhenAll(queued).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Assert.Equal(2, node.Writer.Commits - commitsBefore);
        return queued;
    }

    [Fact]
    public async Task A_request_the_store_refuses_inside_a_group_undoes_the_group_and_its_batch_lands_as_it_would_have_without_one()
    {
        var node = await NodeAsync();
        await node.Writer.WriteAsync(Create());
        // Request 5 also releases an allocation that does not exist: the store refuses it after
        // it has written the PTR, so the group it is in must be undone. Request 3's change is
        // decided at commit time: decided again when its batch is applied again.
        int decisions = 0;
        var rest = await OneBatchAsync(node, Enumerable.Range(2, 8).Select(i => i == 3
            ? new ZoneWrite([new ZoneEdit(Zone, [])
            {
                Decide = zone =>
                {
                    decisions++;
                    return [new RRsetChange(DnsName.Parse($"3.{Zone}"), RecordType.PTR, 300, [DnsName.Parse($"h3-{zone.Serial}.example.net.").Wire.ToArray()])];
                },
            }], new WriteAudit("tester", "ptr.set", "3"))
            : SetPtr(i, $"h{i}.example.net.", i == 5 ? new TenantAttachment([new ReleaseAllocation("no-such-allocation", DateTimeOffset.UtcNow)]) : null)));
        await Assert.ThrowsAsync<TenantConflictException>(() => rest[3]);
        foreach (var (task, i) in rest.Select((t, i) => (t, i + 2)).Where(x => x.Item2 is not 3 and not 5))
            Assert.Equal($"h{i}.example.net.", PtrOf((await task).Changed.Single(), i));
        Assert.Equal(1, node.Writer.GroupsUndone);
        Assert.Equal(2, decisions);
        Assert.Equal("h3-3.example.net.", PtrOf((await rest[1]).Changed.Single(), 3));
        await AssertAllButFiveLandedAsync(node);
        var audit = (await node.Store.GetAuditAsync(20)).Select(a => a.Target).ToList();
        Assert.DoesNotContain("5", audit);
        Assert.Contains("9", audit);
    }

    [Fact]
    public async Task A_request_refused_in_its_plan_inside_a_group_is_refused_alone_and_the_group_kept()
    {
        var node = await NodeAsync();
        await node.Writer.WriteAsync(Create());
        // The third names a zone that does not exist: refused before it writes anything.
        var missing = new ZoneWrite([new ZoneEdit(DnsName.Parse("9.0.192.in-addr.arpa."), [])], new WriteAudit("tester", "ptr.set", "missing"));
        var results = await OneBatchAsync(node, [SetPtr(2, "h2.example.net."), SetPtr(3, "h3.example.net."), missing, SetPtr(4, "h4.example.net.")]);
        await Assert.ThrowsAsync<ZoneNotFoundException>(() => results[2]);
        Assert.Equal(0, node.Writer.GroupsUndone);
        var zone = node.Zones.Current.Get(Zone)!;
        Assert.Equal(5u, zone.Serial);
        Assert.All([2, 3, 4], i => Assert.Equal($"h{i}.example.net.", PtrOf(zone, i)));
        Assert.DoesNotContain("missing", (await node.Store.GetAuditAsync(20)).Select(a => a.Target));
    }

    [Fact]
    public async Task Two_nodes_writing_the_same_zone_at_once_never_conflict_and_end_alike()
    {
        var db = await DatabaseAsync();
        var a = await NodeAsync(db.ConnectionString);
        var b = await NodeAsync(db.ConnectionString);
        await a.Writer.WriteAsync(Create());
        var writes = Enumerable.Range(1, 200)
            .Select(i => (i % 2 == 0 ? a : b).Writer.WriteAsync(SetPtr(i, $"n{i}.example.net.")))
            .ToList();
        await Task.WhenAll(writes);
        // Each node caught up with the other's commits inside its own transactions; a final
        // catch-up brings both to the store's serial.
        await a.Writer.CatchUpAsync([Zone]);
        await b.Writer.CatchUpAsync([Zone]);
        var za = a.Zones.Current.Get(Zone)!;
        var zb = b.Zones.Current.Get(Zone)!;
        Assert.Equal(201u, za.Serial);
        Assert.Equal(201u, zb.Serial);
        Assert.All(Enumerable.Range(1, 200), i =>
        {
            Assert.Equal($"n{i}.example.net.", PtrOf(za, i));
            Assert.Equal($"n{i}.example.net.", PtrOf(zb, i));
        });
    }

    [Fact]
    public async Task A_change_made_on_another_node_is_caught_up_before_a_local_write_lands_on_top()
    {
        var db = await DatabaseAsync();
        var a = await NodeAsync(db.ConnectionString);
        var b = await NodeAsync(db.ConnectionString);
        await a.Writer.WriteAsync(Create());
        await b.Writer.CatchUpAsync([Zone]);
        await a.Writer.WriteAsync(SetPtr(1, "from-a.example.net."));
        // b has not heard of it; its write still lands after it, with the next serial.
        var result = await b.Writer.WriteAsync(SetPtr(2, "from-b.example.net."));
        var zone = Assert.Single(result.Changed);
        Assert.Equal(3u, zone.Serial);
        Assert.Equal("from-a.example.net.", PtrOf(zone, 1));
        Assert.Same(zone, b.Zones.Current.Get(Zone));
    }

    [Fact]
    public async Task A_store_that_is_down_is_unavailable_and_nothing_is_published()
    {
        var zones = new ServedZones();
        await using var store = StoreFactory.Open(new StoreOptions { Connection = "Host=127.0.0.1;Port=1;Timeout=2" }, DataDirectory);
        await using var writer = new ZoneWriter(store, zones, NullLogger<ZoneWriter>.Instance);
        var e = await Assert.ThrowsAsync<WriteException>(() => writer.WriteAsync(Create()));
        Assert.Equal(WriteError.Unavailable, e.Kind);
        Assert.Equal("store_unavailable", e.Code);
        Assert.Null(zones.Current.Get(Zone));
    }

    [Fact]
    public async Task Changes_decided_at_commit_time_see_the_zone_as_the_requests_before_them_left_it()
    {
        var node = await NodeAsync();
        await node.Writer.WriteAsync(Create());
        // Each request adds a PTR only if the previous one's is there: a prerequisite, as RFC 2136 has.
        var chain = Enumerable.Range(1, 20).Select(i => node.Writer.WriteAsync(new ZoneWrite(
            [new ZoneEdit(Zone, []) { Decide = z => i == 1 || PtrOf(z, i - 1) is not null
                ? [new AddRecord(DnsName.Parse($"{i}.{Zone}"), RecordType.PTR, 300, DnsName.Parse($"c{i}.example.net.").Wire.ToArray())]
                : throw new WriteException(WriteError.Conflict, "prerequisite_failed", $"{i - 1} is missing") }],
            new WriteAudit("tester", "chain", i.ToString())))).ToList();
        await Task.WhenAll(chain);
        Assert.Equal("c20.example.net.", PtrOf(node.Zones.Current.Get(Zone)!, 20));
    }
}
