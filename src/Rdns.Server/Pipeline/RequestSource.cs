namespace Rdns.Server.Pipeline;

/// <summary>Who sent a request and how: the transport facts the pipeline needs; it never touches sockets itself.</summary>
public readonly record struct RequestSource(DnsTransport Transport, ClientAddress Client, ListenerInfo Listener)
{
    /// <summary>Over TCP, the idle timeout in units of 100 ms to offer clients that ask (RFC 7828); 0 otherwise.</summary>
    public ushort KeepaliveUnits { get; init; }

    /// <summary>
    /// When the request was received (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for
    /// processing time and query logs; 0 when unknown (in-process callers).
    /// </summary>
    public long ReceivedAt { get; init; }

    /// <summary>
    /// True when the receive loop times the request itself, once for its whole batch when the
    /// batch's answers are ready to send (<see cref="DnsPipeline.BatchAnswered"/>): what each of its
    /// clients waits, as the answers leave together. Stages then leave processing time alone.
    /// </summary>
    public bool TimedByBatch { get; init; }

    public bool OverTcp => Transport == DnsTransport.Tcp;

    /// <summary>
    /// A source with its time of receipt and whether its loop times it (<see cref="TimedByBatch"/>):
    /// built where it is declared, where an initializer of those two would build a copy first.
    /// </summary>
    public RequestSource(DnsTransport transport, ClientAddress client, ListenerInfo listener, long receivedAt, bool timedByBatch)
        : this(transport, client, listener)
    {
        ReceivedAt = receivedAt;
        TimedByBatch = timedByBatch;
    }

    public static RequestSource Udp(ClientAddress client, ListenerInfo? listener = null, long receivedAt = 0) =>
        new(DnsTransport.Udp, client, listener ?? ListenerInfo.Local, receivedAt, timedByBatch: false);

    public static RequestSource Tcp(ClientAddress client, ListenerInfo? listener = null, long receivedAt = 0) =>
        new(DnsTransport.Tcp, client, listener ?? ListenerInfo.Local, receivedAt, timedByBatch: false);
}
