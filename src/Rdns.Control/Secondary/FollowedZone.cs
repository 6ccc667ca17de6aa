using Rdns.Protocol.Names;
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

    public void Notify(uint? serial)
    {
        Interlocked.Exchange(ref _notified, serial ?? uint.MaxValue + 1L);
        Wake.Release();
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
