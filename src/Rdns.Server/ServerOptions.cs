namespace Rdns.Server;

/// <summary>Settings of the DNS listeners and the query processor; defaults documented with their reason.</summary>
public sealed class ServerOptions
{
    /// <summary>127.0.0.1:5353: loopback, and a port that needs no privileges.</summary>
    public System.Net.IPEndPoint Endpoint { get; set; } = new(System.Net.IPAddress.Loopback, 5353);

    /// <summary>These options with another listening address (each of several listeners has its own).</summary>
    public ServerOptions For(System.Net.IPEndPoint endpoint)
    {
        var copy = (ServerOptions)MemberwiseClone();
        copy.Endpoint = endpoint;
        return copy;
    }

    /// <summary>
    /// 1232: the largest UDP response that fits the 1280-octet IPv6 minimum MTU after the IPv6
    /// (40) and UDP (8) headers, so answers are never fragmented (DNS Flag Day 2020).
    /// </summary>
    public ushort MaxUdpPayload { get; set; } = 1232;

    /// <summary>
    /// UDP receive loops: <see cref="DefaultUdpWorkers"/> unless set. With batched receives (Linux)
    /// two share each SO_REUSEPORT socket, the second answering only while the first cannot keep
    /// up (see <see cref="UdpListener"/>); otherwise each has a socket of its own.
    /// </summary>
    public int UdpWorkers { get; set; } = DefaultUdpWorkers;

    /// <summary>
    /// One receive loop per core: under load every core answers. Fewer loops awake each find more
    /// queries waiting per system call (up to <see cref="BatchedUdp.Batch"/>) and wake less, which
    /// lowers CPU per query (docs/BENCHMARKS.md, "CPU per query, round three"); so half of the
    /// loops, each the second of its socket, sleep until their socket's queue is deeper than one
    /// loop keeps up with ("CPU per query, round five").
    /// </summary>
    public static int DefaultUdpWorkers => Environment.ProcessorCount;

    /// <summary>
    /// 10 s: RFC 7766 §6.2.3 suggests servers keep idle connections for seconds, not minutes,
    /// so a flood of idle clients cannot hold every slot.
    /// </summary>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// 1000 simultaneous TCP connections; when all are open, the one idle the longest makes room
    /// for a new one (RFC 7766 §6.2.2).
    /// </summary>
    public int MaxTcpConnections { get; set; } = 1000;

    /// <summary>
    /// 64 connections per client network (/24, /56): a resolver farm behind one network needs a
    /// few dozen at most, and one abusive host cannot take the rest (RFC 9210 §4).
    /// </summary>
    public int MaxTcpConnectionsPerClient { get; set; } = 64;

    /// <summary>
    /// Addresses not held to <see cref="MaxTcpConnectionsPerClient"/>: the secondaries this server
    /// names, which transfer many zones at once and may share a network with others (several
    /// edges in one site). They still count towards <see cref="MaxTcpConnections"/>. Null: none.
    /// </summary>
    public Func<System.Net.IPAddress, bool>? ExemptFromClientShare { get; set; }

    /// <summary>
    /// recvmmsg/sendmmsg batches on Linux (true by default: fewer system calls per query); false
    /// uses one receive and one send per query, as on other systems.
    /// </summary>
    public bool BatchedUdp { get; set; } = true;

    /// <summary>The NSID to return when asked (RFC 5001); none by default, so nothing about the host leaks.</summary>
    public string? Nsid { get; set; }

    /// <summary>The answer to <c>version.bind</c>/<c>version.server</c> (CHAOS TXT); null or empty refuses them.</summary>
    public string? Version { get; set; }

    /// <summary>The answer to <c>hostname.bind</c>/<c>id.server</c> (RFC 4892); null or empty refuses them.</summary>
    public string? Identity { get; set; }
}
