using Rdns.Protocol.Names;

namespace Rdns.Zones.Updates;

/// <summary>A check of the records an update adds, which may take time (a forward lookup), made before the write.</summary>
public interface IUpdateContentCheck
{
    Task<UpdateContentVerdict> CheckAsync(DnsName zone, IReadOnlyList<UpdateRecord> updates, CancellationToken cancellationToken);
}
