using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Transfer;

using static Rdns.Control.Tests.Secondary.ScriptedAnswers;

namespace Rdns.Control.Tests.Secondary;

/// <summary>
/// A secondary reads what has arrived on a TCP connection to its primary in one go, the length and
/// the message together, and keeps what it read ahead for the next message. However the primary's
/// octets are cut into segments, each message is read whole and as sent, and octets read ahead
/// that nothing asked for keep the connection from carrying another request.
/// </summary>
public sealed class ReadAheadTests
{
    /// <summary>How the scripted primary sends what it sends.</summary>
    private enum Sending
    {
        /// <summary>One octet at a time, each after a pause: the length itself arrives in two reads.</summary>
        Dribbled,

        /// <summary>The answer (SOA alone) and, in the same write, the rest of a whole zone after it.</summary>
        TrailingInOneWrite,

        /// <summary>A whole zone in one message larger than what is read ahead.</summary>
        LargeWholeZone,
    }

    /// <summary>PTRs of the large whole zone: about 8 KB in one message, twice what is read ahead.</summary>
    private const int LargePtrs = 300;

    private sealed class ScriptedPrimary : IAsyncDisposable
    {
        private readonly Sending _sending;
        private readonly ScriptedTcpServer _server;

        public ScriptedPrimary(Sending sending)
        {
            _sending = sending;
            _server = new ScriptedTcpServer(ServeAsync);
        }

        public IPEndPoint Endpoint => _server.Endpoint;

        public int Connections => _server.Connections;

        private async Task ServeAsync(NetworkStream stream, CancellationToken stop)
        {
            while (true)
            {
                var query = DnsMessage.Parse(await ScriptedTcpServer.ReadRequestAsync(stream, stop));
                uint serial = Rdata.SoaSerial(query.Authority[0].Data);
                switch (_sending)
                {
                    case Sending.Dribbled:
                        foreach (byte octet in Framed(Answer(query, Soa(serial))))
                        {
                            await stream.WriteAsync(new[] { octet }, stop);
                            await stream.FlushAsync(stop);
                            await Task.Delay(2, stop);
                        }
                        break;
                    case Sending.TrailingInOneWrite:
                        var rest = Answer(query, Ptr(1), Soa(serial));
                        await stream.WriteAsync(Framed(Answer(query, Soa(serial))).Concat(Framed(rest)).ToArray(), stop);
                        break;
                    case Sending.LargeWholeZone:
                        var whole = Answer(query, [Soa(serial + 1), .. Enumerable.Range(1, LargePtrs).Select(Ptr), Soa(serial + 1)]);
                        await stream.WriteAsync(Framed(whole), stop);
                        break;
                }
            }
        }

        private static ResourceRecord Ptr(int host) =>
            new(Zone.Prepend(host.ToString(System.Globalization.CultureInfo.InvariantCulture)), RecordType.PTR, 300,
                DnsName.Parse($"host-{host}.customers.example.net.").Wire.ToArray());

        private static DnsMessage Answer(DnsMessage query, params ResourceRecord[] records)
        {
            var answer = new DnsMessage { Id = query.Id, Flags = HeaderFlags.QR | HeaderFlags.AA };
            answer.Questions.Add(query.Questions[0]);
            answer.Answers.AddRange(records);
            return answer;
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }

    [Fact]
    public async Task An_answer_that_arrives_an_octet_at_a_time_is_read_whole_and_the_connection_kept()
    {
        await using var primary = new ScriptedPrimary(Sending.Dribbled);
        using var client = new TransferClient();
        var server = new PrimaryServer(primary.Endpoint);
        for (uint serial = 1; serial <= 3; serial++)
            Assert.Equal(serial, Assert.IsType<NoNewerVersion>(await client.TransferAsync(server, Zone, Soa(serial))).Serial);
        Assert.Equal((1L, 2L), client.Connections);
        Assert.Equal(1, primary.Connections);
    }

    [Fact]
    public async Task What_arrived_with_an_answer_and_was_not_asked_for_is_never_read_as_the_next_answer()
    {
        // The SOA alone (nothing newer) and the rest of a whole zone in one segment: the rest is
        // read ahead with the answer, and the connection that holds it is not used again.
        await using var primary = new ScriptedPrimary(Sending.TrailingInOneWrite);
        using var client = new TransferClient();
        var server = new PrimaryServer(primary.Endpoint);
        for (uint serial = 1; serial <= 4; serial++)
            Assert.Equal(serial, Assert.IsType<NoNewerVersion>(await client.TransferAsync(server, Zone, Soa(serial))).Serial);
        Assert.Equal(4, primary.Connections);
    }

    [Fact]
    public async Task A_message_larger_than_what_is_read_ahead_arrives_whole()
    {
        await using var primary = new ScriptedPrimary(Sending.LargeWholeZone);
        using var client = new TransferClient();
        var server = new PrimaryServer(primary.Endpoint);
        for (uint serial = 1; serial <= 2; serial++)
        {
            var whole = Assert.IsType<FullTransfer>(await client.TransferAsync(server, Zone, Soa(serial)));
            Assert.True(whole.Bytes > 4096 + 2048, $"the message was {whole.Bytes} octets");
            Assert.Equal(serial + 1, whole.Serial);
            Assert.Equal(LargePtrs, whole.Records.Count(r => r.Type == RecordType.PTR));
            Assert.Equal(Enumerable.Range(1, LargePtrs).Select(h => $"host-{h}.customers.example.net."),
                whole.Records.Where(r => r.Type == RecordType.PTR).Select(r => DnsName.FromWire(r.Data).ToString()));
        }
        Assert.Equal(1, primary.Connections);
    }
}
