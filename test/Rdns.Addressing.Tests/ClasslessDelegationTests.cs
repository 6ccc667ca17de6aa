namespace Rdns.Addressing.Tests;

/// <summary>The 192.0.2.128/26 example of the Azure reverse-DNS overview, after RFC 2317 §4.</summary>
public class ClasslessDelegationTests
{
    private static readonly string[] NameServers = ["ns1.example.net", "ns2.example.net"];

    [Fact]
    public void The_parent_delegates_the_child_label_and_points_every_address_into_it()
    {
        var d = ClasslessDelegation.For(IpPrefix.Parse("192.0.2.128/26"), NameServers);

        Assert.Equal("2.0.192.in-addr.arpa.", d.ParentZone);
        Assert.Equal("128-26.2.0.192.in-addr.arpa.", d.ChildZone);
        var expected = new List<DelegationRecord>
        {
            new("128-26.2.0.192.in-addr.arpa.", 3600, "NS", "ns1.example.net."),
            new("128-26.2.0.192.in-addr.arpa.", 3600, "NS", "ns2.example.net."),
        };
        // One CNAME for each of the 64 addresses 128…191, network and broadcast included.
        for (int octet = 128; octet <= 191; octet++)
            expected.Add(new($"{octet}.2.0.192.in-addr.arpa.", 3600, "CNAME", $"{octet}.128-26.2.0.192.in-addr.arpa."));
        Assert.Equal(expected, d.ParentRecords);
    }

    [Fact]
    public void The_parent_text_matches_the_documented_example()
    {
        var d = ClasslessDelegation.For(IpPrefix.Parse("192.0.2.128/26"), NameServers);
        var lines = d.ParentZoneText().Split('\n');

        Assert.Equal("$ORIGIN 2.0.192.in-addr.arpa.", lines[1]);
        Assert.Equal("128-26\t3600\tIN\tNS\tns1.example.net.", lines[2]);
        Assert.Equal("128-26\t3600\tIN\tNS\tns2.example.net.", lines[3]);
        Assert.Equal("128\t3600\tIN\tCNAME\t128.128-26.2.0.192.in-addr.arpa.", lines[4]);
        Assert.Equal("129\t3600\tIN\tCNAME\t129.128-26.2.0.192.in-addr.arpa.", lines[5]);
        Assert.Equal("130\t3600\tIN\tCNAME\t130.128-26.2.0.192.in-addr.arpa.", lines[6]);
        Assert.Equal("131\t3600\tIN\tCNAME\t131.128-26.2.0.192.in-addr.arpa.", lines[7]);
        Assert.Equal("191\t3600\tIN\tCNAME\t191.128-26.2.0.192.in-addr.arpa.", lines[^2]);
    }

    [Fact]
    public void The_child_PTR_owners_are_the_CNAME_targets()
    {
        var d = ClasslessDelegation.For(IpPrefix.Parse("192.0.2.128/26"), NameServers);

        Assert.Equal("129.128-26.2.0.192.in-addr.arpa.", d.ChildNameOf(IpAddress.Parse("192.0.2.129")));
        Assert.Equal("130.128-26.2.0.192.in-addr.arpa.", d.ChildNameOf(IpAddress.Parse("192.0.2.130")));
        Assert.Equal("131.128-26.2.0.192.in-addr.arpa.", d.ChildNameOf(IpAddress.Parse("192.0.2.131")));
        var targets = d.ParentRecords.Where(r => r.Type == "CNAME").Select(r => r.Data);
        var owners = Enumerable.Range(128, 64).Select(o => d.ChildNameOf(IpAddress.Parse($"192.0.2.{o}")));
        Assert.Equal(owners, targets);
        // A lookup of the address's ordinary name lands, through the CNAME, on the child owner.
        var cname = d.ParentRecords.Single(r => r.Owner == ReverseName.ToName(IpAddress.Parse("192.0.2.129")));
        Assert.True(ReverseName.TryParseAddress(cname.Data, out var address, out _));
        Assert.Equal(IpAddress.Parse("192.0.2.129"), address);
    }

