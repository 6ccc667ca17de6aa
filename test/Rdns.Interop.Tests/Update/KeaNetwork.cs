using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Update;

/// <summary>
/// A network the test owns: a bridge on the host holding 192.0.2.1/24 (TEST-NET-1, RFC 5737) for
/// the DHCP server, and veth pairs whose other ends sit in a network namespace, one per DHCP
/// client. Removed whole on dispose (deleting the namespace deletes the pairs).
/// </summary>
public sealed class KeaNetwork(string ns, string bridge, IReadOnlyList<string> links) : IAsyncDisposable
{
    /// <summary>The client ends, inside the namespace.</summary>
    public IReadOnlyList<string> Clients { get; } = links.Select(l => l + "c").ToList();

    public async Task CreateAsync()
    {
        await Ip("netns", "add", ns);
        await Ip("link", "add", bridge, "type", "bridge");
        await Ip("addr", "add", "192.0.2.1/24", "dev", bridge);
        await Ip("link", "set", bridge, "up");
        await Ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        foreach (var link in links)
        {
            await Ip("link", "add", link, "type", "veth", "peer", "name", link + "c");
            await Ip("link", "set", link, "master", bridge);
            await Ip("link", "set", link, "up");
            await Ip("link", "set", link + "c", "netns", ns);
            await Ip("netns", "exec", ns, "ip", "link", "set", link + "c", "up");
        }
    }

    private static async Task Ip(params string[] args)
    {
        var r = await ProcessRunner.RunAsync(ProcessRunner.Find("ip") ?? throw new InvalidOperationException("ip (iproute2) is not installed"), args, TimeSpan.FromSeconds(10));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {r.Stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var args in new[] { new[] { "netns", "del", ns }, ["link", "del", bridge] }.Concat(links.Select(l => new[] { "link", "del", l })))
            await ProcessRunner.RunAsync(ProcessRunner.Find("ip")!, args, TimeSpan.FromSeconds(10));
    }
}
