using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tsig;

/// <summary>What checking a TSIG record found (RFC 8945 §5.2 for requests, §5.4 for responses).</summary>
public enum TsigStatus
{
    /// <summary>The MAC is right and the time inside the window.</summary>
    Verified,

    /// <summary>
    /// A later message of a response stream came without TSIG; accepted for now, since RFC 8945
    /// §5.3.1 lets up to 99 pass between signed ones, and covered by the next signed message's MAC.
    /// </summary>
    Unsigned,

    /// <summary>The TSIG record is malformed or its MAC size breaks RFC 8945 §5.2.2.1: answer FORMERR, unsigned.</summary>
    FormErr,

    /// <summary>Unknown key, or a key used with another algorithm (§5.2.1); or the peer said BADKEY.</summary>
    BadKey,

    /// <summary>The MAC does not verify (§5.2.2); or the peer said BADSIG.</summary>
    BadSig,

    /// <summary>Time Signed is further than Fudge from our clock (§5.2.3); or the peer said BADTIME.</summary>
    BadTime,

    /// <summary>The peer said its truncation policy refused our MAC (§5.2.4).</summary>
    BadTrunc,

    /// <summary>
    /// A response that must be signed was not: the first message (§5.3), or more than 99 in a row
    /// (§5.3.1). RFC 8945 treats the response as a format error and the connection as hijacked.
    /// </summary>
    MissingSignature,
}

/// <summary>
/// One TSIG conversation (RFC 8945): a request and its response, or its stream of responses.
/// Holds the key, the MAC that chains the next message to this one (the request MAC, then each
/// prior MAC, §4.3.1 and §5.3.1) and the error the server's answer must carry. Created by
/// <see cref="TsigVerifier.VerifyRequest"/> on a server and by <see cref="TsigSigner.TrySignRequest"/>
/// on a client; passed by reference to every later call. A mutable struct so that a request
/// needs no allocation: never copy one that is still in use.
/// </summary>
public struct TsigExchange
{
    [InlineArray(TsigAlgorithms.MaxMacSize)]
    internal struct MacBuffer
    {
        private byte _element;
    }

    private MacBuffer _mac;
    private int _macLength;

    /// <summary>The key of the exchange; null when the request named a key we do not have.</summary>
    public TsigKey? Key { get; internal set; }

    /// <summary>The error the server's answer must carry (set by <see cref="TsigVerifier.VerifyRequest"/>).</summary>
    public TsigError Error { get; internal set; }

    /// <summary>The error field of the last TSIG record received from the peer.</summary>
    public TsigError PeerError { get; internal set; }

    /// <summary>Time Signed of the last TSIG record received (seconds since 1970).</summary>
    public ulong PeerTimeSigned { get; internal set; }

    /// <summary>The peer's clock from the Other Data of a BADTIME answer (RFC 8945 §5.2.3), else null.</summary>
    public ulong? PeerClock { get; internal set; }

    /// <summary>Messages of a response stream received without TSIG since the last signed one.</summary>
    public int UnsignedMessages { get; internal set; }

    /// <summary>True once a first response has been signed or verified: later ones chain to the prior MAC (§5.3.1).</summary>
    public bool IsStream { get; internal set; }

    /// <summary>The key name the request used, even when no key has it (the BADKEY answer repeats it).</summary>
    public readonly DnsName? KeyName => Key?.Name ?? UnknownKeyName;

    /// <summary>The most octets signing will append: reserve this much before writing the message.</summary>
    public readonly int MaxRecordLength
    {
        get
        {
            if (Key is { } key)
                return TsigSigner.MaxRecordLength(key);
            if (UnknownKeyName is { } name && UnknownAlgorithmName is { } algorithm)
                return TsigRecord.Length(name.Length, algorithm.Length, 0, 0);
            return 0;
        }
    }

    internal DnsName? UnknownKeyName { get; set; }

    internal DnsName? UnknownAlgorithmName { get; set; }

    /// <summary>Time Signed of the request, which a BADTIME answer repeats (§5.2.3).</summary>
    internal ulong RequestTimeSigned { get; set; }

    /// <summary>Running digest of a stream's unsigned messages, started with the prior MAC.</summary>
    internal IncrementalHash? Pending { get; set; }

    /// <summary>The request MAC, or once <see cref="IsStream"/> the prior MAC.</summary>
    [UnscopedRef]
    internal readonly ReadOnlySpan<byte> Mac => ((ReadOnlySpan<byte>)_mac)[.._macLength];

    internal void SetMac(ReadOnlySpan<byte> mac)
    {
        mac.CopyTo(_mac);
        _macLength = mac.Length;
    }

    /// <summary>
    /// Gives a stream's running digest back to the key's pool: a client that abandons a stream
    /// part way (a transfer that failed) calls it; a stream that ended in a verdict needs nothing.
    /// </summary>
    public void DropPending()
    {
        if (Pending is { } pending)
        {
            Key?.Return(pending, finished: false);
            Pending = null;
        }
    }
}
