using Rdns.Protocol.Wire;

namespace Rdns.Transfer;

/// <summary>Why an exchange with a primary gave nothing usable.</summary>
public enum TransferFailure
{
    /// <summary>No answer in time (UDP), or the connection stalled (TCP).</summary>
    Timeout,

    /// <summary>The connection was refused or reset, or the network is unreachable.</summary>
    Unreachable,

    /// <summary>The primary answered with an error RCODE (<see cref="TransferException.Rcode"/>): REFUSED, NOTAUTH, SERVFAIL...</summary>
    Rcode,

    /// <summary>The answer's TSIG was missing, wrong or out of time, or the primary refused our key (RFC 8945 §5.4).</summary>
    Tsig,

    /// <summary>The answer could not be read, or is not a transfer of the zone asked for.</summary>
    Malformed,
}

/// <summary>A failed SOA query or transfer; nothing of it may be applied.</summary>
public sealed class TransferException(TransferFailure failure, string message, Rcode? rcode = null, Exception? inner = null)
    : Exception(message, inner)
{
    public TransferFailure Failure { get; } = failure;

    public Rcode? Rcode { get; } = rcode;
}
