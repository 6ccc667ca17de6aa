using System.Buffers;
using System.Runtime.CompilerServices;
using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Dnssec;

/// <summary>
/// Signs one zone's answers online: the RRSIGs of each RRset an answer carries, made when first
/// needed and then taken from the <see cref="SignatureCache"/>, and the NSEC records that deny
/// names and types (see <see cref="DenialMode"/>). Zone-signing keys sign everything but the
/// apex's DNSKEY, CDS and CDNSKEY RRsets, which the key-signing keys sign (a combined signing key
/// is in both lists; during a rollover two keys are, and both sign). Immutable: a key change
/// makes a new signer, published with the zone set. Safe on every worker at once; a warm answer
/// allocates nothing.
/// </summary>
public sealed partial class ZoneSigner
{
    /// <summary>Signing buffers up to this size live on the stack; larger RRsets rent one.</summary>
    private const int StackBuffer = 4096;

    private readonly byte[] _signer;
    private readonly SigningKey[] _zoneKeys;
    private readonly SigningKey[] _keyKeys;
    private readonly TimeProvider _time;
    private readonly uint _validity;
    private readonly uint _refresh;
    private readonly uint _inceptionOffset;

    public ZoneSigner(DnsName apex, IReadOnlyList<SigningKey> zoneSigningKeys, IReadOnlyList<SigningKey> keySigningKeys,
        DenialMode denial, SignaturePolicy policy, SignatureCache cache, TimeProvider time)
    {
        if (zoneSigningKeys.Count == 0 || keySigningKeys.Count == 0)
            throw new ArgumentException("a signed zone needs at least one zone-signing and one key-signing key");
        Apex = apex;
        _signer = apex.ToLowerWire();
        _zoneKeys = [.. zoneSigningKeys];
        _keyKeys = [.. keySigningKeys];
        Denial = denial;
        Policy = policy;
        Cache = cache;
        _time = time;
        _validity = (uint)policy.Validity.TotalSeconds;
        _refresh = (uint)Math.Min(policy.Refresh.TotalSeconds, policy.Validity.TotalSeconds);
        _inceptionOffset = (uint)policy.InceptionOffset.TotalSeconds;
    }

    public DnsName Apex { get; }

    public DenialMode Denial { get; }

    public SignaturePolicy Policy { get; }

    public SignatureCache Cache { get; }

    /// <summary>Keys that sign every RRset but the apex's DNSKEY, CDS and CDNSKEY.</summary>
    public IReadOnlyList<SigningKey> ZoneSigningKeys => _zoneKeys;

    /// <summary>Keys that sign the apex's DNSKEY, CDS and CDNSKEY RRsets.</summary>
    public IReadOnlyList<SigningKey> KeySigningKeys => _keyKeys;

    /// <summary>The most octets the signatures of one RRset can add to a message (for room planning).</summary>
    public int SignatureOverhead(RecordType type) =>
        KeysFor(type).Length * (2 + 10 + Rrsig.FixedSize + _signer.Length + 64);

    private SigningKey[] KeysFor(RecordType type) =>
        type is RecordType.DNSKEY or RecordType.CDS or RecordType.CDNSKEY ? _keyKeys : _zoneKeys;

    /// <summary>
    /// Writes the RRSIGs of the RRset <paramref name="owner"/>/<paramref name="type"/> into
    /// <paramref name="section"/>; false (and nothing written) when they do not fit.
    /// </summary>
    public bool TrySign(ref DnsMessageWriter w, Section section, scoped ReadOnlySpan<byte> owner, RecordType type, uint ttl, scoped RdataList data) =>
        TrySign(ref w, section, owner, type, ttl, ttl, data);

    /// <summary>
    /// As above for an RRset sent with a TTL below its own (the SOA of a negative answer, RFC 2308
    /// §3): the signature covers <paramref name="originalTtl"/>, the RRSIG is sent with <paramref name="ttl"/>.
    /// </summary>
    public bool TrySign(ref DnsMessageWriter w, Section section, scoped ReadOnlySpan<byte> owner, RecordType type, uint originalTtl, uint ttl, scoped RdataList data)
    {
        var mark = w.GetMark();
        foreach (var key in KeysFor(type))
        {
            var entry = Signature(key, owner, type, originalTtl, data);
            if (!w.TryWriteRecord(section, owner, RecordType.RRSIG, RecordClass.IN, ttl, entry.Rrsig))
            {
                w.Rollback(mark);
                return false;
            }
        }
        return true;
    }

