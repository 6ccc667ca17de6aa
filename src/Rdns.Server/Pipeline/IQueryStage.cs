namespace Rdns.Server.Pipeline;

/// <summary>What an admission stage decided.</summary>
public enum StageVerdict : byte
{
    /// <summary>Go on to the next stage and then the handler.</summary>
    Continue,
    /// <summary>Answer now with <see cref="DnsRequest.Rcode"/> (and <see cref="DnsRequest.ExtendedError"/>), header and question only.</summary>
    Respond,
    /// <summary>Send nothing.</summary>
    Drop,
}

/// <summary>
/// A module on the query path, in the manner of Knot's query modules: it runs before the handler
/// (admission: view selection, ACLs, cookies, rate limiting) and after the response is written
/// (counters, logs, rate-limit accounting, which may drop or truncate the response). Stages are
/// fixed at construction and run in order for every request, over UDP and TCP alike; they must not
/// allocate on the query path and must be safe to call from every worker at once.
/// </summary>
public interface IQueryStage
{
    StageVerdict Admit(ref DnsRequest request);

    /// <summary>
    /// True for stages that only observe (counters, query logs): their <see cref="Complete"/> runs
    /// for every request, even one a stage before them answered or dropped at admission, which
    /// other stages never see.
    /// </summary>
    bool ObservesEveryResponse => false;

    void Complete(ref DnsRequest request);

    /// <summary>False for a stage whose <see cref="Admit"/> always continues (counters, accounting): the pipeline then does not call it.</summary>
    bool Admits => true;

    /// <summary>False for a stage whose <see cref="Complete"/> does nothing (view selection, cookies): the pipeline then does not call it.</summary>
    bool Completes => true;
}
