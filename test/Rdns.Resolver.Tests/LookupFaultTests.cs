using System.Net;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Resolver.Tests.Support;

namespace Rdns.Resolver.Tests;

/// <summary>What the lookups conclude when resolvers fail or send odd answers that Knot would never give.</summary>
public sealed class LookupFaultTests
{
    private static readonly DnsName Name = DnsName.Parse("mail.example.test.");

    /// <summary>Long tries, for tests where every server answers.</summary>
    private static StubResolver Resolver(params FakeResolver[] servers) =>
        new(new ResolverOptions { Servers = servers.Select(s => s.Endpoint).ToArray(), Timeout = TimeSpan.FromSeconds(5), Attempts = 3 });

    /// <summary>200 ms tries, for tests about timeouts (after a warm-up, see <see cref="FakeResolver.WarmUpAsync"/>).</summary>
    private static async Task<StubResolver> Impatient(params FakeResolver[] servers)
    {
        await FakeResolver.WarmUpAsync();
        return new(new ResolverOptions { Servers = servers.Select(s => s.Endpoint).ToArray(), Timeout = TimeSpan.FromMilliseconds(200), Attempts = 3 });
    }

    [Fact]
    public async Task When_every_resolver_times_out_the_lookup_says_so_with_the_tries_of_one_query()
    {
        await using var silent = FakeResolver.Start(FakeResolver.Silent);
        var lookup = await (await Impatient(silent)).LookupAddressesAsync(Name, default);
        Assert.Equal(LookupOutcome.Timeout, lookup.Outcome);
        Assert.True(lookup.IsFailure);
        Assert.Equal(6, lookup.Tries);
        Assert.Equal([silent.Endpoint], lookup.Servers);
        Assert.Equal($"the resolver at {silent.Endpoint} timed out after 3 tries", lookup.Describe());
    }

    [Fact]
    public async Task A_timeout_of_AAAA_makes_the_lookup_a_failure_but_keeps_the_IPv4_addresses()
    {
        await using var half = FakeResolver.Start((query, _) =>
            query.Questions[0].Type == RecordType.A ? [FakeReply.Of(FakeResolver.Answer(query))] : []);
        var lookup = await (await Impatient(half)).LookupAddressesAsync(Name, default);
        Assert.Equal(LookupOutcome.Timeout, lookup.Outcome);
        Assert.Equal([FakeResolver.V4], lookup.Addresses);
        Assert.Equal($"the resolver at {half.Endpoint} timed out after 3 tries (found so far: 192.0.2.1)", lookup.Describe());
    }

    [Fact]
    public async Task SERVFAIL_from_every_resolver_is_a_server_failure_naming_each_one()
    {
        await using var first = FakeResolver.Start(FakeResolver.Rcode(Rcode.ServFail));
        await using var second = FakeResolver.Start(FakeResolver.Rcode(Rcode.ServFail));
        var lookup = await Resolver(first, second).LookupAddressesAsync(Name, default);
        Assert.Equal(LookupOutcome.ServerFailure, lookup.Outcome);
        Assert.Equal(Rcode.ServFail, lookup.Rcode);
        Assert.Equal([first.Endpoint, second.Endpoint], lookup.Servers);
        Assert.Equal($"the resolvers at {first.Endpoint}, {second.Endpoint} answered SERVFAIL for mail.example.test.", lookup.Describe());
    }

