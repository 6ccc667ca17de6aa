using System.Buffers.Binary;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using static Rdns.Fuzz.FuzzTargets;

namespace Rdns.Fuzz;

/// <summary>
/// TSIG (RFC 8945) on any bytes. The first octet picks what is fuzzed (the low two bits) and,
/// where a key is needed, which (the next two):
/// <list type="number">
/// <item>a server verifying a request as received, then signing its answer;</item>
/// <item>our own signature on any message: a request we sign must verify, and the answer the
/// server signs for it must verify at the client (the sign/verify round trip);</item>
/// <item>a client verifying a stream of responses (two-octet length before each, as over TCP)
/// to a request it signed;</item>
/// <item>the key-file reader (BIND <c>key</c> syntax) on any text: only
/// <see cref="TsigKeyFileException"/>, and every key read writes back to itself.</item>
/// </list>
/// The clock is fixed, so time checks depend on the input only.
/// </summary>
internal sealed class TsigTarget : IFuzzTarget
{
    private static readonly FixedClock Clock = new(FuzzZones.Now);
    private readonly TsigVerifier _verifier = new(FuzzZones.Keys, Clock);
    private readonly TsigSigner _signer = new(Clock);
    private readonly TsigKey[] _keys = [.. FuzzZones.Keys.Keys.OrderBy(k => k.Name.ToString(), StringComparer.Ordinal)];
    private readonly byte[] _buffer = new byte[ushort.MaxValue + 1024];
    private readonly byte[] _answer = new byte[ushort.MaxValue + 1024];
    private readonly byte[] _request = DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.AXFR, id: 0x5eed).ToWire();

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        var key = _keys[(input[0] >> 2) % _keys.Length];
        var rest = input[1..];
        switch (input[0] & 3)
        {
            case 0:
                VerifyRequest(rest);
                break;
            case 1:
                SignAndVerify(rest, key);
                break;
            case 2:
                VerifyStream(rest, key);
                break;
            default:
                KeyFile(rest);
                break;
        }
    }

    private void VerifyRequest(ReadOnlySpan<byte> message)
    {
        if (!TsigVerifier.TryFindTsig(message, out int offset) || offset < 0)
            return;
        var status = _verifier.VerifyRequest(message, offset, out var exchange);
        if (status == TsigStatus.FormErr)
            return;
        // The answer: the request without its TSIG, as a response, NOTAUTH for a TSIG error (§5.2).
        int length = offset;
        message[..length].CopyTo(_buffer);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(10)) - 1));
        _buffer[2] |= 0x80;
        _buffer[3] = (byte)((_buffer[3] & 0xF0) | (status == TsigStatus.Verified ? 0 : (int)Rcode.NotAuth));
        int before = length;
        if (_signer.TrySign(_buffer, ref length, ref exchange))
        {
            Check(length > before && length <= before + exchange.MaxRecordLength, $"signing appended {length - before} octets, at most {exchange.MaxRecordLength} announced");
            Check(TsigVerifier.TryFindTsig(_buffer.AsSpan(0, length), out int signed) && signed == before, "the signed answer's TSIG is not where it was appended");
        }
    }

    private void SignAndVerify(ReadOnlySpan<byte> message, TsigKey key)
    {
        if (message.Length < DnsHeader.Size || message.Length > ushort.MaxValue)
            return;
        // Only a well-formed message without a TSIG of its own is one we would sign.
        if (!TsigVerifier.TryFindTsig(message, out int existing) || existing >= 0 || BinaryPrimitives.ReadUInt16BigEndian(message[10..]) == ushort.MaxValue)
            return;
        message.CopyTo(_buffer);
        int length = message.Length;
        Check(_signer.TrySignRequest(_buffer, ref length, key, out var client), "a message with room for its TSIG could not be signed");
        var signed = _buffer.AsSpan(0, length);
        Check(TsigVerifier.TryFindTsig(signed, out int offset) && offset == message.Length, "our TSIG is not found where we put it");
        var status = _verifier.VerifyRequest(signed, offset, out var server);
        Check(status == TsigStatus.Verified, $"our own signature verifies as {status}");

        // The server's answer: the same message back as a response, signed with the exchange.
        message.CopyTo(_answer);
        _answer[2] |= 0x80;
        int answerLength = message.Length;
        Check(_signer.TrySign(_answer, ref answerLength, ref server), "the answer could not be signed");
        var answer = _answer.AsSpan(0, answerLength);
        Check(TsigVerifier.TryFindTsig(answer, out int answerOffset) && answerOffset == message.Length, "the answer's TSIG is not where it was appended");
        status = _verifier.VerifyResponse(answer, answerOffset, ref client);
        Check(status == TsigStatus.Verified, $"the server's signed answer verifies as {status} at the client");
    }

    private void VerifyStream(ReadOnlySpan<byte> stream, TsigKey key)
    {
        _request.CopyTo(_buffer, 0);
        int length = _request.Length;
        if (!_signer.TrySignRequest(_buffer, ref length, key, out var exchange))
            return;
        while (stream.Length >= 2)
        {
            int size = BinaryPrimitives.ReadUInt16BigEndian(stream);
            var message = stream.Slice(2, Math.Min(size, stream.Length - 2));
            stream = stream[(2 + message.Length)..];
            if (!TsigVerifier.TryFindTsig(message, out int offset))
                return;
            var status = _verifier.VerifyResponse(message, offset, ref exchange);
            if (status is not (TsigStatus.Verified or TsigStatus.Unsigned))
                return;
        }
    }

    private static void KeyFile(ReadOnlySpan<byte> input)
    {
        IReadOnlyList<TsigKey> keys;
        try
        {
            keys = TsigKeyFile.Parse(Encoding.UTF8.GetString(input), "fuzz");
        }
        catch (TsigKeyFileException e)
        {
            Check(e.Line >= 1, $"key file error on line {e.Line}");
            return;
        }
        foreach (var key in keys)
        {
            var again = TsigKeyFile.Parse(key.ToBindText(), "written");
            Check(again.Count == 1 && again[0].Name.Equals(key.Name) && again[0].Algorithm == key.Algorithm && again[0].Secret.SequenceEqual(key.Secret),
                $"key {key.Name} does not read back from its own text");
        }
    }
}
