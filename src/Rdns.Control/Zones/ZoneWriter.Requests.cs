using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Control.Zones;

/// <summary>
/// The writer's requests, one at a time inside a batch: each planned on the zones as the requests
/// before it left them, then applied to the store, in a group for the whole batch or under a
/// savepoint of its own (<see cref="ZoneWriter"/> has the loop, the batches and what follows a commit).
/// </summary>
public sealed partial class ZoneWriter
{
    /// <summary>
    /// Applies the batch's requests as one group under a single savepoint (<see cref="IWriteBatch.BeginGroupAsync"/>),
    /// where each request had one of its own: a savepoint copies every page a request changes
    /// before changing it, and in an import of small zones, one request per zone, that copying
    /// was a third of SQLite's work. A request refused before it wrote anything (a zone not found,
    /// a policy, a conflict seen in the plan) is refused alone, as before. One the store refuses
    /// while writing may have left part of itself, so the whole group is undone, the working zones
    /// and notices put back as they were, and false returned: the caller then applies every request
    /// again, one by one under its own savepoint, so the outcome is the same as without the group.
    /// </summary>
    private async Task<bool> ApplyGroupAsync(IWriteBatch tx, List<Pending> writes, Dictionary<DnsName, ZoneSnapshot?> working, List<ChangeNotice> notices)
    {
        var undo = new Dictionary<DnsName, (bool Had, ZoneSnapshot? Snapshot)>();
        int noticesBefore = notices.Count;
        await tx.BeginGroupAsync().ConfigureAwait(false);
        foreach (var p in writes)
        {
            try
            {
                p.Result = await ApplyAsync(tx, p.Write!, working, notices, undo).ConfigureAwait(false);
                p.Signers = p.Write!.Signers;
            }
            catch (StoreRefusedInGroup)
            {
                await tx.EndGroupAsync(keep: false).ConfigureAwait(false);
                foreach (var (zone, (had, snapshot)) in undo)
                {
                    if (had)
                        working[zone] = snapshot;
                    else
                        working.Remove(zone);
                }
                notices.RemoveRange(noticesBefore, notices.Count - noticesBefore);
                foreach (var q in writes)
                {
                    q.Result = null;
                    q.Error = null;
                    q.Signers = [];
                }
                GroupsUndone++;
                return false;
            }
            catch (Exception e) when (e is not StoreUnavailableException)
            {
                p.Error = e;
            }
        }
        await tx.EndGroupAsync(keep: true).ConfigureAwait(false);
        return true;
    }

    /// <summary>Groups of requests undone and applied again one by one because the store refused one of them while writing (for tests).</summary>
    internal int GroupsUndone { get; private set; }

    /// <summary>The store refused a request of a group while writing it; the group must be undone (<see cref="ApplyGroupAsync"/>).</summary>
    private sealed class StoreRefusedInGroup(Exception inner) : Exception("the store refused a request of a group", inner);

