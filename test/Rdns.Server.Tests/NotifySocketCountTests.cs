using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Server.Transfers;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// The process's open files counted around a NOTIFY storm: alone, in a collection run with no
/// other test at the same time (another test class opening thousands of descriptors meanwhile, as
/// happened once in a full run, would be counted as the sender's).
/// </summary>
[Collection(Alone.Name)]
public sealed class NotifySocketCountTests
{
    [Fact]
    public async Task A_silent_secondary_costs_no_socket_per_notify_however_many_zones_change()
    {
        // Takes NOTIFY and never answers (no ICMP either): every try waits for its timeout.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var names = Enumerable.Range(0, 2000).Select(z => $"{z % 256}.{z / 256}.10.in-addr.arpa.").ToList();
        var served = new ServedZones();
        served.Replace(ZoneSet.From(names.Select(n => ZoneBuilder.Standard(n, 1).Build())));
        int before = Directory.GetFiles("/proc/self/fd").Length;
        await using var sender = new NotifySender([new SecondaryPeer((IPEndPoint)silent.LocalEndPoint!, null)], served, null, NullLogger.Instance);
        foreach (var n in names)
            sender.Enqueue(Protocol.Names.DnsName.Parse(n), 1);
        int most = 0;
        for (int i = 0; i < 10; i++)
        {
            await Task.Delay(50);
            most = Math.Max(most, Directory.GetFiles("/proc/self/fd").Length - before);
        }
        // One socket for every NOTIFY (other tests of this process open a few of their own meanwhile).
        Assert.Equal(1, sender.Sockets);
        Assert.InRange(most, 0, 24);
        Assert.Equal(2000, sender.PendingFor((IPEndPoint)silent.LocalEndPoint!).Count);
    }
}

/// <summary>Tests that look at the whole process (its open files) and must not share it with other tests while they run.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "alone in the process";
}
