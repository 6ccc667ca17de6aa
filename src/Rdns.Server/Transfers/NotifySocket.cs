using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Server.Transfers;

/// <summary>
/// The UDP sockets every NOTIFY of a sender goes out on: one per address family, opened on first
/// use, however many NOTIFYs are in flight. An answer is matched to its request by the peer's
/// address and port and the message ID (unique among the requests in flight to that peer), the
/// way a resolver matches answers on a shared socket; anything else that arrives is dropped. A
/// socket per NOTIFY instead cost a socket, a bind and a close each, and a file descriptor for as
/// long as the answer was awaited.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly ConcurrentDictionary<(IPEndPoint Peer, ushort Id), Waiter> _waiting = new();

    /// <summary>A request in flight: its answer, and the question the answer must repeat.</summary>
    private sealed record Waiter(TaskCompletionSource<byte[]> Answer, byte[] Question);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _opening = new();
    private Socket? _v4;
    private Socket? _v6;
    private readonly List<Task> _receivers = [];

    /// <summary>Sockets opened so far (at most one per address family).</summary>
    public int Sockets
    {
        get
        {
            lock (_opening)
                return (_v4 is null ? 0 : 1) + (_v6 is null ? 0 : 1);
        }
    }

    /// <summary>Requests awaiting their answer now.</summary>
    public int InFlight => _waiting.Count;

    /// <summary>
    /// Reserves a message ID for a request to <paramref name="peer"/> about <paramref name="zone"/>:
    /// none other in flight to that peer has it. The caller writes it into the request (before
    /// signing it) and must <see cref="Release"/> it when done. Only an answer that repeats the
    /// question (the zone, SOA, IN) is taken as the answer: a late answer to an earlier request
    /// whose ID was drawn again is not.
    /// </summary>
    public (ushort Id, Task<byte[]> Answer) Reserve(IPEndPoint peer, DnsName zone)
    {
        peer = Normalize(peer);
        var question = new byte[zone.Wire.Length + 4];
        zone.Wire.CopyTo(question);
        BinaryPrimitives.WriteUInt16BigEndian(question.AsSpan(zone.Wire.Length), (ushort)RecordType.SOA);
        BinaryPrimitives.WriteUInt16BigEndian(question.AsSpan(zone.Wire.Length + 2), (ushort)RecordClass.IN);
        var waiter = new Waiter(new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously), question);
        while (true)
        {
            ushort id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
            if (_waiting.TryAdd((peer, id), waiter))
                return (id, waiter.Answer.Task);
        }
    }

    /// <summary>Whether <paramref name="message"/> holds one question equal to <paramref name="question"/>, names compared without case.</summary>
    private static bool AsksThe(ReadOnlySpan<byte> message, byte[] question)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != 1 || message.Length < DnsHeader.Size + question.Length)
            return false;
        // The type and class octets (0 6 0 1) are no letters either, so the whole question
        // compares as a name does.
        return WireName.EqualsIgnoreCase(message.Slice(DnsHeader.Size, question.Length), question);
    }

    /// <summary>Forgets a reserved ID: a late answer to it is dropped.</summary>
    public void Release(IPEndPoint peer, ushort id) => _waiting.TryRemove((Normalize(peer), id), out _);

    /// <summary>Sends a request whose ID was reserved; false when the socket could not send it.</summary>
    public async ValueTask<bool> SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        try
        {
            await SocketFor(peer.AddressFamily).SendToAsync(message, SocketFlags.None, peer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private Socket SocketFor(AddressFamily family)
    {
        lock (_opening)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            ref var socket = ref family == AddressFamily.InterNetworkV6 ? ref _v6 : ref _v4;
            if (socket is null)
            {
                var opened = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    // Answers to a burst of NOTIFYs arrive together: room for a few thousand.
                    opened.ReceiveBufferSize = 1 << 20;
                }
                catch (SocketException)
                {
                    // The system's limit stands.
                }
                try
                {
                    opened.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
                }
                catch
                {
                    opened.Dispose();
                    throw;
                }
                socket = opened;
                _receivers.Add(Task.Run(() => ReceiveAsync(opened)));
            }
            return socket;
        }
    }

    private async Task ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error reported on the socket: the try it belongs to times out and is retried.
                continue;
            }
            int n = received.ReceivedBytes;
            if (n < DnsHeader.Size || received.RemoteEndPoint is not IPEndPoint from)
                continue;
            // An answer (QR) to a NOTIFY, from the peer and with the ID of a request in flight.
            ushort flags = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2));
            if ((flags & 0x8000) == 0 || (Opcode)((flags >> 11) & 0xF) != Opcode.Notify)
                continue;
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(buffer);
            var key = (Normalize(from), id);
            if (_waiting.TryGetValue(key, out var waiter) && AsksThe(buffer.AsSpan(0, n), waiter.Question)
                && _waiting.TryRemove(new KeyValuePair<(IPEndPoint, ushort), Waiter>(key, waiter)))
                waiter.Answer.TrySetResult(buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Peers are named as IPv4 or IPv6; an IPv4 peer on an IPv6 socket is the IPv4 address.</summary>
    private static IPEndPoint Normalize(IPEndPoint from) =>
        from.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(from.Address.MapToIPv4(), from.Port) : from;

    public void Dispose()
    {
        lock (_opening)
        {
            if (_stop.IsCancellationRequested)
                return;
            _stop.Cancel();
            _v4?.Dispose();
            _v6?.Dispose();
        }
        try
        {
            Task.WhenAll(_receivers).Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        foreach (var waiting in _waiting.Values)
            waiting.Answer.TrySetCanceled();
        _waiting.Clear();
        _stop.Dispose();
    }
}
