using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Server.Transfers;

/// <summary>
/// TSIG (RFC 8945) for transfers and NOTIFY: requests are verified against the key ring, every
/// response message is signed (streams chained per §5.3.1), and failures are answered NOTAUTH with
/// the TSIG error the RFC prescribes (BADKEY and BADSIG unsigned, BADTIME signed, §5.2).
/// </summary>
public sealed class TsigTransferSecurity : ITransferSecurity, INotifySigner
{
    private readonly TimeProvider? _time;
    private readonly TsigSigner _signer;
    private volatile KeyState _state;

    /// <summary>The key ring and its verifier, swapped whole when the keys change.</summary>
    private sealed record KeyState(TsigKeyRing Keys, TsigVerifier Verifier);

    public TsigTransferSecurity(TsigKeyRing keys, TimeProvider? time = null)
    {
        _time = time;
        _state = new KeyState(keys, new TsigVerifier(keys, time));
        _signer = new TsigSigner(time);
    }

    /// <summary>The keys in use now.</summary>
    public TsigKeyRing Keys => _state.Keys;

    /// <summary>
    /// Uses <paramref name="keys"/> from the next request on (keys added or revoked through the
    /// API); requests under way finish with the ring they started with.
    /// </summary>
    public void UseKeys(TsigKeyRing keys) => _state = new KeyState(keys, new TsigVerifier(keys, _time));

    public ITransferSession Begin(ReadOnlySpan<byte> query, in ParsedRequest request)
    {
        if (request.TsigOffset < 0)
            return Unsigned.Instance;
        var status = _state.Verifier.VerifyRequest(query, request.TsigOffset, out var exchange);
        return status switch
        {
            TsigStatus.Verified => new Session(_signer, exchange, null),
            TsigStatus.FormErr => new Session(_signer, exchange, "malformed TSIG record") { FormErr = true },
            _ => new Session(_signer, exchange, $"TSIG {status} (key {exchange.KeyName?.ToString() ?? "?"})"),
        };
    }

    public int Sign(Span<byte> message, int length, string keyName, out object? state)
    {
        var key = _state.Keys.Find(DnsName.Parse(keyName)) ?? throw new InvalidOperationException($"no TSIG key {keyName}");
        if (!_signer.TrySignRequest(message, ref length, key, out var exchange))
            throw new InvalidOperationException("the NOTIFY does not fit with its signature");
        state = new ExchangeBox { Exchange = exchange };
        return length;
    }

    public bool Verify(ReadOnlySpan<byte> response, string keyName, object? state)
    {
        if (state is not ExchangeBox box || !TsigVerifier.TryFindTsig(response, out int offset) || offset < 0)
            return false;
        return _state.Verifier.VerifyResponse(response, offset, ref box.Exchange) == TsigStatus.Verified;
    }

    private sealed class ExchangeBox
    {
        public TsigExchange Exchange;
    }

    private sealed class Session(TsigSigner signer, TsigExchange exchange, string? error) : ITransferSession
    {
        private TsigExchange _exchange = exchange;

        public bool FormErr { get; init; }

        public string? Error { get; } = error;

        public Rcode ErrorRcode => Error is null ? Rcode.NoError : FormErr ? Rcode.FormErr : Rcode.NotAuth;

        public string? KeyName { get; } = error is null ? exchange.KeyName?.ToLower().ToString() : null;

        public int SignatureSpace => _exchange.MaxRecordLength;

        public int Finish(Span<byte> message, int length)
        {
            if (!signer.TrySign(message, ref length, ref _exchange))
                throw new InvalidOperationException("no room left for the TSIG record");
            return length;
        }

        public int WriteError(ReadOnlySpan<byte> query, in ParsedRequest request, Span<byte> buffer)
        {
            var w = new DnsMessageWriter(buffer, Math.Min(buffer.Length, 4096));
            w.Id = request.Header.Id;
            // RFC 8945 §5.2: TSIG failures are NOTAUTH with the error in the TSIG record;
            // a malformed TSIG is FORMERR without one.
            w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR, request.Header.Opcode, (int)ErrorRcode);
            w.Reserve(SignatureSpace);
            if (request.HasQuestion)
                w.TryWriteQuestion(request.QuestionName(query), request.QType, request.QClass);
            int length = w.Finish();
            return FormErr ? length : Finish(buffer, length);
        }
    }

    private sealed class Unsigned : ITransferSession
    {
        public static readonly Unsigned Instance = new();

        public string? Error => null;

        public Rcode ErrorRcode => Rcode.NoError;

        public string? KeyName => null;

        public int SignatureSpace => 0;

        public int Finish(Span<byte> message, int length) => length;

        public int WriteError(ReadOnlySpan<byte> query, in ParsedRequest request, Span<byte> buffer) => throw new InvalidOperationException("an unsigned request has no TSIG error");
    }
}
