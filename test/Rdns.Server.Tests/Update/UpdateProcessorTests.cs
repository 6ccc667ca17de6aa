using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using Rdns.Server.Update;
using Rdns.Zones;
using Rdns.Zones.Updates;
using Rdns.Zones.Writes;

namespace Rdns.Server.Tests.Update;

/// <summary>RFC 2136 §2.4, §2.5, §3.2 and §3.4, one rule per test, on a small reverse zone.</summary>
public sealed class UpdateProcessorTests
{
    private static readonly DnsName Origin = DnsName.Parse("2.0.192.in-addr.arpa.");
    private const RecordClass IN = RecordClass.IN;

    private static ZoneSnapshot Zone() => ZoneSnapshot.Build(Origin, ZoneFileReader.ReadText("""
        $ORIGIN 2.0.192.in-addr.arpa.
        @   3600 IN SOA ns1.example.net. hostmaster.example.net. 100 7200 3600 1209600 300
        @   3600 IN NS  ns1.example.net.
        @   3600 IN NS  ns2.example.net.
        10  3600 IN PTR host10.example.com.
        11  3600 IN PTR host11.example.com.
        11  3600 IN TXT "lease"
        12  3600 IN CNAME 12.0-25.2.0.192.in-addr.arpa.
        """));

    private static UpdateRecord Rr(string owner, RecordType type, RecordClass cls = IN, uint ttl = 0, string? data = null) =>
        new(DnsName.Parse(owner, Origin), type, cls, ttl, data is null ? [] : RdataParser.Parse(type, data, Origin));

    private static UpdateOutcome Prereq(params UpdateRecord[] prerequisites) => UpdateProcessor.CheckPrerequisites(Zone(), IN, prerequisites);

    /// <summary>The zone after the updates, as the write path would leave it.</summary>
    private static ZoneSnapshot After(ZoneSnapshot zone, params UpdateRecord[] updates)
    {
        Assert.True(UpdateProcessor.Prescan(Origin, IN, updates).IsOk);
        var planned = ZoneChangePlanner.Plan(zone, UpdateProcessor.Apply(zone, IN, updates));
        return planned?.Snapshot ?? zone;
    }

    private static ZoneSnapshot After(params UpdateRecord[] updates) => After(Zone(), updates);

    private static string[] Data(ZoneSnapshot zone, string owner, RecordType type) =>
        zone.GetRRset(DnsName.Parse(owner, Origin).Wire, type)?.Data.Select(d => Rdata.ToText(type, d)).Order().ToArray() ?? [];

    [Fact]
    public void Yxrrset_value_independent_holds_when_the_rrset_exists_and_is_nxrrset_otherwise()
    {
        Assert.True(Prereq(Rr("10", RecordType.PTR, RecordClass.ANY)).IsOk);
        Assert.Equal(Rcode.NXRRSet, Prereq(Rr("10", RecordType.TXT, RecordClass.ANY)).Rcode);
    }

    [Fact]
    public void Yxrrset_value_dependent_needs_exactly_the_same_records()
    {
        Assert.True(Prereq(Rr("10", RecordType.PTR, data: "HOST10.example.com.")).IsOk);
        Assert.Equal(Rcode.NXRRSet, Prereq(Rr("10", RecordType.PTR, data: "other.example.com.")).Rcode);
        Assert.Equal(Rcode.NXRRSet, Prereq(Rr("10", RecordType.PTR, data: "host10.example.com."), Rr("10", RecordType.PTR, data: "extra.example.com.")).Rcode);
        Assert.Equal(Rcode.NXRRSet, Prereq(Rr("99", RecordType.PTR, data: "host10.example.com.")).Rcode);
    }

    [Fact]
    public void Nxrrset_holds_when_the_rrset_is_absent_and_is_yxrrset_otherwise()
    {
        Assert.True(Prereq(Rr("10", RecordType.TXT, RecordClass.NONE)).IsOk);
        Assert.Equal(Rcode.YXRRSet, Prereq(Rr("10", RecordType.PTR, RecordClass.NONE)).Rcode);
    }

