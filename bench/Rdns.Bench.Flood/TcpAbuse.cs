using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Flood;

/// <summary>
/// TCP held hostage: 5,000 idle connections from 50 networks, plus 1,300 connections from one
/// host that each ask a question every 5 s to look alive; meanwhile a client elsewhere asks over
/// TCP, a new connection per question, and we time its answers.
/// </summary>
internal static class TcpAbuse
{
    public static async Task RunAsync(string rdns, string work, string zones, int seconds)
    {
        await using var server = await FloodServer.StartRdnsAsync(rdns, work, zones, 0, 2, "tcp");
        var held = new List<Socket>();
        int refusedIdle = 0;
        for (int i = 0; i < 5000; i++)
        {
            var s = await ConnectAsync(server.Endpoint, IPAddress.Parse($"127.1.{i % 50}.{i / 50 + 1}"));
            if (s is null)
                refusedIdle++;
            else
                held.Add(s);
        }
        var abuser = IPAddress.Parse("127.2.0.1");
        var abusers = new List<Socket>();
        for (int i = 0; i < 1300; i++)
        {
            var s = await ConnectAsync(server.Endpoint, abuser);
            if (s is not null)
                abusers.Add(s);
        }
        using var stop = new CancellationTokenSource();
        var keepAlive = Task.Run(async () =>
        {
            var query = Frame(DnsMessage.Query(DnsName.Parse($"1.{FloodZones.Zone}"), RecordType.PTR).ToWire());
            while (!stop.IsCancellationRequested)
            {
                foreach (var s in abusers)
                {
                    try
                    {
                        s.Send(query);
                    }
                    catch (SocketException)
                    {
                    }
                }
                try
                {
                    await Task.Delay(5000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var latencies = new List<double>();
        int failed = 0;
        var clock = Stopwatch.StartNew();
        var client = IPAddress.Parse("127.3.0.1");
        for (ushort id = 1; clock.Elapsed.TotalSeconds < seconds; id++)
        {
            var ask = Stopwatch.StartNew();
            using var s = await ConnectAsync(server.Endpoint, client);
            bool ok = s is not null && await AskAsync(s, id);
            if (ok)
                latencies.Add(ask.Elapsed.TotalMilliseconds);
            else
                failed++;
            await Task.Delay(20);
        }
        stop.Cancel();
        await keepAlive;
        int abusersAlive = abusers.Count(s => s.Connected && !(s.Poll(0, SelectMode.SelectRead) && s.Available == 0));
        foreach (var s in held.Concat(abusers))
            s.Dispose();
        latencies.Sort();
        double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Console.WriteLine($"TCP: 5,000 idle connections opened ({refusedIdle} refused at once), 1,300 keep-alive abusers from one host ({abusersAlive} still open at the end)");
        Console.WriteLine($"TCP: a client elsewhere, a connection per question: {latencies.Count} answered, {failed} failed; connect+answer p50 {P(0.5):F2} ms, p99 {P(0.99):F2} ms, max {(latencies.Count == 0 ? double.NaN : latencies[^1]):F2} ms");
    }

    private static async Task<Socket?> ConnectAsync(IPEndPoint server, IPAddress from)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 2000 };
        try
        {
            s.Bind(new IPEndPoint(from, 0));
            using var timeout = new CancellationTokenSource(2000);
            await s.ConnectAsync(server, timeout.Token);
            return s;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            s.Dispose();
            return null;
        }
    }

    private static async Task<bool> AskAsync(Socket s, ushort id)
    {
        try
        {
            await s.SendAsync(Frame(DnsMessage.Query(DnsName.Parse($"{id % 199 + 1}.{FloodZones.Zone}"), RecordType.PTR, id: id).ToWire()));
            var length = new byte[2];
            using var timeout = new CancellationTokenSource(2000);
            if (await s.ReceiveAsync(length, timeout.Token) < 2)
                return false;
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            int read = 0;
            while (read < body.Length)
            {
                int n = await s.ReceiveAsync(body.AsMemory(read), timeout.Token);
                if (n == 0)
                    return false;
                read += n;
            }
            return BinaryPrimitives.ReadUInt16BigEndian(body) == id;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static byte[] Frame(byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }
}
