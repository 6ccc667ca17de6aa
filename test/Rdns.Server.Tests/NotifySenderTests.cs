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
        var answering = ReceiveNotifies(secondary, async (notify, source) =>
        {
                        uint serial = Rdata.SoaSerial(notify.Answers[0].Data);
            heard.AddOrUpdate(notify.Questions[0].Name.ToString(), serial, (_, old) => Math.Max(old, serial));
            var ack = new DnsMessage { Id = notify.Id, Opcode = Opcode.Notify, Flags = HeaderFlags.QR | HeaderFlags.AA };
            ack.Questions.Add(notify.Questions[0]);
            await secondary.SendToAsync(ack.ToWire(), source);
        }, stop.Token);

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
    public async Task Many_notifies_in_flight_share_one_socket_and_each_answer_finds_its_request()
    {
        // A secondary that answers nothing until it holds 50 NOTIFYs at once, then answers them
        // all in reverse order: 50 were in flight together, and answers out of order still match.
        const int Zones = 50;
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var sources = new ConcurrentDictionary<EndPoint, int>();
        using var stop = new CancellationTokenSource();
        var held = new Dictionary<string, (DnsMessage Notify, EndPoint From)>();
        bool flowing = false;
        var answering = ReceiveNotifies(secondary, async (notify, source) =>
        {
                        sources.AddOrUpdate(source, 1, (_, n) => n + 1);
            // A retry of a zone replaces its earlier try (that one's ID is no longer awaited).
            held[notify.Questions[0].Name.ToString()] = (notify, source);
            if (!flowing && held.Count < Zones)
                return;
            flowing = true;
            foreach (var (n, from) in held.Values.Reverse())
            {
                var ack = new DnsMessage { Id = n.Id, Opcode = Opcode.Notify, Flags = HeaderFlags.QR | HeaderFlags.AA };
                ack.Questions.Add(n.Questions[0]);
                await secondary.SendToAsync(ack.ToWire(), from);
            }
            held.Clear();
        }, stop.Token);

        var names = Enumerable.Range(0, Zones).Select(z => $"{z}.1.10.in-addr.arpa.").ToList();
        var served = new ServedZones();
        served.Replace(ZoneSet.From(names.Select(n => ZoneBuilder.Standard(n, 7).Build())));
        var peer = (IPEndPoint)secondary.LocalEndPoint!;
        await using (var sender = new NotifySender([new SecondaryPeer(peer, null)], served, null, NullLogger.Instance))
        {
            foreach (var n in names)
                sender.Enqueue(Protocol.Names.DnsName.Parse(n), 7);
            for (int i = 0; i < 600 && sender.PendingFor(peer).Count > 0; i++)
                await Task.Delay(50);
            Assert.Empty(sender.PendingFor(peer));
            Assert.True(sender.Acknowledged >= Zones, $"{sender.Acknowledged} acknowledged");
            Assert.Equal(1, sender.Sockets);
        }
        await stop.CancelAsync();
        await answering;
        Assert.Single(sources);
    }

    [Fact]
    public async Task Changes_of_a_zone_within_the_hold_go_out_as_one_notify_of_the_newest_serial()
    {
        var heard = new ConcurrentQueue<(string Zone, uint Serial)>();
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var answering = ReceiveNotifies(secondary, async (notify, source) =>
        {
                        heard.Enqueue((notify.Questions[0].Name.ToString(), Rdata.SoaSerial(notify.Answers[0].Data)));
            var ack = new DnsMessage { Id = notify.Id, Opcode = Opcode.Notify, Flags = HeaderFlags.QR | HeaderFlags.AA };
            ack.Questions.Add(notify.Questions[0]);
            await secondary.SendToAsync(ack.ToWire(), source);
        }, stop.Token);

        // The hold is measured on a clock only the test moves: every change below is made before it ends.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var names = new[] { "1.2.10.in-addr.arpa.", "2.2.10.in-addr.arpa.", "3.2.10.in-addr.arpa." };
        var served = new ServedZones();
        served.Replace(ZoneSet.From(names.Select(n => ZoneBuilder.Standard(n, 1).Build())));
        var peer = (IPEndPoint)secondary.LocalEndPoint!;
        await using (var sender = new NotifySender([new SecondaryPeer(peer, null)], served, null, NullLogger.Instance, clock, TimeSpan.FromSeconds(1)))
        {
            for (uint serial = 2; serial <= 40; serial++)
            {
                foreach (var n in names)
                {
                    served.Update(set => set.With(ZoneBuilder.Standard(n, serial).Build()));
                    sender.Enqueue(Protocol.Names.DnsName.Parse(n), serial);
                }
            }
            for (int i = 0; i < 600 && (heard.Count < names.Length || sender.PendingFor(peer).Count > 0); i++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(20);
            }
            Assert.Empty(sender.PendingFor(peer));
        }
        await stop.CancelAsync();
        await answering;
        // Each zone announced at its newest serial only: none of the 38 serials before it went out.
        Assert.Equal(names.Order(), heard.Select(h => h.Zone).Distinct().Order());
        Assert.All(heard, h => Assert.Equal(40u, h.Serial));
    }

    [Fact]
    public async Task A_secondary_that_answers_again_hears_at_once_of_the_zones_that_waited_for_it()
    {
        // Silent at first: the NOTIFY of zone A goes unanswered and waits out its backoff on a
        // clock that never moves, so only the secondary's answering again can send it before the
        // test ends.
        var answering = 0;
        var heard = new ConcurrentQueue<string>();
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var loop = ReceiveNotifies(secondary, async (notify, source) =>
        {
            if (Volatile.Read(ref answering) == 0)
                return;
                        heard.Enqueue(notify.Questions[0].Name.ToString());
            var ack = new DnsMessage { Id = notify.Id, Opcode = Opcode.Notify, Flags = HeaderFlags.QR | HeaderFlags.AA };
            ack.Questions.Add(notify.Questions[0]);
            await secondary.SendToAsync(ack.ToWire(), source);
        }, stop.Token);

        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        const string A = "1.3.10.in-addr.arpa.", B = "2.3.10.in-addr.arpa.";
        var served = new ServedZones();
        served.Replace(ZoneSet.From([ZoneBuilder.Standard(A, 5).Build(), ZoneBuilder.Standard(B, 5).Build()]));
        var peer = (IPEndPoint)secondary.LocalEndPoint!;
        await using (var sender = new NotifySender([new SecondaryPeer(peer, null)], served, null, NullLogger.Instance, clock, TimeSpan.Zero))
        {
            sender.Enqueue(Protocol.Names.DnsName.Parse(A), 5);
            for (int i = 0; i < 600 && sender.Secondaries.Single().Failures == 0; i++)
                await Task.Delay(50);
            Assert.True(sender.Secondaries.Single().Failures > 0, "the first NOTIFY of A went unanswered");

            // Back: the next change (of another zone) is answered, and A follows without its backoff.
            Volatile.Write(ref answering, 1);
            sender.Enqueue(Protocol.Names.DnsName.Parse(B), 5);
            for (int i = 0; i < 600 && sender.PendingFor(peer).Count > 0; i++)
                await Task.Delay(50);
            Assert.Empty(sender.PendingFor(peer));
        }
        await stop.CancelAsync();
        await loop;
        Assert.Contains(A, heard);
        Assert.Contains(B, heard);
    }
    [Fact]
    public async Task An_answer_with_the_id_but_another_question_is_not_the_answer()
    {
        // A secondary that answers every NOTIFY with its ID but the question of another zone (as a
        // late answer to an earlier request whose ID was drawn again would look): never an
        // acknowledgement, so the NOTIFY is tried again.
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int tries = 0;
        using var stop = new CancellationTokenSource();
        var answering = ReceiveNotifies(secondary, async (notify, source) =>
        {
                        Interlocked.Increment(ref tries);
            var ack = new DnsMessage { Id = notify.Id, Opcode = Opcode.Notify, Flags = HeaderFlags.QR | HeaderFlags.AA };
            ack.Questions.Add(new Question(Protocol.Names.DnsName.Parse("9.9.10.in-addr.arpa."), RecordType.SOA));
            await secondary.SendToAsync(ack.ToWire(), source);
        }, stop.Token);

        const string Zone = "3.2.10.in-addr.arpa.";
        var served = new ServedZones();
        served.Replace(ZoneSet.From([ZoneBuilder.Standard(Zone, 4).Build()]));
        var peer = (IPEndPoint)secondary.LocalEndPoint!;
        await using (var sender = new NotifySender([new SecondaryPeer(peer, null)], served, null, NullLogger.Instance))
        {
            sender.Enqueue(Protocol.Names.DnsName.Parse(Zone), 4);
            for (int i = 0; i < 200 && Volatile.Read(ref tries) < 2; i++)
                await Task.Delay(50);
            Assert.True(Volatile.Read(ref tries) >= 2, $"{tries} tries: the wrong answer ended the delivery");
            Assert.Equal(0, sender.Acknowledged);
            Assert.Single(sender.PendingFor(peer));
        }
        await stop.CancelAsync();
        await answering;
    }
    /// <summary>
    /// The secondary's side of these tests: each NOTIFY that reaches <paramref name="secondary"/>
    /// is handed to <paramref name="handle"/> with where it came from, until <paramref name="stop"/>.
    /// </summary>
    private static Task ReceiveNotifies(Socket secondary, Func<DnsMessage, EndPoint, Task> handle, CancellationToken stop) => Task.Run(async () =>
    {
        var buffer = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await secondary.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await handle(DnsMessage.Parse(buffer.AsSpan(0, r.ReceivedBytes)), r.RemoteEndPoint);
        }
    });

    [Fact]
    public void A_notify_is_written_without_allocating_and_reads_back_as_the_zone_s_soa()
    {
        var zone = ZoneBuilder.Standard("7.0.10.in-addr.arpa.", 4242).Build();
        var buffer = new byte[4096];
        SteadyState.AssertAllocatesNothing(() => NotifySender.WriteNotify(buffer, 1, zone), perWindow: 1_000);
        int length = NotifySender.WriteNotify(buffer, 0xBEEF, zone);

        var message = DnsMessage.Parse(buffer.AsSpan(0, length).ToArray());
        Assert.Equal(0xBEEF, message.Id);
        Assert.Equal(Opcode.Notify, message.Opcode);
        Assert.True(message.Has(HeaderFlags.AA));
        Assert.False(message.Has(HeaderFlags.QR));
        var question = Assert.Single(message.Questions);
        Assert.Equal(zone.Origin, question.Name);
        Assert.Equal(RecordType.SOA, question.Type);
        var soa = Assert.Single(message.Answers);
        Assert.Equal(zone.Origin, soa.Owner);
        Assert.Equal(RecordType.SOA, soa.Type);
        Assert.Equal(4242u, Rdata.SoaSerial(soa.Data));
        Assert.Equal(zone.Soa.Data[0], soa.Data);
        Assert.Empty(message.Authority);
        Assert.Empty(message.Additional);
    }
}
