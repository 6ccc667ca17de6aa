using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

/// <summary>
/// A table large enough to be built on every core (ranges built at once, suffixes counted in
/// partitions) must answer exactly as the records say, for every address.
/// </summary>
public class CompactPtrBulkTests
{
    [Fact]
    public void A_zone_of_seventy_thousand_ptrs_built_in_parallel_answers_every_address_exactly()
    {
        var b = ZoneBuilder.Standard("10.in-addr.arpa.");
        var expected = new Dictionary<string, (string Target, uint Ttl)>();
        var random = new Random(17);
        string[] tlds = ["de.", "com.", "co.uk.", "net.", "xn--p1ai."];
        for (int i = 0; i < 70_000; i++)
        {
            uint host = (uint)random.Next(1 << 24);
            if (host == 0x030201)
                continue;
            string name = $"{host & 0xff}.{(host >> 8) & 0xff}.{host >> 16}.10.in-addr.arpa.";
            // Every third an operator's name (one shared suffix), the rest tenants' own domains,
            // some in upper case; three TTLs.
            string target = (i % 3) switch
            {
                0 => $"host-{i}.cust{i % 50}.example.net.",
                1 => $"edge{i % 9}.tenant{i}.{tlds[i % tlds.Length]}",
                _ => $"MAIL.Tenant{i}.{tlds[(i / 7) % tlds.Length]}",
            };
            uint ttl = i % 5 == 0 ? 60u : i % 5 == 1 ? 86400u : 3600u;
            if (!expected.TryAdd(name, (target, ttl)))
                continue;
            b.Records.Add(new ResourceRecord(DnsName.Parse(name), RecordType.PTR, ttl, DnsName.Parse(target).Wire.ToArray()));
        }
        // One address with two PTRs stays a node and keeps both, in the order given.
        b.Ptr("1.2.3", "first.example.").Ptr("1.2.3", "second.example.");

        var zone = b.Build();

        Assert.Equal(expected.Count, zone.CompactCount);
        foreach (var (name, (target, ttl)) in expected)
        {
            var set = zone.GetRRset(DnsName.Parse(name).Wire, RecordType.PTR);
            Assert.NotNull(set);
            Assert.Equal(ttl, set.Ttl);
            Assert.Equal(target, Rdata.ReadName(Assert.Single(set.Data)).ToString());
        }
        var two = zone.GetRRset(DnsName.Parse("1.2.3.10.in-addr.arpa.").Wire, RecordType.PTR)!;
        Assert.Equal(["first.example.", "second.example."], two.Data.Select(d => Rdata.ReadName(d).ToString()));
        Assert.Equal(expected.Count + 4, zone.RecordCount);
    }

    [Theory]
    [InlineData("7.10.in-addr.arpa.", 16, 5000)]
    [InlineData("9.7.10.in-addr.arpa.", 8, 100)]
    [InlineData("9.7.10.in-addr.arpa.", 8, 256)]
    public void Every_address_of_the_space_is_found_exactly_when_it_has_a_ptr_and_partial_names_exist_above_ptrs(string origin, int hostBits, int count)
    {
        // A table large enough for its bucket index (16 host bits), and a /24 whose one-octet keys
        // are a bit set (some addresses, every address): every host asked, present or not.
        var b = ZoneBuilder.Standard(origin);
        var random = new Random(hostBits * 1000 + count);
        var present = new SortedSet<int>();
        while (present.Count < Math.Min(count, 1 << hostBits))
            present.Add(random.Next(1 << hostBits));
        string Name(int host) => hostBits == 8 ? $"{host}.{origin}" : $"{host & 0xff}.{host >> 8}.{origin}";
        foreach (int host in present)
            b.Records.Add(new ResourceRecord(DnsName.Parse(Name(host)), RecordType.PTR, 3600, DnsName.Parse($"h{host}.example.").Wire.ToArray()));
        var zone = b.Build();
        Assert.Equal(present.Count, zone.CompactCount);
        Span<byte> target = stackalloc byte[DnsName.MaxLength];
        for (int host = 0; host < 1 << hostBits; host++)
        {
            var match = zone.FindCompact(DnsName.Parse(Name(host)).Wire, out _, target, out int length);
            if (present.Contains(host))
            {
                Assert.Equal(ZoneSnapshot.CompactMatch.Ptr, match);
                Assert.Equal($"h{host}.example.", Rdata.ReadName(target[..length].ToArray()).ToString());
            }
            else
            {
                Assert.Equal(ZoneSnapshot.CompactMatch.None, match);
            }
        }
        if (hostBits == 16)
        {
            for (int high = 0; high < 256; high++)
            {
                bool any = present.GetViewBetween(high << 8, (high << 8) | 0xff).Count > 0;
                var match = zone.FindCompact(DnsName.Parse($"{high}.{origin}").Wire, out _, target, out _);
                Assert.Equal(any ? ZoneSnapshot.CompactMatch.EmptyNonTerminal : ZoneSnapshot.CompactMatch.None, match);
            }
        }
    }

    [Fact]
    public void Sparse_ipv6_addresses_sort_by_address_and_an_address_with_two_ptrs_keeps_their_order()
    {
        var b = ZoneBuilder.Standard("0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
        var random = new Random(3);
        var expected = new Dictionary<string, string>();
        string Name(UInt128 host) => Addressing.ReverseName.ToName(new Addressing.IpAddress(Addressing.IpFamily.V6,
            Addressing.IpAddress.Parse("2001:db8::").Value | host));
        for (int i = 0; i < 3000; i++)
        {
            // Anywhere in the /48: far more than 2^40 apart.
            var host = ((UInt128)(ulong)random.NextInt64() << 16 | (uint)random.Next(1 << 16)) & (((UInt128)1 << 80) - 1);
            if (expected.TryAdd(Name(host), $"h{i}.example."))
                b.Records.Add(new ResourceRecord(DnsName.Parse(Name(host)), RecordType.PTR, 60, DnsName.Parse($"h{i}.example.").Wire.ToArray()));
        }
        var twice = Name(12345);
        b.Records.Add(new ResourceRecord(DnsName.Parse(twice), RecordType.PTR, 60, DnsName.Parse("z-first.example.").Wire.ToArray()));
        b.Records.Add(new ResourceRecord(DnsName.Parse(twice), RecordType.PTR, 60, DnsName.Parse("a-second.example.").Wire.ToArray()));

        var zone = b.Build();

        Assert.Equal(expected.Count, zone.CompactCount);
        foreach (var (name, target) in expected)
            Assert.Equal(target, Rdata.ReadName(Assert.Single(zone.GetRRset(DnsName.Parse(name).Wire, RecordType.PTR)!.Data)).ToString());
        Assert.Equal(["z-first.example.", "a-second.example."],
            zone.GetRRset(DnsName.Parse(twice).Wire, RecordType.PTR)!.Data.Select(d => Rdata.ReadName(d).ToString()));
    }
}
