using Rdns.Protocol.Names;
using Rdns.Zones;
using Rdns.Transfer;

namespace Rdns.Control.Secondary;

/// <summary>One zone this node follows: its wake-up signal, its schedule and how the last refresh went.</summary>
internal sealed class FollowedZone(DnsName name, ZoneOrigin origin)
{
    public DnsName Name { get; } = name;

    public ZoneOrigin Origin { get; set; } = origin;

    /// <summary>Released by NOTIFY; a wait on it with a timeout is the zone's timer, and leaves nothing pending behind.</summary>
    public SemaphoreSlim Wake { get; } = new(0);

    public CancellationTokenSource Stop { get; } = new();

    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>The serial the last NOTIFY announced (RFC 1996 §3.7), consumed by the next refresh; 0 with <see cref="_hasNotified"/> false when none.</summary>
    private long _notified = -1;

    /// <summary>
    /// A NOTIFY: the newest serial announced since the last refresh is kept (a NOTIFY without one,
    /// or a forced refresh, counts as newer than any), so a late datagram of an older serial cannot
    /// hide a newer one.
    /// </summary>
    public void Notify(uint? serial)
    {
        const long Unknown = uint.MaxValue + 1L;
        long value = serial ?? Unknown;
        while (true)
        {
            long seen = Interlocked.Read(ref _notified);
            if (seen == Unknown || (seen >= 0 && value != Unknown && !SerialNumber.GreaterThan((uint)value, (uint)seen)))
                break;
            if (Interlocked.CompareExchange(ref _notified, value, seen) == seen)
                break;
        }
        Wake.Release();
    }

    /// <summary>
    /// After a wake: true when it brings nothing to fetch, and the wait goes on. Either a refresh
    /// since took the NOTIFY that woke it, or every NOTIFY since the last refresh announced a serial
    /// this node holds already (<paramref name="held"/>): the primary announces each serial it
    /// commits, and a refresh brings the newest, so the NOTIFYs of the serials it brought along
    /// arrive after it (RFC 1996 §3.11 lets a secondary ignore a NOTIFY of a serial it has).
    /// </summary>
    public bool NothingNewSince(uint? held)
    {
        long value = Interlocked.Read(ref _notified);
        if (value < 0)
            return true;
        if (held is null || ForceFull || value > uint.MaxValue || SerialNumber.GreaterThan((uint)value, held.Value))
            return false;
        return Interlocked.CompareExchange(ref _notified, -1, value) == value;
    }

    /// <summary>Takes what NOTIFYs since the last refresh said: whether one came, and its serial if it carried one.</summary>
    public bool TakeNotified(out uint? serial)
    {
        long value = Interlocked.Exchange(ref _notified, -1);
        serial = value is >= 0 and <= uint.MaxValue ? (uint)value : null;
        while (Wake.CurrentCount > 0 && Wake.Wait(0))
        {
        }
        return value >= 0;
    }

    /// <summary>The next transfer must be AXFR (a catalog reset of the member, RFC 9432 §5.3; data IXFR could not apply).</summary>
    public volatile bool ForceFull;

    public DateTimeOffset? LastRefresh { get; set; }

    public DateTimeOffset? LastAttempt { get; set; }

    public DateTimeOffset? NextCheck { get; set; }

    public int Failures { get; set; }

    public string? LastError { get; set; }

    public PrimaryServer? Source { get; set; }

    public TimeSpan Backoff { get; set; }

    public bool Expired { get; set; }

    public long Transfers;
    public long IncrementalTransfers;
    public long BytesReceived;

    /// <summary>The member's unique label in the catalog (RFC 9432 §4.1); a new one means the member was reset (§5.3).</summary>
    public DnsName? MemberLabel { get; set; }
}