    [Fact]
    public async Task An_unreachable_resolver_is_named()
    {
        IPEndPoint closed;
        using (var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp))
        {
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closed = (IPEndPoint)s.LocalEndPoint!;
        }
        var resolver = new StubResolver(new ResolverOptions { Servers = [closed], Timeout = TimeSpan.FromSeconds(5) });
        var lookup = await resolver.LookupTxtAsync(Name, default);
        Assert.Equal(LookupOutcome.Unreachable, lookup.Outcome);
        Assert.Equal($"the resolver at {closed} is unreachable", lookup.Describe());
    }

    [Fact]
    public async Task An_address_record_of_the_wrong_length_is_malformed()
    {
        await using var odd = FakeResolver.Start((query, _) =>
        {
            var reply = FakeResolver.Reply(query);
            reply.Answers.Add(new ResourceRecord(query.Questions[0].Name, query.Questions[0].Type, 60, [192, 0, 2]));
            return [FakeReply.Of(reply)];
        });
        var lookup = await Resolver(odd).LookupAddressesAsync(Name, default);
        Assert.Equal(LookupOutcome.Malformed, lookup.Outcome);
        Assert.Equal($"the resolver at {odd.Endpoint} sent a reply that could not be read", lookup.Describe());
    }

    [Fact]
    public async Task A_CNAME_loop_across_separate_answers_is_caught()
    {
        // Each answer holds one CNAME and no SOA, so every target is asked about in turn.
        await using var server = FakeResolver.Start((query, _) =>
            [FakeReply.Of(FakeResolver.Cname(query, query.Questions[0].Name.Label(0)[0] == (byte)'a' ? "b.example.test." : "a.example.test."))]);
        var lookup = await Resolver(server).LookupAddressesAsync(DnsName.Parse("a.example.test."), default);
        Assert.Equal(LookupOutcome.CnameLoop, lookup.Outcome);
        Assert.Equal(["a.example.test.", "b.example.test.", "a.example.test."], lookup.Chain.Select(n => n.ToString()));
        Assert.Equal(4, lookup.Tries);
    }

    [Fact]
    public async Task A_CNAME_chain_across_separate_answers_stops_after_eight_hops()
    {
        // n0 -> n1 -> n2 -> ... without end, one CNAME per answer.
        await using var server = FakeResolver.Start((query, _) =>
        {
            int n = int.Parse(System.Text.Encoding.ASCII.GetString(query.Questions[0].Name.Label(0))[1..]);
            return [FakeReply.Of(FakeResolver.Cname(query, $"n{n + 1}.example.test."))];
        });
        var lookup = await Resolver(server).LookupTxtAsync(DnsName.Parse("n0.example.test."), default);
        Assert.Equal(LookupOutcome.CnameChainTooLong, lookup.Outcome);
        Assert.Equal(9, lookup.Tries);
        Assert.Equal(9, server.UdpCount);
    }

    [Fact]
    public async Task Records_outside_the_chain_are_not_taken_as_the_answer()
    {
        await using var server = FakeResolver.Start((query, _) =>
        {
            var reply = FakeResolver.Reply(query);
            if (query.Questions[0].Type == RecordType.A)
                reply.Answers.Add(new ResourceRecord(DnsName.Parse("elsewhere.example.test."), RecordType.A, 60, [203, 0, 113, 9]));
            var soa = Rdata.Soa(DnsName.Parse("ns.example.test."), DnsName.Parse("hostmaster.example.test."), 1, 3600, 600, 86400, 300);
            reply.Authority.Add(new ResourceRecord(DnsName.Parse("example.test."), RecordType.SOA, 300, soa));
            return [FakeReply.Of(reply)];
        });
        var lookup = await Resolver(server).LookupAddressesAsync(Name, default);
        Assert.Equal(LookupOutcome.NoData, lookup.Outcome);
        Assert.Empty(lookup.Addresses);
    }

    [Fact]
    public async Task Invalid_UTF8_in_TXT_is_replaced_not_fatal()
    {
        await using var server = FakeResolver.Start((query, _) =>
        {
            var reply = FakeResolver.Reply(query);
            reply.Answers.Add(new ResourceRecord(query.Questions[0].Name, RecordType.TXT, 60, [3, (byte)'a', 0xff, (byte)'b']));
            return [FakeReply.Of(reply)];
        });
        var lookup = await Resolver(server).LookupTxtAsync(Name, default);
        Assert.Equal(["a\uFFFDb"], lookup.Texts);
    }

    [Fact]
    public async Task TXT_data_whose_string_lengths_overrun_the_record_is_malformed()
    {
        await using var server = FakeResolver.Start((query, _) =>
        {
            var reply = FakeResolver.Reply(query);
            reply.Answers.Add(new ResourceRecord(query.Questions[0].Name, RecordType.TXT, 60, [9, (byte)'a']));
            return [FakeReply.Of(reply)];
        });
        var lookup = await Resolver(server).LookupTxtAsync(Name, default);
        Assert.Equal(LookupOutcome.Malformed, lookup.Outcome);
        Assert.Empty(lookup.Texts);
    }
}
