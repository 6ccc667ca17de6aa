namespace Rdns.Server.Pipeline;

/// <summary>What a response was, for the stages after the answer (counters, rate limiting, logs).</summary>
public enum AnswerKind : byte
{
    /// <summary>No response was made (a response sent to us, a message too short to answer).</summary>
    None,
    /// <summary>Records of the zone answered the question.</summary>
    Positive,
    /// <summary>A pool's default name, synthesized (nothing stored for it).</summary>
    DefaultName,
    /// <summary>A delegation below a zone cut.</summary>
    Referral,
    /// <summary>The name exists without the type asked.</summary>
    NoData,
    NxDomain,
    /// <summary>Not authoritative for the name, or refused by policy.</summary>
    Refused,
    /// <summary>FORMERR, NOTIMP, BADVERS, SERVFAIL, TSIG errors.</summary>
    Error,
    Transfer,
    Notify,
    Update,
}

/// <summary>What the transport does with the response.</summary>
public enum ResponseAction : byte
{
    Send,
    /// <summary>Send nothing (a stage dropped it, or there is nothing to answer).</summary>
    Drop,
    /// <summary>Answered later by an asynchronous handler (UPDATE); the transport hands the request over.</summary>
    Deferred,
    /// <summary>Answered as a stream of messages over TCP (AXFR, IXFR).</summary>
    Stream,
}
