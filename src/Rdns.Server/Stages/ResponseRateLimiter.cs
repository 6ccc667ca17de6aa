using System.Numerics;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;

namespace Rdns.Server.Stages;

/// <summary>
/// Response rate limiting with the semantics of Knot's mod-rrl and BIND's RRL: UDP responses are
/// counted per client network (/24, /56), response class and name — the query name for answers
/// and NODATA, the zone for NXDOMAIN and referrals (so random names under one zone share one
/// account), nothing for errors — and past <see cref="RrlOptions.Rate"/> a second, every
/// <see cref="RrlOptions.Slip"/>th response goes out truncated (header and question only, TC set)
/// and the rest are dropped. TCP, clients with a valid server cookie (RFC 7873, proven not
/// spoofed) and exempt prefixes are never limited. The table is a fixed array of buckets updated
/// with compare-and-swap: no locks, no allocation, a few MiB whatever the flood.
/// </summary>
public sealed partial class ResponseRateLimiter : IQueryStage
{
    private enum Class : byte
    {
        Positive = 1,
        NoData,
        NxDomain,
        Referral,
        Error,
    }

    // Rate, slip and exemptions may change at run time (SIGHUP); a query reads each once.
    private volatile int _rate;
    private volatile int _slip;
    private readonly int _v4Bits;
    private readonly int _v6Bits;
    private volatile Addressing.IpPrefix[] _exempt;
    /// <summary>The responses counted in a bucket's second.</summary>
    private const int CountBits = 20;

    /// <summary>The low bits of the clock's second a bucket counts.</summary>
    private const int SecondBits = 20;

    /// <summary>The low bits of the key a bucket holds the account of.</summary>
    private const int TagBits = 64 - SecondBits - CountBits;

    private const uint CountMask = (1u << CountBits) - 1;

    private const uint SecondMask = (1u << SecondBits) - 1;

    /// <summary>
    /// One account per bucket in one 64-bit word, changed by one compare-and-swap: the key's low
    /// <see cref="TagBits"/> bits (which tell apart two accounts that share a bucket, but for one
    /// pair in 16 million), the second it counts (the low <see cref="SecondBits"/> bits of the
    /// clock's: a bucket left untouched for a multiple of 12 days to the second and then hit by the
    /// same account is the only way an old count is taken for the current one) and the responses
    /// counted in it (<see cref="CountBits"/> bits). Eight octets a bucket: 3 MiB at the default
    /// size once traffic from many clients and names has reached every bucket.
    /// </summary>
    private readonly long[] _buckets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogThrottle _logThrottle;
    private long _limited;
    private long _slipped;

    public ResponseRateLimiter(RrlOptions options, ILogger logger, TimeProvider? time = null)
    {
        options.Validate();
        _rate = options.Rate;
        _slip = options.Slip;
        _v4Bits = options.Ipv4PrefixLength;
        _v6Bits = options.Ipv6PrefixLength;
        _exempt = [.. options.ExemptPrefixes()];
        _buckets = new long[options.TableSize];
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _logThrottle = new LogThrottle(TimeSpan.FromSeconds(10), _time);
    }

    public bool Enabled => _rate > 0;

    /// <summary>
    /// Takes a new rate, slip and exempt list (a settings reload); the table and its prefix lengths
    /// stay as they were (they size memory and key the accounts, so they change with a restart).
    /// </summary>
    public void Reconfigure(RrlOptions options)
    {
        options.Validate();
        _exempt = [.. options.ExemptPrefixes()];
        _slip = options.Slip;
        _rate = options.Rate;
    }

    /// <summary>Responses over the rate: dropped or slipped.</summary>
    public long Limited => Interlocked.Read(ref _limited);

    /// <summary>Limited responses sent truncated instead of dropped.</summary>
    public long Slipped => Interlocked.Read(ref _slipped);

    public StageVerdict Admit(ref DnsRequest request) => StageVerdict.Continue;

    public bool Admits => false;

