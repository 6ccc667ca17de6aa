using System.Net;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

/// <summary>What a lookup found, in the terms a forward-confirmation check explains to a user.</summary>
public enum LookupOutcome
{
    /// <summary>Records of the type asked exist at the name (or at the end of its CNAME chain).</summary>
    Found,

    /// <summary>The name, or the end of its CNAME chain, does not exist (RCODE NXDOMAIN).</summary>
    NXDomain,

    /// <summary>The name exists but has no records of the type asked (NOERROR, empty answer).</summary>
    NoData,

    /// <summary>The CNAME chain comes back to a name already in it.</summary>
    CnameLoop,

    /// <summary>The CNAME chain is longer than <see cref="StubResolver.MaxCnameHops"/>.</summary>
    CnameChainTooLong,

    /// <summary>No resolver answered in time, on any attempt.</summary>
    Timeout,

    /// <summary>No resolver could be reached at all (ICMP unreachable, TCP refused).</summary>
    Unreachable,

    /// <summary>A resolver replied, but the reply or a record in it could not be read.</summary>
    Malformed,

    /// <summary>Every resolver that answered gave an error RCODE (SERVFAIL, REFUSED, ...); see <see cref="Lookup.Rcode"/>.</summary>
    ServerFailure,
}

/// <summary>The parts every lookup result shares: the outcome, the CNAME chain, and who was asked how often.</summary>
public abstract record Lookup
{
    public required DnsName Name { get; init; }

    public required LookupOutcome Outcome { get; init; }

    /// <summary>The name asked, then each CNAME target followed, in order (a loop ends with the repeated name).</summary>
    public required IReadOnlyList<DnsName> Chain { get; init; }

    /// <summary>The RCODE of the last response; for <see cref="LookupOutcome.ServerFailure"/> the error given.</summary>
    public Rcode Rcode { get; init; }

    /// <summary>Queries sent for this lookup, over all names and types.</summary>
    public int Tries { get; init; }

    /// <summary>The tries of the query that failed, which is what a user is told ("timed out after 3 tries").</summary>
    internal int FailedQueryTries { get; init; }

    /// <summary>The resolvers asked, in the order first asked.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];

    /// <summary>The last name of <see cref="Chain"/>: where the records are, or would be.</summary>
    public DnsName CanonicalName => Chain[^1];

    /// <summary>True when the resolvers did not give an answer, so nothing can be concluded about the name.</summary>
    public bool IsFailure => Outcome is LookupOutcome.Timeout or LookupOutcome.Unreachable or LookupOutcome.Malformed or LookupOutcome.ServerFailure;

    /// <summary>One sentence saying what was found, for a user (<paramref name="what"/> names the records, e.g. "A/AAAA").</summary>
    protected string Describe(string what, string? found)
    {
        string subject = Chain.Count > 1 && Outcome is LookupOutcome.Found or LookupOutcome.NXDomain or LookupOutcome.NoData
            ? $"{Name} is an alias of {CanonicalName}, which"
            : Name.ToString();
        string sentence = Outcome switch
        {
            LookupOutcome.Found => $"{subject} has {found}",
            LookupOutcome.NXDomain => $"{subject} does not exist (NXDOMAIN)",
            LookupOutcome.NoData => $"{subject} {(Chain.Count > 1 ? "has" : "exists but has")} no {what} records",
            LookupOutcome.CnameLoop => $"{Name} has a CNAME loop: {string.Join(" -> ", Chain)}",
            LookupOutcome.CnameChainTooLong => $"{Name} has a CNAME chain longer than {StubResolver.MaxCnameHops}: {string.Join(" -> ", Chain)}",
            LookupOutcome.Timeout => $"{ServersText()} timed out after {FailedQueryTries} {(FailedQueryTries == 1 ? "try" : "tries")}",
            LookupOutcome.Unreachable => $"{ServersText()} {(Servers.Count == 1 ? "is" : "are")} unreachable",
            LookupOutcome.Malformed => $"{ServersText()} sent a reply that could not be read",
            _ => $"{ServersText()} answered {RcodeText(Rcode)} for {CanonicalName}",
        };
        return IsFailure && found is not null ? $"{sentence} (found so far: {found})" : sentence;
    }

    /// <summary>The RCODE mnemonic as dig and the RFCs write it (NXDOMAIN, SERVFAIL, ...).</summary>
    public static string RcodeText(Rcode rcode) => rcode switch
    {
        Rcode.NoError => "NOERROR",
        Rcode.FormErr => "FORMERR",
        Rcode.ServFail => "SERVFAIL",
        Rcode.NXDomain => "NXDOMAIN",
        Rcode.NotImp => "NOTIMP",
        Rcode.Refused => "REFUSED",
        _ => "RCODE " + ((int)rcode).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private string ServersText() =>
        Servers.Count == 1 ? $"the resolver at {Servers[0]}" : $"the resolvers at {string.Join(", ", Servers)}";
}

/// <summary>The addresses of a name: A and AAAA, asked together, CNAMEs followed.</summary>
public sealed record AddressLookup : Lookup
{
    /// <summary>IPv4 then IPv6 addresses, each once; on a failure, whatever the other type found.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    public bool Contains(IPAddress address) => Addresses.Contains(address);

    /// <summary>E.g. "mail.example. has 198.51.100.7, 2001:db8::9", "mail.example. does not exist (NXDOMAIN)",
    /// "the resolver at 127.0.0.1:53 timed out after 3 tries".</summary>
    public string Describe() => Describe("A/AAAA", Addresses.Count == 0 ? null : string.Join(", ", Addresses));

    public override string ToString() => Describe();
}

/// <summary>The TXT records of a name, CNAMEs followed.</summary>
public sealed record TxtLookup : Lookup
{
    /// <summary>One entry per TXT record: its character-strings joined, decoded as UTF-8.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    public string Describe() =>
        Describe("TXT", Texts.Count == 0 ? null : "TXT " + string.Join(", ", Texts.Select(t => $"\"{t}\"")));

    public override string ToString() => Describe();
}
