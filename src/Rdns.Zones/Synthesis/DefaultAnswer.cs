using System.Buffers.Binary;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Synthesis;

/// <summary>Answers a name the zone does not hold from the pools' default names, without allocating.</summary>
internal static class DefaultAnswer
{
    public enum Result
    {
        /// <summary>Not a default name: continue with wildcards or NXDOMAIN.</summary>
        NotDefault,
        Answered,
        /// <summary>The name exists (a default name, or a partial reverse name inside a pool) but not with this type.</summary>
        NoData,
        Truncated,
    }

    /// <summary>
    /// Writes the default answer for <paramref name="name"/> (signed by <paramref name="signer"/>
    /// when given, like any stored RRset). <paramref name="existing"/> is the type the name has
    /// when the answer is NODATA (PTR or A/AAAA; none for a partial reverse name), for the denial.
    /// </summary>
    public static Result TryWrite(ZoneSnapshot zone, DefaultNames defaults, scoped ReadOnlySpan<byte> name, RecordType qtype, ref DnsMessageWriter w,
        Dnssec.ZoneSigner? signer, out RecordType existing)
    {
        existing = 0;
        if (zone.Reverse is { } reverse)
        {
            if (!reverse.TryRead(name, out var value, out int bits))
                return Result.NotDefault;
            var family = reverse.Family;
            if (bits < reverse.Width)
                return defaults.Overlaps(family, value, bits) ? Result.NoData : Result.NotDefault;
            return TryWriteAddress(defaults, new IpAddress(family, value), name, qtype, ref w, signer, out existing);
        }

        if (name.Length < 2 || name[0] == 0)
            return Result.NotDefault;
        var label = name.Slice(1, name[0]);
        var parent = name[(1 + name[0])..];
        var owner = defaults.PoolOfName(label, parent, out var named);
        if (owner is null)
            return Result.NotDefault;
        var type = named.Family == IpFamily.V4 ? RecordType.A : RecordType.AAAA;
        existing = type;
        if (qtype != type && qtype != RecordType.ANY)
            return Result.NoData;
        Span<byte> data = stackalloc byte[16];
        int size;
        if (named.Family == IpFamily.V4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data, (uint)named.Value);
            size = 4;
        }
        else
        {
            BinaryPrimitives.WriteUInt128BigEndian(data, named.Value);
            size = 16;
        }
        return AuthoritativeAnswer.TryPutOne(ref w, name, type, owner.Ttl, data[..size], signer) ? Result.Answered : Result.Truncated;
    }

    /// <summary>
    /// The default PTR of <paramref name="address"/>, whose reverse name <paramref name="name"/>
    /// is, when a pool holds the address (see <see cref="TryWrite"/>).
    /// </summary>
    public static Result TryWriteAddress(DefaultNames defaults, IpAddress address, scoped ReadOnlySpan<byte> name, RecordType qtype, ref DnsMessageWriter w,
        Dnssec.ZoneSigner? signer, out RecordType existing)
    {
        existing = 0;
        var pool = defaults.PoolOf(address);
        if (pool is null)
            return Result.NotDefault;
        existing = RecordType.PTR;
        if (qtype is not (RecordType.PTR or RecordType.ANY))
            return Result.NoData;
        Span<byte> target = stackalloc byte[DnsName.MaxLength];
        int length = pool.WriteName(address, target);
        return AuthoritativeAnswer.TryPutOne(ref w, name, RecordType.PTR, pool.Ttl, target[..length], signer) ? Result.Answered : Result.Truncated;
    }

    /// <summary>Whether the pools make <paramref name="name"/> exist in <paramref name="zone"/> (a default name, or a partial reverse name inside a pool).</summary>
    public static bool Exists(ZoneSnapshot zone, DefaultNames defaults, ReadOnlySpan<byte> name)
    {
        if (zone.Reverse is { } reverse)
        {
            if (!reverse.TryRead(name, out var value, out int bits))
                return false;
            var family = reverse.Family;
            if (bits < reverse.Width)
                return defaults.Overlaps(family, value, bits);
            return defaults.PoolOf(new IpAddress(family, value)) is not null;
        }
        if (name.Length < 2 || name[0] == 0)
            return false;
        return defaults.PoolOfName(name.Slice(1, name[0]), name[(1 + name[0])..], out _) is not null;
    }
}
