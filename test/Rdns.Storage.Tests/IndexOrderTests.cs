using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage.Sqlite;

namespace Rdns.Storage.Tests;

/// <summary>The bulk insert's row order is exactly the index's: lowercased owner octets, then type, then the rows' own order.</summary>
public sealed class IndexOrderTests
{
    [Fact]
    public void Rows_are_put_in_index_order_however_long_their_common_prefixes()
    {
        var random = new Random(11);
        var rows = new ZoneRows();
        // Owners that differ only after twelve octets (the part of a sort key held beside the
        // position), mixed case, several types and records per owner, and owners shorter than twelve.
        string[] tails = ["in-addr.arpa.", "ip6.arpa.", "A.", "x.example.", "LONG-COMMON-PREFIX.example."];
        for (int i = 0; i < 9000; i++)
        {
            string first = random.Next(4) switch
            {
                0 => $"{random.Next(256)}",
                1 => $"long-common-prefix-{random.Next(50)}",
                2 => $"LONG-COMMON-PREFIX-{random.Next(50)}",
                _ => $"{(char)('a' + random.Next(3))}",
            };
            var owner = DnsName.Parse($"{first}.{tails[random.Next(tails.Length)]}");
            var type = random.Next(3) == 0 ? RecordType.TXT : RecordType.PTR;
            rows.Add(owner.Wire, type, RecordClass.IN, 60, [(byte)random.Next(256)]);
        }

        var order = IndexOrder.Of(rows);

        Assert.NotNull(order);
        Assert.Equal(Reference(rows), order);
    }

    [Fact]
    public void Rows_in_order_already_or_too_few_to_sort_are_left_as_they_are()
    {
        var sorted = new ZoneRows();
        for (int i = 0; i < 5000; i++)
            sorted.Add(DnsName.Parse($"host-{i:D5}.example.").Wire, RecordType.A, RecordClass.IN, 60, [192, 0, 2, 1]);
        Assert.Null(IndexOrder.Of(sorted));

        var few = new ZoneRows();
        for (int i = 0; i < 100; i++)
            few.Add(DnsName.Parse($"{100 - i}.example.").Wire, RecordType.A, RecordClass.IN, 60, [192, 0, 2, 1]);
        Assert.Null(IndexOrder.Of(few));
    }

    private static int[] Reference(ZoneRows rows) =>
        Enumerable.Range(0, rows.Count)
            .OrderBy(i => Lower(rows.Owner(i)), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))
            .ThenBy(i => (ushort)rows.Type(i))
            .ThenBy(i => i)
            .ToArray();

    private static byte[] Lower(ReadOnlySpan<byte> owner)
    {
        var copy = owner.ToArray();
        WireName.LowerInPlace(copy);
        return copy;
    }
}
