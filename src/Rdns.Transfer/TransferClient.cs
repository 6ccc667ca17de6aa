using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Transfer;

/// <summary>
/// Asks other servers: SOA queries over UDP (TCP when truncated), AXFR (RFC 5936) and IXFR (RFC 1995)
/// over TCP, each request signed and every answer message verified when a TSIG key is given
/// (RFC 8945 §5.3.1: a stream's MACs chain, so a lost, reordered or forged message fails it).
/// TCP connections are kept and reused between requests (<see cref="ConnectionPool"/>).
/// Thread-safe; one instance serves every zone.
/// </summary>
public sealed class TransferClient : IDisposable
{
    private readonly ConnectionPool _pool;

    /// <summary>
    /// 2 s per UDP try, three tries: dig's and kdig's habit, and enough for any primary that is
    /// up; a refresh that fails is retried by its zone's schedule anyway.
    /// </summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    public const int QueryTries = 3;

    /// <summary>
    /// 10 s without a byte ends a transfer: Knot's and BIND's TCP I/O timeouts are of that order,
    /// and a primary stalled that long is better asked again later than waited for.
    /// </summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>1232 octets: fits the 1280-octet IPv6 minimum MTU with headers (DNS flag day 2020).</summary>
    public const ushort UdpPayload = 1232;

    private readonly TsigSigner _signer;
    private readonly TsigVerifier _verifier;

    /// <param name="keepIdle">How long an idle TCP connection is kept for the next request (5 s).</param>
    public TransferClient(TimeProvider? time = null, TimeSpan? idleTimeout = null, TimeSpan? keepIdle = null)
    {
        _pool = new ConnectionPool(keepIdle);
        _signer = new TsigSigner(time);
        // Answers are checked against the exchange's own key, never looked up in a ring.
        _verifier = new TsigVerifier(TsigKeyRing.Empty, time);
        IdleTimeout = idleTimeout ?? DefaultIdleTimeout;
    }

    public TimeSpan IdleTimeout { get; }

    /// <summary>The primary's SOA of <paramref name="zone"/> (the refresh check of RFC 1034 §4.3.5).</summary>
    public async Task<ResourceRecord> QuerySoaAsync(PrimaryServer primary, DnsName zone, CancellationToken cancellationToken = default)
    {
        var answer = await QueryAsync(primary.Endpoint, zone, RecordType.SOA, primary.Key, cancellationToken).ConfigureAwait(false);
        if (answer.Rcode != (int)Rcode.NoError)
            throw new TransferException(TransferFailure.Rcode, $"{primary} answered {(Rcode)answer.Rcode} to the SOA query of {zone}", (Rcode)answer.Rcode);
        var soa = answer.Answers.FirstOrDefault(r => r.Type == RecordType.SOA && r.Owner.Equals(zone) && Rdata.IsValid(RecordType.SOA, r.Data));
        if (soa is null || !answer.Has(HeaderFlags.AA))
            throw new TransferException(TransferFailure.Rcode, $"{primary} is not authoritative for {zone} (no SOA in an authoritative answer)", Rcode.NotAuth);
        return soa;
    }

