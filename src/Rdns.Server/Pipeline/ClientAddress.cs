using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rdns.Server.Pipeline;

/// <summary>
/// A client's IP address as a number, read out of the socket address without allocating, so
/// stages can match it against prefixes (views, rate-limit buckets, ACLs) on every query.
/// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are read as the IPv4 address they carry.
/// </summary>
public readonly record struct ClientAddress(bool IsV6, UInt128 Value, ushort Port)
{
    public static readonly ClientAddress None = default;

    /// <summary>Reads a socket address (the layout of <c>sockaddr_in</c> / <c>sockaddr_in6</c>).</summary>
    public static ClientAddress From(SocketAddress? address)
    {
        if (address is null)
            return None;
        return From(address.Buffer.Span[..address.Size], address.Family);
    }

    /// <summary>
    /// From a socket address as the system writes it (a sockaddr_in or sockaddr_in6 of
    /// <paramref name="family"/>): port and address in network order at fixed offsets after the
    /// two-octet family.
    /// </summary>
    public static ClientAddress From(ReadOnlySpan<byte> b, AddressFamily family)
    {
        if (b.Length < 4)
            return None;
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
        if (family == AddressFamily.InterNetwork && b.Length >= 8)
            return new ClientAddress(false, BinaryPrimitives.ReadUInt32BigEndian(b[4..]), port);
        if (family == AddressFamily.InterNetworkV6 && b.Length >= 24)
            return FromV6(BinaryPrimitives.ReadUInt128BigEndian(b[8..]), port);
        return None;
    }

    public static ClientAddress From(IPEndPoint? endpoint)
    {
        if (endpoint is null)
            return None;
        Span<byte> octets = stackalloc byte[16];
        var ip = endpoint.Address;
        if (ip.AddressFamily == AddressFamily.InterNetwork && ip.TryWriteBytes(octets, out _))
            return new ClientAddress(false, BinaryPrimitives.ReadUInt32BigEndian(octets), (ushort)endpoint.Port);
        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.TryWriteBytes(octets, out _))
            return FromV6(BinaryPrimitives.ReadUInt128BigEndian(octets), (ushort)endpoint.Port);
        return None;
    }

    private static ClientAddress FromV6(UInt128 value, ushort port) =>
        (value >> 32) == 0xFFFF ? new ClientAddress(false, value & uint.MaxValue, port) : new ClientAddress(true, value, port);

    /// <summary>True when this is a real address (not <see cref="None"/>, as for in-process callers).</summary>
    public bool IsKnown => Port != 0 || Value != UInt128.Zero;

    /// <summary>The first <paramref name="bits"/> bits, the rest zero: the client's network of that size.</summary>
    public UInt128 Network(int bits)
    {
        int width = IsV6 ? 128 : 32;
        if (bits >= width)
            return Value;
        if (bits <= 0)
            return UInt128.Zero;
        return Value & ~((UInt128.One << (width - bits)) - 1);
    }

    /// <summary>The address as the address planner types it (no allocation), for matching against prefixes.</summary>
    public Addressing.IpAddress ToIpAddress() => new(IsV6 ? Addressing.IpFamily.V6 : Addressing.IpFamily.V4, Value);

    /// <summary>For logs and ACLs that work on <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> octets = stackalloc byte[16];
        if (!IsV6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(octets, (uint)Value);
            return new IPAddress(octets[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(octets, Value);
        return new IPAddress(octets);
    }

    public IPEndPoint ToEndPoint() => new(ToIPAddress(), Port);

    public override string ToString() => IsKnown ? ToEndPoint().ToString() : "(local)";
}
