using System.Runtime.CompilerServices;
using Rdns.Addressing;
using Rdns.Protocol.Names;

namespace Rdns.Zones.Synthesis;

/// <summary>
/// The address range a reverse zone covers and how names below its apex spell addresses: one
/// decimal octet per label (RFC 1035 §3.5), one hex nibble per label (RFC 3596 §2.5), or, inside
/// an RFC 2317 child, a single label holding the last octet.
/// <para>
/// The same reading serves the member names of a catalog zone (RFC 9432 §4.2), so its member
/// PTRs are kept in a compact table like a reverse zone's: <c>&lt;label&gt;.zones.$CATZ</c>,
/// where the label is 20 hex digits (what Rdns writes: <see cref="MemberLabelLength"/>) read as
/// an 80-bit key (see <see cref="ForCatalogMembers"/>). Such a layout is never a zone's
/// <see cref="ZoneSnapshot.Reverse"/>: it only says where the compact table's names are.
/// </para>
/// </summary>
public class ReverseZoneInfo
{
    /// <summary>The <see cref="_kind"/> of catalog member names (not a <see cref="ZoneKind"/>).</summary>
    private const byte MembersKind = 0xFF;

    /// <summary>Hex digits in a catalog member label read as a key: 80 bits.</summary>
    public const int MemberLabelLength = 20;

    private static ReadOnlySpan<byte> ZonesLabel => [5, (byte)'z', (byte)'o', (byte)'n', (byte)'e', (byte)'s'];

    // One per reverse zone, so kept small: the network and four octets rather than an IpPrefix
    // (whose 16-octet-aligned address makes it 48 octets).
    private readonly UInt128 _network;
    private readonly byte _length;
    private readonly byte _width;
    private readonly byte _kind;
    private readonly byte _apexLabels;

    private ReverseZoneInfo(IpPrefix prefix, ZoneKind kind, int apexLabels)
    {
        _network = prefix.Network.Value;
        _length = (byte)prefix.Length;
        _width = (byte)prefix.Network.BitLength;
        _kind = (byte)kind;
        _apexLabels = (byte)apexLabels;
    }

    private ReverseZoneInfo(int apexLabels)
    {
        _width = MemberLabelLength * 4;
        _kind = MembersKind;
        _apexLabels = (byte)apexLabels;
    }

    /// <summary>
    /// The layout of catalog member names, with <c>zones.$CATZ</c> in wire form (as the zone
    /// spells its origin). A subclass, so the reverse zones' layouts (one per zone) stay small.
    /// </summary>
    private sealed class MemberNames(byte[] parent, int apexLabels) : ReverseZoneInfo(apexLabels)
    {
        public readonly byte[] Parent = parent;
    }

    /// <summary>False for the layout of catalog member names (<see cref="ForCatalogMembers"/>).</summary>
    public bool IsReverse => _kind != MembersKind;

    /// <summary>
    /// The layout of the member names of a catalog zone at <paramref name="origin"/>
    /// (<c>&lt;20 hex digits&gt;.zones.$CATZ</c>, RFC 9432 §4.2), or null when such a name would be
    /// too long. Any zone that is not a reverse zone may hold such names; a zone that holds none
    /// keeps no layout.
    /// </summary>
    internal static ReverseZoneInfo? ForCatalogMembers(DnsName origin)
    {
        var wire = origin.Wire;
        if (1 + MemberLabelLength + ZonesLabel.Length + wire.Length > DnsName.MaxLength)
            return null;
        var parent = new byte[ZonesLabel.Length + wire.Length];
        ZonesLabel.CopyTo(parent);
        wire.CopyTo(parent.AsSpan(ZonesLabel.Length));
        return new MemberNames(parent, origin.LabelCount + 1);
    }

    public IpPrefix Prefix => new(new IpAddress(Family, _network), _length);

    public IpFamily Family => _width == 32 ? IpFamily.V4 : IpFamily.V6;

    /// <summary>Bits in an address of the zone's family: 32 or 128.</summary>
    public int Width => _width;

    /// <summary>Bits below the zone's prefix.</summary>
    public int HostBits => _width - _length;

    public UInt128 Network => _network;

    public ZoneKind Kind => (ZoneKind)_kind;

    public int ApexLabels => _apexLabels;

