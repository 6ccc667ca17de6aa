using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// The batched loop calls recvmmsg and sendmmsg with its socket's descriptor number. Were a
/// listener stopped while a loop answers a batch to close that socket under the loop, the system
/// would hand the freed number to the next socket opened anywhere in the process (an HTTP
/// connection, say), and the loop's send would write its answers into that socket's stream.
/// </summary>
public sealed class UdpShutdownTests
{
    private static readonly DnsName Q = DnsName.Parse("1.2.0.192.in-addr.arpa.");

    /// <summary>Holds the first query it sees in admission until released.</summary>
    private sealed class Gate : Pipeline.IQueryStage
    {
        private int _seen;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Released { get; } = new();

        public bool Completes => false;

        public Pipeline.StageVerdict Admit(ref Pipeline.DnsRequest request)
        {
            if (Interlocked.Increment(ref _seen) == 1)
            {
                Entered.Set();
                Released.Wait(TimeSpan.FromSeconds(10));
            }
            return Pipeline.StageVerdict.Continue;
        }

        public void Complete(ref Pipeline.DnsRequest request)
        {
        }
    }

    [Fact]
    public async Task A_loop_stopped_mid_batch_never_writes_into_another_socket_and_its_socket_is_closed_once_it_exits()
    {
        if (!BatchedUdp.IsSupported)
            Assert.Fail("the batched loop is what this covers; it runs on Linux (x86-64, arm64)");
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        // Tried a few times: the race needs the connections to be opened while the loop is held,
        // and any other thread of the process may open sockets at that moment too.
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var gate = new Gate();
            var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 1, BatchedUdp = true };
            var udp = new UdpListener(new Pipeline.DnsPipeline(zones, options, stages: [gate]), options, NullLogger.Instance);
            udp.Start();
            int fd = (int)udp.Sockets[0].SafeHandle.DangerousGetHandle();
            string inode = SocketInode(fd)!;
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(64);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.SendTo(DnsMessage.Query(Q, RecordType.PTR, id: 7).ToWire(), udp.LocalEndPoint);
            Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(5)), "the loop took the query");

            // Stopped while the loop is between its receive and its send: the stop may wait for
            // the loop a while, but not for ever.
            var stopping = Task.Run(udp.Dispose);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (SocketInode(fd) == inode && !stopping.IsCompleted && DateTime.UtcNow < deadline)
                await Task.Delay(1);
            Assert.True(SocketInode(fd) != inode || stopping.IsCompleted, "the stop neither closed the socket nor returned");

            // Connections opened now take the lowest free numbers: the socket's, if it was let go.
            var pairs = new List<(Socket Client, Socket Server)>();
            try
            {
                for (int i = 0; i < 8; i++)
                {
                    var connecting = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    connecting.Connect(listener.LocalEndPoint!);
                    pairs.Add((connecting, listener.Accept()));
                }
                gate.Released.Set();
                await stopping.WaitAsync(TimeSpan.FromSeconds(10));
                // The loop sends what it answered (or drops it) and exits; its socket is then closed.
                deadline = DateTime.UtcNow.AddSeconds(10);
                while (SocketInode(fd) == inode && DateTime.UtcNow < deadline)
                    await Task.Delay(1);
                Assert.NotEqual(inode, SocketInode(fd));
                foreach (var (c, s) in pairs)
                {
                    Assert.False(s.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead), $"an answer written into a TCP connection opened while the listener stopped (descriptor {fd})");
                    Assert.False(c.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead), $"an answer written into a TCP connection opened while the listener stopped (descriptor {fd})");
                }
            }
            finally
            {
                gate.Released.Set();
                foreach (var (c, s) in pairs)
                {
                    c.Dispose();
                    s.Dispose();
                }
            }
        }
    }

    /// <summary>What descriptor <paramref name="fd"/> of this process refers to ("socket:[N]"), or null when it is closed.</summary>
    private static string? SocketInode(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
