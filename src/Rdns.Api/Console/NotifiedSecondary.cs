namespace Rdns.Api.Console;

/// <summary>
/// A secondary this server sends NOTIFY to, as it stands for one zone: the serial it last
/// acknowledged, when, failed tries, serials given up on, and whether a NOTIFY is still pending.
/// </summary>
public sealed record NotifiedSecondary(string Endpoint, string? Key, uint? AcknowledgedSerial, DateTimeOffset? LastAcknowledged, long Failures, long GaveUp, bool Pending);

/// <summary>What the DNS side knows of the secondaries of a zone (registered by the host when NOTIFY is configured).</summary>
public interface INotifiedSecondaries
{
    IReadOnlyList<NotifiedSecondary> For(Protocol.Names.DnsName zone);
}