    /// <summary>The reverse layout of a zone, or null when the zone is not a reverse zone.</summary>
    public static ReverseZoneInfo? For(DnsName origin)
    {
        if (!ReverseName.TryParseZone(origin.ToString(), out var prefix, out _))
            return null;
        ZoneKind kind = prefix.Family == IpFamily.V6 ? ZoneKind.Nibble : prefix.Length % 8 == 0 ? ZoneKind.Octet : ZoneKind.Classless;
        return new ReverseZoneInfo(prefix, kind, origin.LabelCount);
    }

    /// <summary>
    /// Reads the labels of <paramref name="name"/> below the apex as the leading bits of an
    /// address. Returns false when they do not spell address bits (a label like <c>128-26</c> or
    /// <c>ns1</c>); otherwise <paramref name="bits"/> is how many bits they fix (the full width
    /// for a complete address).
    /// </summary>
    public bool TryRead(ReadOnlySpan<byte> name, out UInt128 value, out int bits)
    {
        if (_kind == MembersKind)
            return TryReadMember(Unsafe.As<MemberNames>(this).Parent, name, out value, out bits);
        value = _network;
        bits = _length;
        int labels = WireName.CountLabels(name) - _apexLabels;
        if (labels <= 0)
            return labels == 0;
        int width = _width;
        if (Kind == ZoneKind.Classless)
        {
            if (labels != 1 || !TryOctet(name[1..(1 + name[0])], out int octet))
                return false;
            var address = (_network & ~(UInt128)0xFF) | (uint)octet;
            // Inside the RFC 2317 block (a classless zone is IPv4, longer than /24).
            if ((address & ~(((UInt128)1 << (width - _length)) - 1)) != _network)
                return false;
            value = address;
            bits = width;
            return true;
        }
        int step = Kind == ZoneKind.Octet ? 8 : 4;
        if (bits + labels * step > width)
            return false;
        // The label nearest the apex holds the most significant of the new bits: label i (from
        // the left) lands (labels - i) steps below the prefix. Built in two halves, as shifts of
        // a 128-bit value cost far more than of a 64-bit one.
        ulong high = 0, low = 0;
        int shift = width - bits - labels * step;
        int pos = 0;
        for (int i = 0; i < labels; i++, shift += step)
        {
            int length = name[pos];
            var label = name.Slice(pos + 1, length);
            pos += 1 + length;
            int piece;
            if (step == 8)
            {
                if (!TryOctet(label, out piece))
                    return false;
            }
            else if (length != 1 || (piece = Nibble(label[0])) < 0)
            {
                return false;
            }
            if (shift >= 64)
                high |= (ulong)(uint)piece << (shift - 64);
            else
                low |= (ulong)(uint)piece << shift;
        }
        bits += labels * step;
        value |= new UInt128(high, low);
        return true;
    }

