namespace Rdns.Server.Dnstap;

/// <summary>dnstap query logging (settings section <c>Dnstap</c>); off unless <see cref="Socket"/> is set.</summary>
public sealed class DnstapOptions
{
    /// <summary>The Frame Streams Unix socket of the collector (fstrm_capture, dnstap-read's source, a log shipper); none: off.</summary>
    public string? Socket { get; set; }

    /// <summary>1: every query is logged; N: one in N (per worker), for servers whose collector cannot take the full rate.</summary>
    public int Sample { get; set; } = 1;

    /// <summary>
    /// 4,096 query/response pairs waiting for the writer (4 KiB each, 16 MiB): about 40 ms at
    /// 100,000 queries a second. When the collector is slower the newest are dropped and counted,
    /// never waited for, so logging cannot slow answers.
    /// </summary>
    public int QueueSize { get; set; } = 4096;

    /// <summary>The identity field of every frame; default: this host's name.</summary>
    public string? Identity { get; set; }

    /// <summary>Also log responses (AUTH_RESPONSE) beside queries (AUTH_QUERY); true by default.</summary>
    public bool Responses { get; set; } = true;

    public bool Enabled => !string.IsNullOrEmpty(Socket);

    public void Validate()
    {
        if (Sample < 1)
            throw new ArgumentException($"Dnstap:Sample {Sample}: must be 1 (every query) or more (one in N)");
        if (QueueSize is < 16 or > 1_048_576)
            throw new ArgumentException($"Dnstap:QueueSize {QueueSize}: must be 16-1048576");
        if (Socket is { Length: > 107 })
            throw new ArgumentException($"Dnstap:Socket '{Socket}': a Unix socket path is at most 107 octets");
    }
}
