using FsCheck;
using FsCheck.Fluent;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Text;

/// <summary>Generators of valid RDATA of every type, with the octets that need escaping made common.</summary>
internal static class RdataGenerators
{
    internal static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(i => (byte)i);

    // Octets that need escaping in names and strings turn up often, not one time in 256.
    internal static readonly Gen<byte> TrickyByte = Gen.Frequency(
        (6, Gen.Elements("aZ09-_".Select(c => (byte)c).ToArray())),
        (3, Gen.Elements(". \\\"();@$\t".Select(c => (byte)c).ToArray())),
        (2, AnyByte));

    internal static Gen<byte[]> Bytes(int min, int max, Gen<byte> element) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(element, n));

    internal static Gen<byte[]> Label => Bytes(1, 20, TrickyByte);

    /// <summary>A wire-form name of 0-5 labels, root included.</summary>
    internal static Gen<byte[]> Name =>
        Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(Label, n)).Select(labels =>
        {
            var wire = new List<byte>();
            foreach (var l in labels)
            {
                wire.Add((byte)l.Length);
                wire.AddRange(l);
            }
            wire.Add(0);
            return wire.ToArray();
        });

    internal static Gen<byte[]> CharacterString =>
        Gen.Frequency((3, Bytes(0, 40, TrickyByte)), (1, Bytes(200, 255, AnyByte)))
            .Select(s => new[] { (byte)s.Length }.Concat(s).ToArray());

    internal static Gen<byte[]> Concat(params Gen<byte[]>[] parts) =>
        Gen.CollectToArray(parts).Select(p => p.SelectMany(x => x).ToArray());

    internal static Gen<byte[]> Caa =>
        from flags in AnyByte
        from tag in Bytes(1, 15, Gen.Elements("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789".Select(c => (byte)c).ToArray()))
        from value in Bytes(0, 300, TrickyByte)
        select new[] { flags, (byte)tag.Length }.Concat(tag).Concat(value).ToArray();

    internal static Gen<(RecordType Type, byte[] Data)> AnyRdata => Gen.OneOf(
        Bytes(4, 4, AnyByte).Select(d => (RecordType.A, d)),
        Bytes(16, 16, AnyByte).Select(d => (RecordType.AAAA, d)),
        Name.Select(d => (RecordType.NS, d)),
        Name.Select(d => (RecordType.CNAME, d)),
        Name.Select(d => (RecordType.PTR, d)),
        Name.Select(d => (RecordType.DNAME, d)),
        Concat(Name, Name, Bytes(20, 20, AnyByte)).Select(d => (RecordType.SOA, d)),
        Concat(Bytes(2, 2, AnyByte), Name).Select(d => (RecordType.MX, d)),
        Concat(Bytes(6, 6, AnyByte), Name).Select(d => (RecordType.SRV, d)),
        Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(CharacterString, n)).Select(s => (RecordType.TXT, s.SelectMany(x => x).ToArray())),
        Concat(CharacterString, CharacterString).Select(d => (RecordType.HINFO, d)),
        Bytes(3, 80, AnyByte).Select(d => (RecordType.DHCID, d)),
        Caa.Select(d => (RecordType.CAA, d)),
        Bytes(0, 64, AnyByte).Select(d => (RecordType.DS, d)),
        Bytes(0, 64, AnyByte).Select(d => (RecordType.CDS, d)),
        from type in Gen.Choose(256, 65535).Where(t => !Enum.IsDefined((RecordType)t) && t is < 65280 or > 65534)
        from data in Bytes(0, 100, AnyByte)
        select ((RecordType)type, data),
        Bytes(0, 100, AnyByte).Select(d => ((RecordType)65280, d)));
}