    /// <summary>
    /// A catalog's names: <c>zones.$CATZ</c> itself (no bits fixed), or a member below it whose
    /// label is <see cref="MemberLabelLength"/> hex digits (either case). The whole name is
    /// checked, not only the labels below the apex: the answer's CNAME chain may ask about names
    /// of other zones.
    /// </summary>
    private static bool TryReadMember(byte[] parent, ReadOnlySpan<byte> name, out UInt128 value, out int bits)
    {
        value = 0;
        bits = 0;
        if (name.Length == parent.Length)
            return WireName.EqualsIgnoreCase(name, parent);
        if (name.Length != 1 + MemberLabelLength + parent.Length || name[0] != MemberLabelLength
            || !WireName.EqualsIgnoreCase(name[(1 + MemberLabelLength)..], parent))
            return false;
        ulong high = 0, low = 0;
        for (int i = 1; i <= MemberLabelLength; i++)
        {
            int nibble = Nibble(name[i]);
            if (nibble < 0)
                return false;
            high = high << 4 | low >> 60;
            low = low << 4 | (uint)nibble;
        }
        value = new UInt128(high, low);
        bits = MemberLabelLength * 4;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="name"/> (a full address or member name, <see cref="TryRead"/>
    /// true) is spelled exactly as <see cref="WriteName"/> writes it with
    /// <paramref name="originWire"/>, so keeping only its key loses nothing. Catalog member names
    /// must be (their owners are transferred as written); reverse names need not (as before).
    /// </summary>
    internal bool IsCanonical(UInt128 value, ReadOnlySpan<byte> name, ReadOnlySpan<byte> originWire)
    {
        if (IsReverse)
            return true;
        Span<byte> written = stackalloc byte[DnsName.MaxLength];
        return name.SequenceEqual(written[..WriteName(value, originWire, written)]);
    }

    /// <summary>The owner name (wire form) of a full address of this zone: the inverse of <see cref="TryRead"/>.</summary>
    public byte[] NameOf(UInt128 value, DnsName origin)
    {
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        return name[..WriteName(value, origin.Wire, name)].ToArray();
    }

    /// <summary>
    /// Writes the owner name of a full address of this zone into <paramref name="destination"/>
    /// (at least <see cref="DnsName.MaxLength"/> octets); returns its length. Allocates nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WriteName(UInt128 value, scoped ReadOnlySpan<byte> originWire, Span<byte> destination)
    {
        int n = 0;
        if (!IsReverse)
        {
            n = WriteMemberLabel(value, destination);
            ZonesLabel.CopyTo(destination[n..]);
            n += ZonesLabel.Length;
        }
        else if (Kind == ZoneKind.Classless)
        {
            n = WriteDecimal(destination, (int)(value & 0xFF));
        }
        else
        {
            int width = _width;
            int step = Kind == ZoneKind.Octet ? 8 : 4;
            for (int bits = width - step; bits >= _length; bits -= step)
            {
                int piece = (int)((value >> (width - bits - step)) & (UInt128)((1 << step) - 1));
                if (step == 8)
                {
                    n += WriteDecimal(destination[n..], piece);
                }
                else
                {
                    destination[n] = 1;
                    destination[n + 1] = (byte)"0123456789abcdef"[piece];
                    n += 2;
                }
            }
        }
        originWire.CopyTo(destination[n..]);
        return n + originWire.Length;
    }

    /// <summary>
    /// Bits of a full address that the first label of its owner name holds (the rest of the name
    /// is the same for every address that differs only in them): 8, 4 in a nibble zone, 0 when an
    /// address's name is the apex itself.
    /// </summary>
    public int FirstLabelBits => !IsReverse ? _width : Kind == ZoneKind.Classless ? 8 : _length >= _width ? 0 : Kind == ZoneKind.Octet ? 8 : 4;

    /// <summary>The first label of the owner name of a full address (what <see cref="WriteName"/> writes first); returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int WriteFirstLabel(UInt128 value, Span<byte> destination)
    {
        if (!IsReverse)
            return WriteMemberLabel(value, destination);
        if (Kind == ZoneKind.Nibble)
        {
            destination[0] = 1;
            destination[1] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            return 2;
        }
        return WriteDecimal(destination, (int)(value & 0xFF));
    }

    /// <summary>A catalog member label: the key as <see cref="MemberLabelLength"/> lower-case hex digits; returns its length with the length octet.</summary>
    private static int WriteMemberLabel(UInt128 value, Span<byte> destination)
    {
        destination[0] = MemberLabelLength;
        ulong low = (ulong)value;
        ulong high = (ulong)(value >> 64);
        for (int i = MemberLabelLength; i >= 1; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[(int)(low & 0xF)];
            low = low >> 4 | high << 60;
            high >>= 4;
        }
        return MemberLabelLength + 1;
    }

    /// <summary>One decimal label (0–255, no leading zeros); returns its length with the length octet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int WriteDecimal(Span<byte> destination, int octet)
    {
        int digits = octet >= 100 ? 3 : octet >= 10 ? 2 : 1;
        destination[0] = (byte)digits;
        for (int i = digits; i >= 1; i--)
        {
            destination[i] = (byte)('0' + octet % 10);
            octet /= 10;
        }
        return digits + 1;
    }

    /// <summary>A label as an octet, canonical decimal only (also how <see cref="AddressZones"/> reads names).</summary>
    internal static bool TryOctet(ReadOnlySpan<byte> label, out int octet)
    {
        octet = 0;
        // Canonical decimal only: no leading zeros, so each address has one name.
        if (label.Length is 0 or > 3 || (label.Length > 1 && label[0] == '0'))
            return false;
        foreach (byte b in label)
        {
            if ((uint)(b - '0') > 9)
                return false;
            octet = octet * 10 + (b - '0');
        }
        return octet <= 255;
    }

    /// <summary>A nibble label's value, either case; -1 when it is not a hex digit.</summary>
    internal static int Nibble(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
