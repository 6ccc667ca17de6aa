using Rdns.Protocol.Wire;

namespace Rdns.Server.Update;

/// <summary>An RCODE and, when it is not NOERROR, the reason (for logs and the audit row).</summary>
public readonly record struct UpdateOutcome(Rcode Rcode, string? Reason)
{
    public static readonly UpdateOutcome Ok = new(Rcode.NoError, null);

    public bool IsOk => Rcode == Rcode.NoError;
}
