using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

/// <summary>Signed RFC 2136 UPDATEs over UDP that set one PTR each; an update counts as acknowledged only on a NOERROR answer.</summary>
internal sealed class UpdateSender(IPEndPoint server, TsigKey key, string zone)
{
    private readonly TsigSigner _signer = new();

    /// <summary>Sets the PTR of <paramref name="owner"/> to <paramref name="target"/> (delete the RRset, add one record); true when acknowledged.</summary>
    public async Task<bool> SetAsync(string owner, string target, CancellationToken cancellationToken)
    {
        var m = new DnsMessage { Id = (ushort)Random.Shared.Next(1, 65535), Opcode = Opcode.Update };
        m.Questions.Add(new Question(DnsName.Parse(zone), RecordType.SOA));
        m.Authority.Add(new ResourceRecord(DnsName.Parse(owner), RecordType.PTR, RecordClass.ANY, 0, []));
        m.Authority.Add(new ResourceRecord(DnsName.Parse(owner), RecordType.PTR, RecordClass.IN, 300, Rdata.Ptr(DnsName.Parse(target))));
        var wire = new byte[1024];
        var body = m.ToWire();
        body.CopyTo(wire, 0);
        int length = body.Length;
        _signer.TrySignRequest(wire, ref length, key, out _);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.SendToAsync(wire.AsMemory(0, length), server, cancellationToken);
        var reply = new byte[1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            int n = await socket.ReceiveAsync(reply, SocketFlags.None, timeout.Token);
            return n >= 12 && reply[0] == wire[0] && reply[1] == wire[1] && (reply[3] & 0xF) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The PTR target the server answers for <paramref name="owner"/>, or null.</summary>
    public static string? Ptr(IPEndPoint server, string owner)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 2000 };
        udp.SendTo(DnsMessage.Query(DnsName.Parse(owner), RecordType.PTR, id: 9).ToWire(), server);
        var buffer = new byte[4096];
        int n = udp.Receive(buffer);
        var answer = DnsMessage.Parse(buffer.AsSpan(0, n)).Answers.FirstOrDefault(r => r.Type == RecordType.PTR);
        return answer is null ? null : Rdata.ReadName(answer.Data).ToString();
    }
}
