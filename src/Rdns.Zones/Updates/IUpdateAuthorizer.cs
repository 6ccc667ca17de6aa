using Rdns.Protocol.Names;

namespace Rdns.Zones.Updates;

/// <summary>
/// Decides who may update what (RFC 2136 §3.3). The server knows only the question; the policies
/// (keys from files and the store, tenants' holdings, unsigned ranges) live in Control, which
/// implements this.
/// </summary>
public interface IUpdateAuthorizer
{
    ValueTask<UpdateAuthorization> AuthorizeAsync(UpdateRequester requester, DnsName zone, CancellationToken cancellationToken);
}
