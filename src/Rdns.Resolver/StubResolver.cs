using System.Buffers;
using System.Net;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

/// <summary>
/// A stub resolver (RFC 1034 §5.3.1): asks recursive resolvers over UDP, falls back to TCP for
/// truncated replies, retries lost datagrams and moves on from servers that fail. One instance is
/// meant to be shared; it holds no state between queries, so concurrent calls are safe.
/// </summary>
public sealed partial class StubResolver
{
    /// <summary>Largest DNS message (RFC 1035 §4.2.2 two-octet length), so no reply is ever cut short.</summary>
    private const int ReplyBufferSize = 65535;

    private readonly ResolverOptions _options;
    private readonly TimeProvider _time;

    public StubResolver(ResolverOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    public ResolverOptions Options => _options;

    /// <summary>
    /// Asks for <paramref name="name"/>/<paramref name="type"/> (class IN, RD set). Each attempt asks
    /// every server still worth asking, in order: a timeout moves on to the next server and leaves
    /// the server for the next attempt; SERVFAIL, REFUSED, NOTIMP, an unreadable reply or an
    /// unreachable server move on and drop that server for this query. A truncated UDP reply is
    /// asked again over TCP at once; FORMERR or NOTIMP to a query with EDNS is asked again without.
    /// </summary>
    public async Task<ResolveResult> QueryAsync(DnsName name, RecordType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var servers = _options.Servers;
        var conversations = new ResolverConversation[servers.Count];
        for (int i = 0; i < conversations.Length; i++)
            conversations[i] = new ResolverConversation(servers[i]);
        var tally = new Tally(servers.Count);
        byte[] query = ArrayPool<byte>.Shared.Rent(QueryWire.MaxFramedQuery);
        byte[] reply = ArrayPool<byte>.Shared.Rent(ReplyBufferSize);
        try
        {
            for (int attempt = 0; attempt < _options.Attempts; attempt++)
            {
                bool asked = false;
                foreach (var conversation in conversations)
                {
                    if (conversation.Finished)
                        continue;
                    asked = true;
                    if (await AskAsync(conversation, name, type, query, reply, tally, cancellationToken) is { } answer)
                        return answer with { Tries = tally.Tries, ServersTried = tally.Servers };
                }
                if (!asked)
                    break;
            }
            return tally.Outcome();
        }
        finally
        {
            foreach (var conversation in conversations)
                conversation.Dispose();
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    /// <summary>One try of one server, with its immediate follow-ups (TCP after TC, no EDNS after FORMERR); null to go on.</summary>
    private async Task<ResolveResult?> AskAsync(ResolverConversation server, DnsName name, RecordType type,
        byte[] query, byte[] reply, Tally tally, CancellationToken cancellationToken)
    {
        while (true)
        {
            bool edns = _options.EdnsPayloadSize > 0 && !server.WithoutEdns;
            int length = QueryWire.Write(query, server.Id, name, type, edns ? _options.EdnsPayloadSize : (ushort)0);
            tally.Asked(server.Endpoint);
            var exchange = await server.UdpAsync(query.AsMemory(2, length), reply, name, type, _options.Timeout, _time, cancellationToken);
            bool viaTcp = false;
            if (exchange.Response is { } truncated && truncated.Has(HeaderFlags.TC))
            {
                // RFC 7766 §5: a truncated reply is asked again over TCP, of the same server.
                tally.Asked(server.Endpoint);
                exchange = await server.TcpAsync(query.AsMemory(0, length + 2), reply, name, type, _options.Timeout, _time, cancellationToken);
                viaTcp = true;
            }
            switch (exchange.Status)
            {
                case ExchangeStatus.Timeout:
                    tally.TimedOut = true;
                    return null;
                case ExchangeStatus.Unreachable:
                    tally.Unreachable = true;
                    server.Finished = true;
                    return null;
                case ExchangeStatus.Malformed:
                    tally.Malformed = true;
                    server.Finished = true;
                    return null;
            }
            var response = exchange.Response!;
            var rcode = (Rcode)response.Rcode;
            if (edns && rcode is (Rcode.FormErr or Rcode.NotImp) && response.Edns is null)
            {
                // RFC 6891 §7: a server that does not know EDNS rejects OPT; ask it plainly. A
                // reply that carries OPT itself came from a server that knows EDNS, so it stands.
                server.WithoutEdns = true;
                continue;
            }
            var result = new ResolveResult { Response = response, Server = server.Endpoint, ViaTcp = viaTcp };
            if (rcode is Rcode.ServFail or Rcode.Refused or Rcode.NotImp)
            {
                // This server cannot or will not answer; another may (RFC 1034 §5.3.3 step 4).
                tally.Refusal = result;
                server.Finished = true;
                return null;
            }
            return result;
        }
    }

    /// <summary>What a query's tries added up to, for the result when no server gave a usable answer.</summary>
    private sealed class Tally(int servers)
    {
        private readonly List<IPEndPoint> _servers = new(servers);

        public int Tries { get; private set; }

        public IReadOnlyList<IPEndPoint> Servers => _servers;

        public bool TimedOut { get; set; }

        public bool Unreachable { get; set; }

        public bool Malformed { get; set; }

        /// <summary>The last SERVFAIL, REFUSED or NOTIMP response.</summary>
        public ResolveResult? Refusal { get; set; }

        public void Asked(IPEndPoint server)
        {
            Tries++;
            if (!_servers.Contains(server))
                _servers.Add(server);
        }

        /// <summary>
        /// A response, even a refusal, says more than silence; an unreadable reply says more than a
        /// timeout (someone is there); unreachable only when that is all there was.
        /// </summary>
        public ResolveResult Outcome()
        {
            if (Refusal is not null)
                return Refusal with { Tries = Tries, ServersTried = _servers };
            var failure = Malformed ? ResolveFailure.Malformed
                : TimedOut ? ResolveFailure.Timeout
                : ResolveFailure.Unreachable;
            return new ResolveResult { Failure = failure, Tries = Tries, ServersTried = _servers };
        }
    }
}
