using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

internal enum ExchangeStatus
{
    Response,
    Timeout,
    Unreachable,
    Malformed,
}

/// <summary>What one UDP or TCP exchange with one server gave.</summary>
internal readonly record struct Exchange(ExchangeStatus Status, DnsMessage? Response = null)
{
    public static readonly Exchange Timeout = new(ExchangeStatus.Timeout);
    public static readonly Exchange Unreachable = new(ExchangeStatus.Unreachable);
    public static readonly Exchange Malformed = new(ExchangeStatus.Malformed);
}
