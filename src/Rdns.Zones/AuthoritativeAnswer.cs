using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>How an authoritative lookup ended (RFC 1034 §4.3.2 step 3).</summary>
public enum AnswerState : byte
{
    /// <summary>Records answered the question (or a CNAME chain left the zone).</summary>
    Hit,
    /// <summary>The name exists without the type: NOERROR with the SOA (RFC 2308 §2.2).</summary>
    NoData,
    /// <summary>The name does not exist: NXDOMAIN with the SOA (RFC 2308 §2.1).</summary>
    NxDomain,
    /// <summary>The name is at or below a zone cut: NS in authority, glue in additional.</summary>
    Referral,
    /// <summary>A DNAME substitution made a name longer than 255 octets: YXDOMAIN (RFC 6672 §2.2).</summary>
    YxDomain,
}

/// <summary>What the answer writer decided, for the header.</summary>
/// <param name="CompactDenial">
/// A signed NXDOMAIN given as a compact answer (RFC 9824 §3.1): the name is denied by an NSEC with
/// NXNAME, and the RCODE is NOERROR.
/// </param>
public readonly record struct AnswerOutcome(AnswerState State, bool Authoritative, bool Truncated, bool Synthesized = false, bool CompactDenial = false)
{
    public Rcode Rcode => State switch
    {
        AnswerState.NxDomain => CompactDenial ? Rcode.NoError : Rcode.NXDomain,
        AnswerState.YxDomain => Rcode.YXDomain,
        _ => Rcode.NoError,
    };
}

/// <summary>
/// The authoritative answer algorithm of RFC 1034 §4.3.2, writing straight into the response:
/// exact matches, CNAME chains inside the zone (loops stop when a CNAME would repeat, RFC 1034
/// §3.6.2), wildcards (RFC 4592), empty non-terminals (RFC 8020), referrals at zone cuts with glue,
/// and negative answers carrying the SOA with the negative TTL (RFC 2308 §3). Minimal responses:
/// no NS in the authority section of positive answers. Signed zones add the RRSIGs of each RRset
/// and the NSEC records of negative answers and insecure referrals (RFC 4035 §3.1, see
/// AuthoritativeAnswer.Dnssec.cs) when the query asks for them. Nothing here allocates.
/// </summary>
public static partial class AuthoritativeAnswer
{
    /// <summary>RFC 1034 leaves chain length open; 20 keeps replies small and matches common servers.</summary>
    public const int MaxChain = 20;

    [InlineArray(MaxChain + 1)]
    private struct ChainNodes
    {
        private ZoneNode? _element;
    }

    /// <summary>
    /// Answers <paramref name="qname"/>/<paramref name="qtype"/> from <paramref name="zone"/>.
    /// <paramref name="limitSize"/> is true for UDP: an answer RRset that does not fit sets TC.
    /// </summary>
    public static AnswerOutcome Write(ZoneSnapshot zone, ReadOnlySpan<byte> qname, RecordType qtype, ref DnsMessageWriter w, bool limitSize) =>
        Write(zone, Synthesis.DefaultNames.None, qname, qtype, ref w, limitSize);

    /// <summary>
    /// As above, with the default names of address pools answered where the zone holds nothing
    /// of its own for a name (a PTR for a pool address, an A/AAAA for its default name).
    /// </summary>
    public static AnswerOutcome Write(ZoneSnapshot zone, Synthesis.DefaultNames defaults, ReadOnlySpan<byte> qname, RecordType qtype, ref DnsMessageWriter w, bool limitSize) =>
        Write(zone, defaults, qname, qtype, ref w, limitSize, default);

    /// <summary>
    /// As above, signed when <paramref name="signing"/> carries the zone's signer (the query set
    /// DO and the zone is signed): every authoritative RRset with its RRSIGs, negative answers and
    /// insecure referrals with their NSEC proofs. An answer whose signatures do not fit is
    /// truncated over UDP (RFC 4035 §3.1.1).
    /// </summary>
    public static AnswerOutcome Write(ZoneSnapshot zone, Synthesis.DefaultNames defaults, ReadOnlySpan<byte> qname, RecordType qtype, ref DnsMessageWriter w, bool limitSize, Dnssec.AnswerSigning signing) =>
        Write(zone, defaults, qname, qtype, ref w, limitSize, signing, default);

