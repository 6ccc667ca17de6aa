using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Resolver;

namespace Rdns.Control.Tenants;

/// <summary>Forward checks through our own stub resolver, asking the configured recursive resolvers.</summary>
public sealed class StubForwardResolver(StubResolver resolver) : IForwardResolver
{
    public async Task<ForwardAddresses> AddressesAsync(DnsName name, CancellationToken cancellationToken)
    {
        var lookup = await resolver.LookupAddressesAsync(name, cancellationToken).ConfigureAwait(false);
        return new ForwardAddresses(Map(lookup.Outcome), lookup.Addresses.Select(IpAddress.FromIPAddress).ToList(), lookup.Describe());
    }

    public async Task<ForwardTexts> TextsAsync(DnsName name, CancellationToken cancellationToken)
    {
        var lookup = await resolver.LookupTxtAsync(name, cancellationToken).ConfigureAwait(false);
        return new ForwardTexts(Map(lookup.Outcome), lookup.Texts, lookup.Describe());
    }

    /// <summary>A CNAME loop or an overlong chain leads to no address: for the checks that is "no data".</summary>
    private static Control.Tenants.LookupOutcome Map(Resolver.LookupOutcome outcome) => outcome switch
    {
        Resolver.LookupOutcome.Found => Control.Tenants.LookupOutcome.Found,
        Resolver.LookupOutcome.NXDomain => Control.Tenants.LookupOutcome.NxDomain,
        Resolver.LookupOutcome.NoData or Resolver.LookupOutcome.CnameLoop or Resolver.LookupOutcome.CnameChainTooLong => Control.Tenants.LookupOutcome.NoData,
        _ => Control.Tenants.LookupOutcome.Failed,
    };
}
