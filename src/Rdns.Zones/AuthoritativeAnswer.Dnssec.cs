using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Dnssec;

namespace Rdns.Zones;

/// <summary>The proofs a signed zone adds to negative answers and referrals (RFC 4035 §3.1.3, §3.1.4).</summary>
public static partial class AuthoritativeAnswer
{
    /// <summary>Types an NSEC bitmap lists at most for one name (the node's RRsets, and RRSIG and NSEC).</summary>
    private const int MaxBitmapTypes = 64;

    /// <summary>
    /// NODATA and NXDOMAIN of a signed zone: the SOA and its RRSIG, then the denial the zone's mode
    /// calls for. Compact (RFC 9824): one NSEC at the name whose next name is its immediate
    /// successor — with the types that exist there for NODATA, with NXNAME for a name that does
    /// not exist (RCODE NOERROR unless the client set CO). Minimally covering (RFC 4470): NODATA as
    /// compact; NXDOMAIN with an NSEC spanning just the missing child of the closest encloser and
    /// one spanning just that encloser's wildcard. The NSEC TTL is the negative TTL (RFC 9077).
    /// Nothing of it is left when it does not fit; over UDP that sets TC.
    /// </summary>
    private static AnswerOutcome WriteSignedDenial(ZoneSnapshot zone, Synthesis.DefaultNames defaults, scoped ReadOnlySpan<byte> name, RecordType qtype,
        ref DnsMessageWriter w, bool limitSize, AnswerSigning signing, AnswerState state, ZoneNode? deniedNode, RecordType deniedType, bool authoritative)
    {
        var signer = signing.Signer!;
        uint ttl = zone.NegativeTtl;
        var mark = w.GetMark();
        Span<ushort> types = stackalloc ushort[MaxBitmapTypes];
        int count = 0;
        if (state == AnswerState.NoData)
        {
            if (deniedNode is not null)
            {
                foreach (var set in deniedNode.Sets)
                {
                    if (count < MaxBitmapTypes - 2 && set.Type is not (RecordType.RRSIG or RecordType.NSEC))
                        types[count++] = (ushort)set.Type;
                }
            }
            else if (deniedType != 0)
            {
                types[count++] = (ushort)deniedType;
            }
            // An NSEC query at a name that exists: its NSEC is the answer, not a denial.
            if (qtype == RecordType.NSEC)
            {
                Span<byte> successor = stackalloc byte[DnsName.MaxLength];
                int length = DenialNames.Successor(name, successor);
                if (signer.TryWriteNsec(ref w, Section.Answer, name, successor[..length], types[..count], ttl))
                    return new AnswerOutcome(AnswerState.Hit, authoritative, false);
                return new AnswerOutcome(AnswerState.Hit, authoritative, limitSize);
            }
        }

        bool compactNxDomain = state == AnswerState.NxDomain && signer.Denial == DenialMode.Compact;
        if (!TryPutNegativeSoa(ref w, zone)
            || !signer.TrySign(ref w, Section.Authority, zone.Apex.Name, RecordType.SOA, zone.Soa.Ttl, ttl, new RdataList(zone.Soa.Data)))
        {
            w.Rollback(mark);
            return new AnswerOutcome(state, authoritative, limitSize, CompactDenial: compactNxDomain && !signing.CompactAnswersOk);
        }

        bool written;
        if (state == AnswerState.NoData || compactNxDomain)
        {
            if (compactNxDomain)
                types[count++] = (ushort)RecordType.NXNAME;
            Span<byte> successor = stackalloc byte[DnsName.MaxLength];
            int length = DenialNames.Successor(name, successor);
            written = signer.TryWriteNsec(ref w, Section.Authority, name, successor[..length], types[..count], ttl);
        }
        else
        {
            written = TryPutCoveringNsecs(zone, defaults, name, ref w, signer, ttl);
        }
        if (!written)
        {
            w.Rollback(mark);
            return new AnswerOutcome(state, authoritative, limitSize, CompactDenial: compactNxDomain && !signing.CompactAnswersOk);
        }
        return new AnswerOutcome(state, authoritative, false, CompactDenial: compactNxDomain && !signing.CompactAnswersOk);
    }

