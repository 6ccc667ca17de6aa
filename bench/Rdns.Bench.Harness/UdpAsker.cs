using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Harness;

/// <summary>
/// Asks one server over UDP on 127.0.0.1 with the repository's own message writer and reader: a
/// batch of questions sent at once and matched by ID, re-sent until answered or out of time.
/// </summary>
public sealed class UdpAsker : IDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _server;
    private readonly byte[] _buffer = new byte[65535];

    public UdpAsker(int port)
    {
        _server = new IPEndPoint(IPAddress.Loopback, port);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    /// <summary>
    /// Sends every question (at most 65,536) and returns the answers that came back within
    /// <paramref name="wait"/>, by question index; unanswered ones are missing. At most
    /// <paramref name="window"/> questions are in flight at once, so a slow server is not flooded.
    /// </summary>
    public Dictionary<int, DnsMessage> AskAll(IReadOnlyList<(string Name, RecordType Type)> questions, TimeSpan wait, int window = 256, TimeSpan? resend = null)
    {
        if (questions.Count > 65536)
            throw new ArgumentException("at most 65536 questions per batch", nameof(questions));
        var again = resend ?? TimeSpan.FromMilliseconds(200);
        var answers = new Dictionary<int, DnsMessage>();
        var deadline = DateTime.UtcNow + wait;
        int next = 0;
        int inFlight = 0;
        var sentAt = new DateTime[questions.Count];
        while (answers.Count < questions.Count && DateTime.UtcNow < deadline)
        {
            while (inFlight < window && next < questions.Count)
            {
                Send(next, questions[next]);
                sentAt[next] = DateTime.UtcNow;
                next++;
                inFlight++;
            }
            if (!_socket.Poll(TimeSpan.FromMilliseconds(Math.Min(20, again.TotalMilliseconds)), SelectMode.SelectRead))
            {
                // Nothing came: re-send what is overdue (UDP may drop; a loading server may not answer yet).
                for (int i = 0; i < next; i++)
                {
                    if (!answers.ContainsKey(i) && DateTime.UtcNow - sentAt[i] > again)
                    {
                        Send(i, questions[i]);
                        sentAt[i] = DateTime.UtcNow;
                    }
                }
                if (next == questions.Count)
                    inFlight = 0;
                continue;
            }
            while (_socket.Available > 0)
            {
                int n = _socket.Receive(_buffer);
                if (!DnsMessage.TryParse(_buffer.AsSpan(0, n), out var reply, out _) || reply.Id >= questions.Count)
                    continue;
                int index = reply.Id;
                if (reply.Questions.Count != 1 || !reply.Questions[0].Name.Equals(DnsName.Parse(Absolute(questions[index].Name))))
                    continue;
                if (answers.TryAdd(index, reply))
                    inFlight = Math.Max(0, inFlight - 1);
            }
        }
        return answers;
    }

    /// <summary>One question, retried until <paramref name="wait"/> has passed; null when never answered.</summary>
    public DnsMessage? Ask(string name, RecordType type, TimeSpan wait) =>
        AskAll([(name, type)], wait).TryGetValue(0, out var m) ? m : null;

    private void Send(int index, (string Name, RecordType Type) question)
    {
        var wire = DnsMessage.Query(DnsName.Parse(Absolute(question.Name)), question.Type, id: (ushort)index).ToWire(512);
        _socket.SendTo(wire, _server);
    }

    private static string Absolute(string name) => name.EndsWith('.') ? name : name + ".";

    public void Dispose() => _socket.Dispose();
}
