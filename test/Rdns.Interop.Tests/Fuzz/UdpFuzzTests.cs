using System.Diagnostics;
using System.Net.Sockets;
using Rdns.Interop.Tests.Differential;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;

namespace Rdns.Interop.Tests.Fuzz;

/// <summary>
/// More than 100,000 broken UDP packets at a running <c>./rdns serve</c> on 127.0.0.1, sent in
/// bursts without waiting for each reply. Afterwards the server must be alive, answer valid
/// queries as before over UDP and TCP, and have logged no failure; every reply it sent on the way
/// must be a well-formed DNS response.
/// </summary>
public class UdpFuzzTests(ITestOutputHelper output)
{
    private const int Packets = 120_000;
    private const int Burst = 64;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_server_survives_120000_mutated_udp_packets()
    {
        // Rate limiting off: this test is about malformed input, and every reply it counts matters.
        await using var server = await RdnsServer.StartAsync(null, ["--zones", Path.GetFullPath(DifferentialServers.ZoneDirectory), "--rrl-rate", "0"]);
        var before = await HealthCheck.AnswersAsync(server);
        HealthCheck.AssertSane(before);

        const int seed = 20261122;
        var mutator = new PacketMutator(seed);
        var packets = PacketMutator.Truncations().Concat(mutator.Mutations()).Take(Packets);
        var stats = Send(server, packets);

        output.WriteLine($"seed {seed}: sent {stats.Sent} packets in {stats.Elapsed.TotalSeconds:F1} s, {stats.Replies} replies; " +
                         string.Join(", ", stats.ByKind.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(Packets, stats.Sent);
        Assert.True(stats.Elapsed < TimeLimit, $"fuzzing took {stats.Elapsed}");
        // Most mutations are still queries with a readable header: the server must have been
        // answering throughout, not dropping everything.
        Assert.True(stats.Replies > Packets / 4, $"only {stats.Replies} replies to {stats.Sent} packets");
        Assert.True(stats.BadReplies.Count == 0, "malformed replies:\n" + string.Join('\n', stats.BadReplies.Take(10)));

        await HealthCheck.AssertHealthyAsync(server, before);
    }

    private sealed record Stats(int Sent, int Replies, TimeSpan Elapsed, Dictionary<string, int> ByKind, List<string> BadReplies);

    private static Stats Send(RdnsServer server, IEnumerable<(string Kind, byte[] Packet)> packets)
    {
        using var socket = new Socket(server.Dns.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.Connect(server.Dns);
        var buffer = new byte[65535];
        var byKind = new Dictionary<string, int>();
        var bad = new List<string>();
        int sent = 0, replies = 0;
        var clock = Stopwatch.StartNew();

        void Drain(int waitMicroseconds)
        {
            // Take every reply that has arrived; wait a little for more while they keep coming.
            while (socket.Poll(waitMicroseconds, SelectMode.SelectRead))
            {
                int n;
                try
                {
                    n = socket.Receive(buffer);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    bad.Add("ICMP port unreachable: the server is gone");
                    return;
                }
                replies++;
                if (!DnsMessage.TryParse(buffer.AsSpan(0, n), out var m, out string? error) || !m.Has(HeaderFlags.QR))
                    bad.Add($"{error ?? "QR clear"}: {Convert.ToHexString(buffer, 0, n)}");
            }
        }

        int inBurst = 0;
        foreach (var (kind, packet) in packets)
        {
            socket.Send(packet);
            sent++;
            byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
            if (++inBurst == Burst)
            {
                // Bound what is in flight: collect this burst's replies before the next one.
                Drain(2000);
                inBurst = 0;
                if (clock.Elapsed > TimeLimit)
                    break;
            }
        }
        Drain(200_000);
        return new Stats(sent, replies, clock.Elapsed, byKind, bad);
    }
}
