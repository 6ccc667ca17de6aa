namespace Rdns.Server.Pipeline;

/// <summary>Who sent a request and how: the transport facts the pipeline needs; it never touches sockets itself.</summary>
public readonly record struct RequestSource(DnsTransport Transport, ClientAddress Client, ListenerInfo Listener)
{
    /// <summary>Over TCP, the idle timeout in units of 100 ms to offer clients that ask (RFC 7828); 0 otherwise.</summary>
    public ushort KeepaliveUnits { get; init; }

    public bool OverTcp => Transport == DnsTransport.Tcp;

    public static RequestSource Udp(ClientAddress client, ListenerInfo? listener = null) => new(DnsTransport.Udp, client, listener ?? ListenerInfo.Local);

    public static RequestSource Tcp(ClientAddress client, ListenerInfo? listener = null) => new(DnsTransport.Tcp, client, listener ?? ListenerInfo.Local);
}
