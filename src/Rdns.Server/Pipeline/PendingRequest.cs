using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Server.Pipeline;

/// <summary>
/// A request handed from a receive loop to an asynchronous handler: the message (copied out of the
/// loop's buffer when the loop reuses it), its parse, its source, and a response buffer of its own.
/// Only opcodes that must wait (UPDATE, transfers) take this path, so allocating here is fine.
/// </summary>
public sealed class PendingRequest(ReadOnlyMemory<byte> query, Memory<byte> response, ParsedRequest parsed, RequestSource source, ZoneSet zones)
{
    public ReadOnlyMemory<byte> Query { get; } = query;

    public Memory<byte> Response { get; } = response;

    public ParsedRequest Parsed { get; } = parsed;

    public RequestSource Source { get; } = source;

    /// <summary>The zones admission chose for the request (a view's, or the served set).</summary>
    public ZoneSet Zones { get; } = zones;

    public DnsHeader Header => Parsed.Header;

    /// <summary>The response limit the transport allows: 65,535 over TCP, else the UDP size the client offered.</summary>
    public int ResponseLimit { get; init; } = 512;
}
