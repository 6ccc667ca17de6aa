using System.Security.Cryptography;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tsig;

/// <summary>
/// Checks TSIG records (RFC 8945 §5.2, §5.4): requests against a key ring on a server, responses
/// against the exchange their request started on a client. Thread-safe; a verified request does
/// not allocate.
/// </summary>
public sealed class TsigVerifier
{
    /// <summary>RFC 8945 §5.3.1: a client MUST accept up to 99 messages without TSIG between signed ones.</summary>
    public const int MaxUnsignedMessages = 99;

    private readonly TsigKeyRing _keys;
    private readonly TimeProvider _time;

    public TsigVerifier(TsigKeyRing keys, TimeProvider? time = null)
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Finds a message's TSIG record: its offset, or -1 when it has none. False when the message
    /// is malformed or has a TSIG record that is not its last record (RFC 8945 §5.1: FORMERR).
    /// </summary>
    public static bool TryFindTsig(ReadOnlySpan<byte> message, out int tsigOffset) => TsigRecord.TryFind(message, out tsigOffset);

    /// <summary>
    /// Checks a request's TSIG record at <paramref name="tsigOffset"/> (which must end the message)
    /// in the order RFC 8945 §5.2 prescribes: key, MAC, time. Whatever the outcome other than
    /// <see cref="TsigStatus.FormErr"/>, the answer is signed with <see cref="TsigSigner.TrySign"/>
    /// on the returned exchange, which knows whether the RFC wants it signed (success, BADTIME)
    /// or carrying an unsigned error (BADKEY, BADSIG).
    /// </summary>
    public TsigStatus VerifyRequest(ReadOnlySpan<byte> message, int tsigOffset, out TsigExchange exchange)
    {
        exchange = default;
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        Span<byte> algorithm = stackalloc byte[DnsName.MaxLength];
        if (!TsigRecord.TryRead(message, tsigOffset, name, algorithm, out var tsig))
            return TsigStatus.FormErr;
        name = name[..tsig.NameLength];
        algorithm = algorithm[..tsig.AlgorithmLength];
        exchange.PeerError = tsig.Error;
        exchange.PeerTimeSigned = tsig.TimeSigned;
        exchange.RequestTimeSigned = tsig.TimeSigned;

        // §5.2.1
        if (_keys.Match(name, algorithm, out var key) != TsigKeyMatch.Found)
        {
            exchange.UnknownKeyName = DnsName.FromWire(name);
            exchange.UnknownAlgorithmName = DnsName.FromWire(algorithm);
            exchange.Error = TsigError.BadKey;
            return TsigStatus.BadKey;
        }
        exchange.Key = key;

        // §5.2.2.1: a request has no excuse for an empty MAC.
        if (!MacSizeAllowed(key!, tsig.MacLength))
        {
            exchange = default;
            return TsigStatus.FormErr;
        }

        // §5.2.2
        var hash = key!.Rent();
        TsigRecord.AppendMessage(hash, message, tsigOffset, tsig.OriginalId, hadTsig: true);
        AppendVariables(hash, message, key, tsig);
        var mac = message.Slice(tsig.MacOffset, tsig.MacLength);
        if (!Finish(key, hash, mac))
        {
            exchange.Error = TsigError.BadSig;
            return TsigStatus.BadSig;
        }
        exchange.SetMac(mac);

        // §5.2.3
        if (!InWindow(tsig.TimeSigned, tsig.Fudge))
        {
            exchange.Error = TsigError.BadTime;
            return TsigStatus.BadTime;
        }
        return TsigStatus.Verified;
    }

