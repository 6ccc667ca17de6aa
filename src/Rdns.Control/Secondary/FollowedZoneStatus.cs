using Rdns.Protocol.Names;

namespace Rdns.Control.Secondary;

/// <summary>How one followed zone stands.</summary>
public sealed record FollowedZoneStatus(DnsName Zone, ZoneOrigin Origin, uint? Serial, DateTimeOffset? LastRefresh, int Failures, string? LastError,
    bool Expired, long Transfers, long IncrementalTransfers, long BytesReceived);
