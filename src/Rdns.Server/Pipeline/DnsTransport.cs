namespace Rdns.Server.Pipeline;

/// <summary>How a request arrived; the response limits and some policies (RRL, transfers) depend on it.</summary>
public enum DnsTransport : byte
{
    Udp,
    Tcp,
}
