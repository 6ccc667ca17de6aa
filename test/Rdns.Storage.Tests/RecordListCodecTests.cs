using FsCheck;
using FsCheck.Fluent;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Storage.Tests;

/// <summary>The journal's record-list encoding: what goes in comes out, and nothing else is accepted.</summary>
public class RecordListCodecTests
{
    private static Gen<ResourceRecord> Records =>
        from labelCount in Gen.Choose(0, 5)
        from labels in Gen.ArrayOf(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>()).Where(l => l.Length is > 0 and <= 20), labelCount)
        from type in Gen.Choose(0, 65535)
        from cls in Gen.Choose(0, 65535)
        from ttl in ArbMap.Default.GeneratorFor<uint>()
        from data in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())
        select new ResourceRecord(labels.Aggregate(DnsName.Root, (n, l) => n.Prepend(l)), (RecordType)type, (RecordClass)cls, ttl, data);

    [Fact]
    public void Every_record_list_round_trips_byte_for_byte()
    {
        Prop.ForAll(Gen.ListOf(Records).ToArbitrary(), records =>
        {
            var decoded = RecordListCodec.Decode(RecordListCodec.Encode(records));
            return TestZones.Dump(decoded) == TestZones.Dump(records) && decoded.Count == records.Count;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Every_truncation_and_every_extra_octet_is_refused()
    {
        var zone = TestZones.Zone2;
        var blob = RecordListCodec.Encode([.. TestZones.Zone(zone, 1), new ResourceRecord(zone, RecordType.TXT, 5, Rdata.Txt("x"))]);
        for (int length = 0; length < blob.Length; length++)
            Assert.Throws<InvalidDataException>(() => RecordListCodec.Decode(blob.AsSpan(0, length)));
        Assert.Throws<InvalidDataException>(() => RecordListCodec.Decode([.. blob, 0]));
    }

    [Fact]
    public void Malformed_headers_and_names_are_refused()
    {
        Assert.Throws<InvalidDataException>(() => RecordListCodec.Decode([2, 0, 0, 0, 0])); // unknown format
        Assert.Throws<InvalidDataException>(() => RecordListCodec.Decode([1, 0xFF, 0xFF, 0xFF, 0xFF])); // negative count
        Assert.Throws<InvalidDataException>(() => RecordListCodec.Decode([1, 0, 0, 1, 0, 0])); // count beyond the data
        // A compression pointer (0xC0) where an owner must be uncompressed.
        Assert.Throws<InvalidDataException>(() => RecordListCodec.Decode([1, 0, 0, 0, 1, 0xC0, 0x0C, 0, 12, 0, 1, 0, 0, 0, 0, 0, 0]));
        Assert.Empty(RecordListCodec.Decode([1, 0, 0, 0, 0]));
    }

    [Fact]
    public void Random_bytes_never_decode_to_anything_but_records_or_a_refusal()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] blob = [1, 0, 0, 0, 1, .. bytes];
            try
            {
                var records = RecordListCodec.Decode(blob);
                return RecordListCodec.Encode(records).AsSpan().SequenceEqual(blob);
            }
            catch (InvalidDataException)
            {
                return true;
            }
        }).QuickCheckThrowOnFailure();
    }
}
