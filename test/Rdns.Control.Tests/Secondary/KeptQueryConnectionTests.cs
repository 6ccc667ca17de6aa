using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Transfer;

using static Rdns.Control.Tests.Secondary.ScriptedAnswers;

namespace Rdns.Control.Tests.Secondary;

/// <summary>
/// A query whose UDP answer is truncated goes again over TCP, on a connection kept from an earlier
/// request when there is one. A kept connection the server closed is replaced at once; one on which
/// the server is merely slow is not: the request fails after one wait instead of two.
/// </summary>
public sealed class KeptQueryConnectionTests
{
    /// <summary>What the client waits for each read: the answers here come at once unless the machine is loaded.</summary>
    private static readonly TimeSpan IoWait = TimeSpan.FromSeconds(5);

    /// <summary>Truncates every UDP answer; over TCP answers the first request of each connection and no other.</summary>
    private sealed class TruncatingServer : IAsyncDisposable
    {
        private readonly Socket _udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly ScriptedTcpServer _tcp;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _udpLoop;

        public TruncatingServer()
        {
            // UDP and TCP on one port: take a free TCP port, then bind UDP to it.
            _tcp = new ScriptedTcpServer(ServeAsync);
            _udp.Bind(Endpoint);
            _udpLoop = Task.Run(AnswerUdpAsync);
        }

        public IPEndPoint Endpoint => _tcp.Endpoint;

        public int Connections => _tcp.Connections;

        private async Task AnswerUdpAsync()
        {
            var buffer = new byte[512];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            try
            {
                while (true)
                {
                    var got = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token);
                    var query = DnsMessage.Parse(buffer.AsSpan(0, got.ReceivedBytes));
                    var answer = new DnsMessage { Id = query.Id, Flags = HeaderFlags.QR | HeaderFlags.AA | HeaderFlags.TC };
                    answer.Questions.Add(query.Questions[0]);
                    await _udp.SendToAsync(answer.ToWire(), SocketFlags.None, got.RemoteEndPoint, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private static async Task ServeAsync(NetworkStream stream, CancellationToken stop)
        {
            for (int served = 0; ; served++)
            {
                var request = await ScriptedTcpServer.ReadRequestAsync(stream, stop);
                if (served > 0)
                    continue; // read, never answered, connection left open
                var query = DnsMessage.Parse(request);
                var answer = new DnsMessage { Id = query.Id, Flags = HeaderFlags.QR | HeaderFlags.AA };
                answer.Questions.Add(query.Questions[0]);
                answer.Answers.Add(Soa(5));
                await stream.WriteAsync(Framed(answer), stop);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _udp.Dispose();
            await _udpLoop;
            await _tcp.DisposeAsync();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task A_truncated_answer_is_asked_again_over_tcp_and_the_connection_kept()
    {
        await using var server = new TruncatingServer();
        using var client = new TransferClient(idleTimeout: IoWait);
        var answer = await client.QueryAsync(server.Endpoint, Zone, RecordType.SOA, key: null);
        Assert.Equal(5u, Rdata.SoaSerial(Assert.Single(answer.Answers).Data));
        Assert.Equal(1, client.IdleConnections);
    }

    [Fact]
    public async Task A_kept_connection_on_which_the_server_is_silent_fails_the_request_without_a_second_wait()
    {
        await using var server = new TruncatingServer();
        // Long enough for the first answer on a loaded machine; the silent second request waits it once.
        using var client = new TransferClient(idleTimeout: IoWait);
        await client.QueryAsync(server.Endpoint, Zone, RecordType.SOA, key: null);
        // The second request goes out on the kept connection, where the server reads it and says
        // nothing: that is a timeout, not a closed connection, and is not asked again elsewhere
        // (a new connection would be answered here, so asking again would hide the slow server).
        var failure = await Assert.ThrowsAsync<TransferException>(() => client.QueryAsync(server.Endpoint, Zone, RecordType.SOA, key: null));
        Assert.Equal(TransferFailure.Timeout, failure.Failure);
        Assert.Equal(1, server.Connections);
        Assert.Equal((1L, 1L), client.Connections);
    }
}