    /// <summary>
    /// One question, answered over UDP (TCP when the answer is truncated); with <paramref name="key"/>
    /// the request is signed and the answer must verify. Error RCODEs are returned, not thrown.
    /// </summary>
    public async Task<DnsMessage> QueryAsync(IPEndPoint server, DnsName name, RecordType type, TsigKey? key, CancellationToken cancellationToken = default)
    {
        ushort id = NewId();
        var (request, exchange) = Build(DnsMessage.Query(name, type, id, edns: new EdnsOptions(UdpPayload)), key);
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new TransferException(TransferFailure.Unreachable, $"{server}: {e.Message}", inner: e);
        }
        var buffer = new byte[65535];
        for (int attempt = 1; attempt <= QueryTries; attempt++)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(QueryTimeout);
            try
            {
                await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token).ConfigureAwait(false);
                    var wire = buffer.AsMemory(0, n);
                    if (n < DnsHeader.Size || BinaryPrimitives.ReadUInt16BigEndian(wire.Span) != id)
                        continue;
                    var answer = Read(wire.Span, server, name, key, ref exchange);
                    if (answer.Has(HeaderFlags.TC))
                        return await QueryTcpAsync(server, name, type, key, cancellationToken).ConfigureAwait(false);
                    return answer;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                throw new TransferException(TransferFailure.Unreachable, $"{server}: nothing listens there (ICMP port unreachable)", inner: e);
            }
        }
        throw new TransferException(TransferFailure.Timeout, $"{server} did not answer {name} {type} in {QueryTries} tries of {QueryTimeout.TotalSeconds:0} s");
    }

    private async Task<DnsMessage> QueryTcpAsync(IPEndPoint server, DnsName name, RecordType type, TsigKey? key, CancellationToken cancellationToken)
    {
        while (true)
        {
            ushort id = NewId();
            var (request, exchange) = Build(DnsMessage.Query(name, type, id), key);
            var connection = await OpenAsync(server, cancellationToken).ConfigureAwait(false);
            bool keep = false;
            try
            {
                ReadOnlyMemory<byte>? message;
                try
                {
                    await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (TransferException) when (connection.Reused)
                {
                    continue;
                }
                try
                {
                    message = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (TransferException e) when (ClosedUnderUs(connection, e))
                {
                    continue;
                }
                if (message is null)
                {
                    if (connection.Reused)
                        continue;
                    throw new TransferException(TransferFailure.Unreachable, $"{server} closed the connection without answering");
                }
                if (BinaryPrimitives.ReadUInt16BigEndian(message.Value.Span) != id)
                {
                    // On a kept connection, the rest of an earlier answer: ask again on a new one.
                    if (connection.Reused)
                        continue;
                    throw new TransferException(TransferFailure.Malformed, $"{server} answered another query id over TCP");
                }
                var answer = Read(message.Value.Span, server, name, key, ref exchange);
                keep = true;
                return answer;
            }
            finally
            {
                Finish(connection, keep);
            }
        }
    }

    /// <summary>
    /// Transfers <paramref name="zone"/> over TCP: IXFR from <paramref name="currentSoa"/> when we
    /// hold a version (the SOA goes in the authority section, RFC 1995 §3), else AXFR. The
    /// connection is one kept from an earlier request when there is one (RFC 7766 §6.2.1), and is
    /// kept for the next when the transfer ends cleanly.
    /// </summary>
    public async Task<ZoneTransfer> TransferAsync(PrimaryServer primary, DnsName zone, ResourceRecord? currentSoa, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var connection = await OpenAsync(primary.Endpoint, cancellationToken).ConfigureAwait(false);
            bool keep = false;
            try
            {
                var result = await TransferOnAsync(connection, primary, zone, currentSoa, cancellationToken).ConfigureAwait(false);
                if (result is null)
                    continue;
                keep = true;
                return result;
            }
            finally
            {
                Finish(connection, keep);
            }
        }
    }

    /// <summary>One transfer over <paramref name="connection"/>; null when a reused connection failed before the first answer (the caller asks again on a new one).</summary>
    private async Task<ZoneTransfer?> TransferOnAsync(TcpConnection connection, PrimaryServer primary, DnsName zone, ResourceRecord? currentSoa, CancellationToken cancellationToken)
    {
        ushort id = NewId();
        var type = currentSoa is null ? RecordType.AXFR : RecordType.IXFR;
        var query = DnsMessage.Query(zone, type, id);
        if (currentSoa is not null)
            query.Authority.Add(new ResourceRecord(zone, RecordType.SOA, currentSoa.Ttl, currentSoa.Data));
        var (request, exchange) = Build(query, primary.Key);
        var stream = new TransferStream(zone);
        long bytes = 0;
        int messages = 0;
        try
        {
            try
            {
                await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (TransferException) when (connection.Reused)
            {
                return null;
            }
            while (!stream.IsDone)
            {
                ReadOnlyMemory<byte>? wire;
                try
                {
                    wire = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (TransferException e) when (messages == 0 && ClosedUnderUs(connection, e))
                {
                    return null;
                }
                if (wire is null)
                {
                    if (connection.Reused && messages == 0)
                        return null;
                    throw new TransferException(TransferFailure.Malformed, $"{primary} closed the {type} of {zone} before its end");
                }
                if (BinaryPrimitives.ReadUInt16BigEndian(wire.Value.Span) != id)
                {
                    // On a kept connection, the rest of an earlier answer: ask again on a new one.
                    if (connection.Reused && messages == 0)
                        return null;
                    throw new TransferException(TransferFailure.Malformed, $"{primary} sent a message of another query id in the {type} of {zone}");
                }
                bytes += wire.Value.Length + 2;
                messages++;
                var message = Read(wire.Value.Span, primary.Endpoint, messages == 1 ? zone : null, primary.Key, ref exchange);
                if (message.Rcode != (int)Rcode.NoError)
                    throw new TransferException(TransferFailure.Rcode, $"{primary} answered {(Rcode)message.Rcode} to the {type} of {zone}", (Rcode)message.Rcode);
                foreach (var r in message.Answers)
                {
                    if (r.Class != RecordClass.IN)
                        throw new TransferException(TransferFailure.Malformed, $"a record of class {r.Class} in the {type} of {zone}");
                    stream.Add(r);
                }
                // RFC 1995 §2: an IXFR answered by the SOA alone (in its first message), not newer than ours, is complete.
                if (type == RecordType.IXFR && messages == 1 && stream.SaysNothingNewerThan(Rdata.SoaSerial(currentSoa!.Data)))
                {
                    // A server may send more after that SOA (some answer with the whole zone):
                    // a message that already holds more is not followed by another request. One
                    // that held the SOA alone may be; whatever else the server then sends has
                    // this request's ID and is recognised as left over (below).
                    connection.Unfinished = message.Answers.Count > 1;
                    break;
                }
            }
            // RFC 8945 §5.3.1: the last message of a signed stream must itself be signed.
            if (primary.Key is not null && exchange.UnsignedMessages > 0)
                throw new TransferException(TransferFailure.Tsig, $"the last message of the {type} of {zone} from {primary} was not signed");
            return stream.Result(bytes, messages);
        }
        finally
        {
            exchange.DropPending();
        }
    }

    /// <summary>
    /// The server closed a kept connection as the request went out: ask again on a new one. A
    /// server that is only slow to answer is not asked again, which would double the wait.
    /// </summary>
    private static bool ClosedUnderUs(TcpConnection connection, TransferException e) =>
        connection.Reused && e.Failure == TransferFailure.Unreachable;

    /// <summary>A kept connection to <paramref name="server"/>, or a new one.</summary>
    private async Task<TcpConnection> OpenAsync(IPEndPoint server, CancellationToken cancellationToken) =>
        _pool.Take(server) ?? await ConnectAsync(server, cancellationToken).ConfigureAwait(false);

    /// <summary>Keeps the connection for the next request after a clean exchange; closes it otherwise.</summary>
    private void Finish(TcpConnection connection, bool keep)
    {
        if (keep && !connection.Unfinished)
            _pool.Return(connection);
        else
            connection.Dispose();
    }

    /// <summary>TCP connections opened so far, and requests sent on one kept from an earlier request.</summary>
    public (long Opened, long Reused) Connections => (_pool.Opened, _pool.Reused);

    /// <summary>TCP connections kept idle now, waiting for the next request.</summary>
    public int IdleConnections => _pool.IdleCount;

    /// <summary>Closes the kept connections idle too long or closed by their server now (a timer does it every keep period).</summary>
    internal void SweepIdleConnections() => _pool.Sweep();

    /// <summary>Closes the kept connections.</summary>
    public void Dispose() => _pool.Dispose();

    private static ushort NewId() => (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);

    private (byte[] Wire, TsigExchange Exchange) Build(DnsMessage message, TsigKey? key)
    {
        var body = message.ToWire();
        if (key is null)
            return (body, default);
        var buffer = new byte[body.Length + TsigSigner.MaxRecordLength(key)];
        body.CopyTo(buffer, 0);
        int length = body.Length;
        if (!_signer.TrySignRequest(buffer, ref length, key, out var exchange))
            throw new InvalidOperationException("the TSIG record does not fit the request buffer");
        return (buffer[..length], exchange);
    }

    /// <summary>Parses one answer message and checks its TSIG (and, for the first message, the question).</summary>
    private DnsMessage Read(ReadOnlySpan<byte> wire, IPEndPoint server, DnsName? question, TsigKey? key, ref TsigExchange exchange)
    {
        if (!DnsMessage.TryParse(wire, out var message, out var error))
            throw new TransferException(TransferFailure.Malformed, $"{server} sent a malformed message: {error}");
        if (!message.Has(HeaderFlags.QR))
            throw new TransferException(TransferFailure.Malformed, $"{server} sent a query, not an answer");
        if (question is not null && message.Questions.Count > 0 && !message.Questions[0].Name.Equals(question))
            throw new TransferException(TransferFailure.Malformed, $"{server} answered a question about {message.Questions[0].Name}, not {question}");
        if (key is null)
        {
            if (message.Tsig is not null && message.Rcode == (int)Rcode.NotAuth)
                throw new TransferException(TransferFailure.Tsig, $"{server} wants TSIG (it answered NOTAUTH with a TSIG error); name the key with IP:PORT@KEY", Rcode.NotAuth);
            return message;
        }
        TsigVerifier.TryFindTsig(wire, out int offset);
        var status = _verifier.VerifyResponse(wire, offset, ref exchange);
        if (status is not (TsigStatus.Verified or TsigStatus.Unsigned))
        {
            string detail = exchange.PeerError != TsigError.NoError
                ? $"{server} refused our TSIG key {key.Name} ({exchange.PeerError}{(exchange.PeerClock is { } clock ? $", its clock says {DateTimeOffset.FromUnixTimeSeconds((long)clock):u}" : "")})"
                : $"the answer of {server} failed the TSIG check ({status})";
            throw new TransferException(TransferFailure.Tsig, detail, (Rcode)message.Rcode);
        }
        return message;
    }

    private async Task<TcpConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(IdleTimeout);
        try
        {
            await socket.ConnectAsync(server, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TransferException(TransferFailure.Timeout, $"{server}: no TCP connection within {IdleTimeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new TransferException(TransferFailure.Unreachable, $"{server}: {e.Message}", inner: e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _pool.CountOpened();
        return new TcpConnection(socket, server, IdleTimeout);
    }
}
