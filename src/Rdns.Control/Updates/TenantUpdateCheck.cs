using Rdns.Addressing;
using Rdns.Control.Tenants;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones.Updates;

namespace Rdns.Control.Updates;

/// <summary>
/// A tenant's DHCP server keeps its PTRs by the rules of the API: each PTR it adds must pass the
/// tenant's policy (a verified domain, or a forward check that finds the address), and is recorded
/// as the tenant's custom PTR in the same transaction; a PTR it deletes is no longer the tenant's.
/// </summary>
internal sealed class TenantUpdateCheck(string tenantId, IReadOnlyList<AllocationRecord> held, TenantReverseService reverse) : IUpdateContentCheck
{
    public async Task<UpdateContentVerdict> CheckAsync(DnsName zone, IReadOnlyList<UpdateRecord> updates, CancellationToken cancellationToken)
    {
        var writes = new List<TenantWrite>();
        foreach (var rr in updates)
        {
            if (!ReverseName.TryParseAddress(rr.Owner.ToString(), out var address, out _))
                continue;
            var allocation = held.FirstOrDefault(a => IpPrefix.Parse(a.Prefix).Contains(address));
            if (allocation is null)
                continue;
            if (rr.Class == RecordClass.IN && rr.Type == RecordType.PTR)
            {
                var target = Rdata.ReadName(rr.Data);
                string status, detail;
                try
                {
                    (status, detail) = await reverse.CheckNameAsync(tenantId, address, target, cancellationToken).ConfigureAwait(false);
                }
                catch (ControlException e)
                {
                    return new UpdateContentVerdict($"PTR {address} -> {target}: {e.Message}");
                }
                var now = DateTimeOffset.UtcNow;
                writes.Add(new PutCustomReverse(new CustomReverseRecord(address.ToString(), tenantId, allocation.Id, target.ToString(), status, detail, now, now)));
            }
            else if (rr.Type is RecordType.PTR or RecordType.ANY && rr.Class != RecordClass.IN)
            {
                writes.Add(new DeleteCustomReverse(address.ToString()));
            }
        }
        return new UpdateContentVerdict(null, writes.Count == 0 ? null : new TenantAttachment(writes));
    }
}
