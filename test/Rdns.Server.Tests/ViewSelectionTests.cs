using System.Net;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Views;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// View selection, the first admission stage: the first view whose rules all match answers, from
/// its own zones (the RFC 6303 zones beneath them); everyone else gets the public view.
/// </summary>
public sealed class ViewSelectionTests
{
    private static readonly DnsName Ptr = DnsName.Parse("5.2.0.192.in-addr.arpa.");
    private static readonly TsigKey OfficeKey = new(DnsName.Parse("office-key."), TsigAlgorithm.HmacSha256, Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly ListenerInfo Inside = new(1, new IPEndPoint(IPAddress.Parse("127.0.0.1"), 53));
    private static readonly ListenerInfo Outside = new(0, new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53));

    private static ServedZones Served(string target, bool serveLocally)
    {
        var zones = new ServedZones();
        var set = ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("5", target).Build()]);
        zones.Replace(set.WithLocalZones(serveLocally ? LocallyServedZones.All : LocallyServedZones.Private, serveLocally));
        return zones;
    }

    private static AddressMatch Prefix(string p) => AddressMatch.From(IpPrefix.Parse(p));

    private static RequestSource From(string client, ListenerInfo? listener = null) =>
        RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse(client), 4000)), listener ?? Outside);

    private static (DnsPipeline Pipeline, ViewSelector Selector) Pipeline()
    {
        var selector = new ViewSelector();
        selector.Use(
        [
            new ServedView("office", [Prefix("10.20.0.0/16"), Prefix("2001:db8:20::/48")], [], [], Served("printer.office.example.", true)),
            new ServedView("lab", [Prefix("10.20.30.0/24")], [], [], Served("bench.lab.example.", true)),
            new ServedView("inside", [Prefix("10.0.0.0/8")], [Prefix("127.0.0.1/32")], [], Served("via-inside.example.", true)),
            new ServedView("keyed", [], [], [OfficeKey.Name], Served("signed.example.", true)),
        ]);
        var handlers = new RequestHandlers { Tsig = new Transfers.TsigTransferSecurity(new TsigKeyRing(OfficeKey)) };
        return (new DnsPipeline(Served("www.example.com.", false), new ServerOptions(), handlers, [selector]), selector);
    }

    private static DnsMessage Ask(DnsPipeline pipeline, RequestSource source, DnsName name, RecordType type = RecordType.PTR, TsigKey? key = null)
    {
        var wire = new byte[65535];
        var body = DnsMessage.Query(name, type, edns: new EdnsOptions()).ToWire();
        body.CopyTo(wire, 0);
        int length = body.Length;
        if (key is not null)
            Assert.True(new TsigSigner().TrySignRequest(wire, ref length, key, out _));
        var response = new byte[65535];
        int n = pipeline.Answer(wire.AsSpan(0, length), response, source);
        return DnsMessage.Parse(response.AsSpan(0, n));
    }

    private static string Answer(DnsMessage m) => m.Answers.Count == 0 ? $"rcode {(Rcode)m.Rcode}" : Rdata.ReadName(m.Answers[0].Data).ToString();

    [Fact]
    public void The_first_view_whose_rules_match_answers_and_everyone_else_gets_the_public_view()
    {
        var (pipeline, _) = Pipeline();
        Assert.Equal("printer.office.example.", Answer(Ask(pipeline, From("10.20.30.40"), Ptr)));
        Assert.Equal("printer.office.example.", Answer(Ask(pipeline, From("2001:db8:20::1"), Ptr)));
        Assert.Equal("www.example.com.", Answer(Ask(pipeline, From("198.51.100.1"), Ptr)));
        Assert.Equal("www.example.com.", Answer(Ask(pipeline, From("2001:db8:21::1"), Ptr)));
        // Client and destination must both match: 10.1.1.1 arriving on the outside address is public.
        Assert.Equal("www.example.com.", Answer(Ask(pipeline, From("10.1.1.1"), Ptr)));
        Assert.Equal("via-inside.example.", Answer(Ask(pipeline, From("10.1.1.1", Inside), Ptr)));
        // An IPv4-mapped IPv6 client is the IPv4 address it carries.
        Assert.Equal("printer.office.example.", Answer(Ask(pipeline, RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("::ffff:10.20.0.9"), 4000)), Outside), Ptr)));
    }

    [Fact]
    public void A_signed_query_is_answered_from_its_keys_view_and_signed()
    {
        var (pipeline, _) = Pipeline();
        var signed = Ask(pipeline, From("198.51.100.1"), Ptr, key: OfficeKey);
        Assert.Equal("signed.example.", Answer(signed));
        Assert.NotNull(signed.Tsig);
        // A key the server does not know selects no view's data: the key's view matches by name, the answer path refuses the signature.
        var forged = new TsigKey(OfficeKey.Name, TsigAlgorithm.HmacSha256, new byte[32]);
        var refused = Ask(pipeline, From("198.51.100.1"), Ptr, key: forged);
        Assert.Empty(refused.Answers);
        Assert.Equal(Rcode.NotAuth, (Rcode)refused.Rcode);
    }

    [Fact]
    public void Private_space_is_locally_served_in_a_view_and_refused_to_the_public()
    {
        var (pipeline, _) = Pipeline();
        var inView = Ask(pipeline, From("10.20.0.1"), DnsName.Parse("4.3.2.10.in-addr.arpa."));
        Assert.Equal(Rcode.NXDomain, (Rcode)inView.Rcode);
        Assert.True(inView.Flags.HasFlag(HeaderFlags.AA));
        var soa = Assert.Single(inView.Authority);
        Assert.Equal((RecordType.SOA, "10.in-addr.arpa."), (soa.Type, soa.Owner.ToString()));
        // 127/8 and 2001:db8::/32 (RFC 6303 §4.2, §4.6) too, in the view.
        Assert.Equal(Rcode.NXDomain, (Rcode)Ask(pipeline, From("10.20.0.1"), DnsName.Parse("1.0.0.127.in-addr.arpa.")).Rcode);
        Assert.Equal(Rcode.NoError, (Rcode)Ask(pipeline, From("10.20.0.1"), DnsName.Parse("10.in-addr.arpa."), RecordType.SOA).Rcode);

        Assert.Equal(Rcode.Refused, (Rcode)Ask(pipeline, From("198.51.100.1"), DnsName.Parse("4.3.2.10.in-addr.arpa.")).Rcode);
        Assert.Equal(Rcode.Refused, (Rcode)Ask(pipeline, From("198.51.100.1"), DnsName.Parse("1.0.0.127.in-addr.arpa.")).Rcode);
    }

    [Fact]
    public void Views_are_tried_in_order_whatever_their_prefix_lengths_and_rule_kinds()
    {
        var selector = new ViewSelector();
        var zones = new ServedZones();
        selector.Use(
        [
            new ServedView("a-wide-inside", [Prefix("10.0.0.0/8")], [Prefix("127.0.0.1/32")], [], zones),
            new ServedView("b-key", [], [], [OfficeKey.Name], zones),
            new ServedView("c-16", [Prefix("10.1.0.0/16"), Prefix("2001:db8::/32")], [], [], zones),
            new ServedView("d-24", [Prefix("10.1.2.0/24")], [], [], zones),
            new ServedView("e-outside", [], [Prefix("192.0.2.53/32")], [], zones),
        ]);
        string? Selected(string client, ListenerInfo listener, bool signed = false)
        {
            var wire = new byte[512];
            var body = DnsMessage.Query(Ptr, RecordType.PTR).ToWire();
            body.CopyTo(wire, 0);
            int length = body.Length;
            int tsig = -1;
            if (signed)
            {
                Assert.True(new TsigSigner().TrySignRequest(wire, ref length, OfficeKey, out _));
                tsig = body.Length;
            }
            return selector.Select(From(client, listener), wire.AsSpan(0, length), tsig)?.Name;
        }

        Assert.Equal("a-wide-inside", Selected("10.1.2.3", Inside));
        Assert.Equal("c-16", Selected("10.1.2.3", Outside));
        Assert.Equal("b-key", Selected("10.1.2.3", Outside, signed: true));
        Assert.Equal("a-wide-inside", Selected("10.1.2.3", Inside, signed: true));
        Assert.Equal("c-16", Selected("2001:db8::1", Outside));
        Assert.Equal("e-outside", Selected("10.9.9.9", Outside));
        Assert.Equal("e-outside", Selected("198.51.100.1", Outside));
        Assert.Null(Selected("198.51.100.1", Inside));
    }

    [Fact]
    public void Rule_changes_replace_the_views_whole_between_two_queries()
    {
        var (pipeline, selector) = Pipeline();
        Assert.Equal("printer.office.example.", Answer(Ask(pipeline, From("10.20.0.1"), Ptr)));
        selector.Use([new ServedView("office", [Prefix("192.0.2.0/24")], [], [], Served("printer.office.example.", true))]);
        Assert.Equal("www.example.com.", Answer(Ask(pipeline, From("10.20.0.1"), Ptr)));
        Assert.Equal("printer.office.example.", Answer(Ask(pipeline, From("192.0.2.9"), Ptr)));
        selector.Use([]);
        Assert.Equal("www.example.com.", Answer(Ask(pipeline, From("192.0.2.9"), Ptr)));
    }

    [Fact]
    public void A_dns_update_a_view_matched_goes_to_the_update_handler_with_the_views_zones()
    {
        var selector = new ViewSelector();
        var office = Served("printer.office.example.", true);
        office.Replace(office.Current.WithView("office"));
        selector.Use([new ServedView("office", [Prefix("10.0.0.0/8")], [], [], office)]);
        var handlers = new RequestHandlers { Update = new NeverCalled() };
        var pipeline = new DnsPipeline(Served("www.example.com.", false), new ServerOptions(), handlers, [selector]);
        var update = new DnsMessage { Id = 3, Opcode = Opcode.Update };
        update.Questions.Add(new Question(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA));
        var response = new byte[512];
        // The handler changes the zones it is handed: the view's for a client the view matched, the public ones otherwise.
        var inView = pipeline.Process(update.ToWire(), response, From("10.1.1.1"));
        Assert.Equal(ResponseAction.Deferred, inView.Action);
        Assert.Equal("office", inView.Zones.View);
        var outside = pipeline.Process(update.ToWire(), response, From("198.51.100.1"));
        Assert.Equal(ResponseAction.Deferred, outside.Action);
        Assert.Equal("public", outside.Zones.View);
    }

    private sealed class NeverCalled : IDeferredRequestHandler
    {
        public Task<int> HandleAsync(PendingRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("Process only decides; the handler runs later");
    }

    [Fact]
    public void Selecting_among_a_hundred_views_allocates_nothing()
    {
        var selector = new ViewSelector();
        var views = Enumerable.Range(0, 99).Select(i => new ServedView($"v{i}", [Prefix($"10.{i}.0.0/16")], [Prefix("127.0.0.1/32")], [DnsName.Parse($"key{i}.")],
            Served($"v{i}.example.", true))).ToList();
        views.Add(new ServedView("last", [Prefix("172.16.0.0/12")], [], [], Served("last.example.", true)));
        selector.Use(views);
        var pipeline = new DnsPipeline(Served("www.example.com.", false), new ServerOptions(), stages: [selector, new QueryCounters(1)]);
        var hit = DnsMessage.Query(Ptr, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var local = DnsMessage.Query(DnsName.Parse("4.3.2.10.in-addr.arpa."), RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var last = From("172.16.5.5");
        var publicClient = From("198.51.100.1");
        var response = new byte[65535];
        Assert.Equal("last.example.", Answer(DnsMessage.Parse(response.AsSpan(0, pipeline.Answer(hit, response, last)))));
        SteadyState.AssertAllocatesNothing(() =>
        {
            pipeline.Process(hit, response, last, 0);
            pipeline.Process(local, response, last, 0);
            pipeline.Process(hit, response, publicClient, 0);
            pipeline.Process(local, response, publicClient, 0);
        });
    }
}
