using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    public Task CommitAsync(IReadOnlyList<ZoneCommit> commits, AuditEntry audit, CancellationToken cancellationToken = default) =>
        commits.Count == 0 ? Task.CompletedTask : CommitAsync(commits, [], audit, cancellationToken);

    public async Task CommitAsync(IReadOnlyList<ZoneCommit> commits, IReadOnlyList<TenantWrite> writes, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        if (commits.Count == 0 && writes.Count == 0)
            return;
        foreach (var c in commits)
            ZoneKey.CheckCommit(c);
        await using var s = await BeginWriteAsync(cancellationToken);
        await CommitAsync(s, Public, commits, cancellationToken);
        foreach (var write in writes)
            await ApplyTenantWriteAsync(s, write, cancellationToken);
        await AuditAsync(s, audit, cancellationToken);
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
    }

    /// <summary>Applies changesets inside a write transaction (see <see cref="IZoneStore.CommitAsync"/>).</summary>
    private async Task CommitAsync(StoreSession s, string view, IReadOnlyList<ZoneCommit> commits, CancellationToken cancellationToken)
    {
        var now = Now();
        foreach (var c in commits)
        {
            var change = c.Changeset;
            // The serial check comes first: it takes the zone's row lock (PostgreSQL), so a competing
            // commit of the same zone waits here and then finds the serial moved.
            long? id;
            await using (var claim = s.Command(
                "UPDATE zones SET serial = @to, updated_at = @now WHERE name = @name AND serial = @from RETURNING id"))
            {
                claim.With("@to", (long)change.ToSerial);
                claim.With("@now", DbTime(now));
                claim.With("@name", ZoneKey.Of(view, c.Zone));
                claim.With("@from", (long)change.FromSerial);
                id = await claim.ScalarInt64Async(cancellationToken);
            }
            if (id is null)
                throw await ConflictAsync(s, view, c, cancellationToken);

            int removed = await RemoveRecordsAsync(s, id.Value, change.Removed, cancellationToken);
            await InsertRecordsAsync(s, id.Value, change.Added, cancellationToken);
            await using (var count = s.Command("UPDATE zones SET record_count = record_count + @delta WHERE id = @zone"))
            {
                count.With("@delta", change.Added.Count - removed);
                count.With("@zone", id.Value);
                await count.ExecuteNonQueryAsync(cancellationToken);
            }
            await AppendJournalAsync(s, id.Value, change, now, cancellationToken);
            s.Notices.Add(new ChangeNotice(c.Zone, change.ToSerial, ChangeKind.Changed) { View = view });
        }
    }

    private async Task<StoreConflictException> ConflictAsync(StoreSession s, string view, ZoneCommit c, CancellationToken cancellationToken)
    {
        await using var cmd = s.Command("SELECT serial FROM zones WHERE name = @name");
        cmd.With("@name", ZoneKey.Of(view, c.Zone));
        long? stored = await cmd.ScalarInt64Async(cancellationToken);
        return new StoreConflictException(stored is null
            ? $"zone {c.Zone} does not exist"
            : $"zone {c.Zone} is at serial {stored}, the change was made from {c.Changeset.FromSerial}");
    }

    /// <summary>Adds the changeset as the zone's next journal entry and trims the oldest beyond the limit, in the same transaction.</summary>
    private async Task AppendJournalAsync(StoreSession s, long zoneId, Changeset change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long seq;
        await using (var insert = s.Command(
            "INSERT INTO journal (zone_id, seq, from_serial, to_serial, removed, added, committed_at) " +
            "SELECT @zone, COALESCE(MAX(seq), 0) + 1, @from, @to, @removed, @added, @now FROM journal WHERE zone_id = @zone " +
            "RETURNING seq"))
        {
            insert.With("@zone", zoneId);
            insert.With("@from", (long)change.FromSerial);
            insert.With("@to", (long)change.ToSerial);
            insert.With("@removed", RecordListCodec.Encode(change.Removed));
            insert.With("@added", RecordListCodec.Encode(change.Added));
            insert.With("@now", DbTime(now));
            seq = await insert.ScalarInt64Async(cancellationToken) ?? throw new InvalidOperationException("journal insert returned no sequence number");
        }
        // Until a zone's journal is longer than the limit there is nothing to trim (sequence
        // numbers start at 1 and only grow), and no statement is spent finding that out.
        if (seq <= Options.JournalLimit)
            return;
        await using var prune = s.Command("DELETE FROM journal WHERE zone_id = @zone AND seq <= @oldest");
        prune.With("@zone", zoneId);
        prune.With("@oldest", seq - Options.JournalLimit);
        await prune.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyList<Changeset>?> GetJournalAsync(DnsName zone, uint fromSerial, CancellationToken cancellationToken = default) =>
        GetJournalAsync(Public, zone, fromSerial, cancellationToken);

    public async Task<IReadOnlyList<Changeset>?> GetJournalAsync(string view, DnsName zone, uint fromSerial, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        return await GetJournalAsync(s, view, zone, fromSerial, cancellationToken);
    }

    private static async Task<IReadOnlyList<Changeset>?> GetJournalAsync(StoreSession s, string view, DnsName zone, uint fromSerial, CancellationToken cancellationToken)
    {
        long id;
        uint current;
        await using (var find = s.Command("SELECT id, serial FROM zones WHERE name = @name"))
        {
            find.With("@name", ZoneKey.Of(view, zone));
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
                return null;
            id = reader.GetInt64(0);
            current = (uint)reader.GetInt64(1);
        }
        if (current == fromSerial)
            return [];

        // Serial arithmetic wraps (RFC 1982), so the same serial could in principle start two
        // entries; the latest is the one whose chain can reach the current serial.
        long? start;
        await using (var first = s.Command("SELECT MAX(seq) FROM journal WHERE zone_id = @zone AND from_serial = @from"))
        {
            first.With("@zone", id);
            first.With("@from", (long)fromSerial);
            start = await first.ScalarInt64Async(cancellationToken);
        }
        if (start is null)
            return null;

        var chain = new List<Changeset>();
        await using var cmd = s.Command(
            "SELECT from_serial, to_serial, removed, added FROM journal WHERE zone_id = @zone AND seq >= @start ORDER BY seq");
        cmd.With("@zone", id);
        cmd.With("@start", start.Value);
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            uint expected = fromSerial;
            while (await reader.ReadAsync(cancellationToken))
            {
                uint from = (uint)reader.GetInt64(0);
                if (from != expected)
                    return null; // a gap: the journal no longer describes every step
                uint to = (uint)reader.GetInt64(1);
                chain.Add(new Changeset(from, to,
                    RecordListCodec.Decode(reader.GetFieldValue<byte[]>(2)),
                    RecordListCodec.Decode(reader.GetFieldValue<byte[]>(3))));
                expected = to;
            }
            if (expected != current)
                return null;
        }
        return chain;
    }
}
