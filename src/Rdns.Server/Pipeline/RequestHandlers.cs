using Rdns.Server.Transfers;

namespace Rdns.Server.Pipeline;

/// <summary>
/// A handler that answers a request synchronously into <see cref="DnsRequest.Response"/>, returning
/// the length written (0 to send nothing). It may instead set <see cref="DnsRequest.Action"/> to
/// <see cref="ResponseAction.Deferred"/> or <see cref="ResponseAction.Stream"/> and return 0.
/// </summary>
public interface IRequestHandler
{
    int Handle(ref DnsRequest request);
}

/// <summary>A handler that must wait (for the store, say): run off the receive loop, answered when done.</summary>
public interface IDeferredRequestHandler
{
    /// <summary>Writes the response into <see cref="PendingRequest.Response"/> and returns its length (0: none).</summary>
    Task<int> HandleAsync(PendingRequest request, CancellationToken cancellationToken);
}

/// <summary>A handler that answers with a stream of messages over TCP (AXFR, IXFR).</summary>
public interface IStreamRequestHandler
{
    Task StreamAsync(PendingRequest request, IResponseStream stream, CancellationToken cancellationToken);
}

/// <summary>Zone transfers: one message over UDP (IXFR, RFC 1995 §2), a stream over TCP.</summary>
public interface ITransferHandler : IRequestHandler, IStreamRequestHandler;

/// <summary>
/// The handlers of every opcode, registered in one place (the composition root builds one of
/// these). QUERY is always answered from the zones; the others are optional: without a handler
/// NOTIFY and UPDATE get NOTIMP and transfers REFUSED.
/// </summary>
public sealed record RequestHandlers
{
    public static readonly RequestHandlers None = new();

    /// <summary>Verifies signed requests and signs their answers (RFC 8945); an empty key ring by default, so any key is BADKEY.</summary>
    public ITransferSecurity Tsig { get; init; } = new TsigTransferSecurity(Protocol.Tsig.TsigKeyRing.Empty);

    /// <summary>AXFR and IXFR (QUERY with those types).</summary>
    public ITransferHandler? Transfers { get; init; }

    /// <summary>NOTIFY (RFC 1996).</summary>
    public IRequestHandler? Notify { get; init; }

    /// <summary>UPDATE (RFC 2136).</summary>
    public IDeferredRequestHandler? Update { get; init; }
}