    [Fact]
    public void Yxdomain_and_nxdomain_ask_whether_the_name_owns_records()
    {
        Assert.True(Prereq(Rr("11", RecordType.ANY, RecordClass.ANY)).IsOk);
        Assert.Equal(Rcode.NXDomain, Prereq(Rr("99", RecordType.ANY, RecordClass.ANY)).Rcode);
        Assert.True(Prereq(Rr("99", RecordType.ANY, RecordClass.NONE)).IsOk);
        Assert.Equal(Rcode.YXDomain, Prereq(Rr("11", RecordType.ANY, RecordClass.NONE)).Rcode);
    }

    [Fact]
    public void Malformed_prerequisites_are_formerr_and_names_outside_the_zone_notzone()
    {
        Assert.Equal(Rcode.FormErr, Prereq(Rr("10", RecordType.PTR, RecordClass.ANY, ttl: 60)).Rcode);
        Assert.Equal(Rcode.FormErr, Prereq(Rr("10", RecordType.PTR, RecordClass.ANY, data: "x.example.")).Rcode);
        Assert.Equal(Rcode.FormErr, Prereq(Rr("10", RecordType.PTR, RecordClass.CH)).Rcode);
        Assert.Equal(Rcode.NotZone, Prereq(Rr("www.example.com.", RecordType.A, RecordClass.ANY)).Rcode);
    }

    [Fact]
    public void The_first_failing_prerequisite_decides()
    {
        Assert.Equal(Rcode.NXDomain, Prereq(Rr("99", RecordType.ANY, RecordClass.ANY), Rr("10", RecordType.PTR, RecordClass.NONE)).Rcode);
    }

    [Fact]
    public void Add_puts_a_record_into_its_rrset_and_a_duplicate_changes_nothing()
    {
        var zone = After(Rr("20", RecordType.PTR, ttl: 300, data: "host20.example.com."));
        Assert.Equal(["host20.example.com."], Data(zone, "20", RecordType.PTR));
        Assert.Equal(101u, zone.Serial);
        var same = Zone();
        Assert.Same(same, After(same, Rr("10", RecordType.PTR, ttl: 3600, data: "host10.example.com.")));
    }

    [Fact]
    public void Delete_rrset_delete_name_and_delete_one_record()
    {
        Assert.Empty(Data(After(Rr("11", RecordType.TXT, RecordClass.ANY)), "11", RecordType.TXT));
        Assert.Equal(["host11.example.com."], Data(After(Rr("11", RecordType.TXT, RecordClass.ANY)), "11", RecordType.PTR));
        var gone = After(Rr("11", RecordType.ANY, RecordClass.ANY));
        Assert.Empty(gone.TypesAt(DnsName.Parse("11", Origin).Wire));
        var one = After(Rr("30", RecordType.PTR, ttl: 60, data: "a.example."), Rr("30", RecordType.PTR, ttl: 60, data: "b.example."),
            Rr("30", RecordType.PTR, RecordClass.NONE, data: "a.example."));
        Assert.Equal(["b.example."], Data(one, "30", RecordType.PTR));
    }

    [Fact]
    public void Soa_and_apex_ns_are_kept_by_deletes()
    {
        var zone = After(Rr("@", RecordType.ANY, RecordClass.ANY), Rr("@", RecordType.NS, RecordClass.ANY), Rr("@", RecordType.SOA, RecordClass.ANY),
            Rr("@", RecordType.SOA, RecordClass.NONE, data: "ns1.example.net. hostmaster.example.net. 100 7200 3600 1209600 300"));
        Assert.Equal(2, Data(zone, "@", RecordType.NS).Length);
        Assert.Equal(100u, zone.Serial);
        // The last apex NS stays (§3.4.2.4).
        var one = After(Rr("@", RecordType.NS, RecordClass.NONE, data: "ns1.example.net."), Rr("@", RecordType.NS, RecordClass.NONE, data: "ns2.example.net."));
        Assert.Equal(["ns2.example.net."], Data(one, "@", RecordType.NS));
    }

