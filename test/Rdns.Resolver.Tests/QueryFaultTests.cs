using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Resolver.Tests.Support;

namespace Rdns.Resolver.Tests;

/// <summary>
/// <see cref="StubResolver.QueryAsync"/> against resolvers that misbehave on purpose. Where a
/// timeout is the point, it is short (200 ms, after a warm-up so that compiling code on first use
/// does not look like a silent server); elsewhere it is long so a busy machine cannot fail the
/// test. Elapsed times are only bounded loosely: these tests check what is done, not how fast.
/// </summary>
public sealed class QueryFaultTests
{
    private static readonly DnsName Name = DnsName.Parse("host.example.test.");
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(5);

    /// <summary>Long tries: for tests where no server is meant to stay silent.</summary>
    private static StubResolver Resolver(int attempts, params FakeResolver[] servers) =>
        Resolver(attempts, Patient, servers.Select(s => s.Endpoint).ToArray());

    private static StubResolver Resolver(int attempts, TimeSpan timeout, params IPEndPoint[] servers) =>
        new(new ResolverOptions { Servers = servers, Timeout = timeout, Attempts = attempts });

    /// <summary>200 ms tries, for tests about timeouts.</summary>
    private static async Task<StubResolver> Impatient(int attempts, params IPEndPoint[] servers)
    {
        await FakeResolver.WarmUpAsync();
        return Resolver(attempts, Short, servers);
    }

