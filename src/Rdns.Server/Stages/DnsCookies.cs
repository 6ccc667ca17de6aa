using System.Buffers.Binary;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;

namespace Rdns.Server.Stages;

/// <summary>
/// DNS cookies (RFC 7873) with interoperable server cookies (RFC 9018): version 1, a timestamp,
/// and SipHash-2-4 over the client cookie, version, timestamp and client address under a secret
/// every node shares. A query with a valid server cookie is marked so (it cannot be spoofed, so
/// rate limiting leaves it alone); every response to a query with a cookie carries a fresh server
/// cookie; a malformed cookie option is FORMERR (§5.2.2). No allocation.
/// </summary>
public sealed class DnsCookies(CookieSecrets secrets, TimeProvider? time = null) : IQueryStage
{
    private const int ClientLength = 8;
    private const int ServerLength = 16;
    private const byte Version = 1;

    /// <summary>RFC 9018 §4.3: a cookie older than an hour, or more than five minutes ahead, is not valid.</summary>
    private const uint MaxAge = 3600;
    private const uint MaxAhead = 300;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _valid;
    private long _invalid;
    private long _clientOnly;

    /// <summary>Queries whose server cookie checked out.</summary>
    public long Valid => Interlocked.Read(ref _valid);

    /// <summary>Queries with a server cookie that did not (wrong secret, too old, another address).</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Queries with a client cookie only (a first contact).</summary>
    public long ClientOnly => Interlocked.Read(ref _clientOnly);

    public StageVerdict Admit(ref DnsRequest request)
    {
        if (!request.Parsed.Edns.Present || !request.WellFormed)
            return StageVerdict.Continue;
        var options = request.Query.Slice(request.Parsed.Edns.OptionsOffset, request.Parsed.Edns.OptionsLength);
        if (!TryFindCookie(options, out var cookie))
            return StageVerdict.Continue;
        // RFC 7873 §5.2.2: a client cookie alone is 8 octets; with a server cookie, 16 to 40.
        if (cookie.Length < ClientLength || (cookie.Length > ClientLength && cookie.Length < 16) || cookie.Length > 40)
        {
            request.Rcode = Rcode.FormErr;
            return StageVerdict.Respond;
        }
        var client = cookie[..ClientLength];
        request.HasClientCookie = true;
        uint now = Now();
        if (cookie.Length == ClientLength + ServerLength && IsValid(client, cookie[ClientLength..], request.Source.Client, now))
        {
            request.ValidCookie = true;
            Interlocked.Increment(ref _valid);
        }
        else if (cookie.Length > ClientLength)
        {
            Interlocked.Increment(ref _invalid);
        }
        else
        {
            Interlocked.Increment(ref _clientOnly);
        }
        Span<byte> reply = stackalloc byte[ClientLength + ServerLength];
        client.CopyTo(reply);
        Make(client, request.Source.Client, now, secrets.Current, reply[ClientLength..]);
        request.TryAddOption(EdnsOptionCodes.Cookie, reply);
        return StageVerdict.Continue;
    }

    public void Complete(ref DnsRequest request)
    {
    }

    public bool Completes => false;

    private uint Now() => (uint)_time.GetUtcNow().ToUnixTimeSeconds();

    private bool IsValid(ReadOnlySpan<byte> client, ReadOnlySpan<byte> server, ClientAddress address, uint now)
    {
        if (server[0] != Version || server[1] != 0 || server[2] != 0 || server[3] != 0)
            return false;
        uint stamp = BinaryPrimitives.ReadUInt32BigEndian(server[4..]);
        // Serial arithmetic (RFC 1982) on the 32-bit timestamp, as RFC 9018 §4.3 asks.
        int age = (int)(now - stamp);
        if (age > MaxAge || age < -MaxAhead)
            return false;
        Span<byte> expected = stackalloc byte[ServerLength];
        Make(client, address, stamp, secrets.Current, expected);
        if (expected.SequenceEqual(server))
            return true;
        if (secrets.Previous is not { } previous)
            return false;
        Make(client, address, stamp, previous, expected);
        return expected.SequenceEqual(server);
    }

    /// <summary>Version | Reserved | Timestamp | SipHash-2-4(Client Cookie | Version | Reserved | Timestamp | Client-IP) (RFC 9018 §4).</summary>
    internal static void Make(ReadOnlySpan<byte> client, ClientAddress address, uint stamp, ReadOnlySpan<byte> secret, Span<byte> server)
    {
        server[0] = Version;
        server[1] = server[2] = server[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(server[4..], stamp);
        Span<byte> input = stackalloc byte[ClientLength + 8 + 16];
        client.CopyTo(input);
        server[..8].CopyTo(input[ClientLength..]);
        int length = ClientLength + 8;
        if (address.IsV6)
        {
            BinaryPrimitives.WriteUInt128BigEndian(input[length..], address.Value);
            length += 16;
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(input[length..], (uint)address.Value);
            length += 4;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(server[8..], SipHash.Hash24(secret, input[..length]));
    }

    private static bool TryFindCookie(ReadOnlySpan<byte> options, out ReadOnlySpan<byte> cookie)
    {
        int pos = 0;
        while (pos + 4 <= options.Length)
        {
            ushort code = BinaryPrimitives.ReadUInt16BigEndian(options[pos..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(options[(pos + 2)..]);
            if (pos + 4 + length > options.Length)
                break;
            if (code == EdnsOptionCodes.Cookie)
            {
                cookie = options.Slice(pos + 4, length);
                return true;
            }
            pos += 4 + length;
        }
        cookie = default;
        return false;
    }
}