    public void Complete(ref DnsRequest request)
    {
        if (_rate == 0 || request.Source.Transport != DnsTransport.Udp || request.ValidCookie ||
            request.Action != ResponseAction.Send || request.Length == 0)
            return;
        var client = request.Source.Client;
        if (!client.IsKnown || IsExempt(client))
            return;
        var cls = Classify(request.Kind);
        if (cls == 0)
            return;
        ReadOnlySpan<byte> name = cls switch
        {
            Class.Positive or Class.NoData => request.Parsed.HasQuestion ? request.QuestionName : default,
            Class.NxDomain or Class.Referral => request.ZoneName,
            _ => default,
        };
        var network = client.Network(client.IsV6 ? _v6Bits : _v4Bits);
        int count = Account(Key(cls, client.IsV6, network, name));
        if (count <= _rate)
            return;
        Interlocked.Increment(ref _limited);
        int excess = count - _rate;
        if (_slip > 0 && excess % _slip == 0)
        {
            // The slipped reply: a client that speaks cookies gets BADCOOKIE with a fresh server
            // cookie, so its retry proves it is no spoofer and is answered (RFC 7873 §5.4); any
            // other gets TC and retries over TCP. Neither is larger than the query, about.
            if (request.HasClientCookie && request.Parsed.Edns.Present)
                request.RespondWith(Rcode.BadCookie, AnswerKind.Error);
            else
                request.Slip();
            Interlocked.Increment(ref _slipped);
        }
        else
        {
            request.Action = ResponseAction.Drop;
        }
        if (_logger.IsEnabled(LogLevel.Warning) && _logThrottle.TryEnter(out long suppressed))
            LogLimiting(_logger, new ClientAddress(client.IsV6, network, 0).ToIPAddress().ToString(), client.IsV6 ? _v6Bits : _v4Bits, cls.ToString(), suppressed);
    }

    private static Class Classify(AnswerKind kind) => kind switch
    {
        AnswerKind.Positive or AnswerKind.DefaultName => Class.Positive,
        AnswerKind.NoData => Class.NoData,
        AnswerKind.NxDomain => Class.NxDomain,
        AnswerKind.Referral => Class.Referral,
        AnswerKind.Error or AnswerKind.Refused => Class.Error,
        _ => 0,
    };

    private bool IsExempt(ClientAddress client)
    {
        if (_exempt.Length == 0)
            return false;
        var address = client.ToIpAddress();
        foreach (var prefix in _exempt)
        {
            if (prefix.Contains(address))
                return true;
        }
        return false;
    }

    /// <summary>
    /// A 64-bit key: a seeded hash (HashCode's seed is random per process, so a spoofer cannot aim
    /// at one bucket) of class, network and name in the high half, a plain mix of the same in the
    /// low half so two accounts that share a bucket are told apart; its bucket is the key modulo
    /// the table size.
    /// </summary>
    private static ulong Key(Class cls, bool v6, UInt128 network, ReadOnlySpan<byte> name)
    {
        uint nameHash = name.IsEmpty ? 0 : (uint)WireName.HashIgnoreCase(name);
        ulong folded = (ulong)network ^ (ulong)(network >> 64);
        uint seeded = (uint)HashCode.Combine((byte)cls, v6, folded, nameHash);
        uint plain = (uint)(folded * 0x9E3779B97F4A7C15UL >> 32) ^ (nameHash * 0x85EBCA6Bu) ^ ((uint)cls * 0x27D4EB2Fu) ^ (v6 ? 1u : 0u);
        return ((ulong)seeded << 32) | plain;
    }

    /// <summary>Counts one response in its bucket's current second; returns the count so far (at most <see cref="RrlOptions.MaxRate"/> + 1).</summary>
    private int Account(ulong key)
    {
        ref long bucket = ref _buckets[(int)(key % (ulong)_buckets.Length)];
        ulong tag = key & ((1UL << TagBits) - 1);
        ulong now = (ulong)(_time.GetTimestamp() / _time.TimestampFrequency) & SecondMask;
        while (true)
        {
            ulong old = (ulong)Volatile.Read(ref bucket);
            // The same account in the same second counts on; anything else (another key, an older
            // second) makes the bucket this key's, from one.
            bool same = old >> (SecondBits + CountBits) == tag && ((old >> CountBits) & SecondMask) == now;
            uint count = same ? Math.Min(((uint)old & CountMask) + 1, CountMask) : 1;
            ulong next = tag << (SecondBits + CountBits) | now << CountBits | count;
            if (Interlocked.CompareExchange(ref bucket, (long)next, (long)old) == (long)old)
                return (int)count;
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Rate limiting responses to {Network}/{Length} ({ResponseClass}); {Suppressed} similar events since the last line")]
    private static partial void LogLimiting(ILogger logger, string network, int length, string responseClass, long suppressed);
}