    /// <summary>A loopback port with nothing behind it: the kernel answers with ICMP port unreachable.</summary>
    private static IPEndPoint ClosedPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)s.LocalEndPoint!;
    }

    [Fact]
    public async Task A_query_asks_recursion_with_EDNS_1232_and_takes_the_matching_reply()
    {
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        var result = await Resolver(3, good).QueryAsync(Name, RecordType.A, default);

        Assert.True(result.HasResponse, result.ToString());
        Assert.Equal(Rcode.NoError, result.Rcode);
        Assert.Equal(FakeResolver.V4, new IPAddress(Assert.Single(result.Answers).Data));
        Assert.Equal(good.Endpoint, result.Server);
        Assert.False(result.ViaTcp);
        Assert.Equal(1, result.Tries);
        var query = Assert.Single(good.Received).Message;
        Assert.True(query.Has(HeaderFlags.RD));
        Assert.Equal((ushort)1232, query.Edns?.PayloadSize);
        Assert.Equal(new Question(Name, RecordType.A), Assert.Single(query.Questions));
    }

    [Fact]
    public async Task Each_query_gets_its_own_random_id_and_source_port()
    {
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        var resolver = Resolver(1, good);
        for (int i = 0; i < 20; i++)
        {
            var result = await resolver.QueryAsync(Name, RecordType.A, default);
            Assert.True(result.HasResponse, $"query {i}: {result}");
        }
        var ids = good.Received.Select(q => q.Message.Id).ToHashSet();
        // 20 draws from 65536 IDs collide with probability about 0.3 %; more than one collision is a bug.
        Assert.True(ids.Count >= 19, $"only {ids.Count} distinct IDs in 20 queries");
        // The kernel picks a random ephemeral port for each new socket; a fixed or sequential port would show here.
        var ports = good.Received.Select(q => q.Client!.Port).ToList();
        Assert.True(ports.Distinct().Count() >= 18, $"source ports: {string.Join(", ", ports)}");
        Assert.True(ports.Zip(ports.Skip(1)).Count(p => p.Second == p.First + 1) < 5, $"source ports look sequential: {string.Join(", ", ports)}");
    }

    [Fact]
    public async Task A_silent_server_times_out_and_the_next_server_answers()
    {
        await using var silent = FakeResolver.Start(FakeResolver.Silent);
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        var resolver = await Impatient(3, silent.Endpoint, good.Endpoint);
        var clock = Stopwatch.StartNew();
        var result = await resolver.QueryAsync(Name, RecordType.A, default);

        Assert.True(result.HasResponse, result.ToString());
        Assert.Equal(good.Endpoint, result.Server);
        Assert.Equal(2, result.Tries);
        Assert.Equal([silent.Endpoint, good.Endpoint], result.ServersTried);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task When_no_server_answers_every_attempt_asks_every_server_then_it_is_a_timeout()
    {
        await using var first = FakeResolver.Start(FakeResolver.Silent);
        await using var second = FakeResolver.Start(FakeResolver.Silent);
        var resolver = await Impatient(2, first.Endpoint, second.Endpoint);
        var clock = Stopwatch.StartNew();
        var result = await resolver.QueryAsync(Name, RecordType.A, default);

        Assert.Equal(ResolveFailure.Timeout, result.Failure);
        Assert.Null(result.Response);
        Assert.Equal(4, result.Tries);
        Assert.Equal(2, first.UdpCount);
        Assert.Equal(2, second.UdpCount);
        Assert.Equal([first.Endpoint, second.Endpoint], result.ServersTried);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_reply_that_arrives_after_its_try_timed_out_still_answers_the_query()
    {
        // Replies come 300 ms late, after the 200 ms try is over: the socket and ID are kept for
        // the next attempt, so the late reply to the first try is taken during the second.
        await using var slow = FakeResolver.Start((q, _) => [FakeReply.Of(FakeResolver.Answer(q), TimeSpan.FromMilliseconds(300))]);
        var result = await (await Impatient(3, slow.Endpoint)).QueryAsync(Name, RecordType.A, default);

        Assert.True(result.HasResponse, result.ToString());
        Assert.InRange(result.Tries, 2, 3);
        Assert.Single(slow.Received.Select(q => q.Message.Id).Distinct());
    }

    [Fact]
    public async Task Replies_with_the_wrong_id_or_question_are_ignored_until_the_right_one_comes()
    {
        var forged = IPAddress.Parse("203.0.113.66");
        await using var server = FakeResolver.Start((query, _) =>
        {
            var wrongId = FakeResolver.Reply(query);
            wrongId.Id ^= 0x5A5A;
            wrongId.Answers.Add(new ResourceRecord(Name, RecordType.A, 60, Rdata.A(forged)));
            var wrongName = FakeResolver.Reply(query);
            wrongName.Questions[0] = new Question(DnsName.Parse("other.example.test."), RecordType.A);
            wrongName.Answers.Add(new ResourceRecord(Name, RecordType.A, 60, Rdata.A(forged)));
            var wrongType = FakeResolver.Reply(query);
            wrongType.Questions[0] = new Question(Name, RecordType.AAAA);
            var notAResponse = FakeResolver.Answer(query);
            notAResponse.Flags &= ~HeaderFlags.QR;
            return [FakeReply.Of(wrongId), FakeReply.Of(wrongName), FakeReply.Of(wrongType), FakeReply.Of(notAResponse),
                FakeReply.Of(FakeResolver.Answer(query), TimeSpan.FromMilliseconds(20))];
        });
        var result = await Resolver(1, server).QueryAsync(Name, RecordType.A, default);

        Assert.True(result.HasResponse, result.ToString());
        Assert.Equal(1, result.Tries);
        Assert.Equal(FakeResolver.V4, new IPAddress(Assert.Single(result.Answers).Data));
    }

    [Fact]
    public async Task The_question_name_is_matched_ignoring_case()
    {
        await using var server = FakeResolver.Start((query, _) =>
        {
            var reply = FakeResolver.Answer(query);
            reply.Questions[0] = new Question(DnsName.Parse("HOST.Example.TEST."), RecordType.A);
            return [FakeReply.Of(reply)];
        });
        var result = await Resolver(1, server).QueryAsync(Name, RecordType.A, default);
        Assert.True(result.HasResponse, result.ToString());
    }

    [Fact]
    public async Task A_truncated_udp_reply_is_asked_again_over_tcp_of_the_same_server()
    {
        await using var server = FakeResolver.Start((query, overTcp) =>
        {
            if (!overTcp)
            {
                var truncated = FakeResolver.Reply(query);
                truncated.Flags |= HeaderFlags.TC;
                return [FakeReply.Of(truncated)];
            }
            var full = FakeResolver.Reply(query);
            for (int i = 1; i <= 200; i++)
                full.Answers.Add(new ResourceRecord(Name, RecordType.A, 60, [10, 0, (byte)(i >> 8), (byte)i]));
            return [FakeReply.Of(full)];
        });
        var result = await Resolver(1, server).QueryAsync(Name, RecordType.A, default);

        Assert.True(result.HasResponse, result.ToString());
        Assert.True(result.ViaTcp);
        Assert.Equal(200, result.Answers.Count);
        Assert.Equal(2, result.Tries);
        Assert.Equal(1, server.UdpCount);
        Assert.Equal(1, server.TcpCount);
        // The same query, ID included, goes over TCP.
        Assert.Single(server.Received.Select(q => q.Message.Id).Distinct());
    }

    [Fact]
    public async Task A_tcp_reply_for_another_query_is_ignored_until_ours_comes()
    {
        await using var server = FakeResolver.Start((query, overTcp) =>
        {
            if (!overTcp)
            {
                var truncated = FakeResolver.Reply(query);
                truncated.Flags |= HeaderFlags.TC;
                return [FakeReply.Of(truncated)];
            }
            var other = FakeResolver.Answer(query);
            other.Id++;
            return [FakeReply.Of(other), FakeReply.Of(FakeResolver.Answer(query))];
        });
        var result = await Resolver(1, server).QueryAsync(Name, RecordType.A, default);
        Assert.True(result.ViaTcp, result.ToString());
        Assert.Single(result.Answers);
    }

    [Fact]
    public async Task A_truncated_reply_from_a_server_without_tcp_moves_on_to_the_next_server()
    {
        await using var udpOnly = FakeResolver.Start((query, _) =>
        {
            var truncated = FakeResolver.Reply(query);
            truncated.Flags |= HeaderFlags.TC;
            return [FakeReply.Of(truncated)];
        }, tcp: false);
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        // TCP is refused, so this server cannot give the full answer; the next one is asked.
        var result = await Resolver(1, udpOnly, good).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(good.Endpoint, result.Server);
        Assert.Equal(3, result.Tries);
    }

    [Theory]
    [InlineData(Rcode.ServFail)]
    [InlineData(Rcode.Refused)]
    [InlineData(Rcode.NotImp)]
    public async Task A_server_that_refuses_or_fails_is_passed_over_for_the_next(Rcode rcode)
    {
        await using var failing = FakeResolver.Start(FakeResolver.Rcode(rcode));
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        var result = await Resolver(3, failing, good).QueryAsync(Name, RecordType.A, default);

        Assert.Equal(Rcode.NoError, result.Rcode);
        Assert.Equal(good.Endpoint, result.Server);
        Assert.Equal(2, result.Tries);
        Assert.Equal([failing.Endpoint, good.Endpoint], result.ServersTried);
    }

    [Fact]
    public async Task When_every_server_fails_the_failure_is_the_answer_and_no_server_is_asked_twice()
    {
        await using var first = FakeResolver.Start(FakeResolver.Rcode(Rcode.ServFail));
        await using var second = FakeResolver.Start(FakeResolver.Rcode(Rcode.Refused));
        var result = await Resolver(3, first, second).QueryAsync(Name, RecordType.A, default);

        Assert.True(result.HasResponse);
        Assert.Equal(Rcode.Refused, result.Rcode);
        Assert.Equal(second.Endpoint, result.Server);
        Assert.Equal(2, result.Tries);
        Assert.Equal(1, first.UdpCount);
        Assert.Equal(1, second.UdpCount);
    }

    [Fact]
    public async Task NXDOMAIN_is_an_answer_not_a_failure_and_ends_the_query()
    {
        await using var first = FakeResolver.Start(FakeResolver.Rcode(Rcode.NXDomain));
        await using var second = FakeResolver.Start(FakeResolver.Answering);
        var result = await Resolver(3, first, second).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(Rcode.NXDomain, result.Rcode);
        Assert.Equal(first.Endpoint, result.Server);
        Assert.Equal(0, second.UdpCount);
    }

    [Theory]
    [InlineData(Rcode.FormErr)]
    [InlineData(Rcode.NotImp)]
    public async Task A_server_that_rejects_EDNS_is_asked_again_without_it(Rcode rejection)
    {
        await using var old = FakeResolver.Start((query, _) =>
        {
            if (query.Edns is null)
                return [FakeReply.Of(FakeResolver.Answer(query))];
            var reply = FakeResolver.Reply(query, rejection);
            reply.Edns = null; // a server that does not know EDNS does not echo OPT
            return [FakeReply.Of(reply)];
        });
        var result = await Resolver(1, old).QueryAsync(Name, RecordType.A, default);

        Assert.Equal(Rcode.NoError, result.Rcode);
        Assert.Single(result.Answers);
        Assert.Equal(2, result.Tries);
        var queries = old.Received.ToArray();
        Assert.Equal(2, queries.Length);
        Assert.NotNull(queries[0].Message.Edns);
        Assert.Null(queries[1].Message.Edns);
        Assert.Equal(queries[0].Message.Id, queries[1].Message.Id);
    }

    [Fact]
    public async Task A_FORMERR_with_OPT_comes_from_a_server_that_knows_EDNS_and_stands()
    {
        await using var server = FakeResolver.Start(FakeResolver.Rcode(Rcode.FormErr));
        var result = await Resolver(1, server).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(Rcode.FormErr, result.Rcode);
        Assert.Equal(1, result.Tries);
    }

    [Fact]
    public async Task A_FORMERR_without_a_question_section_is_still_taken_as_the_EDNS_rejection()
    {
        await using var old = FakeResolver.Start((query, _) =>
        {
            if (query.Edns is null)
                return [FakeReply.Of(FakeResolver.Answer(query))];
            var bare = new DnsMessage { Id = query.Id, Flags = HeaderFlags.QR, Rcode = (int)Rcode.FormErr };
            return [FakeReply.Of(bare)];
        });
        var result = await Resolver(1, old).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(Rcode.NoError, result.Rcode);
        Assert.Equal(2, result.Tries);
    }

    [Fact]
    public async Task Garbage_datagrams_are_ignored_and_the_real_reply_still_counts()
    {
        var random = new Random(7);
        await using var noisy = FakeResolver.Start((query, _) =>
        {
            var garbage = new List<FakeReply>();
            foreach (int length in new[] { 0, 1, 11, 12, 40, 512 })
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                garbage.Add(new FakeReply(bytes));
            }
            garbage.Add(FakeReply.Of(FakeResolver.Answer(query), TimeSpan.FromMilliseconds(20)));
            return garbage;
        });
        var result = await Resolver(1, noisy).QueryAsync(Name, RecordType.A, default);
        Assert.True(result.HasResponse, result.ToString());
        Assert.Single(result.Answers);
    }

    [Fact]
    public async Task Nothing_but_garbage_is_a_timeout()
    {
        await using var noisy = FakeResolver.Start((query, _) => [new FakeReply([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]);
        var result = await (await Impatient(2, noisy.Endpoint)).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(ResolveFailure.Timeout, result.Failure);
        Assert.Equal(2, result.Tries);
    }

    /// <summary>Our reply's header and question, then an answer count the message does not hold.</summary>
    private static byte[] BrokenReply(DnsMessage query)
    {
        var wire = FakeResolver.Reply(query).ToWire();
        BinaryPrimitives.WriteUInt16BigEndian(wire.AsSpan(6), 3);
        return wire;
    }

    [Fact]
    public async Task A_reply_to_our_query_that_cannot_be_read_is_malformed_and_the_next_server_is_asked()
    {
        await using var broken = FakeResolver.Start((query, _) => [new FakeReply(BrokenReply(query))]);
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        var result = await Resolver(3, broken, good).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(good.Endpoint, result.Server);
        Assert.Equal(2, result.Tries);
    }

    [Fact]
    public async Task Only_unreadable_replies_make_the_query_malformed_and_the_server_is_not_asked_again()
    {
        await using var broken = FakeResolver.Start((query, _) => [new FakeReply(BrokenReply(query))]);
        var result = await Resolver(3, broken).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(ResolveFailure.Malformed, result.Failure);
        Assert.Equal(1, result.Tries);
        Assert.Equal(1, broken.UdpCount);
    }

    [Fact]
    public async Task An_unreachable_server_is_passed_over_at_once_without_waiting_for_the_timeout()
    {
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        var resolver = new StubResolver(new ResolverOptions { Servers = [ClosedPort(), good.Endpoint], Timeout = TimeSpan.FromSeconds(10), Attempts = 3 });
        var clock = Stopwatch.StartNew();
        var result = await resolver.QueryAsync(Name, RecordType.A, default);

        Assert.Equal(good.Endpoint, result.Server);
        Assert.Equal(2, result.Tries);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task When_every_server_is_unreachable_the_query_fails_as_unreachable_after_one_try_each()
    {
        var resolver = new StubResolver(new ResolverOptions { Servers = [ClosedPort(), ClosedPort()], Timeout = TimeSpan.FromSeconds(10), Attempts = 3 });
        var result = await resolver.QueryAsync(Name, RecordType.A, default);
        Assert.Equal(ResolveFailure.Unreachable, result.Failure);
        Assert.Equal(2, result.Tries);
    }

    [Fact]
    public async Task A_timeout_outranks_unreachable_when_both_happened()
    {
        await using var silent = FakeResolver.Start(FakeResolver.Silent);
        var result = await (await Impatient(1, ClosedPort(), silent.Endpoint)).QueryAsync(Name, RecordType.A, default);
        Assert.Equal(ResolveFailure.Timeout, result.Failure);
        Assert.Equal(2, result.Tries);
    }

    [Fact]
    public async Task The_callers_cancellation_ends_the_query_with_OperationCanceledException()
    {
        await using var silent = FakeResolver.Start(FakeResolver.Silent);
        var resolver = new StubResolver(new ResolverOptions { Servers = [silent.Endpoint], Timeout = TimeSpan.FromSeconds(10), Attempts = 3 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resolver.QueryAsync(Name, RecordType.A, cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Queries_without_EDNS_when_the_payload_size_is_zero()
    {
        await using var good = FakeResolver.Start(FakeResolver.Answering);
        var resolver = new StubResolver(new ResolverOptions { Servers = [good.Endpoint], Timeout = Patient, EdnsPayloadSize = 0 });
        Assert.True((await resolver.QueryAsync(Name, RecordType.A, default)).HasResponse);
        Assert.Null(Assert.Single(good.Received).Message.Edns);
    }

    [Fact]
    public async Task One_resolver_serves_many_concurrent_queries_each_with_its_own_answer()
    {
        await using var server = FakeResolver.Start((query, _) =>
        {
            // Each name gets an address made from its first label, so crossed replies would show.
            var reply = FakeResolver.Reply(query);
            var q = query.Questions[0];
            byte n = byte.Parse(System.Text.Encoding.ASCII.GetString(q.Name.Label(0))[1..]);
            reply.Answers.Add(new ResourceRecord(q.Name, RecordType.A, 60, [10, 1, 0, n]));
            return [FakeReply.Of(reply, TimeSpan.FromMilliseconds(n % 7))];
        });
        var resolver = Resolver(3, server);
        var results = await Task.WhenAll(Enumerable.Range(1, 200).Select(i =>
            resolver.QueryAsync(DnsName.Parse($"h{i}.example.test."), RecordType.A, default)));
        for (int i = 1; i <= 200; i++)
            Assert.Equal(new IPAddress([10, 1, 0, (byte)i]), new IPAddress(Assert.Single(results[i - 1].Answers).Data));
    }
}
