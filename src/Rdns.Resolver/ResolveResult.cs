using System.Net;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

/// <summary>Why a query has no response to show.</summary>
public enum ResolveFailure
{
    /// <summary>A response arrived; see <see cref="ResolveResult.Rcode"/>.</summary>
    None,

    /// <summary>No server answered within the timeout, on any attempt.</summary>
    Timeout,

    /// <summary>Every server refused the exchange at the network level (ICMP unreachable, TCP refused or closed).</summary>
    Unreachable,

    /// <summary>A server replied to this query, but the reply could not be read.</summary>
    Malformed,
}

/// <summary>
/// The outcome of one <see cref="StubResolver.QueryAsync"/>: a response with its RCODE, or why
/// there is none. Either way it says how many tries were made and which servers were asked.
/// </summary>
public sealed record ResolveResult
{
    public ResolveFailure Failure { get; init; }

    /// <summary>The response; null when <see cref="Failure"/> is not <see cref="ResolveFailure.None"/>.</summary>
    public DnsMessage? Response { get; init; }

    /// <summary>The server whose response this is; null on failure.</summary>
    public IPEndPoint? Server { get; init; }

    /// <summary>True when the response came over TCP after a truncated UDP reply.</summary>
    public bool ViaTcp { get; init; }

    /// <summary>Queries sent: each UDP or TCP exchange counts once, including retries without EDNS.</summary>
    public int Tries { get; init; }

    /// <summary>Every server asked, in the order first asked.</summary>
    public IReadOnlyList<IPEndPoint> ServersTried { get; init; } = [];

    public bool HasResponse => Failure == ResolveFailure.None;

    /// <summary>The full RCODE of the response (<see cref="Rcode.NoError"/> when there is none).</summary>
    public Rcode Rcode => (Rcode)(Response?.Rcode ?? 0);

    public IReadOnlyList<ResourceRecord> Answers => Response?.Answers ?? [];

    public override string ToString() =>
        HasResponse
            ? $"{Rcode} from {Server}{(ViaTcp ? " over TCP" : "")}, {Answers.Count} answers, {Tries} tries"
            : $"{Failure} after {Tries} tries to {string.Join(", ", ServersTried)}";
}
