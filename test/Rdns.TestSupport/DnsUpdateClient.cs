using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.TestSupport;

/// <summary>Sends RFC 2136 UPDATE messages as a DHCP server would: signed or not, over UDP or TCP, from a chosen loopback address.</summary>
public static class DnsUpdateClient
{
    /// <summary>An UPDATE for <paramref name="zone"/> with prerequisites and updates.</summary>
    public static DnsMessage Message(string zone, IEnumerable<ResourceRecord>? prerequisites = null, IEnumerable<ResourceRecord>? updates = null)
    {
        var m = new DnsMessage { Id = (ushort)Random.Shared.Next(1, 65535), Opcode = Opcode.Update };
        m.Questions.Add(new Question(DnsName.Parse(zone), RecordType.SOA));
        m.Answers.AddRange(prerequisites ?? []);
        m.Authority.AddRange(updates ?? []);
        return m;
    }

    public static ResourceRecord Add(string owner, RecordType type, string data, uint ttl = 300) =>
        new(DnsName.Parse(owner), type, RecordClass.IN, ttl, Protocol.Text.RdataParser.Parse(type, data));

    public static ResourceRecord DeleteRRset(string owner, RecordType type) => new(DnsName.Parse(owner), type, RecordClass.ANY, 0, []);

    public static ResourceRecord DeleteName(string owner) => new(DnsName.Parse(owner), RecordType.ANY, RecordClass.ANY, 0, []);

    /// <summary>The RCODE and the TSIG error of the answer (null when it was not signed at all).</summary>
    public static async Task<(Rcode Rcode, TsigError? Error)> SendAsync(IPEndPoint server, DnsMessage message, TsigKey? key = null,
        TimeProvider? clock = null, string source = "127.0.0.1", bool tcp = false)
    {
        var wire = new byte[65535];
        var body = message.ToWire();
        body.CopyTo(wire, 0);
        int length = body.Length;
        if (key is not null)
        {
            if (!new TsigSigner(clock).TrySignRequest(wire, ref length, key, out _))
                throw new InvalidOperationException("the update does not fit with its signature");
        }
        byte[] reply;
        if (tcp)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(server);
            var framed = new byte[length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)length);
            wire.AsSpan(0, length).CopyTo(framed.AsSpan(2));
            await socket.SendAsync(framed);
            var len = new byte[2];
            await ReadAsync(socket, len);
            reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
            await ReadAsync(socket, reply);
        }
        else
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.SendToAsync(wire.AsMemory(0, length), server);
            var buffer = new byte[65535];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            reply = buffer[..n];
        }
        var parsed = DnsMessage.Parse(reply);
        if (parsed.Id != message.Id || parsed.Opcode != Opcode.Update)
            throw new InvalidDataException($"the answer has id {parsed.Id} and opcode {parsed.Opcode}, not those of the update");
        return ((Rcode)parsed.Rcode, TsigErrorOf(parsed));
    }

    private static TsigError? TsigErrorOf(DnsMessage m)
    {
        if (m.Tsig is null)
            return null;
        var data = m.Tsig.Data;
        int pos = 0;
        while (data[pos] != 0)
            pos += 1 + data[pos];
        pos += 1 + 6 + 2;
        int macSize = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(pos));
        pos += 2 + macSize + 2;
        return (TsigError)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(pos));
    }

    private static async Task ReadAsync(Socket socket, byte[] buffer)
    {
        int read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0)
                throw new IOException("connection closed");
            read += n;
        }
    }
}
