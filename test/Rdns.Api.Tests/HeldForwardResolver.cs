using Rdns.Addressing;
using Rdns.Control.Tenants;
using Rdns.Protocol.Names;

namespace Rdns.Api.Tests;

/// <summary>
/// A forward resolver that answers whatever the test says a name points to, and that can hold an
/// answer back until the test lets it go: a slow resolver, without the waiting.
/// </summary>
public sealed class HeldForwardResolver : IForwardResolver
{
    private readonly Dictionary<DnsName, IpAddress[]> _names = [];
    private TaskCompletionSource? _entered;
    private TaskCompletionSource? _release;

    /// <summary>Makes <paramref name="name"/> resolve to <paramref name="addresses"/>.</summary>
    public void Point(string name, params string[] addresses)
    {
        lock (_names)
            _names[DnsName.Parse(name)] = addresses.Select(a => IpAddress.Parse(a)).ToArray();
    }

    /// <summary>The next lookup waits until <see cref="Release"/>; the task completes once it is waiting.</summary>
    public Task HoldNextLookup()
    {
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _entered.Task;
    }

    public void Release() => _release?.TrySetResult();

    public async Task<ForwardAddresses> AddressesAsync(DnsName name, CancellationToken cancellationToken)
    {
        if (_release is { } release)
        {
            _entered!.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
        }
        IpAddress[]? found;
        lock (_names)
            _names.TryGetValue(name, out found);
        return found is null
            ? new ForwardAddresses(LookupOutcome.NxDomain, [], $"{name} does not exist (NXDOMAIN)")
            : new ForwardAddresses(LookupOutcome.Found, found, $"{name} has {string.Join(", ", found.Select(a => a.ToString()))}");
    }

    public Task<ForwardTexts> TextsAsync(DnsName name, CancellationToken cancellationToken) =>
        Task.FromResult(new ForwardTexts(LookupOutcome.NxDomain, [], $"{name} does not exist (NXDOMAIN)"));
}