    [Fact]
    public void The_child_skeleton_is_an_SOA_and_the_NS_records()
    {
        var d = ClasslessDelegation.For(IpPrefix.Parse("192.0.2.128/26"), NameServers,
            options: new DelegationOptions { Serial = 2026010101, Ttl = 600 });

        Assert.Equal(
        [
            new("128-26.2.0.192.in-addr.arpa.", 600, "SOA", "ns1.example.net. hostmaster.example.net. 2026010101 7200 3600 1209600 3600"),
            new("128-26.2.0.192.in-addr.arpa.", 600, "NS", "ns1.example.net."),
            new("128-26.2.0.192.in-addr.arpa.", 600, "NS", "ns2.example.net."),
        ], d.ChildRecords);
        Assert.Equal(
            "; Child zone 128-26.2.0.192.in-addr.arpa.: add PTR records at <last octet>.128-26.2.0.192.in-addr.arpa.\n"
            + "$ORIGIN 128-26.2.0.192.in-addr.arpa.\n"
            + "@\t600\tIN\tSOA\tns1.example.net. hostmaster.example.net. 2026010101 7200 3600 1209600 3600\n"
            + "@\t600\tIN\tNS\tns1.example.net.\n"
            + "@\t600\tIN\tNS\tns2.example.net.\n",
            d.ChildZoneText());
    }

    [Fact]
    public void The_slash_style_follows_the_RFC_2317_examples()
    {
        var d = ClasslessDelegation.For(IpPrefix.Parse("192.0.2.0/25"), ["ns.a.example"], ClasslessStyle.Slash);
        Assert.Equal("0/25.2.0.192.in-addr.arpa.", d.ChildZone);
        Assert.Equal(new DelegationRecord("1.2.0.192.in-addr.arpa.", 3600, "CNAME", "1.0/25.2.0.192.in-addr.arpa."), d.ParentRecords[2]);
        Assert.Equal(1 + 128, d.ParentRecords.Count);
    }

    [Theory]
    [InlineData("hostmaster@example.org", "hostmaster.example.org.")]
    [InlineData("dns-admin.example.org.", "dns-admin.example.org.")]
    public void The_contact_becomes_the_SOA_RNAME(string contact, string rname)
    {
        var d = ClasslessDelegation.For(IpPrefix.Parse("192.0.2.4/30"), NameServers,
            options: new DelegationOptions { Contact = contact });
        Assert.Equal($"ns1.example.net. {rname} 1 7200 3600 1209600 3600", d.ChildRecords[0].Data);
    }

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0/24: RFC 2317 delegates blocks smaller than a /24 (/25 to /32); shorter prefixes are delegated as whole octet zones with plain NS records")]
    [InlineData("2001:db8::/64", "2001:db8::/64: IPv6 needs no classless delegation; delegate its nibble zones with plain NS records (RFC 3596 §2.5)")]
    public void Refuses_prefixes_that_need_no_classless_delegation(string prefix, string error)
    {
        Assert.False(ClasslessDelegation.TryCreate(IpPrefix.Parse(prefix), NameServers, ClasslessStyle.Dash, null, out _, out var actual));
        Assert.Equal(error, actual);
        Assert.Equal(error, Assert.Throws<ArgumentException>(() => ClasslessDelegation.For(IpPrefix.Parse(prefix), NameServers)).Message);
    }

    [Theory]
    [InlineData(new string[0], "at least one name server is needed")]
    [InlineData(new[] { "ns_1.example.net" }, "name server ns_1.example.net: label 'ns_1': '_' is not allowed in a host name (RFC 952, RFC 1123 §2.1; underscore labels are attributes, RFC 8552)")]
    [InlineData(new[] { "ns1.example.net", "NS1.example.net." }, "name server ns1.example.net. is listed twice")]
    public void Refuses_bad_name_servers(string[] servers, string error)
    {
        Assert.False(ClasslessDelegation.TryCreate(IpPrefix.Parse("192.0.2.128/26"), servers, ClasslessStyle.Dash, null, out _, out var actual));
        Assert.Equal(error, actual);
    }

    [Fact]
    public void Refuses_negative_timers_and_contacts_that_need_escaping()
    {
        var prefix = IpPrefix.Parse("192.0.2.128/26");
        Assert.False(ClasslessDelegation.TryCreate(prefix, NameServers, ClasslessStyle.Dash,
            new DelegationOptions { Ttl = -1 }, out _, out var error));
        Assert.Equal("TTL -1 is out of range 0-2147483647 (RFC 2181 §8)", error);
        Assert.False(ClasslessDelegation.TryCreate(prefix, NameServers, ClasslessStyle.Dash,
            new DelegationOptions { Contact = "first.last@example.org" }, out _, out error));
        Assert.Equal("contact first.last@example.org: the part before '@' must be letters, digits and hyphens (a dot would need escaping)", error);
    }
}
