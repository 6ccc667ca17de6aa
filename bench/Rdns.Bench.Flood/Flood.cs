using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Flood;

/// <summary>What a flood got back, per response class, and what the cookie client saw.</summary>
internal sealed record FloodResult(long[] BytesIn, long[] BytesOut, long[] Responses, long[] Truncated, long Queries, double Seconds, int CookieSent, int CookieAnswered)
{
    public void Print(string server)
    {
        Console.WriteLine($"{server}: {Queries} queries in {Seconds:F1} s ({Queries / Seconds:F0}/s) from {Flood.Victims.Length} spoofed sources");
        for (int c = 0; c < Flood.Classes.Length; c++)
        {
            double ratio = BytesIn[c] == 0 ? 0 : (double)BytesOut[c] / BytesIn[c];
            Console.WriteLine($"  {Flood.Classes[c],-9} bytes out / bytes in {ratio:F3} ({BytesOut[c]:N0} / {BytesIn[c]:N0}); responses {Responses[c]:N0}, of them truncated {Truncated[c]:N0}");
        }
        Console.WriteLine($"  cookie client in a flooded network: {CookieAnswered} of {CookieSent} answered ({(CookieSent == 0 ? 0 : 100.0 * CookieAnswered / CookieSent):F1} %)");
    }
}

/// <summary>
/// A reflection attack as a spoofer makes one: the same few questions, each the one that gives
/// the largest answer of its class, sent "from" victim addresses in four /24s of 127.0.0.0/8
/// (bound locally, so the replies come back to be counted), at a fixed rate both servers can
/// answer in full without limiting (so the ratio measures the rate-limiting policy, not which
/// server runs out of CPU first); and a legitimate client in one of those networks that uses
/// DNS cookies, asking every 10 ms.
/// </summary>
internal static class Flood
{
    public static readonly IPAddress[] Victims = new[] { "127.0.10.1", "127.0.20.1", "127.0.30.1", "127.0.40.1" }.Select(IPAddress.Parse).ToArray();
    public static readonly string[] Classes = ["positive", "nxdomain", "nodata", "referral", "refused"];

    private static byte[] Query(int cls, int n, ushort id) => DnsMessage.Query(cls switch
    {
        // One name for answers and NODATA (an attacker asks for the largest answer again and
        // again); random names below the zone for NXDOMAIN and below the cut for referrals.
        0 => DnsName.Parse($"199.{FloodZones.Zone}"),
        1 => DnsName.Parse($"x{n}.{n % 199 + 1}.{FloodZones.Zone}"),
        2 => DnsName.Parse($"199.{FloodZones.Zone}"),
        3 => DnsName.Parse($"h{n}.sub.{FloodZones.Zone}"),
        _ => DnsName.Parse($"h{n}.example.com."),
    }, cls == 2 ? RecordType.TXT : cls == 4 ? RecordType.A : RecordType.PTR, id: id).ToWire();

    public static async Task<FloodResult> RunAsync(FloodServer server, int seconds, int qps)
    {
        int classes = Classes.Length;
        var bytesIn = new long[classes];
        var bytesOut = new long[classes];
        var responses = new long[classes];
        var truncated = new long[classes];
        var sockets = Victims.Select(v =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 << 20 };
            s.Bind(new IPEndPoint(v, 0));
            return s;
        }).ToArray();
        // Queries made up front, so the sender measures the server, not our encoder.
        var queries = new byte[classes * 400][];
        for (int i = 0; i < queries.Length; i++)
            queries[i] = Query(i % classes, i / classes, (ushort)i);
        using var stop = new CancellationTokenSource();
        var receivers = sockets.Select(s => Task.Factory.StartNew(() =>
        {
            var buffer = new byte[65535];
            s.ReceiveTimeout = 200;
            while (!stop.IsCancellationRequested)
            {
                int n;
                try
                {
                    n = s.Receive(buffer);
                }
                catch (SocketException)
                {
                    continue;
                }
                if (n < 12)
                    continue;
                int cls = BinaryPrimitives.ReadUInt16BigEndian(buffer) % classes;
                Interlocked.Add(ref bytesOut[cls], n);
                Interlocked.Increment(ref responses[cls]);
                if ((buffer[2] & 0x02) != 0)
                    Interlocked.Increment(ref truncated[cls]);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        var cookie = Task.Run(() => CookieClient(server.Endpoint, TimeSpan.FromSeconds(seconds)));
        long sent = 0;
        var clock = Stopwatch.StartNew();
        await Task.Factory.StartNew(() =>
        {
            int i = 0;
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                // Paced: ahead of schedule, wait (spin briefly) for the next slot.
                while (i > clock.Elapsed.TotalSeconds * qps)
                    Thread.SpinWait(50);
                var q = queries[i % queries.Length];
                sockets[i % sockets.Length].SendTo(q, server.Endpoint);
                bytesIn[i % queries.Length % classes] += q.Length;
                sent++;
                i++;
            }
        }, TaskCreationOptions.LongRunning);
        double elapsed = clock.Elapsed.TotalSeconds;
        await Task.Delay(500);
        stop.Cancel();
        await Task.WhenAll(receivers);
        var (cookieSent, cookieAnswered) = await cookie;
        foreach (var s in sockets)
            s.Dispose();
        return new FloodResult(bytesIn, bytesOut, responses, truncated, sent, elapsed, cookieSent, cookieAnswered);
    }

    /// <summary>A resolver that sends a client cookie, learns the server cookie, and sends it back with every query.</summary>
    private static (int Sent, int Answered) CookieClient(IPEndPoint server, TimeSpan duration)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 500 };
        s.Bind(new IPEndPoint(IPAddress.Parse("127.0.10.2"), 0));
        var client = Convert.FromHexString("2464c4abcf10c957");
        byte[] cookie = client;
        var buffer = new byte[4096];
        int sent = 0, answered = 0;
        var clock = Stopwatch.StartNew();
        for (ushort id = 1; clock.Elapsed < duration; id++)
        {
            var option = new byte[4 + cookie.Length];
            BinaryPrimitives.WriteUInt16BigEndian(option, 10);
            BinaryPrimitives.WriteUInt16BigEndian(option.AsSpan(2), (ushort)cookie.Length);
            cookie.CopyTo(option, 4);
            var query = DnsMessage.Query(DnsName.Parse($"{id % 199 + 1}.{FloodZones.Zone}"), RecordType.PTR, id: id, edns: new EdnsOptions(Options: option)).ToWire();
            s.SendTo(query, server);
            sent++;
            try
            {
                while (true)
                {
                    int n = s.Receive(buffer);
                    var m = DnsMessage.Parse(buffer.AsSpan(0, n));
                    if (m.Id != id)
                        continue;
                    if (m.Answers.Count > 0)
                        answered++;
                    if (ServerCookie(m) is { } fresh)
                        cookie = [.. client, .. fresh];
                    break;
                }
            }
            catch (SocketException)
            {
            }
            Thread.Sleep(10);
        }
        return (sent, answered);
    }

    private static byte[]? ServerCookie(DnsMessage m)
    {
        var options = m.Edns?.Options;
        if (options is null)
            return null;
        for (int pos = 0; pos + 4 <= options.Length;)
        {
            int code = BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(pos));
            int length = BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(pos + 2));
            if (code == 10 && length > 8)
                return options.AsSpan(pos + 4 + 8, length - 8).ToArray();
            pos += 4 + length;
        }
        return null;
    }
}
