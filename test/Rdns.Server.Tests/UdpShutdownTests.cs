using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// The batched loop calls recvmmsg and sendmmsg with its socket's descriptor number. A listener
/// stopped while a loop is answering a batch closes that socket under the loop, and the system
/// hands the freed number to the next socket opened anywhere in the process (an HTTP connection,
/// say). The loop's send must then go nowhere: never into that other socket's stream.
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
    public async Task A_loop_stopped_mid_batch_never_writes_into_a_socket_that_took_its_descriptor_number()
    {
        if (!BatchedUdp.IsSupported)
            Assert.Fail("the batched loop is what this covers; it runs on Linux (x86-64, arm64)");
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        // The race needs the freed number to go to our socket, not to one another thread opens at
        // the same moment; each attempt that loses it to another thread is tried again.
        bool reused = false;
        for (int attempt = 0; attempt < 5 && !reused; attempt++)
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

            // Stopped while the loop is between its receive and its send.
            var stopping = Task.Run(udp.Dispose);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (SocketInode(fd) == inode && DateTime.UtcNow < deadline)
                await Task.Delay(1);
            Assert.NotEqual(inode, SocketInode(fd));

            // Connections opened now take the lowest free numbers, the freed one first.
            var pairs = new List<(Socket Client, Socket Server)>();
            try
            {
                for (int i = 0; i < 8 && !reused; i++)
                {
                    var connecting = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    connecting.Connect(listener.LocalEndPoint!);
                    pairs.Add((connecting, listener.Accept()));
                    reused = pairs.Any(p => (int)p.Client.SafeHandle.DangerousGetHandle() == fd || (int)p.Server.SafeHandle.DangerousGetHandle() == fd);
                }
                gate.Released.Set();
                await stopping.WaitAsync(TimeSpan.FromSeconds(10));
                foreach (var (c, s) in pairs)
                {
                    Assert.False(s.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead), $"an answer written into a TCP connection that took descriptor {fd}");
                    Assert.False(c.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead), $"an answer written into a TCP connection that took descriptor {fd}");
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
        Assert.True(reused, "no attempt had a connection take the stopped socket's descriptor number");
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
