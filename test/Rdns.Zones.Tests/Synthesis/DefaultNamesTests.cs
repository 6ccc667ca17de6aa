using FsCheck;
using FsCheck.Fluent;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Synthesis;

namespace Rdns.Zones.Tests.Synthesis;

public class DefaultNamesTests
{
    private static DefaultNamePool Pool(string prefix, string template)
    {
        Assert.True(DefaultNamePool.TryCreate(IpPrefix.Parse(prefix), template, 3600, out var pool, out var error), error);
        return pool;
    }

    private static readonly DefaultNames Defaults = new([
        Pool("192.0.2.0/25", "ip-{ip}.pool.example.net."),
        Pool("2001:db8::/32", "host-{ip}.v6.example.net"),
    ]);

    private static readonly ZoneSnapshot V4 = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("7", "custom.example.org.").Build();
    private static readonly ZoneSnapshot V6 = ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.").Build();
    private static readonly ZoneSnapshot Forward = ZoneBuilder.Standard("pool.example.net.").Build();
    private static readonly ZoneSnapshot Forward6 = ZoneBuilder.Standard("v6.example.net.").Build();

    private static DnsMessage Ask(ZoneSnapshot zone, string qname, RecordType qtype)
    {
        var name = DnsName.Parse(qname);
        var buffer = new byte[4096];
        var w = new DnsMessageWriter(buffer, 4096);
        w.TryWriteQuestion(name.Wire, qtype, RecordClass.IN);
        var outcome = AuthoritativeAnswer.Write(zone, Defaults, name.Wire, qtype, ref w, true);
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, (int)outcome.Rcode);
        return DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
    }

    private static string Target(DnsMessage m) => Rdata.ReadName(Assert.Single(m.Answers).Data).ToString();

    [Fact]
    public void A_pool_address_without_a_ptr_answers_its_default_name()
    {
        Assert.Equal("ip-192-0-2-10.pool.example.net.", Target(Ask(V4, "10.2.0.192.in-addr.arpa.", RecordType.PTR)));
        Assert.Equal("custom.example.org.", Target(Ask(V4, "7.2.0.192.in-addr.arpa.", RecordType.PTR)));
    }

    [Fact]
    public void Other_types_at_a_pool_address_are_nodata_and_addresses_outside_the_pool_nxdomain()
    {
        var txt = Ask(V4, "10.2.0.192.in-addr.arpa.", RecordType.TXT);
        Assert.Equal(0, txt.Rcode);
        Assert.Empty(txt.Answers);
        Assert.Equal(RecordType.SOA, Assert.Single(txt.Authority).Type);
        Assert.Equal((int)Rcode.NXDomain, Ask(V4, "200.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Equal((int)Rcode.NXDomain, Ask(V4, "010.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Equal((int)Rcode.NXDomain, Ask(V4, "x.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);
    }

    [Fact]
    public void Ipv6_defaults_cover_the_whole_prefix_and_partial_names_exist()
    {
        var full = new IpAddress(IpFamily.V6, UInt128.Parse("42540766411282592856903984951653826566")); // 2001:db8::6
        var name = ReverseName.ToName(full);
        Assert.Equal("host-2001-db8--6.v6.example.net.", Target(Ask(V6, name, RecordType.PTR)));
        Assert.Equal("host-2001-db8-ffff-ffff-ffff-ffff-ffff-ffff.v6.example.net.",
            Target(Ask(V6, ReverseName.ToName(IpAddress.Parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")), RecordType.PTR)));
        var partial = Ask(V6, "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR);
        Assert.Equal(0, partial.Rcode);
        Assert.Empty(partial.Answers);
        Assert.Equal((int)Rcode.NXDomain, Ask(V6, "g.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR).Rcode);
    }

    [Fact]
    public void A_default_name_answers_its_address_and_nothing_else()
    {
        var a = Assert.Single(Ask(Forward, "IP-192-0-2-10.pool.example.net.", RecordType.A).Answers);
        Assert.Equal("IP-192-0-2-10.pool.example.net.", a.Owner.ToString());
        Assert.Equal([192, 0, 2, 10], a.Data);
        var aaaa = Ask(Forward, "ip-192-0-2-10.pool.example.net.", RecordType.AAAA);
        Assert.Equal(0, aaaa.Rcode);
        Assert.Empty(aaaa.Answers);
        Assert.Equal((int)Rcode.NXDomain, Ask(Forward, "ip-192-0-2-200.pool.example.net.", RecordType.A).Rcode);
        Assert.Equal((int)Rcode.NXDomain, Ask(Forward, "ip-192-000-2-10.pool.example.net.", RecordType.A).Rcode);
        Assert.Equal((int)Rcode.NXDomain, Ask(Forward, "x.ip-192-0-2-10.pool.example.net.", RecordType.A).Rcode);
        var v6 = Assert.Single(Ask(Forward6, "host-2001-db8--6.v6.example.net.", RecordType.AAAA).Answers);
        Assert.Equal(IpAddress.Parse("2001:db8::6").ToIPAddress().GetAddressBytes(), v6.Data);
        Assert.Equal((int)Rcode.NXDomain, Ask(Forward6, "host-2001-db8-0-0-0-0-0-6.v6.example.net.", RecordType.AAAA).Rcode);
    }

    [Theory]
    [InlineData("{ip}.example.net.", true)]
    [InlineData("ip-{ip}-x.pool.example.net", true)]
    [InlineData("ip.{ip}.example.net.", false)]
    [InlineData("ip-{ip}-{ip}.example.net.", false)]
    [InlineData("ip_{ip}.example.net.", false)]
    [InlineData("ip-{ip}.", false)]
    [InlineData("ip-{ip}.bad_label.net.", false)]
    public void Templates_are_checked(string template, bool valid)
    {
        Assert.Equal(valid, DefaultNamePool.TryCreate(IpPrefix.Parse("192.0.2.0/24"), template, 60, out _, out var error));
        Assert.Equal(valid, error is null);
    }

    [Fact]
    public void Address_labels_round_trip_for_every_address()
    {
        var v4 = ArbMap.Default.GeneratorFor<uint>().Select(v => new IpAddress(IpFamily.V4, v));
        // Zero and 0xffff groups often, so gaps and IPv4-mapped addresses (::ffff:a.b.c.d) come up.
        var groups = Gen.Elements<ushort>(0, 0, 0, 1, 0xdb8, 0xffff, 0x2001, 0x10);
        var v6 = Gen.ArrayOf(groups, 8).Select(g => new IpAddress(IpFamily.V6, g.Aggregate(UInt128.Zero, (acc, x) => (acc << 16) | x)));
        var mapped = ArbMap.Default.GeneratorFor<uint>().Select(v => new IpAddress(IpFamily.V6, ((UInt128)0xffff << 32) | v));
        Prop.ForAll(Gen.OneOf(v4, v6, mapped).ToArbitrary(), address =>
        {
            Span<byte> label = stackalloc byte[AddressLabel.MaxLength];
            int n = AddressLabel.Format(address, label);
            var text = System.Text.Encoding.ASCII.GetString(label[..n]);
            var expected = address.ToString().Replace('.', '-').Replace(':', '-');
            // Read back among the addresses this spelling names (see AddressLabel.TryParse).
            return text == expected && AddressLabel.TryParse(label[..n], address.Family, a => a == address, out var back) && back == address;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }
}