    /// <summary>
    /// Plans one request on the working zones, applies it (under its own savepoint, or in the open
    /// group when <paramref name="undo"/> is given, which then keeps what the working zones held
    /// before the group changed them), and on success makes its result the new working state.
    /// </summary>
    private async Task<ZoneWriteResult> ApplyAsync(IWriteBatch tx, ZoneWrite write, Dictionary<DnsName, ZoneSnapshot?> working, List<ChangeNotice> notices,
        Dictionary<DnsName, (bool Had, ZoneSnapshot? Snapshot)>? undo)
    {
        // Plans first, on an overlay of the working zones: a request that fails at any point
        // changes nothing, and what it holds is what it touches (a copy of every zone the batch
        // held so far was a copy per request, so a batch of n requests made n²/2 entries).
        var view = new Overlay(working);
        var deleted = new List<DnsName>();
        foreach (var zone in write.Deletions)
        {
            if (view[zone.ToLower()] is null)
                continue;
            view[zone.ToLower()] = null;
            deleted.Add(zone);
        }
        var created = new List<(NewZone Zone, ZoneSnapshot Snapshot)>();
        var building = new List<NewZone>();
        foreach (var creation in write.Creations)
        {
            if (creation.Built is null && creation.Building is not null)
            {
                // Built while its rows are written; checked before the request's savepoint is released.
                building.Add(creation);
                continue;
            }
            var snapshot = creation.Built ?? ZoneSnapshot.Build(creation.Zone, creation.Records);
            if (write.EnforcePolicy)
                ZoneContentPolicy.Check(snapshot);
            view[creation.Zone.ToLower()] = snapshot;
            created.Add((creation, snapshot));
        }
        var commits = new List<ZoneCommit>();
        var changed = new List<ZoneSnapshot>();
        foreach (var transferred in write.Transferred)
        {
            if (transferred.Changes.Count == 0)
                continue;
            var key = transferred.Zone.ToLower();
            var current = view[key] ?? throw new ZoneNotFoundException(transferred.Zone);
            var next = current;
            foreach (var change in transferred.Changes)
            {
                // The primary's serials are kept as they are: each changeset must start where the zone is.
                if (change.FromSerial != next.Serial)
                    throw new WriteException(WriteError.Conflict, "serial_moved",
                        $"zone {current.Origin} is at serial {next.Serial}; the primary's changeset starts at {change.FromSerial}");
                next = next.Apply(change);
                commits.Add(new ZoneCommit(current.Origin, change));
            }
            view[key] = next;
            changed.Add(next);
        }
        foreach (var group in write.Edits.GroupBy(e => e.Zone.ToLower()))
        {
            var current = view[group.Key] ?? throw new ZoneNotFoundException(group.First().Zone);
            var changes = new List<RecordEdit>();
            foreach (var edit in group)
                changes.AddRange(edit.Decide is null ? edit.Changes : edit.Decide(current));
            var planned = ZoneChangePlanner.Plan(current, changes);
            if (planned is null)
                continue;
            if (write.EnforcePolicy)
                ZoneContentPolicy.Check(planned.Value.Snapshot, planned.Value.Changeset.Added);
            commits.Add(new ZoneCommit(current.Origin, planned.Value.Changeset));
            view[group.Key] = planned.Value.Snapshot;
            changed.Add(planned.Value.Snapshot);
        }
        var tenantWrites = (write.Attachment as TenantAttachment)?.Writes ?? [];
        var dnssecWrites = (write.Attachment as DnssecAttachment)?.Writes ?? [];
        var detail = write.Audit.Describe?.Invoke(commits.Select(c => c.Changeset).ToList()) ?? write.Audit.Detail;
        var storeWrite = new StoreWrite(new AuditEntry(write.Audit.Actor, write.Audit.Action, write.Audit.Target, detail, write.Audit.RemoteAddress, write.Audit.Before, write.Audit.After))
        {
            Commits = commits,
            Creations = created.Select(c => c.Zone).Concat(building).Select(c => new ZoneCreation(c.Zone, c.Records, c.Replace)).ToList(),
            Deletions = deleted,
            TenantWrites = tenantWrites,
            DnssecWrites = dnssecWrites,
            Verify = building.Count == 0 ? null : async _ =>
            {
                foreach (var creation in building)
                {
                    var snapshot = await creation.Building!.ConfigureAwait(false);
                    if (write.EnforcePolicy)
                        ZoneContentPolicy.Check(snapshot);
                }
            },
        };
        if (storeWrite.IsEmpty && !write.AuditAlways)
            return ZoneWriteResult.Nothing;
        try
        {
            await tx.ApplyAsync(storeWrite).ConfigureAwait(false);
        }
        catch (Exception e) when (undo is not null && e is not StoreUnavailableException)
        {
            throw new StoreRefusedInGroup(e);
        }
        foreach (var creation in building)
        {
            // Completed: Verify awaited every build before the request was kept.
            var snapshot = creation.Building!.Result;
            view[creation.Zone.ToLower()] = snapshot;
            created.Add((creation, snapshot));
        }

        foreach (var (key, snapshot) in view.Changes)
        {
            if (undo is not null && !undo.ContainsKey(key))
                undo[key] = working.TryGetValue(key, out var before) ? (true, before) : (false, null);
            working[key] = snapshot;
        }
        foreach (var zone in deleted)
            notices.Add(new ChangeNotice(zone, 0, ChangeKind.Deleted) { View = View });
        foreach (var (_, snapshot) in created)
            notices.Add(new ChangeNotice(snapshot.Origin, snapshot.Serial, ChangeKind.Created) { View = View });
        foreach (var snapshot in changed)
            notices.Add(new ChangeNotice(snapshot.Origin, snapshot.Serial, ChangeKind.Changed) { View = View });
        return new ZoneWriteResult([.. created.Select(c => c.Snapshot), .. changed], deleted);
    }

    /// <summary>A request's zones over the batch's working zones: reads fall through, writes stay here until the request has landed.</summary>
    private sealed class Overlay(Dictionary<DnsName, ZoneSnapshot?> under)
    {
        public Dictionary<DnsName, ZoneSnapshot?> Changes { get; } = [];

        public ZoneSnapshot? this[DnsName zone]
        {
            get => Changes.TryGetValue(zone, out var snapshot) ? snapshot : under.GetValueOrDefault(zone);
            set => Changes[zone] = value;
        }
    }
}