    /// <summary>
    /// RFC 4470 §3: an NSEC from the absolute predecessor of the closest encloser's child on the way
    /// to the name to the first name after that child's subtree (so the closest encloser a
    /// validator derives from it is the true one), and the same around the encloser's wildcard.
    /// </summary>
    private static bool TryPutCoveringNsecs(ZoneSnapshot zone, Synthesis.DefaultNames defaults, scoped ReadOnlySpan<byte> name, ref DnsMessageWriter w, ZoneSigner signer, uint ttl)
    {
        int labels = WireName.CountLabels(name);
        int apexLabels = zone.Apex.LabelCount;
        // The closest encloser: the deepest existing ancestor, counting names the compact table
        // and the pools make exist, not only nodes.
        int childAt = WireName.SkipLabels(name, labels - apexLabels - 1);
        for (int l = 1; l < labels - apexLabels; l++)
        {
            int at = WireName.SkipLabels(name, l);
            if (Exists(zone, defaults, name[at..]))
            {
                childAt = WireName.SkipLabels(name, l - 1);
                break;
            }
        }
        var child = name[childAt..];
        var encloser = child[(1 + child[0])..];
        Span<byte> owner = stackalloc byte[DnsName.MaxLength];
        Span<byte> next = stackalloc byte[DnsName.MaxLength];
        int ownerLength = DenialNames.Predecessor(child, owner);
        int nextLength = DenialNames.AfterSubtree(child, next);
        if (!signer.TryWriteNsec(ref w, Section.Authority, owner[..ownerLength], next[..nextLength], [], ttl))
            return false;
        if (child[0] == 1 && child[1] == (byte)'*')
            return true; // the span around the missing child already covers the wildcard
        Span<byte> wildcard = stackalloc byte[DnsName.MaxLength + 2];
        if (encloser.Length + 2 > DnsName.MaxLength)
            return true; // no wildcard can exist below a name this long
        wildcard[0] = 1;
        wildcard[1] = (byte)'*';
        encloser.CopyTo(wildcard[2..]);
        var star = wildcard[..(encloser.Length + 2)];
        ownerLength = DenialNames.Predecessor(star, owner);
        nextLength = DenialNames.AfterSubtree(star, next);
        return signer.TryWriteNsec(ref w, Section.Authority, owner[..ownerLength], next[..nextLength], [], ttl);
    }

    /// <summary>Whether a name exists in the zone: a node (empty non-terminals included), a compact-table name, or a pool's name.</summary>
    private static bool Exists(ZoneSnapshot zone, Synthesis.DefaultNames defaults, ReadOnlySpan<byte> name)
    {
        if (zone.Find(name) is not null)
            return true;
        if (zone.CompactCount > 0)
        {
            Span<byte> target = stackalloc byte[DnsName.MaxLength];
            if (zone.FindCompact(name, out _, target, out _) != ZoneSnapshot.CompactMatch.None)
                return true;
        }
        return !defaults.IsEmpty && Synthesis.DefaultAnswer.Exists(zone, defaults, name);
    }

    /// <summary>
    /// What a signed parent says about a delegation (RFC 4035 §3.1.4): the DS RRset with its RRSIG
    /// when the child is signed, else the NSEC at the cut proving there is no DS.
    /// </summary>
    private static bool TryPutDelegationProof(ref DnsMessageWriter w, ZoneSnapshot zone, ZoneNode cut, ZoneSigner signer)
    {
        var ds = cut.Find(RecordType.DS);
        if (ds is not null)
            return TryPut(ref w, Section.Authority, cut.Name, ds, signer);
        Span<ushort> types = stackalloc ushort[MaxBitmapTypes];
        int count = 0;
        foreach (var set in cut.Sets)
        {
            if (count < MaxBitmapTypes - 2)
                types[count++] = (ushort)set.Type;
        }
        Span<byte> successor = stackalloc byte[DnsName.MaxLength];
        int length = DenialNames.Successor(cut.Name, successor);
        return signer.TryWriteNsec(ref w, Section.Authority, cut.Name, successor[..length], types[..count], zone.NegativeTtl);
    }
}
