using System.Buffers.Binary;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tsig;

/// <summary>
/// Signs messages in the caller's buffer by appending a TSIG record and counting it in ARCOUNT
/// (RFC 8945 §5.1, §5.3). Thread-safe; does not allocate.
/// </summary>
public sealed class TsigSigner
{
    /// <summary>RFC 8945 §10 recommends 300 seconds.</summary>
    public const ushort DefaultFudge = 300;

    private readonly TimeProvider _time;

    public TsigSigner(TimeProvider? time = null, ushort fudge = DefaultFudge)
    {
        _time = time ?? TimeProvider.System;
        Fudge = fudge;
    }

    /// <summary>The Fudge written into our records: how far a peer's clock may be from ours.</summary>
    public ushort Fudge { get; }

    /// <summary>The longest TSIG record signing with <paramref name="key"/> appends (a BADTIME answer's).</summary>
    public static int MaxRecordLength(TsigKey key) =>
        TsigRecord.Length(key.Name.Length, TsigAlgorithms.NameOf(key.Algorithm).Length, key.MacSize, TsigRecord.TimeLength);

    /// <summary>
    /// Signs a request (RFC 8945 §5.1): the MAC covers the message and the TSIG variables. The
    /// exchange remembers the MAC, which the response's MAC must cover. False when the record
    /// does not fit in <paramref name="message"/> after <paramref name="length"/> octets.
    /// </summary>
    public bool TrySignRequest(Span<byte> message, ref int length, TsigKey key, out TsigExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(key);
        exchange = new TsigExchange { Key = key };
        return TrySign(message, ref length, ref exchange, request: true);
    }

    /// <summary>
    /// Signs a response of <paramref name="exchange"/> as RFC 8945 requires for its state:
    /// <list type="bullet">
    /// <item>the first response: request MAC, message, TSIG variables (§5.3);</item>
    /// <item>each later message of a stream such as AXFR: prior MAC, message, timers (§5.3.1);</item>
    /// <item>BADKEY and BADSIG: an unsigned record with the error and an empty MAC (§5.3.2);</item>
    /// <item>BADTIME: signed, with the request's Time Signed and our clock in Other Data (§5.2.3).</item>
    /// </list>
    /// For an error the caller must already have set RCODE NOTAUTH in the header (§5.2). False
    /// when the record does not fit in <paramref name="message"/> after <paramref name="length"/> octets.
    /// </summary>
    public bool TrySign(Span<byte> message, ref int length, ref TsigExchange exchange) =>
        TrySign(message, ref length, ref exchange, request: false);

    private bool TrySign(Span<byte> message, ref int length, ref TsigExchange exchange, bool request)
    {
        if (length < DnsHeader.Size || length > message.Length)
            throw new ArgumentOutOfRangeException(nameof(length), "the message must hold at least a header and fit its buffer");
        ushort arCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (arCount == ushort.MaxValue)
            return false;
        if (exchange.Error != TsigError.NoError && (message[3] & 0xF) != (int)Rcode.NotAuth)
            throw new InvalidOperationException($"a TSIG {exchange.Error} answer must have RCODE NOTAUTH (RFC 8945 §5.2)");
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(message);
        ulong now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();

        int written;
        if (exchange.Error is TsigError.BadKey or TsigError.BadSig)
        {
            // §5.3.2: never signed, since the key or the request MAC cannot be trusted. The request's
            // own Time Signed is echoed (as Knot and BIND do): this answer makes no claim about time.
            var name = exchange.KeyName ?? throw new InvalidOperationException("the exchange has no key name");
            var algorithm = exchange.Key is { } known ? TsigAlgorithms.NameOf(known.Algorithm) : exchange.UnknownAlgorithmName!;
            if (length + TsigRecord.Length(name.Length, algorithm.Length, 0, 0) > message.Length)
                return false;
            written = TsigRecord.Write(message[length..], name.Wire, algorithm.Wire, exchange.RequestTimeSigned, Fudge, [], id, exchange.Error, []);
        }
        else
        {
            var key = exchange.Key ?? throw new InvalidOperationException("the exchange has no key: the request was not signed");
            var algorithm = TsigAlgorithms.NameOf(key.Algorithm);
            bool badTime = exchange.Error == TsigError.BadTime;
            Span<byte> other = stackalloc byte[TsigRecord.TimeLength];
            if (badTime)
                TsigRecord.WriteUInt48(other, now);
            else
                other = [];
            if (length + TsigRecord.Length(key.Name.Length, algorithm.Length, key.MacSize, other.Length) > message.Length)
                return false;
            ulong timeSigned = badTime ? exchange.RequestTimeSigned : now;

            Span<byte> mac = stackalloc byte[TsigAlgorithms.MaxMacSize];
            var hash = key.Rent();
            if (exchange.IsStream)
            {
                TsigRecord.AppendMac(hash, exchange.Mac);
                hash.AppendData(message[..length]);
                TsigRecord.AppendTimers(hash, timeSigned, Fudge);
            }
            else
            {
                if (!request)
                    TsigRecord.AppendMac(hash, exchange.Mac);
                hash.AppendData(message[..length]);
                TsigRecord.AppendVariables(hash, key.CanonicalName, 0, algorithm.Wire, timeSigned, Fudge, exchange.Error, other);
            }
            hash.TryGetHashAndReset(mac, out int macLength);
            key.Return(hash);
            mac = mac[..macLength];
            written = TsigRecord.Write(message[length..], key.Name.Wire, algorithm.Wire, timeSigned, Fudge, mac, id, exchange.Error, other);
            exchange.SetMac(mac);
            exchange.IsStream = !request;
        }
        BinaryPrimitives.WriteUInt16BigEndian(message[10..], (ushort)(arCount + 1));
        length += written;
        return true;
    }
}