    /// <summary>As above, taking the question's compact-table key and entry <paramref name="prefetched"/> found for this zone (see <see cref="PrefetchedQuery"/>).</summary>
    /// <remarks>The name buffers on the stack are written before they are read, so they are not cleared first (a kilobyte a query).</remarks>
    [SkipLocalsInit]
    public static AnswerOutcome Write(ZoneSnapshot zone, Synthesis.DefaultNames defaults, ReadOnlySpan<byte> qname, RecordType qtype, ref DnsMessageWriter w, bool limitSize, Dnssec.AnswerSigning signing,
        in PrefetchedQuery prefetched)
    {
        var signer = signing.Signer;
        scoped ReadOnlySpan<byte> name = qname;
        // What exists at the name of a NODATA, for the NSEC's bitmap: a node's RRsets, one type, or nothing (an empty non-terminal).
        ZoneNode? deniedNode = null;
        RecordType deniedType = 0;
        var chain = new ChainNodes();
        int chainLength = 0;
        var wildcards = new ChainNodes();
        int wildcardCount = 0;
        bool first = true;
        bool authoritative = true;
        bool fromDefaults = false;
        ZoneNode? referral = null;
        RRset? final = null;
        AnswerState state;
        Span<byte> target = stackalloc byte[DnsName.MaxLength];
        // Names a DNAME substitution makes: two, so the next can be made from the last.
        Span<byte> substituted = stackalloc byte[2 * DnsName.MaxLength];
        int nextBuffer = 0;
        // The question's name is in the zone (it was chosen for it); a name a CNAME or DNAME leads
        // to may not be, and the compact table reads only the labels below the apex: it is asked
        // only about names known to end in the apex.
        bool inZone = true;

        while (true)
        {
            // RFC 6672 §3.2: a DNAME above the name redirects it: the DNAME, a CNAME made from
            // it, and the chain goes on from the new name.
            if (zone.HasDnames && FindDname(zone, name, out var dnameNode, out int ownerAt))
            {
                var dname = dnameNode.Find(RecordType.DNAME)!;
                if (chainLength >= MaxChain)
                {
                    state = AnswerState.Hit;
                    break;
                }
                // An RRset goes into a section once, however often the chain passes its DNAME.
                if (!Contains(ref chain, chainLength, dnameNode) && !TryPut(ref w, Section.Answer, dnameNode.Name, dname, signer))
                    return Truncated(limitSize, authoritative);
                var replacement = dname.Data[0];
                if (ownerAt + replacement.Length > DnsName.MaxLength)
                {
                    state = AnswerState.YxDomain;
                    break;
                }
                var next = substituted.Slice(nextBuffer * DnsName.MaxLength, DnsName.MaxLength);
                nextBuffer ^= 1;
                name[..ownerAt].CopyTo(next);
                replacement.CopyTo(next[ownerAt..]);
                int nextLength = ownerAt + replacement.Length;
                if (!w.TryWriteRecord(Section.Answer, name, RecordType.CNAME, RecordClass.IN, dname.Ttl, next[..nextLength]))
                    return Truncated(limitSize, authoritative);
                chain[chainLength++] = dnameNode;
                name = next[..nextLength];
                inZone = InZone(zone, name);
                first = false;
                continue;
            }

            // Most PTRs of a reverse zone live in the compact address table, not as nodes: look
            // there first (a name is never in both), and the dictionary only when it misses.
            var compact = ZoneSnapshot.CompactMatch.None;
            if (inZone && zone.CompactCount > 0)
            {
                // The question's key, read for this zone as the batch was prefetched; any other name is read here.
                compact = zone.FindCompact(name, out uint ttl, target, out int targetLength, first ? prefetched : default);
                if (compact == ZoneSnapshot.CompactMatch.Ptr)
                {
                    if (qtype is not (RecordType.PTR or RecordType.ANY))
                    {
                        deniedType = RecordType.PTR;
                        state = AnswerState.NoData;
                        break;
                    }
                    if (!TryPutOne(ref w, name, RecordType.PTR, ttl, target[..targetLength], signer, tableName: true))
                        return Truncated(limitSize, authoritative);
                    state = AnswerState.Hit;
                    break;
                }
            }
            ZoneNode? node = zone.Find(name);
            bool synthesized = false;
            // A partial reverse name above compacted addresses exists (an empty non-terminal)
            // unless it is a node of its own.
            if (node is null && compact == ZoneSnapshot.CompactMatch.EmptyNonTerminal)
            {
                state = AnswerState.NoData;
                break;
            }
            if (node is null)
            {
                var encloser = ClosestEncloser(zone, name);
                if (encloser is null)
                {
                    // A CNAME target outside this zone: the chain ends here (RFC 1034 §4.3.2 step 3a).
                    state = AnswerState.Hit;
                    break;
                }
                if (encloser.Cut is not null)
                {
                    referral = encloser.Cut;
                    state = AnswerState.Referral;
                    break;
                }
                if (!defaults.IsEmpty)
                {
                    var fromPool = Synthesis.DefaultAnswer.TryWrite(zone, defaults, name, qtype, ref w, signer, out deniedType);
                    if (fromPool == Synthesis.DefaultAnswer.Result.Truncated)
                        return Truncated(limitSize, authoritative);
                    if (fromPool != Synthesis.DefaultAnswer.Result.NotDefault)
                    {
                        state = fromPool == Synthesis.DefaultAnswer.Result.Answered ? AnswerState.Hit : AnswerState.NoData;
                        fromDefaults = state == AnswerState.Hit;
                        break;
                    }
                }
                node = zone.FindWildcard(encloser);
                if (node is null)
                {
                    state = AnswerState.NxDomain;
                    break;
                }
                synthesized = true;
            }

            // At or below a cut everything is a referral, except DS at the cut itself, which the
            // parent answers (RFC 4035 §3.1.4.1).
            if (node.Cut is not null && !(ReferenceEquals(node, node.Cut) && qtype == RecordType.DS && !synthesized))
            {
                referral = node.Cut;
                state = AnswerState.Referral;
                break;
            }

            if (node.Cname is not null && qtype is not (RecordType.CNAME or RecordType.ANY))
            {
                // A CNAME already in the answer means the chain loops; stop before repeating it.
                if (chainLength >= MaxChain || Repeats(ref chain, chainLength, node, synthesized))
                {
                    state = AnswerState.Hit;
                    break;
                }
                if (!TryPut(ref w, Section.Answer, name, node.Cname, signer))
                    return Truncated(limitSize, authoritative);
                chain[chainLength++] = node;
                if (synthesized)
                {
                    if (Contains(ref wildcards, wildcardCount, node))
                    {
                        state = AnswerState.Hit;
                        break;
                    }
                    wildcards[wildcardCount++] = node;
                }
                name = node.Cname.Data[0];
                inZone = InZone(zone, name);
                first = false;
                continue;
            }

            RRset? answer = qtype == RecordType.ANY
                ? (node.Sets.Length > 0 ? node.Sets[0] : null) // RFC 8482 §4.1: one RRset is enough
                : node.Find(qtype);
            if (answer is null)
            {
                deniedNode = node;
                state = AnswerState.NoData;
                break;
            }
            if (!TryPut(ref w, Section.Answer, name, answer, signer))
                return Truncated(limitSize, authoritative);
            final = answer;
            state = AnswerState.Hit;
            break;
        }

        if (state == AnswerState.Referral && first)
            authoritative = false;

        switch (state)
        {
            case AnswerState.NxDomain:
            case AnswerState.NoData:
                if (signer is not null)
                    return WriteSignedDenial(zone, defaults, name, qtype, ref w, limitSize, signing, state, deniedNode, deniedType, authoritative);
                // The SOA is optional for delivery: if it does not fit, send what we have without TC.
                if (!TryPutNegativeSoa(ref w, zone))
                    return new AnswerOutcome(state, authoritative, false);
                break;
            case AnswerState.Referral:
                if (!TryPut(ref w, Section.Authority, referral!.Name, referral.Ns!))
                    return Truncated(limitSize, authoritative);
                // A signed parent proves whether the child is signed: its DS, or an NSEC without DS (RFC 4035 §3.1.4).
                if (signer is not null && !TryPutDelegationProof(ref w, zone, referral, signer))
                    return new AnswerOutcome(state, authoritative, limitSize);
                if (!PutGlue(ref w, zone, referral.Ns!, mandatoryBelow: referral, signer: null))
                    return new AnswerOutcome(state, authoritative, limitSize);
                return new AnswerOutcome(state, authoritative, false);
        }

        // Additional section processing (RFC 1035 §3.3.9, §3.3.11): addresses of NS and MX
        // targets in this zone, when they fit.
        if (final is not null && final.Type is RecordType.NS or RecordType.MX or RecordType.SRV)
            PutGlue(ref w, zone, final, mandatoryBelow: null, signer);
        return new AnswerOutcome(state, authoritative, false, fromDefaults);
    }

