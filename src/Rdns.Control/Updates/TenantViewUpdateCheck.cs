using Rdns.Addressing;
using Rdns.Control.Views;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Updates;

namespace Rdns.Control.Updates;

/// <summary>
/// A tenant's DHCP server inside its own view keeps its private PTRs by the rules of the tenant
/// API for views: each PTR it adds passes the forward check against the view's own forward data
/// (<see cref="ViewForwardCheck"/>); nothing is recorded beside the zone, as the view's zones are
/// the tenant's own.
/// </summary>
internal sealed class TenantViewUpdateCheck(ViewZones view) : IUpdateContentCheck
{
    public Task<UpdateContentVerdict> CheckAsync(DnsName zone, IReadOnlyList<UpdateRecord> updates, CancellationToken cancellationToken)
    {
        var zones = view.Served.Current;
        foreach (var rr in updates)
        {
            if (rr.Class != RecordClass.IN || rr.Type != RecordType.PTR || !ReverseName.TryParseAddress(rr.Owner.ToString(), out var address, out _))
                continue;
            var target = Rdata.ReadName(rr.Data);
            try
            {
                ViewForwardCheck.Check(zones, address, target);
            }
            catch (ControlException e)
            {
                return Task.FromResult(new UpdateContentVerdict($"PTR {address} -> {target}: {e.Message}"));
            }
        }
        return Task.FromResult(new UpdateContentVerdict(null));
    }
}
