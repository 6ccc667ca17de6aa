using System.Runtime.CompilerServices;
using Rdns.Addressing;
using Rdns.Protocol.Names;

namespace Rdns.Zones.Synthesis;

/// <summary>
/// The address range a reverse zone covers and how names below its apex spell addresses: one
/// decimal octet per label (RFC 1035 §3.5), one hex nibble per label (RFC 3596 §2.5), or, inside
/// an RFC 2317 child, a single label holding the last octet.
/// </summary>
public sealed class ReverseZoneInfo
{
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
        if (Kind == ZoneKind.Classless)
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
    public int FirstLabelBits => Kind == ZoneKind.Classless ? 8 : _length >= _width ? 0 : Kind == ZoneKind.Octet ? 8 : 4;

    /// <summary>The first label of the owner name of a full address (what <see cref="WriteName"/> writes first); returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int WriteFirstLabel(UInt128 value, Span<byte> destination)
    {
        if (Kind == ZoneKind.Nibble)
        {
            destination[0] = 1;
            destination[1] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            return 2;
        }
        return WriteDecimal(destination, (int)(value & 0xFF));
    }

    /// <summary>One decimal label (0–255, no leading zeros); returns its length with the length octet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteDecimal(Span<byte> destination, int octet)
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

    private static bool TryOctet(ReadOnlySpan<byte> label, out int octet)
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

    private static int Nibble(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
