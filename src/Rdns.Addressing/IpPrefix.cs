using System.Globalization;

namespace Rdns.Addressing;

/// <summary>
/// A CIDR prefix: a network address with all host bits zero and a length. A prefix whose host
/// bits are set is refused rather than silently masked, because it usually means a typo.
/// </summary>
public readonly record struct IpPrefix(IpAddress Network, int Length)
{
    public IpAddress Network { get; } = Network;

    public int Length { get; } = Validate(Network, Length);

    public IpFamily Family => Network.Family;

    /// <summary>Bits left for hosts: 32 or 128 minus <see cref="Length"/>.</summary>
    public int HostBits => Network.BitLength - Length;

    public IpAddress First => Network;

    public IpAddress Last => new(Family, Network.Value | HostMask(HostBits));

    /// <summary>The prefix of the given length that contains <paramref name="address"/>.</summary>
    public static IpPrefix Containing(IpAddress address, int length)
    {
        if (length < 0 || length > address.BitLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"must be 0-{address.BitLength}");
        var network = new IpAddress(address.Family, address.Value & ~HostMask(address.BitLength - length));
        return new IpPrefix(network, length);
    }

    public bool Contains(IpAddress address)
        => address.Family == Family && (address.Value & ~HostMask(HostBits)) == Network.Value;

    public bool Contains(IpPrefix other)
        => other.Family == Family && other.Length >= Length && Contains(other.Network);

    public bool Overlaps(IpPrefix other) => Contains(other) || other.Contains(this);

    /// <summary>
    /// The sub-prefixes of length <paramref name="length"/> that together make up this prefix,
    /// in address order. Lazy, because an IPv6 prefix can hold more sub-prefixes than memory.
    /// </summary>
    public IEnumerable<IpPrefix> Split(int length)
    {
        if (length < Length || length > Network.BitLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"must be {Length}-{Network.BitLength}");
        return Enumerate(this, length);

        static IEnumerable<IpPrefix> Enumerate(IpPrefix whole, int length)
        {
            if (length == whole.Length)
            {
                yield return whole;
                yield break;
            }
            // length > whole.Length, so the step is at most 2^127 and cannot overflow.
            UInt128 step = UInt128.One << (whole.Network.BitLength - length);
            UInt128 last = whole.Last.Value;
            for (UInt128 value = whole.Network.Value; ; value += step)
            {
                yield return new IpPrefix(new IpAddress(whole.Family, value), length);
                if (value + (step - 1) == last)
                    yield break;
            }
        }
    }

    /// <summary>
    /// Parses <c>address/length</c>; a bare address is a /32 or /128. Host bits must be zero:
    /// <c>192.0.2.1/24</c> fails with a suggestion of <c>192.0.2.0/24</c>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpPrefix prefix, out string? error)
    {
        prefix = default;
        if (text.IsEmpty)
            return Fail("prefix is empty", out error);
        int slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IpAddress.TryParse(addressText, out var address, out error))
            return false;
        int length = address.BitLength;
        if (slash >= 0)
        {
            var lengthText = text[(slash + 1)..];
            if (lengthText.IsEmpty)
                return Fail("missing prefix length after '/'", out error);
            foreach (char c in lengthText)
            {
                if (!char.IsAsciiDigit(c))
                    return Fail($"prefix length '{Excerpt.Of(lengthText)}' is not a decimal number", out error);
            }
            if (lengthText.Length > 1 && lengthText[0] == '0')
                return Fail($"prefix length {Excerpt.Of(lengthText)} has a leading zero", out error);
            string family = address.Family == IpFamily.V4 ? "IPv4" : "IPv6";
            if (lengthText.Length > 3 || (length = int.Parse(lengthText, CultureInfo.InvariantCulture)) > address.BitLength)
                return Fail($"prefix length /{Excerpt.Of(lengthText)} is out of range 0-{address.BitLength} for {family}", out error);
        }
        var aligned = Containing(address, length);
        if (aligned.Network != address)
            return Fail($"host bits set; did you mean {aligned}?", out error);
        prefix = aligned;
        return true;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out IpPrefix prefix) => TryParse(text, out prefix, out _);

    /// <exception cref="FormatException">The text is not a prefix; the message says why.</exception>
    public static IpPrefix Parse(ReadOnlySpan<char> text)
        => TryParse(text, out var prefix, out var error) ? prefix : throw new FormatException(error);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Network}/{Length}");

    /// <summary>A mask with the low <paramref name="hostBits"/> bits set.</summary>
    internal static UInt128 HostMask(int hostBits)
        => hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;

    private static int Validate(IpAddress network, int length)
    {
        if (length < 0 || length > network.BitLength)
            throw new ArgumentOutOfRangeException(nameof(Length), length, $"must be 0-{network.BitLength}");
        if ((network.Value & HostMask(network.BitLength - length)) != 0)
            throw new ArgumentException($"host bits of {network}/{length} are set", nameof(Network));
        return length;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
