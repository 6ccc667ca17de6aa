using System.Collections.Concurrent;
using Rdns.Protocol.Names;

namespace Rdns.Server.Transfers;

/// <summary>
/// What the NOTIFY sender knows about one secondary, for metrics and readiness output: the last
/// acknowledgement, the tries that went unanswered, the serials it acknowledged per zone and the
/// zones still waiting for it. Updated by the sender; read on a scrape.
/// </summary>
public sealed class SecondaryStatus(SecondaryPeer peer)
{
    private long _acknowledged;
    private long _failures;
    private long _gaveUp;
    private long _lastAcknowledgedMs;

    public SecondaryPeer Peer { get; } = peer;

    /// <summary>NOTIFYs this secondary acknowledged.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>NOTIFY tries that got no answer, or an error.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Serials given up on after every try went unanswered.</summary>
    public long GaveUp => Interlocked.Read(ref _gaveUp);

    /// <summary>When it last acknowledged a NOTIFY; null when it never has.</summary>
    public DateTimeOffset? LastAcknowledged =>
        Interlocked.Read(ref _lastAcknowledgedMs) is > 0 and var ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>The serial it last acknowledged, per zone (lower-case names).</summary>
    public ConcurrentDictionary<DnsName, uint> AcknowledgedSerials { get; } = new();

    internal void Acknowledge(DnsName zone, uint serial, DateTimeOffset now)
    {
        Interlocked.Increment(ref _acknowledged);
        Interlocked.Exchange(ref _lastAcknowledgedMs, now.ToUnixTimeMilliseconds());
        AcknowledgedSerials[zone] = serial;
    }

    internal void Fail() => Interlocked.Increment(ref _failures);

    internal void GiveUp() => Interlocked.Increment(ref _gaveUp);
}
