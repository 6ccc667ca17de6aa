using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Transfer;

using static Rdns.Control.Tests.Secondary.ScriptedAnswers;

namespace Rdns.Control.Tests.Secondary;

/// <summary>
/// A secondary's TCP connections to its primary are kept for the next request (RFC 7766 §6.2.1),
/// and a kept connection the primary closed costs the request nothing: it goes again on a new one.
/// The primary here is a script that answers every IXFR with the SOA alone (RFC 1995 §2: nothing
/// newer), so how it treats connections can be chosen.
/// </summary>
public sealed class KeptConnectionTests
{
    /// <summary>Answers up to <paramref name="answersPerConnection"/> requests on each connection, then closes it when the next request arrives.</summary>
    private sealed class ScriptedPrimary : IAsyncDisposable
    {
        private readonly ScriptedTcpServer _server;
        private readonly int _answersPerConnection;
        private readonly bool _trailing;
        private int _closedByClient;

        /// <param name="trailing">After the SOA alone, the rest of a whole-zone answer follows (as some primaries answer an IXFR).</param>
        public ScriptedPrimary(int answersPerConnection, bool trailing = false)
        {
            _answersPerConnection = answersPerConnection;
            _trailing = trailing;
            _server = new ScriptedTcpServer(ServeAsync);
        }

        public IPEndPoint Endpoint => _server.Endpoint;

        public int Connections => _server.Connections;

        /// <summary>Connections the client closed (the primary read the end of the stream).</summary>
        public int ClosedByClient => Volatile.Read(ref _closedByClient);

        private async Task ServeAsync(NetworkStream stream, CancellationToken stop)
        {
            try
            {
                for (int served = 0; ; served++)
                {
                    var request = await ScriptedTcpServer.ReadRequestAsync(stream, stop);
                    if (served == _answersPerConnection)
                        return;
                    var query = DnsMessage.Parse(request);
                    var answer = new DnsMessage { Id = query.Id, Flags = HeaderFlags.QR | HeaderFlags.AA };
                    answer.Questions.Add(query.Questions[0]);
                    answer.Answers.Add(Soa(Rdata.SoaSerial(query.Authority[0].Data)));
                    await stream.WriteAsync(Framed(answer), stop);
                    if (_trailing)
                    {
                        var rest = new DnsMessage { Id = query.Id, Flags = HeaderFlags.QR | HeaderFlags.AA };
                        rest.Answers.Add(new ResourceRecord(Zone.Prepend("1"), RecordType.PTR, 300, DnsName.Parse("host.example.net.").Wire.ToArray()));
                        rest.Answers.Add(Soa(Rdata.SoaSerial(query.Authority[0].Data)));
                        await stream.WriteAsync(Framed(rest), stop);
                    }
                }
            }
            catch (EndOfStreamException)
            {
                Interlocked.Increment(ref _closedByClient);
            }
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }

    [Fact]
    public async Task Successive_transfers_from_one_primary_go_over_one_connection()
    {
        await using var primary = new ScriptedPrimary(int.MaxValue);
        using var client = new TransferClient();
        var server = new PrimaryServer(primary.Endpoint);
        for (int i = 0; i < 20; i++)
        {
            var answer = await client.TransferAsync(server, Zone, Soa(7));
            Assert.IsType<NoNewerVersion>(answer);
            Assert.Equal(7u, answer.Serial);
        }
        Assert.Equal((1L, 19L), client.Connections);
        Assert.Equal(1, primary.Connections);
    }

    [Fact]
    public async Task A_kept_connection_the_primary_closes_is_replaced_and_the_request_still_answered()
    {
        // Each connection answers one request and is closed by the primary when the second
        // arrives: every request after the first goes out on a kept connection that fails.
        await using var primary = new ScriptedPrimary(1);
        using var client = new TransferClient();
        var server = new PrimaryServer(primary.Endpoint);
        for (uint serial = 1; serial <= 10; serial++)
        {
            var answer = await client.TransferAsync(server, Zone, Soa(serial));
            Assert.Equal(serial, Assert.IsType<NoNewerVersion>(answer).Serial);
        }
        Assert.Equal(10, primary.Connections);
        Assert.Equal(10L, client.Connections.Opened);
    }
    [Fact]
    public async Task What_a_primary_sends_after_an_answer_that_said_nothing_newer_is_not_read_as_the_next_answer()
    {
        // The primary answers with its SOA alone, then sends the rest of the zone: the client
        // stops at the SOA (nothing newer), and the rest, still on the kept connection, must not
        // be taken for the answer to the next request (it carries the earlier request's ID).
        await using var primary = new ScriptedPrimary(int.MaxValue, trailing: true);
        using var client = new TransferClient();
        var server = new PrimaryServer(primary.Endpoint);
        for (uint serial = 1; serial <= 6; serial++)
        {
            var answer = await client.TransferAsync(server, Zone, Soa(serial));
            Assert.Equal(serial, Assert.IsType<NoNewerVersion>(answer).Serial);
        }
        Assert.True(primary.Connections > 1, "a connection with an answer left on it was used as it was");
    }

    [Fact]
    public async Task A_connection_left_idle_is_closed_by_the_client_without_another_request()
    {
        // The primary keeps connections open for ever here: only the client's sweep can close them.
        await using var primary = new ScriptedPrimary(int.MaxValue);
        using var client = new TransferClient(keepIdle: TimeSpan.FromMilliseconds(200));
        var server = new PrimaryServer(primary.Endpoint);
        var answer = await client.TransferAsync(server, Zone, Soa(3));
        Assert.Equal(3u, Assert.IsType<NoNewerVersion>(answer).Serial);
        Assert.Equal(1, client.IdleConnections);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (primary.ClosedByClient == 0)
            await Task.Delay(50, wait.Token);
        Assert.Equal(0, client.IdleConnections);
        // The next request opens a new connection and is answered.
        answer = await client.TransferAsync(server, Zone, Soa(4));
        Assert.Equal(4u, Assert.IsType<NoNewerVersion>(answer).Serial);
        Assert.Equal((2L, 0L), client.Connections);
    }

    [Fact]
    public async Task Connections_in_use_are_kept_while_requests_keep_coming()
    {
        await using var primary = new ScriptedPrimary(int.MaxValue);
        using var client = new TransferClient(keepIdle: TimeSpan.FromSeconds(30));
        var server = new PrimaryServer(primary.Endpoint);
        for (uint serial = 1; serial <= 5; serial++)
            Assert.Equal(serial, Assert.IsType<NoNewerVersion>(await client.TransferAsync(server, Zone, Soa(serial))).Serial);
        // A sweep now closes nothing that is fresh and open.
        client.SweepIdleConnections();
        Assert.Equal(1, client.IdleConnections);
        Assert.Equal(0, primary.ClosedByClient);
        Assert.Equal((1L, 4L), client.Connections);
    }
}
