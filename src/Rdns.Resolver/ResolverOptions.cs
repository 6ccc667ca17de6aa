using System.Net;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

/// <summary>
/// Settings of a <see cref="StubResolver"/>: which recursive resolvers to ask and how patiently.
/// Each default carries its reason; <see cref="FromResolvConf"/> reads the host's own settings.
/// </summary>
public sealed record ResolverOptions
{
    /// <summary>
    /// 2 s: a resolver answers from its cache in milliseconds and a cold recursive lookup takes a
    /// few round trips of at most a few hundred milliseconds each, so 2 s covers a slow lookup while
    /// a forward-confirmation check made inside an API call still gives up on a dead resolver
    /// quickly (the C library's 5 s would keep a user waiting 10 s or more).
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// 3: UDP loses datagrams one at a time, so a lost query or reply is worth repeating; three
    /// rounds make a loss-caused failure rare (one in a million at 1 % loss) without stretching
    /// the wait on a dead resolver beyond 3 × <see cref="DefaultTimeout"/>.
    /// </summary>
    public const int DefaultAttempts = 3;

    /// <summary>The C library's limits (RES_MAXRETRANS, RES_MAXRETRY), also applied to values set here.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);

    public const int MaxAttempts = 5;

    /// <summary>The resolvers, asked in this order; at least one.</summary>
    public required IReadOnlyList<IPEndPoint> Servers { get; init; }

    /// <summary>How long one try waits for a matching reply (per server, per attempt).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Rounds over the server list before giving up on servers that did not answer.</summary>
    public int Attempts { get; init; } = DefaultAttempts;

    /// <summary>
    /// The UDP payload size announced in EDNS(0), 0 for no EDNS. 1232: the largest reply that
    /// fits the 1280-octet IPv6 minimum MTU after the IPv6 and UDP headers, so replies are never
    /// fragmented (DNS Flag Day 2020); larger answers come over TCP instead.
    /// </summary>
    public ushort EdnsPayloadSize { get; init; } = EdnsInfo.DefaultPayloadSize;

    /// <summary>What <see cref="FromResolvConf"/> left out and why, one line each; empty otherwise.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (Servers is null || Servers.Count == 0)
            throw new ArgumentException("at least one resolver endpoint is needed", nameof(Servers));
        foreach (var server in Servers)
        {
            if (server is null || server.Port == 0)
                throw new ArgumentException($"resolver endpoint '{server}' needs an address and a port", nameof(Servers));
        }
        if (Timeout <= TimeSpan.Zero || Timeout > MaxTimeout)
            throw new ArgumentException($"timeout must be above 0 and at most {MaxTimeout.TotalSeconds} s, not {Timeout}", nameof(Timeout));
        if (Attempts is < 1 or > MaxAttempts)
            throw new ArgumentException($"attempts must be 1 to {MaxAttempts}, not {Attempts}", nameof(Attempts));
        if (EdnsPayloadSize is > 0 and < EdnsInfo.MinimumPayloadSize)
            throw new ArgumentException($"EDNS payload size must be 0 (no EDNS) or at least {EdnsInfo.MinimumPayloadSize}, not {EdnsPayloadSize}", nameof(EdnsPayloadSize));
    }

    /// <summary>
    /// The host's resolvers as the C library reads them: <c>nameserver</c> lines (at most three),
    /// <c>options timeout:N attempts:N</c>. What is left out is explained in <see cref="Notes"/>.
    /// A missing file means the resolver on this host (127.0.0.1:53), as for the C library.
    /// </summary>
    public static ResolverOptions FromResolvConf(string path = "/etc/resolv.conf")
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            var options = ResolvConf.Parse("");
            return options with { Notes = [$"{path} does not exist; using the resolver on this host", .. options.Notes] };
        }
        return ResolvConf.Parse(text);
    }
}
