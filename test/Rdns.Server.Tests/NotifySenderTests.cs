using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Transfers;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>NOTIFY under a stream of changes: every zone's newest serial reaches the secondary, however the changes interleave.</summary>
public sealed class NotifySenderTests
{
    [Fact]
    public async Task Every_zone_changed_many_times_at_once_ends_notified_at_its_newest_serial()
    {
        // A secondary that acknowledges every NOTIFY and keeps the newest serial heard per zone.
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var heard = new ConcurrentDictionary<string, uint>();
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await secondary.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                var notify = DnsMessage.Parse(buffer.AsSpan(0, r.ReceivedBytes));
                uint serial = Rdata.SoaSerial(notify.Answers[0].Data);
                heard.AddOrUpdate(notify.Questions[0].Name.ToString(), serial, (_, old) => Math.Max(old, serial));
                var ack = new DnsMessage { Id = notify.Id, Opcode = Opcode.Notify, Flags = HeaderFlags.QR | HeaderFlags.AA };
                ack.Questions.Add(notify.Questions[0]);
                await secondary.SendToAsync(ack.ToWire(), r.RemoteEndPoint);
            }
        });

        const int Zones = 200, Changes = 20;
        var names = Enumerable.Range(0, Zones).Select(z => $"{z}.0.10.in-addr.arpa.").ToList();
        var served = new ServedZones();
        served.Replace(ZoneSet.From(names.Select(n => ZoneBuilder.Standard(n, 1).Build())));
        await using (var sender = new NotifySender([new SecondaryPeer((IPEndPoint)secondary.LocalEndPoint!, null)], served, null, NullLogger.Instance))
        {
            // Changes come from several writers at once, each zone's serial only going up.
            await Parallel.ForEachAsync(Enumerable.Range(2, Changes).SelectMany(serial => names.Select(n => (n, (uint)serial))),
                new ParallelOptions { MaxDegreeOfParallelism = 4 }, (change, _) =>
                {
                    lock (served)
                    {
                        var current = served.Current.Get(Protocol.Names.DnsName.Parse(change.n))!;
                        if (current.Serial < change.Item2)
                            served.Update(set => set.With(ZoneBuilder.Standard(change.n, change.Item2).Build()));
                    }
                    sender.Enqueue(Protocol.Names.DnsName.Parse(change.n), change.Item2);
                    return ValueTask.CompletedTask;
                });
            var peer = (IPEndPoint)secondary.LocalEndPoint!;
            for (int i = 0; i < 300 && (heard.Count < Zones || heard.Values.Any(s => s != Changes + 1) || sender.PendingFor(peer).Count > 0); i++)
                await Task.Delay(50);
            Assert.DoesNotContain(names, n => heard.GetValueOrDefault(n) != Changes + 1);
            Assert.Empty(sender.PendingFor(peer));
        }
        await stop.CancelAsync();
        await answering;
    }

    [Fact]
    public async Task A_silent_secondary_holds_a_bounded_number_of_sockets_however_many_zones_change()
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
        // 16 in flight (other tests of this process open a few of their own meanwhile).
        Assert.InRange(most, 0, NotifySender.MaxSendsPerSecondary + 24);
        Assert.Equal(2000, sender.PendingFor((IPEndPoint)silent.LocalEndPoint!).Count);
    }
}
