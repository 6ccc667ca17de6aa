using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Fleet;

/// <summary>
/// Follows one acknowledged change to every edge that is up: asks each for the PTR until it is
/// the new name. Asked every 5 ms for the first 100 ms, every 20 ms up to 2 s, then every 100 ms,
/// so a few probed changes a second cost the edges a few hundred queries a second, not more; the
/// time is taken when the matching answer arrives (resolution: the asking interval).
/// </summary>
internal sealed class Prober(IReadOnlyList<Edge> edges, Primary primary, Latencies latencies, FleetOptions options)
{
    public const string PrimaryName = "primary";

    public Task FollowAsync(string ip, string target, long ackTimestamp)
    {
        var name = Dns.Reverse(ip);
        var expected = DnsName.Parse(target);
        var tasks = new List<Task> { ProbeAsync(PrimaryName, primary.Dns, () => 0, name, expected, ackTimestamp) };
        foreach (var edge in edges)
        {
            if (edge.Up)
                tasks.Add(ProbeAsync(edge.Name, edge.Dns, () => edge.Up ? edge.Epoch : -1, name, expected, ackTimestamp));
        }
        return Task.WhenAll(tasks);
    }

    private async Task ProbeAsync(string edge, IPEndPoint server, Func<int> epoch, DnsName name, DnsName expected, long ack)
    {
        int startEpoch = epoch();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var buffer = new byte[1500];
        ushort id = 0;
        var limit = TimeSpan.FromSeconds(options.ProbeLimitSeconds);
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(ack);
            if (epoch() != startEpoch)
            {
                latencies.Void();
                return;
            }
            if (elapsed > limit)
            {
                latencies.Missed(edge);
                return;
            }
            var interval = elapsed < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(5)
                : elapsed < TimeSpan.FromSeconds(2) ? TimeSpan.FromMilliseconds(20) : TimeSpan.FromMilliseconds(100);
            id++;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                await socket.SendAsync(DnsMessage.Query(name, RecordType.PTR, id).ToWire()).ConfigureAwait(false);
                using var cancel = new CancellationTokenSource(interval);
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, cancel.Token).ConfigureAwait(false);
                    if (n < 12 || BinaryPrimitives.ReadUInt16BigEndian(buffer) != id)
                        continue;
                    var arrived = Stopwatch.GetTimestamp();
                    if (DnsMessage.TryParse(buffer.AsSpan(0, n), out var m, out _) && m.Answers.Count > 0
                        && m.Answers[0].Type == RecordType.PTR && Rdata.ReadName(m.Answers[0].Data).Equals(expected))
                    {
                        if (epoch() == startEpoch)
                            latencies.Add(edge, Stopwatch.GetElapsedTime(ack, arrived).TotalMilliseconds, ack);
                        else
                            latencies.Void();
                        return;
                    }
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                continue; // no answer within the interval: ask again at once
            }
            catch (SocketException)
            {
                // Down (port unreachable): the epoch check above decides.
            }
            var rest = interval - Stopwatch.GetElapsedTime(sent);
            if (rest > TimeSpan.Zero)
                await Task.Delay(rest).ConfigureAwait(false);
        }
    }
}
