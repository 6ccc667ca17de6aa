using Rdns.Addressing;
using Rdns.Protocol.Names;

namespace Rdns.Control.Tenants;

public enum LookupOutcome
{
    /// <summary>The name has records of the type asked.</summary>
    Found,
    /// <summary>The name does not exist.</summary>
    NxDomain,
    /// <summary>The name exists without records of that type.</summary>
    NoData,
    /// <summary>No usable answer: timeouts, SERVFAIL, unreachable resolvers.</summary>
    Failed,
}

/// <summary>What a forward lookup found, with a sentence for the user that says exactly that.</summary>
public sealed record ForwardAddresses(LookupOutcome Outcome, IReadOnlyList<IpAddress> Addresses, string Explanation);

public sealed record ForwardTexts(LookupOutcome Outcome, IReadOnlyList<string> Texts, string Explanation);

/// <summary>Forward DNS as the checks need it: A/AAAA of a name, TXT of a name, through the configured resolver.</summary>
public interface IForwardResolver
{
    Task<ForwardAddresses> AddressesAsync(DnsName name, CancellationToken cancellationToken);

    Task<ForwardTexts> TextsAsync(DnsName name, CancellationToken cancellationToken);
}
