namespace Rdns.Interop.Tests.Differential;

public enum Transport
{
    Udp,
    Tcp,
}

/// <summary>
/// A difference from Knot DNS that the RFCs allow and that we keep on purpose. Each one is
/// written up, with the RFC text that allows it, in docs/COMPLIANCE.md ("Accepted differences
/// from Knot DNS"); the comparison relaxes exactly that point for exactly the cases marked.
/// </summary>
public enum AcceptedDifference
{
    None,

    /// <summary>
    /// COMPLIANCE.md A2: we copy CD from the query into the response (RFC 4035 §3.1.6); Knot DNS
    /// clears it. Everything else must match.
    /// </summary>
    CdCopied,

    /// <summary>
    /// COMPLIANCE.md A3: a request whose question cannot be read (cut short, bad label, bad
    /// pointer, name too long, QDCOUNT not matching what follows): we answer FORMERR (RFC 1035
    /// §4.1.1), Knot DNS drops it without a reply.
    /// </summary>
    FormErrWhereKnotDrops,

    /// <summary>
    /// COMPLIANCE.md A4: QDCOUNT above 1. RFC 9619 §4 requires FORMERR; Knot DNS drops the request.
    /// </summary>
    FormErrForSeveralQuestions,

    /// <summary>
    /// COMPLIANCE.md A5: a FORMERR to a request that carried an OPT record carries an OPT
    /// (RFC 6891 §7); Knot DNS sends its FORMERR without one. Everything else must match.
    /// </summary>
    FormErrKeepsOpt,

    /// <summary>
    /// COMPLIANCE.md A6: an OPT record whose owner is not the root is a format error for us
    /// (RFC 6891 §6.1.2: the name MUST be 0); Knot DNS ignores the owner and answers.
    /// </summary>
    OptOwnerNotRoot,

    /// <summary>
    /// COMPLIANCE.md A7: the zone file gives the PTR RRset at 4.2.0.192.in-addr.arpa two TTLs
    /// (3600, then 600). We use the first, as BIND does; Knot DNS uses the last. Only that
    /// RRset's TTL may differ.
    /// </summary>
    MixedTtlFirstWins,
}

/// <summary>One query of the differential set: the same octets go to Knot DNS and to rdns.</summary>
public sealed record DifferentialCase(string Title, Transport Transport, byte[] Wire)
{
    public AcceptedDifference Accepted { get; init; }

    /// <summary>Built octet by octet to be malformed or odd, rather than by the message writer.</summary>
    public bool Raw { get; init; }

    public override string ToString() => Title;
}
