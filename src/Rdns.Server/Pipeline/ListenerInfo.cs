using System.Net;

namespace Rdns.Server.Pipeline;

/// <summary>
/// One listening address (UDP and TCP on the same endpoint). Created once per listener, so a
/// request can say where it arrived without allocating; views match on it (BIND's
/// match-destinations).
/// </summary>
public sealed class ListenerInfo(int index, IPEndPoint localEndPoint)
{
    /// <summary>For in-process callers and tests: no socket.</summary>
    public static readonly ListenerInfo Local = new(-1, new IPEndPoint(IPAddress.Loopback, 0));

    public int Index { get; } = index;

    public IPEndPoint LocalEndPoint { get; } = localEndPoint;

    public ClientAddress LocalAddress { get; } = ClientAddress.From(localEndPoint);
}
