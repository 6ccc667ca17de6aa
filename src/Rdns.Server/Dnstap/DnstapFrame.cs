using Rdns.Server.Pipeline;

namespace Rdns.Server.Dnstap;

/// <summary>
/// One dnstap message (dnstap.proto: a <c>Dnstap</c> of type MESSAGE carrying a <c>Message</c> of
/// type AUTH_QUERY or AUTH_RESPONSE) as a Frame Streams data frame: a four-octet big-endian length,
/// then the protocol buffer. Fields and numbers follow dnstap.proto (github.com/dnstap/dnstap.pb),
/// which Knot, BIND, Unbound and PowerDNS write alike.
/// </summary>
internal static class DnstapFrame
{
    // Dnstap
    private const int Identity = 1;
    private const int Version = 2;
    private const int MessageField = 14;
    private const int TypeField = 15;
    private const ulong TypeMessage = 1;

    // Message
    private const int MType = 1;
    private const int SocketFamily = 2;
    private const int SocketProtocol = 3;
    private const int QueryAddress = 4;
    private const int ResponseAddress = 5;
    private const int QueryPort = 6;
    private const int ResponsePort = 7;
    private const int QueryTimeSec = 8;
    private const int QueryTimeNsec = 9;
    private const int QueryMessage = 10;
    private const int QueryZone = 11;
    private const int ResponseTimeSec = 12;
    private const int ResponseTimeNsec = 13;
    private const int ResponseMessage = 14;

    public const ulong AuthQuery = 1;
    public const ulong AuthResponse = 2;

    /// <summary>The time of an event, as dnstap has it.</summary>
    public readonly record struct Time(ulong Seconds, uint Nanoseconds);

    /// <summary>What both frames of one request share.</summary>
    public readonly ref struct Envelope(ReadOnlySpan<byte> identity, ReadOnlySpan<byte> version, in RequestSource source, ReadOnlySpan<byte> zone)
    {
        public readonly ReadOnlySpan<byte> Identity = identity;
        public readonly ReadOnlySpan<byte> Version = version;
        public readonly RequestSource Source = source;
        public readonly ReadOnlySpan<byte> Zone = zone;
    }

    /// <summary>
    /// Writes the frame into <paramref name="into"/>; returns its length, or 0 when it does not fit
    /// (the caller counts it as dropped).
    /// </summary>
    public static int Write(Span<byte> into, scoped in Envelope envelope, ulong type, Time queryTime, scoped ReadOnlySpan<byte> query, Time responseTime, scoped ReadOnlySpan<byte> response)
    {
        var client = envelope.Source.Client;
        var local = envelope.Source.Listener.LocalAddress;
        int clientLength = client.IsV6 ? 16 : 4;
        int localLength = local.IsV6 ? 16 : 4;
        bool isResponse = type == AuthResponse;

        int message = ProtoWriter.VarintFieldSize(MType, type)
            + ProtoWriter.VarintFieldSize(SocketFamily, client.IsV6 ? 2UL : 1UL)
            + ProtoWriter.VarintFieldSize(SocketProtocol, envelope.Source.Transport == DnsTransport.Tcp ? 2UL : 1UL)
            + ProtoWriter.BytesFieldSize(QueryAddress, clientLength)
            + ProtoWriter.BytesFieldSize(ResponseAddress, localLength)
            + ProtoWriter.VarintFieldSize(QueryPort, client.Port)
            + ProtoWriter.VarintFieldSize(ResponsePort, local.Port)
            + ProtoWriter.VarintFieldSize(QueryTimeSec, queryTime.Seconds)
            + ProtoWriter.Fixed32FieldSize(QueryTimeNsec);
        if (isResponse)
        {
            message += ProtoWriter.VarintFieldSize(ResponseTimeSec, responseTime.Seconds) + ProtoWriter.Fixed32FieldSize(ResponseTimeNsec)
                + ProtoWriter.BytesFieldSize(ResponseMessage, response.Length);
        }
        else
        {
            message += ProtoWriter.BytesFieldSize(QueryMessage, query.Length);
        }
        if (!envelope.Zone.IsEmpty)
            message += ProtoWriter.BytesFieldSize(QueryZone, envelope.Zone.Length);
        int total = (envelope.Identity.IsEmpty ? 0 : ProtoWriter.BytesFieldSize(Identity, envelope.Identity.Length))
            + (envelope.Version.IsEmpty ? 0 : ProtoWriter.BytesFieldSize(Version, envelope.Version.Length))
            + ProtoWriter.BytesFieldSize(MessageField, message)
            + ProtoWriter.VarintFieldSize(TypeField, TypeMessage);
        if (4 + total > into.Length)
            return 0;

        var w = new ProtoWriter(into);
        w.BigEndian32((uint)total);
        if (!envelope.Identity.IsEmpty)
            w.BytesField(Identity, envelope.Identity);
        if (!envelope.Version.IsEmpty)
            w.BytesField(Version, envelope.Version);
        w.Header(MessageField, message);
        w.VarintField(MType, type);
        w.VarintField(SocketFamily, client.IsV6 ? 2UL : 1UL);
        w.VarintField(SocketProtocol, envelope.Source.Transport == DnsTransport.Tcp ? 2UL : 1UL);
        Span<byte> address = stackalloc byte[16];
        w.BytesField(QueryAddress, Address(client, address));
        w.BytesField(ResponseAddress, Address(local, address));
        w.VarintField(QueryPort, client.Port);
        w.VarintField(ResponsePort, local.Port);
        w.VarintField(QueryTimeSec, queryTime.Seconds);
        w.Fixed32Field(QueryTimeNsec, queryTime.Nanoseconds);
        if (isResponse)
        {
            w.VarintField(ResponseTimeSec, responseTime.Seconds);
            w.Fixed32Field(ResponseTimeNsec, responseTime.Nanoseconds);
            w.BytesField(ResponseMessage, response);
        }
        else
        {
            w.BytesField(QueryMessage, query);
        }
        if (!envelope.Zone.IsEmpty)
            w.BytesField(QueryZone, envelope.Zone);
        w.VarintField(TypeField, TypeMessage);
        return w.Position;
    }

    private static ReadOnlySpan<byte> Address(ClientAddress address, Span<byte> into)
    {
        if (address.IsV6)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(into, address.Value);
            return into[..16];
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(into, (uint)address.Value);
        return into[..4];
    }
}
