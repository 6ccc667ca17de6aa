using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Fleet;

/// <summary>The DNS the harness speaks: single queries over UDP, and AXFR over TCP reduced to a digest.</summary>
internal static class Dns
{
    public static DnsName Reverse(string ip) => DnsName.Parse(string.Join('.', ip.Split('.').Reverse()) + ".in-addr.arpa.");

    /// <summary>One question over UDP, retried once; null when nothing came back in time.</summary>
    public static async Task<DnsMessage?> AskAsync(IPEndPoint server, DnsName name, RecordType type, TimeSpan timeout, int attempts = 2)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var buffer = new byte[4096];
        for (int a = 0; a < attempts; a++)
        {
            ushort id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
            var query = DnsMessage.Query(name, type, id).ToWire();
            await socket.SendToAsync(query, server).ConfigureAwait(false);
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                while (true)
                {
                    var r = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancel.Token).ConfigureAwait(false);
                    if (r.ReceivedBytes >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id && DnsMessage.TryParse(buffer.AsSpan(0, r.ReceivedBytes), out var m, out _))
                        return m;
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
                await Task.Delay(timeout).ConfigureAwait(false);
            }
        }
        return null;
    }

    /// <summary>The zone's SOA serial as the server answers it; null when it does not (down, or no such zone).</summary>
    public static async Task<uint?> SerialAsync(IPEndPoint server, DnsName zone, TimeSpan timeout)
    {
        var m = await AskAsync(server, zone, RecordType.SOA, timeout).ConfigureAwait(false);
        if (m is null || m.Rcode != 0)
            return null;
        foreach (var a in m.Answers)
        {
            if (a.Type == RecordType.SOA)
                return Rdata.SoaSerial(a.Data);
        }
        return null;
    }

    /// <summary>
    /// AXFR of <paramref name="zone"/> from <paramref name="source"/>: its serial, how many records,
    /// and a SHA-256 over the records sorted in presentation form (names lowercased), which
    /// is the same for any two servers that hold the same zone however they order or compress it.
    /// </summary>
    public static async Task<(uint Serial, int Records, string Digest)?> AxfrDigestAsync(IPEndPoint server, DnsName zone, IPAddress source, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // IP_BIND_ADDRESS_NO_PORT: the port is chosen at connect, per destination, so tens of
            // thousands of transfers from one source address (20 edges × 4,000 zones) do not run
            // out of ports while the earlier ones sit in TIME_WAIT.
            socket.SetRawSocketOption(0 /* SOL_IP */, 24 /* IP_BIND_ADDRESS_NO_PORT */, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, cancel.Token).ConfigureAwait(false);
            var query = DnsMessage.Query(zone, RecordType.AXFR, 7).ToWire();
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await socket.SendAsync(framed, cancel.Token).ConfigureAwait(false);
            var records = new List<string>();
            int soas = 0;
            uint serial = 0;
            var length = new byte[2];
            while (soas < 2)
            {
                if (!await ReadExactlyAsync(socket, length, cancel.Token).ConfigureAwait(false))
                    return null;
                var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                if (!await ReadExactlyAsync(socket, message, cancel.Token).ConfigureAwait(false))
                    return null;
                var m = DnsMessage.Parse(message);
                if (m.Rcode != 0)
                    return null;
                foreach (var r in m.Answers)
                {
                    if (r.Type == RecordType.SOA)
                    {
                        soas++;
                        if (soas == 1)
                            serial = Rdata.SoaSerial(r.Data);
                        else
                            break;
                    }
                    records.Add(r.ToString().ToLowerInvariant());
                }
            }
            records.Sort(StringComparer.Ordinal);
            var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', records)));
            return (serial, records.Count, Convert.ToHexString(digest)[..16]);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or InvalidDataException or FormatException)
        {
            return null;
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], token).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    private static int _nextPort = 20000 + Random.Shared.Next(8000);

    /// <summary>
    /// A port free for both UDP and TCP, below the kernel's ephemeral range (32768 and up): a port
    /// the kernel hands out to outgoing sockets (the probes', the transfers') could be taken between
    /// choosing it and the server binding it. Ports are handed out in turn, never twice.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            int port = Interlocked.Increment(ref _nextPort);
            if (port >= 32768)
                throw new InvalidOperationException("no free port left below 32768");
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }
}
