using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Records;

public sealed class ZoneRowsTests
{
    [Fact]
    public void Rows_read_back_as_added_and_a_prefetch_is_only_a_hint()
    {
        var rows = new ZoneRows();
        var records = Enumerable.Range(0, 3000)
            .Select(i => new ResourceRecord(DnsName.Parse($"{i}.example."), RecordType.PTR, (uint)i, Rdata.Ptr(DnsName.Parse($"host-{i}.example."))))
            .ToList();
        records.Add(new ResourceRecord(DnsName.Parse("empty.example."), (RecordType)65280, 5, []));
        foreach (var r in records)
            rows.Add(r);

        // Any index, in range or not, before or after its row exists: nothing changes, nothing throws.
        foreach (int i in new[] { -1, 0, 1, 2999, 3000, 3001, int.MaxValue, int.MinValue })
        {
            rows.Prefetch(i, octets: false);
            rows.Prefetch(i, octets: true);
        }

        Assert.Equal(records.Count, rows.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i].ToString(), rows[i].ToString());
            Assert.True(rows.Owner(i).SequenceEqual(records[i].Owner.Wire));
            Assert.True(rows.Data(i).SequenceEqual(records[i].Data));
        }
    }
}
