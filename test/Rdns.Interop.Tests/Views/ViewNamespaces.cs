using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Views;

/// <summary>
/// Client networks the test owns: one network namespace per network, each joined to the host by a
/// veth pair with a /30 of test addresses (the host's end first, the namespace's second) and a
/// default route through the host. Removed whole on dispose (deleting a namespace deletes its pair).
/// </summary>
public sealed class ViewNamespaces : IAsyncDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly List<string> _links = [];
    private readonly string _tag = $"rv{Environment.ProcessId % 10000}{Random.Shared.Next(100, 999)}";

    /// <summary>Makes a namespace whose address is <paramref name="inside"/>, reached from the host at <paramref name="host"/> (both in one /30).</summary>
    public async Task<string> AddAsync(string host, string inside)
    {
        string ns = $"{_tag}n{_namespaces.Count}";
        string link = $"{_tag}v{_namespaces.Count}";
        _namespaces.Add(ns);
        await Ip("netns", "add", ns);
        _links.Add(link);
        await Ip("link", "add", link, "type", "veth", "peer", "name", link + "p");
        await Ip("link", "set", link + "p", "netns", ns);
        await Ip("addr", "add", host + "/30", "dev", link);
        await Ip("link", "set", link, "up");
        await Ip("netns", "exec", ns, "ip", "addr", "add", inside + "/30", "dev", link + "p");
        await Ip("netns", "exec", ns, "ip", "link", "set", link + "p", "up");
        await Ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        await Ip("netns", "exec", ns, "ip", "route", "add", "default", "via", host);
        return ns;
    }

    /// <summary>Runs a program inside a namespace (<c>ip netns exec</c>).</summary>
    public static Task<ProcessResult> RunAsync(string ns, string program, params string[] args) =>
        ProcessRunner.RunAsync(IpPath(), ["netns", "exec", ns, program, .. args], TimeSpan.FromSeconds(30));

    private static string IpPath() =>
        ProcessRunner.Find("ip") ?? (File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : File.Exists("/sbin/ip") ? "/sbin/ip"
            : throw new InvalidOperationException("ip (iproute2) is required: ./test.sh installs it"));

    private static async Task Ip(params string[] args)
    {
        var r = await ProcessRunner.RunAsync(IpPath(), args, TimeSpan.FromSeconds(10));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {r.Stderr} (network namespaces need root)");
    }

    public async ValueTask DisposeAsync()
    {
        var namespaces = _namespaces.ToList();
        _namespaces.Clear();
        var links = _links.ToList();
        _links.Clear();
        foreach (var ns in namespaces)
            await ProcessRunner.RunAsync(IpPath(), ["netns", "del", ns], TimeSpan.FromSeconds(10));
        // The pairs went with their namespaces; a link left by a half-made namespace goes here.
        foreach (var link in links)
            await ProcessRunner.RunAsync(IpPath(), ["link", "del", link], TimeSpan.FromSeconds(10));
    }
}
