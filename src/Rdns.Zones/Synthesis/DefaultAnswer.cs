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

    public static Result TryWrite(ZoneSnapshot zone, DefaultNames defaults, scoped ReadOnlySpan<byte> name, RecordType qtype, ref DnsMessageWriter w)
    {
        if (zone.Reverse is { } reverse)
        {
            if (!reverse.TryRead(name, out var value, out int bits))
                return Result.NotDefault;
            var family = reverse.Prefix.Family;
            if (bits < reverse.Prefix.Network.BitLength)
                return defaults.Overlaps(family, value, bits) ? Result.NoData : Result.NotDefault;
            var address = new IpAddress(family, value);
            var pool = defaults.PoolOf(address);
            if (pool is null)
                return Result.NotDefault;
            if (qtype is not (RecordType.PTR or RecordType.ANY))
                return Result.NoData;
            Span<byte> target = stackalloc byte[DnsName.MaxLength];
            int length = pool.WriteName(address, target);
            return w.TryWriteRecord(Section.Answer, name, RecordType.PTR, RecordClass.IN, pool.Ttl, target[..length]) ? Result.Answered : Result.Truncated;
        }

        if (name.Length < 2 || name[0] == 0)
            return Result.NotDefault;
        var label = name.Slice(1, name[0]);
        var parent = name[(1 + name[0])..];
        var owner = defaults.PoolOfName(label, parent, out var named);
        if (owner is null)
            return Result.NotDefault;
        var type = named.Family == IpFamily.V4 ? RecordType.A : RecordType.AAAA;
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
        return w.TryWriteRecord(Section.Answer, name, type, RecordClass.IN, owner.Ttl, data[..size]) ? Result.Answered : Result.Truncated;
    }
}
