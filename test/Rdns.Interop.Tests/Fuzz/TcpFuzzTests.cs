using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Rdns.Interop.Tests.Differential;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;

namespace Rdns.Interop.Tests.Fuzz;

/// <summary>
/// Broken messages over TCP (RFC 7766 framing) at a running <c>./rdns serve</c>: mutated packets
/// in correct frames, frames whose length prefix promises more than is sent before the client
/// closes, empty frames, and streams of garbage, over many connections at once. Afterwards the
/// server must be alive, answer valid queries as before and have logged no failure.
/// </summary>
public class TcpFuzzTests(ITestOutputHelper output)
{
    private const int Connections = 200;
    private const int MessagesPerConnection = 12;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_server_survives_2400_malformed_framed_messages_over_200_connections()
    {
        await using var server = await RdnsServer.StartAsync(DifferentialServers.ZoneDirectory);
        var before = await HealthCheck.AnswersAsync(server);
        HealthCheck.AssertSane(before);

        const int seed = 7766;
        var clock = Stopwatch.StartNew();
        var results = new ConnectionResult[Connections];
        await Parallel.ForEachAsync(Enumerable.Range(0, Connections), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var mutator = new PacketMutator(seed + i);
            // An empty frame ends a connection (RFC 7766 gives it no meaning); it is tried once per
            // connection as an ending below, not among the messages.
            var messages = mutator.Mutations().Select(m => m.Packet).Where(p => p.Length > 0).Take(MessagesPerConnection).ToList();
            results[i] = await RunConnectionAsync(server, messages, (Ending)(i % 4));
        });
        clock.Stop();

        int sent = results.Sum(r => r.Sent);
        int replies = results.Sum(r => r.Replies);
        var bad = results.SelectMany(r => r.BadReplies).ToList();
        int hanging = results.Count(r => r.ServerKeptOpen);
        output.WriteLine($"seed {seed}: {sent} framed messages over {Connections} connections in {clock.Elapsed.TotalSeconds:F1} s, {replies} replies");
        Assert.Equal(Connections * MessagesPerConnection, sent);
        Assert.True(clock.Elapsed < TimeLimit, $"TCP fuzzing took {clock.Elapsed}");
        Assert.True(replies > sent / 4, $"only {replies} replies to {sent} messages");
        Assert.True(bad.Count == 0, "malformed replies:\n" + string.Join('\n', bad.Take(10)));
        Assert.True(hanging == 0, $"{hanging} connections were not closed by the server after the client closed its side");

        await HealthCheck.AssertHealthyAsync(server, before);
    }

    /// <summary>How a connection ends after its messages.</summary>
    private enum Ending
    {
        /// <summary>The client closes cleanly.</summary>
        Close,

        /// <summary>A length prefix promising more octets than follow, then the client closes.</summary>
        ShortFrame,

        /// <summary>A frame of length zero.</summary>
        EmptyFrame,

        /// <summary>Random octets with no framing at all, then the client closes.</summary>
        Garbage,
    }

    private sealed record ConnectionResult(int Sent, int Replies, List<string> BadReplies, bool ServerKeptOpen);

    private static async Task<ConnectionResult> RunConnectionAsync(RdnsServer server, List<byte[]> messages, Ending ending)
    {
        using var socket = new Socket(server.Dns.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(server.Dns, cancel.Token);
        var bad = new List<string>();
        int replies = 0;
        bool keptOpen = false;

        // Read framed replies until the server closes or there is nothing more to come.
        var reader = Task.Run(async () =>
        {
            var prefix = new byte[2];
            try
            {
                while (await DnsClient.ReadExactlyAsync(socket, prefix, cancel.Token))
                {
                    var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    if (!await DnsClient.ReadExactlyAsync(socket, reply, cancel.Token))
                    {
                        bad.Add("reply frame cut short");
                        break;
                    }
                    replies++;
                    if (!DnsMessage.TryParse(reply, out var m, out string? error) || !m.Has(HeaderFlags.QR))
                        bad.Add($"{error ?? "QR clear"}: {Convert.ToHexString(reply)}");
                }
            }
            catch (OperationCanceledException)
            {
                keptOpen = true;
            }
            catch (SocketException)
            {
                // The server may reset a connection that sent garbage; that is its right.
            }
        });

        int sent = 0;
        try
        {
            foreach (var message in messages)
            {
                var framed = new byte[message.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
                message.CopyTo(framed, 2);
                await socket.SendAsync(framed, SocketFlags.None, cancel.Token);
                sent++;
            }
            byte[] tail = ending switch
            {
                Ending.ShortFrame => [0x01, 0x00, .. messages[0]], // promises 256 octets
                Ending.EmptyFrame => [0, 0],
                Ending.Garbage => [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 37 + 11))],
                _ => [],
            };
            if (tail.Length > 0)
                await socket.SendAsync(tail, SocketFlags.None, cancel.Token);
            // Give the server a moment to answer what it can, then close our side.
            await Task.Delay(50, cancel.Token);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // A reset after garbage is acceptable; the messages sent before count.
        }
        await reader;
        return new ConnectionResult(sent, replies, bad, keptOpen);
    }
}
