using FsCheck;
using FsCheck.Fluent;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tests.Names;

public class DnsNameTests
{
    [Theory]
    [InlineData("129.2.0.192.in-addr.arpa.", 6)]
    [InlineData("www.example.com", 3)]
    [InlineData(".", 0)]
    public void Parses_and_formats_with_a_trailing_dot(string text, int labels)
    {
        var name = DnsName.Parse(text);
        Assert.Equal(labels, name.LabelCount);
        Assert.Equal(text.EndsWith('.') ? text : text + ".", name.ToString());
    }

    [Fact]
    public void Relative_names_take_the_origin_and_at_is_the_origin()
    {
        var origin = DnsName.Parse("2.0.192.in-addr.arpa.");
        Assert.Equal("129.2.0.192.in-addr.arpa.", DnsName.Parse("129", origin).ToString());
        Assert.Same(origin, DnsName.Parse("@", origin));
        Assert.Equal("x.example.", DnsName.Parse("x.example.", origin).ToString());
    }

    [Fact]
    public void Escapes_round_trip_rfc_1035_section_5_1()
    {
        var name = DnsName.Parse(@"a\.b\032c\\d.example.");
        Assert.Equal(2, name.LabelCount);
        Assert.Equal(@"a\.b\032c\\d.example.", name.ToString());
        Assert.Equal("a.b c\\d"u8.ToArray(), name.Label(0).ToArray());
    }

    [Theory]
    [InlineData("a..b", "empty label")]
    [InlineData("", "empty name")]
    [InlineData(@"a\25", "\\DDD escape needs three digits")]
    [InlineData(@"a\300", "\\DDD escape above 255")]
    [InlineData("exämple.com", "non-ASCII")]
    public void Refuses_malformed_text(string text, string reason)
    {
        Assert.False(DnsName.TryParse(text, null, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Refuses_labels_over_63_and_names_over_255_octets()
    {
        Assert.False(DnsName.TryParse(new string('a', 64) + ".com", null, out _, out var e1));
        Assert.Contains("63", e1);
        var longName = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)); // 4*64+1 = 257
        Assert.False(DnsName.TryParse(longName, null, out _, out var e2));
        Assert.Contains("255", e2);
        var fits = string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61); // 255
        Assert.Equal(255, DnsName.Parse(fits).Length);
    }

    [Fact]
    public void Comparison_ignores_case_but_keeps_it()
    {
        var upper = DnsName.Parse("WWW.Example.COM");
        var lower = DnsName.Parse("www.example.com");
        Assert.Equal(upper, lower);
        Assert.Equal(upper.GetHashCode(), lower.GetHashCode());
        Assert.Equal("WWW.Example.COM.", upper.ToString());
    }

    [Fact]
    public void Canonical_order_is_the_rfc_4034_section_6_1_example()
    {
        string[] ordered = ["example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.", "z.example.", @"\001.z.example.", "*.z.example.", @"\200.z.example."];
        var shuffled = ordered.Reverse().Select(n => DnsName.Parse(n)).ToList();
        shuffled.Sort();
        Assert.Equal(ordered, shuffled.Select(n => n.ToString()));
    }

    [Fact]
    public void Subdomain_and_parent()
    {
        var child = DnsName.Parse("129.128-26.2.0.192.in-addr.arpa.");
        var parent = DnsName.Parse("2.0.192.IN-ADDR.arpa.");
        Assert.True(child.IsSubdomainOf(parent));
        Assert.False(parent.IsSubdomainOf(child));
        Assert.Equal("128-26.2.0.192.in-addr.arpa.", child.Parent().ToString());
        Assert.Equal("129", child.ToString(DnsName.Parse("128-26.2.0.192.in-addr.arpa.")));
    }

    [Fact]
    public void Any_label_sequence_round_trips_through_text()
    {
        var label = Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)).Where(a => a.Length is > 0 and <= 63);
        var names = Gen.ArrayOf(label).Where(ls => ls.Length <= 4);
        Prop.ForAll(names.ToArbitrary(), labels =>
        {
            var name = DnsName.Root;
            foreach (var l in labels)
                name = name.Prepend(l);
            var back = DnsName.Parse(name.ToString());
            return back.Wire.SequenceEqual(name.Wire);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_name_over_an_array_is_that_array_and_a_malformed_one_is_refused()
    {
        byte[] wire = [3, (byte)'w', (byte)'w', (byte)'w', 7, .. "example"u8, 3, (byte)'o', (byte)'r', (byte)'g', 0];
        var name = DnsName.FromWireArray(wire);
        Assert.Equal("www.example.org.", name.ToString());
        Assert.Equal(3, name.LabelCount);
        // Not a copy: a zone's origin and its apex node's name are one array.
        Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(name.Wire), ref wire[0]));
        Assert.Same(DnsName.Root, DnsName.FromWireArray([0]));
        Assert.Throws<FormatException>(() => DnsName.FromWireArray([3, (byte)'w', (byte)'w', 0]));
        Assert.Throws<FormatException>(() => DnsName.FromWireArray([]));
    }
}