    /// <summary>
    /// Checks a response to a request signed with <see cref="TsigSigner.TrySignRequest"/>; call it
    /// for every message of a stream (AXFR), in order, with <paramref name="tsigOffset"/> -1 for a
    /// message without TSIG. The first message's MAC covers the request MAC, later ones chain to
    /// the prior MAC (RFC 8945 §5.3.1), so a lost, reordered or altered message fails. Any result
    /// but <see cref="TsigStatus.Verified"/> or <see cref="TsigStatus.Unsigned"/> ends the exchange;
    /// a stream must end with a verified message.
    /// </summary>
    public TsigStatus VerifyResponse(ReadOnlySpan<byte> message, int tsigOffset, ref TsigExchange exchange)
    {
        var key = exchange.Key ?? throw new InvalidOperationException("the exchange has no key: sign the request with TsigSigner.TrySignRequest first");
        if (tsigOffset < 0)
            return AddUnsigned(message, ref exchange, key);

        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        Span<byte> algorithm = stackalloc byte[DnsName.MaxLength];
        if (!TsigRecord.TryRead(message, tsigOffset, name, algorithm, out var tsig))
            return End(ref exchange, TsigStatus.FormErr);
        exchange.PeerError = tsig.Error;
        exchange.PeerTimeSigned = tsig.TimeSigned;

        // §5.4.1: the answer must use the request's key.
        if (!WireName.EqualsIgnoreCase(name[..tsig.NameLength], key.Name.Wire) ||
            !WireName.EqualsIgnoreCase(algorithm[..tsig.AlgorithmLength], TsigAlgorithms.NameOf(key.Algorithm).Wire))
            return End(ref exchange, TsigStatus.BadKey);

        if (tsig.MacLength == 0)
        {
            // §5.3.2: BADKEY and BADSIG come unsigned; they cannot be trusted, only reported.
            var status = tsig.Error switch
            {
                TsigError.BadKey when !exchange.IsStream => TsigStatus.BadKey,
                TsigError.BadSig when !exchange.IsStream => TsigStatus.BadSig,
                _ => TsigStatus.FormErr,
            };
            return End(ref exchange, status);
        }
        if (!MacSizeAllowed(key, tsig.MacLength))
            return End(ref exchange, TsigStatus.FormErr);

        var hash = exchange.Pending;
        exchange.Pending = null;
        if (hash is null)
        {
            hash = key.Rent();
            TsigRecord.AppendMac(hash, exchange.Mac);
        }
        TsigRecord.AppendMessage(hash, message, tsigOffset, tsig.OriginalId, hadTsig: true);
        if (exchange.IsStream)
            TsigRecord.AppendTimers(hash, tsig.TimeSigned, tsig.Fudge);
        else
            AppendVariables(hash, message, key, tsig);
        var mac = message.Slice(tsig.MacOffset, tsig.MacLength);
        if (!Finish(key, hash, mac))
            return End(ref exchange, TsigStatus.BadSig);
        exchange.SetMac(mac);
        exchange.IsStream = true;
        exchange.UnsignedMessages = 0;

        switch (tsig.Error)
        {
            case TsigError.NoError:
                break;
            case TsigError.BadTime:
                // §5.4.3: a verified BADTIME tells the server's clock, for the caller to log or adjust.
                if (tsig.OtherLength == TsigRecord.TimeLength)
                    exchange.PeerClock = TsigRecord.ReadUInt48(message[tsig.OtherOffset..]);
                return End(ref exchange, TsigStatus.BadTime);
            case TsigError.BadTrunc:
                return End(ref exchange, TsigStatus.BadTrunc);
            case TsigError.BadKey:
                return End(ref exchange, TsigStatus.BadKey);
            default:
                return End(ref exchange, TsigStatus.BadSig);
        }
        return InWindow(tsig.TimeSigned, tsig.Fudge) ? TsigStatus.Verified : End(ref exchange, TsigStatus.BadTime);
    }

    private static TsigStatus AddUnsigned(ReadOnlySpan<byte> message, ref TsigExchange exchange, TsigKey key)
    {
        // §5.3.1: the first message must be signed, and at most 99 may follow unsigned.
        if (!exchange.IsStream || exchange.UnsignedMessages >= MaxUnsignedMessages)
            return End(ref exchange, TsigStatus.MissingSignature);
        if (exchange.Pending is null)
        {
            var hash = key.Rent();
            TsigRecord.AppendMac(hash, exchange.Mac);
            exchange.Pending = hash;
        }
        exchange.Pending.AppendData(message);
        exchange.UnsignedMessages++;
        return TsigStatus.Unsigned;
    }

    private static TsigStatus End(ref TsigExchange exchange, TsigStatus status)
    {
        exchange.DropPending();
        return status;
    }

    /// <summary>RFC 8945 §5.2.2.1: no longer than the hash, no shorter than max(10, half of it).</summary>
    private static bool MacSizeAllowed(TsigKey key, int macLength) =>
        macLength <= key.MacSize && macLength >= TsigAlgorithms.MinimumMacSize(key.Algorithm);

    private static void AppendVariables(IncrementalHash hash, ReadOnlySpan<byte> message, TsigKey key, in TsigFields tsig) =>
        TsigRecord.AppendVariables(hash, key.CanonicalName, tsig.Ttl, TsigAlgorithms.NameOf(key.Algorithm).Wire, tsig.TimeSigned, tsig.Fudge,
            tsig.Error, message.Slice(tsig.OtherOffset, tsig.OtherLength));

    /// <summary>
    /// Completes the digest and compares it with the received MAC, truncated to its length when
    /// the sender truncated (§5.2.2.1 rule 4), in constant time.
    /// </summary>
    private static bool Finish(TsigKey key, IncrementalHash hash, ReadOnlySpan<byte> mac)
    {
        Span<byte> computed = stackalloc byte[TsigAlgorithms.MaxMacSize];
        hash.TryGetHashAndReset(computed, out _);
        key.Return(hash);
        return CryptographicOperations.FixedTimeEquals(computed[..mac.Length], mac);
    }

    private bool InWindow(ulong timeSigned, ushort fudge)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        long skew = now - (long)timeSigned;
        return Math.Abs(skew) <= fudge;
    }
}
