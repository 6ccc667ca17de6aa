using System.Diagnostics.CodeAnalysis;
using Rdns.Addressing;
using Rdns.Protocol.Names;

namespace Rdns.Zones.Synthesis;

/// <summary>
/// An address pool's default names: every address of <see cref="Prefix"/> without a PTR of its
/// own answers <c>template({ip})</c>, and that name answers the address (A or AAAA), so
/// forward-confirmed reverse DNS holds for defaults. Nothing is stored per address.
/// </summary>
public sealed class DefaultNamePool
{
    public const string Placeholder = "{ip}";

    private DefaultNamePool(IpPrefix prefix, string template, byte[] labelPrefix, byte[] labelSuffix, DnsName forwardZone, uint ttl)
    {
        Prefix = prefix;
        Template = template;
        LabelPrefix = labelPrefix;
        LabelSuffix = labelSuffix;
        ForwardZone = forwardZone;
        Ttl = ttl;
        _contains = prefix.Contains;
    }

    private readonly Func<IpAddress, bool> _contains;

    public IpPrefix Prefix { get; }

    public string Template { get; }

    /// <summary>The name the default names live under: the template minus its first label.</summary>
    public DnsName ForwardZone { get; }

    public uint Ttl { get; }

    internal byte[] LabelPrefix { get; }

    internal byte[] LabelSuffix { get; }

    /// <summary>
    /// Checks a template: <c>{ip}</c> exactly once, inside the first label, which otherwise holds
    /// letters, digits and hyphens; the rest a valid host name. The longest address must still
    /// fit in 63 octets.
    /// </summary>
    public static bool TryCreate(IpPrefix prefix, string template, uint ttl, [NotNullWhen(true)] out DefaultNamePool? pool, [NotNullWhen(false)] out string? error)
    {
        pool = null;
        var absolute = template.EndsWith('.') ? template : template + ".";
        int dot = absolute.IndexOf('.');
        var first = absolute[..dot];
        int at = first.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0 || absolute.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0 || absolute.IndexOf(Placeholder, dot, StringComparison.Ordinal) >= 0)
        {
            error = $"the template must contain {Placeholder} exactly once, in its first label (e.g. ip-{{ip}}.pool.example.net.)";
            return false;
        }
        var before = first[..at];
        var after = first[(at + Placeholder.Length)..];
        foreach (char c in before + after)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                error = $"'{c}' is not allowed in the first label of a host name (letters, digits, hyphens)";
                return false;
            }
        }
        int longest = prefix.Family == IpFamily.V4 ? 15 : AddressLabel.MaxLength;
        if (before.Length + after.Length + longest > DnsName.MaxLabelLength)
        {
            error = $"the first label would exceed {DnsName.MaxLabelLength} octets for the longest address";
            return false;
        }
        var rest = absolute[(dot + 1)..];
        if (rest.Length == 0)
        {
            error = "after the first label the template needs the name the default names live under";
            return false;
        }
        if (!PtrTarget.TryNormalize("x." + rest, out var normalized, out var reason))
        {
            error = $"after the first label the template must be a host name: {reason}";
            return false;
        }
        var zone = DnsName.Parse(normalized).Parent();
        if (zone.Length + 1 + DnsName.MaxLabelLength > DnsName.MaxLength)
        {
            error = "the default names would exceed 255 octets";
            return false;
        }
        pool = new DefaultNamePool(prefix, before.ToLowerInvariant() + Placeholder + after.ToLowerInvariant() + "." + zone,
            System.Text.Encoding.ASCII.GetBytes(before.ToLowerInvariant()), System.Text.Encoding.ASCII.GetBytes(after.ToLowerInvariant()), zone, ttl);
        error = null;
        return true;
    }

    /// <summary>Writes the default name of <paramref name="address"/> in wire form; returns its length.</summary>
    public int WriteName(IpAddress address, Span<byte> destination)
    {
        int pos = 1;
        LabelPrefix.CopyTo(destination[pos..]);
        pos += LabelPrefix.Length;
        pos += AddressLabel.Format(address, destination[pos..]);
        LabelSuffix.CopyTo(destination[pos..]);
        pos += LabelSuffix.Length;
        destination[0] = (byte)(pos - 1);
        ForwardZone.Wire.CopyTo(destination[pos..]);
        return pos + ForwardZone.Length;
    }

    /// <summary>The address a default-name label names, when it is one of this pool's.</summary>
    public bool TryReadLabel(ReadOnlySpan<byte> label, out IpAddress address)
    {
        address = default;
        if (label.Length <= LabelPrefix.Length + LabelSuffix.Length ||
            !WireName.EqualsIgnoreCase(label[..LabelPrefix.Length], LabelPrefix) ||
            !WireName.EqualsIgnoreCase(label[^LabelSuffix.Length..], LabelSuffix))
            return false;
        return AddressLabel.TryParse(label[LabelPrefix.Length..^LabelSuffix.Length], Prefix.Family, _contains, out address);
    }
}

/// <summary>All pools' default names at one moment; immutable, replaced whole when pools change.</summary>
public sealed class DefaultNames
{
    public static readonly DefaultNames None = new([]);

    private readonly DefaultNamePool[] _pools;

    public DefaultNames(IEnumerable<DefaultNamePool> pools)
    {
        // Longest prefix first, so a more specific pool's template wins inside a wider one.
        _pools = pools.OrderByDescending(p => p.Prefix.Length).ToArray();
    }

    public IReadOnlyList<DefaultNamePool> Pools => _pools;

    public bool IsEmpty => _pools.Length == 0;

    /// <summary>The pool holding <paramref name="address"/>, or null.</summary>
    public DefaultNamePool? PoolOf(IpAddress address)
    {
        foreach (var pool in _pools)
        {
            if (pool.Prefix.Contains(address))
                return pool;
        }
        return null;
    }

    /// <summary>True when some pool address lies in the range the first <paramref name="bits"/> of <paramref name="value"/> fix.</summary>
    public bool Overlaps(IpFamily family, UInt128 value, int bits)
    {
        var range = new IpPrefix(new IpAddress(family, bits == 0 ? 0 : value & ~Mask(family, bits)), bits);
        foreach (var pool in _pools)
        {
            if (pool.Prefix.Family == family && pool.Prefix.Overlaps(range))
                return true;
        }
        return false;
    }

    private static UInt128 Mask(IpFamily family, int bits)
    {
        int width = family == IpFamily.V4 ? 32 : 128;
        int host = width - bits;
        return host == 0 ? 0 : host == 128 ? UInt128.MaxValue : (((UInt128)1 << host) - 1);
    }

    /// <summary>The pool whose default names sit directly under <paramref name="parent"/> and one of which <paramref name="label"/> is.</summary>
    public DefaultNamePool? PoolOfName(ReadOnlySpan<byte> label, ReadOnlySpan<byte> parent, out IpAddress address)
    {
        foreach (var pool in _pools)
        {
            if (WireName.EqualsIgnoreCase(parent, pool.ForwardZone.Wire) && pool.TryReadLabel(label, out address))
                return pool;
        }
        address = default;
        return null;
    }
}
