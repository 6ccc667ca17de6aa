using System.Collections.Concurrent;
using Rdns.Protocol.Names;

namespace Rdns.Zones;

/// <summary>
/// The zones this process answers for: one <see cref="ZoneSet"/> readers take without locking,
/// replaced whole by writers, which serialize among themselves. A commit publishes every zone it
/// changed in one swap (<see cref="Publish"/>); zones whose compact table has gathered a large
/// patch are then merged in the background and swapped in again, with nothing changed for readers.
/// </summary>
public sealed class ServedZones
{
    private readonly Lock _writeLock = new();
    private volatile ZoneSet _current = ZoneSet.Empty;
    private readonly ConcurrentDictionary<DnsName, Task> _compactions = new();

    public ZoneSet Current => _current;

    /// <summary>When false, patches are never merged and new zones never made rows (tests that look at patches, benchmarks of the apply alone).</summary>
    public bool CompactInBackground { get; init; } = true;

    public void Replace(ZoneSet zones)
    {
        lock (_writeLock)
        {
            _current = zones;
            _pass?.Overtaken = true;
        }
    }

    /// <summary>Applies <paramref name="change"/> to the current set atomically with respect to other writers.</summary>
    public ZoneSet Update(Func<ZoneSet, ZoneSet> change)
    {
        ZoneSet next;
        lock (_writeLock)
        {
            next = change(_current);
            _current = next;
            // A change decided on the set as it was (a refresh that finds its zone unchanged, a
            // rebase): it cannot be replayed onto a rows pass made from an earlier set.
            _pass?.Overtaken = true;
        }
        return next;
    }

    /// <summary>Makes a commit visible: every changed zone and every removal in one swap.</summary>
    public ZoneSet Publish(IReadOnlyCollection<ZoneSnapshot> changed, IReadOnlyCollection<DnsName> removed, IReadOnlyCollection<Writes.SignerChange>? signers = null)
    {
        ZoneSet next;
        lock (_writeLock)
        {
            next = Published(_current, changed, removed, signers);
            _current = next;
            _pass?.Publishes.Add((changed, removed, signers));
        }
        foreach (var zone in changed)
        {
            if (zone.NeedsCompaction)
                Compact(zone);
        }
        if (next.RowsDue)
            MakeRows();
        return next;
    }

    /// <summary>A commit's changes applied to a set: what <see cref="Publish"/> swaps in, and what a rows pass replays.</summary>
    private static ZoneSet Published(ZoneSet set, IReadOnlyCollection<ZoneSnapshot> changed, IReadOnlyCollection<DnsName> removed, IReadOnlyCollection<Writes.SignerChange>? signers)
    {
        set = set.With(changed, removed);
        foreach (var change in signers ?? [])
            set = set.WithSigner(change.Zone, change.Signer);
        return set;
    }

    private int _makingRows;
    private Task _rows = Task.CompletedTask;

    /// <summary>What was swapped in while a rows pass ran: the commits, replayed onto its result, or word of a change that cannot be.</summary>
    private sealed class RowsPass
    {
        public List<(IReadOnlyCollection<ZoneSnapshot> Changed, IReadOnlyCollection<DnsName> Removed, IReadOnlyCollection<Writes.SignerChange>? Signers)> Publishes { get; } = [];

        /// <summary>Something other than a commit changed the set meanwhile: what the pass made cannot be swapped in.</summary>
        public bool Overtaken { get; set; }
    }

    /// <summary>The rows pass under way, under the write lock; null when none is.</summary>
    private RowsPass? _pass;

    /// <summary>Called on the pass's thread once it has made its set, before it swaps it in (tests hold it there).</summary>
    internal Action? RowsPassMade { get; set; }

    /// <summary>
    /// Makes the new zones that can be rows rows (<see cref="ZoneSet.WithRows"/>), off the write
    /// path, one pass at a time, and outside the write lock: a pass over a million zones takes most of a
    /// second, which commits waiting on the lock would otherwise wait too. The commits published
    /// meanwhile are replayed onto the pass's set when it is swapped in (a change of a zone the
    /// pass made a row takes the row out again, as any later commit would); when anything else
    /// changed the set meanwhile, the pass is made again under the lock.
    /// </summary>
    private void MakeRows()
    {
        if (!CompactInBackground || Interlocked.Exchange(ref _makingRows, 1) != 0)
            return;
        _rows = Task.Run(() =>
        {
            try
            {
                ZoneSet from;
                var pass = new RowsPass();
                lock (_writeLock)
                {
                    from = _current;
                    if (!from.RowsDue)
                        return;
                    _pass = pass;
                }
                ZoneSet made;
                try
                {
                    made = from.WithRows();
                    RowsPassMade?.Invoke();
                }
                catch
                {
                    lock (_writeLock)
                        _pass = null;
                    throw;
                }
                lock (_writeLock)
                {
                    _pass = null;
                    if (pass.Overtaken)
                    {
                        // Made again under the lock, as before passes ran outside it: changes that
                        // cannot be replayed, coming often (refreshes from other nodes), must not
                        // drop pass after pass.
                        if (_current.RowsDue)
                            _current = _current.WithRows();
                        return;
                    }
                    foreach (var (changed, removed, signers) in pass.Publishes)
                        made = Published(made, changed, removed, signers);
                    _current = made;
                }
            }
            finally
            {
                Volatile.Write(ref _makingRows, 0);
            }
        });
    }

    /// <summary>
    /// Makes every zone that can be a row one now, however few have come since the last pass (the
    /// end of an import: the zones the background passes left as snapshots would otherwise stay
    /// so until a restart). Waits for a pass under way first.
    /// </summary>
    public async Task MakeRowsNowAsync()
    {
        await _rows.ConfigureAwait(false);
        Update(set => set.WithRows());
    }

    /// <summary>Merges a zone's patch off the write path, then rebases whatever snapshot is current by then onto it.</summary>
    private void Compact(ZoneSnapshot from)
    {
        if (!CompactInBackground)
            return;
        var origin = from.Origin;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_compactions.TryAdd(origin, started.Task))
            return;
        _ = Task.Run(() =>
        {
            try
            {
                var merged = from.Compacted();
                // Under the write lock, so no commit slips in between reading and swapping; the
                // rebase itself costs only the changes made during the merge.
                var next = Update(set => set.Get(origin)?.WithCompaction(from, merged) is { } rebased ? set.With(rebased) : set);
                if (next.Get(origin) is { NeedsCompaction: true } again && !ZoneSnapshot.Same(again, from))
                {
                    _compactions.TryRemove(origin, out _);
                    Compact(again);
                    return;
                }
            }
            finally
            {
                _compactions.TryRemove(new KeyValuePair<DnsName, Task>(origin, started.Task));
                started.TrySetResult();
            }
        });
    }

    /// <summary>Waits until no background merge is running (tests, orderly shutdown).</summary>
    public async Task CompactionsIdleAsync()
    {
        while (!_compactions.IsEmpty)
            await Task.WhenAll(_compactions.Values).ConfigureAwait(false);
        await _rows.ConfigureAwait(false);
    }
}
