using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Control.Tests.Secondary;

/// <summary>What the scripted primaries of the kept-connection tests send: one zone's SOA, framed for TCP.</summary>
internal static class ScriptedAnswers
{
    public static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    public static ResourceRecord Soa(uint serial) =>
        new(Zone, RecordType.SOA, 300, Rdata.Soa(DnsName.Parse("ns.example.net."), DnsName.Parse("host.example.net."), serial, 3600, 600, 86400, 60));

    /// <summary>A message as TCP carries it: its length in two octets, then the message.</summary>
    public static byte[] Framed(DnsMessage message)
    {
        var wire = message.ToWire();
        var framed = new byte[wire.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)wire.Length);
        wire.CopyTo(framed, 2);
        return framed;
    }
}
