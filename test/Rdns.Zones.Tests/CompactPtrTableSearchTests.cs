using Rdns.Protocol.Names;

namespace Rdns.Zones.Tests;

/// <summary>
/// A table's key search (bucketed or not, keys of one to sixteen octets) against a plain sorted
/// list: every key present is found at its place, every key absent gets the place it would take,
/// and range questions agree.
/// </summary>
public sealed class CompactPtrTableSearchTests
{
    [Theory]
    [InlineData(8, 1)]      // a /24: one-octet keys (a bit set when strictly increasing)
    [InlineData(16, 40)]    // a /16, fewer keys than make buckets
    [InlineData(16, 5000)]  // a /16 with buckets
    [InlineData(24, 3)]
    [InlineData(24, 20000)] // a /8, three-octet keys, as the huge shape has
    [InlineData(64, 3000)]  // an IPv6 /64, eight-octet keys (the last width read as one integer)
    [InlineData(80, 3000)]  // an IPv6 /48, ten-octet keys (compared as 128-bit values)
    public void Every_key_and_every_gap_is_found_where_a_sorted_list_has_it(int hostBits, int count)
    {
        var random = new Random(hostBits * 31 + count);
        UInt128 network = hostBits == 8 ? (UInt128)0x0A010200 : hostBits <= 24 ? (UInt128)0x0A000000 & ~(((UInt128)1 << hostBits) - 1) : (UInt128)0x20010DB8 << 96;
        var space = new AddressSpace(network, hostBits);
        UInt128 mask = space.HostMask;
        var hosts = new SortedSet<UInt128>();
        // Keys near both ends of the space and at random in between.
        hosts.Add(0);
        hosts.Add(mask);
        while (hosts.Count < Math.Min(count, hostBits == 8 ? 200 : int.MaxValue))
            hosts.Add(Random128(random) & mask);
        var keys = hosts.Select(h => network + h).ToList();
        var arena = DnsName.Parse("h.example.net.").Wire.ToArray();
        var entries = keys.Select(k => (k, 300u, 0, arena.Length)).ToList();
        var table = CompactPtrTable.Build(space, entries, arena)!;
        Assert.Equal(keys.Count, table.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            Assert.Equal(i, table.IndexOf(keys[i]));
            Assert.Equal(keys[i], table.KeyAt(i));
        }
        var probes = new List<UInt128> { network, network + mask, network - 1, network + mask + 1 };
        for (int i = 0; i < 4000; i++)
            probes.Add(network + (Random128(random) & mask));
        foreach (var k in keys.Take(500))
        {
            probes.Add(k - 1);
            probes.Add(k + 1);
        }
        foreach (var probe in probes)
        {
            int at = keys.BinarySearch(probe);
            int found = table.IndexOf(probe);
            if (probe < network)
                Assert.Equal(~0, found);
            else if (probe > network + mask)
                Assert.Equal(~table.Count, found);
            else
                Assert.Equal(at, found);
            bool any = at >= 0 || (~at < keys.Count && keys[~at] <= probe + 16);
            if (probe >= network && probe + 16 <= network + mask)
                Assert.Equal(any, table.AnyInRange(probe, probe + 16));
        }
    }

    private static UInt128 Random128(Random random) => new((ulong)random.NextInt64() ^ (ulong)random.NextInt64() << 1, (ulong)random.NextInt64() ^ (ulong)random.NextInt64() << 1);
}
