using System.Net;
using Rdns.Protocol.Names;

namespace Rdns.Server.Transfers;

/// <summary>
/// Where a NOTIFY goes when this node follows a primary (secondary mode): the follower says which
/// sources it takes NOTIFY from and wakes the zone's refresh (RFC 1996 §3.7, §3.11).
/// </summary>
public interface INotifyReceiver
{
    /// <summary>Whether <paramref name="source"/> (signed with <paramref name="keyName"/>, or unsigned when null) is a primary we follow.</summary>
    bool Accepts(IPAddress source, string? keyName);

    /// <summary>Schedules a refresh of <paramref name="zone"/>; false when this node does not follow that zone.</summary>
    bool Notified(DnsName zone, uint? serial);
}
