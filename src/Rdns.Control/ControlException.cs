namespace Rdns.Control;

public enum ControlError
{
    /// <summary>The input breaks a rule (HTTP 400).</summary>
    Invalid,
    /// <summary>The thing does not exist, or is not the caller's to see (HTTP 404).</summary>
    NotFound,
    /// <summary>It collides with existing state (HTTP 409).</summary>
    Conflict,
    /// <summary>Understood but refused by policy, e.g. a forward check that failed (HTTP 422).</summary>
    Refused,
    /// <summary>A dependency (the resolver) could not give an answer (HTTP 503).</summary>
    Unavailable,
}

/// <summary>A business-rule failure with a stable machine-readable code; the API turns it into Problem Details.</summary>
public sealed class ControlException(ControlError kind, string code, string message, string? field = null, IReadOnlyDictionary<string, object?>? details = null)
    : Exception(message)
{
    public ControlError Kind { get; } = kind;

    public string Code { get; } = code;

    public string? Field { get; } = field;

    public IReadOnlyDictionary<string, object?>? Details { get; } = details;
}