    [Fact]
    public void An_soa_is_replaced_only_by_a_newer_serial_which_the_zone_then_takes()
    {
        var older = After(Rr("@", RecordType.SOA, ttl: 3600, data: "ns1.example.net. hostmaster.example.net. 50 7200 3600 1209600 60"));
        Assert.Equal(100u, older.Serial);
        var newer = After(Rr("@", RecordType.SOA, ttl: 3600, data: "ns1.example.net. other.example.net. 500 7200 3600 1209600 60"));
        Assert.Equal(500u, newer.Serial);
        Assert.Contains("other.example.net.", Data(newer, "@", RecordType.SOA)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_cname_beside_other_data_and_data_beside_a_cname_are_ignored()
    {
        var zone = After(Rr("10", RecordType.CNAME, ttl: 60, data: "elsewhere.example."), Rr("12", RecordType.PTR, ttl: 60, data: "x.example."));
        Assert.Empty(Data(zone, "10", RecordType.CNAME));
        Assert.Empty(Data(zone, "12", RecordType.PTR));
        // A CNAME replaces the CNAME there.
        var replaced = After(Rr("12", RecordType.CNAME, ttl: 60, data: "12.128-25.2.0.192.in-addr.arpa."));
        Assert.Equal(["12.128-25.2.0.192.in-addr.arpa."], Data(replaced, "12", RecordType.CNAME));
    }

    [Fact]
    public void Prescan_refuses_meta_types_bad_classes_and_names_outside_the_zone()
    {
        Assert.Equal(Rcode.FormErr, UpdateProcessor.Prescan(Origin, IN, [Rr("10", RecordType.ANY, ttl: 60)]).Rcode);
        Assert.Equal(Rcode.FormErr, UpdateProcessor.Prescan(Origin, IN, [Rr("10", RecordType.PTR, RecordClass.ANY, ttl: 60)]).Rcode);
        Assert.Equal(Rcode.FormErr, UpdateProcessor.Prescan(Origin, IN, [Rr("10", RecordType.ANY, RecordClass.NONE)]).Rcode);
        Assert.Equal(Rcode.FormErr, UpdateProcessor.Prescan(Origin, IN, [Rr("10", RecordType.AXFR, RecordClass.ANY)]).Rcode);
        Assert.Equal(Rcode.FormErr, UpdateProcessor.Prescan(Origin, IN, [Rr("10", RecordType.PTR, RecordClass.CH, ttl: 60, data: "x.example.")]).Rcode);
        Assert.Equal(Rcode.NotZone, UpdateProcessor.Prescan(Origin, IN, [Rr("x.example.com.", RecordType.A, ttl: 60, data: "192.0.2.1")]).Rcode);
    }

    [Fact]
    public void Deleting_a_name_touches_each_type_it_holds_for_the_policy_to_judge()
    {
        var touched = UpdateProcessor.Touched(Zone(), [Rr("11", RecordType.ANY, RecordClass.ANY)]);
        Assert.Equal([RecordType.PTR, RecordType.TXT], touched.Select(t => t.Type).Order().ToArray());
    }

    [Fact]
    public void A_rule_with_a_prefix_allows_only_names_of_its_addresses()
    {
        var rule = new UpdateRule { Zone = Origin, Prefix = Addressing.IpPrefix.Parse("192.0.2.0/25"), Types = new HashSet<RecordType> { RecordType.PTR } };
        Assert.True(rule.Allows(Origin, DnsName.Parse("10", Origin), RecordType.PTR));
        Assert.False(rule.Allows(Origin, DnsName.Parse("200", Origin), RecordType.PTR));
        Assert.False(rule.Allows(Origin, DnsName.Parse("10", Origin), RecordType.TXT));
        Assert.False(rule.Allows(DnsName.Parse("3.0.192.in-addr.arpa."), DnsName.Parse("10.3.0.192.in-addr.arpa."), RecordType.PTR));
        Assert.True(rule.Allows(Origin, DnsName.Parse("5.0-25", Origin), RecordType.PTR));
    }

    [Fact]
    public void Parsing_wants_one_zone_entry_of_type_soa()
    {
        var message = DnsMessage.Query(Origin, RecordType.SOA, id: 7);
        message.Opcode = Opcode.Update;
        message.Authority.Add(new ResourceRecord(DnsName.Parse("10", Origin), RecordType.PTR, RecordClass.ANY, 0, []));
        Assert.True(UpdateMessage.TryParse(message.ToWire(), out var update, out _));
        Assert.Equal(Origin, update.Zone);
        Assert.Empty(Assert.Single(update.Updates).Data);
        var wrongType = DnsMessage.Query(Origin, RecordType.A, id: 7);
        wrongType.Opcode = Opcode.Update;
        Assert.False(UpdateMessage.TryParse(wrongType.ToWire(), out _, out var error));
        Assert.Contains("SOA", error, StringComparison.Ordinal);
    }
}
