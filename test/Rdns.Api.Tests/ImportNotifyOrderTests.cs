using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// <c>rdns serve --zones DIR --secondary ...</c>: the files are imported as one bulk load whose
/// commits become durable together at its end, and a secondary must not hear of a serial (RFC 1996
/// NOTIFY) before the data behind it is durable: after a crash it would hold zones the primary lost.
/// </summary>
public sealed class ImportNotifyOrderTests : IDisposable
{
    private readonly string _zones = Directory.CreateTempSubdirectory("rdns-zones-").FullName;

    public void Dispose() => Directory.Delete(_zones, recursive: true);

    [Fact]
    public async Task No_notify_of_an_imported_zone_leaves_before_the_import_is_durable()
    {
        // Small zones that commit early, beside a large one that keeps the bulk load going long
        // after their commits (NOTIFYs of changes are gathered for 20 ms, then sent).
        var small = Enumerable.Range(0, 40).Select(i => $"{i}.2.10.in-addr.arpa.").ToList();
        foreach (var zone in small)
            await File.WriteAllTextAsync(Path.Combine(_zones, zone + "zone"), Zone(zone, 3));
        await File.WriteAllTextAsync(Path.Combine(_zones, "3.10.in-addr.arpa.zone"), Zone("3.10.in-addr.arpa.", 60_000));

        // The secondary acknowledges every NOTIFY and notes whether the import was durable (the
        // start-up log says so, synchronously, in this process) when it arrived.
        var durable = new DurableLine();
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var heard = new ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await secondary.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                bool wasDurable = durable.Seen;
                var notify = DnsMessage.Parse(buffer.AsSpan(0, r.ReceivedBytes));
                heard.AddOrUpdate(notify.Questions[0].Name.ToString(), wasDurable, (_, before) => before && wasDurable);
                var ack = new DnsMessage { Id = notify.Id, Opcode = Opcode.Notify, Flags = HeaderFlags.QR | HeaderFlags.AA };
                ack.Questions.Add(notify.Questions[0]);
                await secondary.SendToAsync(ack.ToWire(), r.RemoteEndPoint);
            }
        });

        var port = ((IPEndPoint)secondary.LocalEndPoint!).Port;
        await using (var api = await ApiHost.StartAsync(_zones, s => s.Secondaries = [$"127.0.0.1:{port}"],
            services => services.AddSingleton<ILoggerProvider>(durable)))
        {
            for (int i = 0; i < 600 && small.Any(z => !heard.ContainsKey(z)); i++)
                await Task.Delay(50);
        }
        await stop.CancelAsync();
        await answering;

        Assert.True(durable.Seen, "the start-up log never said the import was durable");
        Assert.All(small, zone => Assert.True(heard.ContainsKey(zone), $"{zone} was never notified"));
        Assert.DoesNotContain(heard, h => !h.Value);
    }

    private static string Zone(string origin, int ptrs)
    {
        var text = new StringBuilder($"$ORIGIN {origin}\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300\n@ NS ns1.example.net.\n");
        for (int i = 0; i < ptrs; i++)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i % 256}.{i / 256} PTR host-{i}.example.net.\n");
        return text.ToString();
    }

    /// <summary>Notes the start-up line that says the imported zone files are durable (event 630).</summary>
    private sealed class DurableLine : ILoggerProvider, ILogger
    {
        private volatile bool _seen;

        public bool Seen => _seen;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 630)
                _seen = true;
        }

        public void Dispose()
        {
        }
    }
}