    /// <summary>The RRSIG RDATA of an RRset, one per signing key (for zone transfers).</summary>
    public void Sign(ReadOnlySpan<byte> owner, RecordType type, uint ttl, scoped RdataList data, List<byte[]> into)
    {
        foreach (var key in KeysFor(type))
            into.Add(Signature(key, owner, type, ttl, data).Rrsig);
    }

    [SkipLocalsInit]
    private SignatureEntry Signature(SigningKey key, scoped ReadOnlySpan<byte> owner, RecordType type, uint ttl, scoped RdataList data)
    {
        int signed = Rrsig.FixedSize + _signer.Length + CanonicalForm.MaxSize(owner.Length, data);
        int needed = signed + data.TotalLength;
        byte[]? rented = null;
        Span<byte> buffer = needed <= StackBuffer ? stackalloc byte[StackBuffer] : (rented = ArrayPool<byte>.Shared.Rent(needed));
        try
        {
            // The octets a signature covers (RFC 4034 §3.1.8.1), first with zero times: the cache key.
            int header = Rrsig.WriteHeader(buffer, type, key.Algorithm, CanonicalForm.Labels(owner), ttl, 0, 0, key.KeyTag, _signer);
            int records = CanonicalForm.WriteRRset(owner, type, ttl, data, buffer[header..signed], buffer[signed..]);
            if (records < 0)
                throw new InvalidOperationException("signing buffer too small");
            var tbs = buffer[..(header + records)];
            var hasher = new HashCode();
            hasher.AddBytes(tbs);
            int hash = hasher.ToHashCode();
            long now = _time.GetUtcNow().ToUnixTimeSeconds();
            var entry = Cache.Find(hash, tbs, now);
            if (entry is not null)
                return entry;
            entry = Make(key, tbs, header, hash, now);
            Cache.Store(entry);
            return entry;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private SignatureEntry Make(SigningKey key, Span<byte> tbs, int header, int hash, long now)
    {
        var cacheKey = tbs.ToArray();
        // RFC 4034 §3.1.5: times are 32-bit serial numbers; the truncation is the wire format's.
        uint inception = (uint)(now - _inceptionOffset);
        uint expiration = (uint)(now + _validity);
        Rrsig.WriteTimes(tbs, expiration, inception);
        var rrsig = new byte[header + key.SignatureSize];
        tbs[..header].CopyTo(rrsig);
        key.Sign(tbs, rrsig.AsSpan(header));
        return new SignatureEntry(hash, cacheKey, rrsig, now + _validity - _refresh);
    }

    /// <summary>
    /// Writes the NSEC <paramref name="owner"/> → <paramref name="next"/> with the bitmap of
    /// <paramref name="types"/> (RRSIG and NSEC are added) into <paramref name="section"/>, and its RRSIG.
    /// </summary>
    [SkipLocalsInit]
    public bool TryWriteNsec(ref DnsMessageWriter w, Section section, scoped ReadOnlySpan<byte> owner, scoped ReadOnlySpan<byte> next, scoped ReadOnlySpan<ushort> types, uint ttl)
    {
        Span<ushort> all = stackalloc ushort[types.Length + 2];
        types.CopyTo(all);
        all[^2] = (ushort)RecordType.RRSIG;
        all[^1] = (ushort)RecordType.NSEC;
        Span<byte> rdata = stackalloc byte[DnsName.MaxLength + Nsec.MaxBitmapSize(all.Length)];
        int length = Nsec.Write(next, all, rdata);
        var mark = w.GetMark();
        if (w.TryWriteRecord(section, owner, RecordType.NSEC, RecordClass.IN, ttl, rdata[..length])
            && TrySign(ref w, section, owner, RecordType.NSEC, ttl, new RdataList(rdata[..length])))
            return true;
        w.Rollback(mark);
        return false;
    }
}
