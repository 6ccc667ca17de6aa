using Rdns.Api.Console;
using Rdns.Protocol.Names;

namespace Rdns.Hosting;

/// <summary>The console's view of the public view's NOTIFY sender: each configured secondary as it stands for one zone.</summary>
internal sealed class NotifiedSecondaries(Transfers transfers) : INotifiedSecondaries
{
    public IReadOnlyList<NotifiedSecondary> For(DnsName zone)
    {
        var sender = transfers.Sender;
        var lower = zone.ToLower();
        return sender.Secondaries.Select(s =>
        {
            uint? acknowledged = s.AcknowledgedSerials.TryGetValue(lower, out var serial) ? serial : null;
            bool pending = sender.PendingFor(s.Peer.Endpoint).Any(p => p.Zone.Equals(lower));
            return new NotifiedSecondary(s.Peer.Endpoint.ToString(), s.Peer.KeyName, acknowledged, s.LastAcknowledged, s.Failures, s.GaveUp, pending);
        }).ToList();
    }
}