    /// <summary>An RRset did not fit: over UDP the client must retry over TCP (RFC 2181 §9).</summary>
    private static AnswerOutcome Truncated(bool limitSize, bool authoritative) =>
        new(AnswerState.Hit, authoritative, limitSize);

    private static bool Repeats(ref ChainNodes chain, int length, ZoneNode node, bool synthesized)
    {
        // A non-synthesized CNAME node seen before would put the identical RR in again.
        if (synthesized)
            return false;
        return Contains(ref chain, length, node);
    }

    private static bool Contains(ref ChainNodes nodes, int count, ZoneNode node)
    {
        for (int i = 0; i < count; i++)
        {
            if (ReferenceEquals(nodes[i], node))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The DNAME that redirects <paramref name="name"/>: at the highest name strictly above it (the
    /// apex included) that has one, since everything below a DNAME is occluded (RFC 6672 §2.3);
    /// none at or below a zone cut, which is another server's. <paramref name="ownerAt"/> is where
    /// the DNAME's owner starts within the name.
    /// </summary>
    private static bool FindDname(ZoneSnapshot zone, ReadOnlySpan<byte> name, out ZoneNode node, out int ownerAt)
    {
        node = null!;
        ownerAt = 0;
        int labels = WireName.CountLabels(name);
        int apexLabels = zone.Apex.LabelCount;
        if (labels <= apexLabels)
            return false;
        int apexAt = WireName.SkipLabels(name, labels - apexLabels);
        if (!WireName.EqualsIgnoreCase(name[apexAt..], zone.Apex.Name))
            return false;
        for (int suffix = apexLabels; suffix < labels; suffix++)
        {
            int at = WireName.SkipLabels(name, labels - suffix);
            var candidate = zone.Find(name[at..]);
            if (candidate is null)
                return false;
            if (candidate.Cut is not null)
                return false;
            if (candidate.Find(RecordType.DNAME) is not null)
            {
                node = candidate;
                ownerAt = at;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The deepest existing ancestor of <paramref name="name"/> within the zone, or null when the
    /// name is not inside the zone at all.
    /// </summary>
    /// <summary>Whether <paramref name="name"/> ends in the zone's apex.</summary>
    private static bool InZone(ZoneSnapshot zone, ReadOnlySpan<byte> name)
    {
        int skip = WireName.CountLabels(name) - zone.Apex.LabelCount;
        return skip >= 0 && WireName.EqualsIgnoreCase(name[WireName.SkipLabels(name, skip)..], zone.Apex.Name);
    }

    private static ZoneNode? ClosestEncloser(ZoneSnapshot zone, ReadOnlySpan<byte> name)
    {
        int labels = WireName.CountLabels(name);
        int apexLabels = zone.Apex.LabelCount;
        if (labels < apexLabels)
            return null;
        int pos = 0;
        int skip = labels - apexLabels;
        // Confirm the name ends in the apex before walking down from it.
        int apexPos = WireName.SkipLabels(name, skip);
        if (!WireName.EqualsIgnoreCase(name[apexPos..], zone.Apex.Name))
            return null;
        for (int l = labels; l > apexLabels; l--)
        {
            pos += 1 + name[pos];
            var node = zone.Find(name[pos..]);
            if (node is not null)
                return node;
        }
        return zone.Apex;
    }

    internal static bool TryPut(ref DnsMessageWriter w, Section section, scoped ReadOnlySpan<byte> owner, RRset set, Dnssec.ZoneSigner? signer = null)
    {
        var mark = w.GetMark();
        foreach (var data in set.Data)
        {
            if (!w.TryWriteRecord(section, owner, set.Type, RecordClass.IN, set.Ttl, data))
            {
                w.Rollback(mark);
                return false;
            }
        }
        if (signer is not null && !signer.TrySign(ref w, section, owner, set.Type, set.Ttl, new Protocol.Dnssec.RdataList(set.Data)))
        {
            w.Rollback(mark);
            return false;
        }
        return true;
    }

    /// <summary>One record in the answer section (a compact-table PTR, a synthesized default), signed when asked.</summary>
    /// <remarks><paramref name="tableName"/>: the data is a PTR's target read from a table of the server's own (compact, rows), which holds only valid names, so it is not checked again.</remarks>
    internal static bool TryPutOne(ref DnsMessageWriter w, scoped ReadOnlySpan<byte> owner, RecordType type, uint ttl, scoped ReadOnlySpan<byte> data, Dnssec.ZoneSigner? signer, bool tableName = false)
    {
        var mark = w.GetMark();
        bool written = tableName
            ? w.TryWriteNameRecord(Section.Answer, owner, type, RecordClass.IN, ttl, data)
            : w.TryWriteRecord(Section.Answer, owner, type, RecordClass.IN, ttl, data);
        if (!written)
            return false;
        if (signer is not null && !signer.TrySign(ref w, Section.Answer, owner, type, ttl, new Protocol.Dnssec.RdataList(data)))
        {
            w.Rollback(mark);
            return false;
        }
        return true;
    }

    private static bool TryPutNegativeSoa(ref DnsMessageWriter w, ZoneSnapshot zone) =>
        w.TryWriteRecord(Section.Authority, zone.Apex.Name, RecordType.SOA, RecordClass.IN, zone.NegativeTtl, zone.Soa.Data[0]);

    /// <summary>
    /// Glue for a referral: A/AAAA of NS targets held in this zone. Targets below the cut are
    /// required (their absence makes the referral useless, RFC 9471 §2.1), so failing to fit them
    /// is reported; others are added only when they fit.
    /// </summary>
    private static bool PutGlue(ref DnsMessageWriter w, ZoneSnapshot zone, RRset targets, ZoneNode? mandatoryBelow, Dnssec.ZoneSigner? signer)
    {
        int prefix = targets.Type switch { RecordType.MX => 2, RecordType.SRV => 6, _ => 0 };
        foreach (var data in targets.Data)
        {
            var node = zone.Find(data.AsSpan(prefix));
            if (node is null)
                continue;
            bool required = mandatoryBelow is not null && IsBelow(node, mandatoryBelow);
            // Addresses below a cut are glue, which is never signed (RFC 4035 §2.2); in-zone ones are authoritative data.
            if (!PutAddresses(ref w, node, node.Cut is null ? signer : null) && required)
                return false;
        }
        return true;
    }

    private static bool IsBelow(ZoneNode node, ZoneNode cut) =>
        node.LabelCount >= cut.LabelCount &&
        WireName.EqualsIgnoreCase(node.Name.AsSpan(WireName.SkipLabels(node.Name, node.LabelCount - cut.LabelCount)), cut.Name);

    private static bool PutAddresses(ref DnsMessageWriter w, ZoneNode node, Dnssec.ZoneSigner? signer)
    {
        foreach (var set in node.Sets)
        {
            if (set.Type is not (RecordType.A or RecordType.AAAA))
                continue;
            if (!TryPut(ref w, Section.Additional, node.Name, set, signer))
                return false;
        }
        return true;
    }
}
