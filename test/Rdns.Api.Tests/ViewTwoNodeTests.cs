using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rdns.Addressing;
using Rdns.Hosting;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.TestSupport;

namespace Rdns.Api.Tests;

/// <summary>
/// Two nodes of one PostgreSQL store: views, their rules and their zones changed through one node
/// are answered by the other as soon as it hears of them (the store's change notices).
/// </summary>
public sealed class ViewTwoNodeTests
{
    private static string PtrFrom(IPEndPoint server, string source, string address)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        s.ReceiveTimeout = 2000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(ReverseName.ToName(IpAddress.Parse(address))), RecordType.PTR, id: 7).ToWire(), server);
        var buffer = new byte[65535];
        var m = DnsMessage.Parse(buffer.AsSpan(0, s.Receive(buffer)));
        return m.Answers.Count == 0 ? $"rcode {(Rcode)m.Rcode}" : Rdata.ReadName(m.Answers[0].Data).ToString();
    }

    /// <summary>Waits (up to 20 s) for the other node to answer <paramref name="expected"/>.</summary>
    private static async Task Eventually(IPEndPoint server, string source, string address, string expected)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            last = PtrFrom(server, source, address);
            if (last == expected)
                return;
            await Task.Delay(50);
        }
        Assert.Equal(expected, last);
    }

    [Fact]
    public async Task A_view_and_its_zones_made_on_one_node_are_answered_by_the_other()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await using var a = await ApiHost.StartAsync(configure: s => s.Store = db.ConnectionString);
        var data = Directory.CreateTempSubdirectory("rdns-api-b-").FullName;
        try
        {
            await using var b = await ServeHost.StartAsync(new ServeSettings
            {
                Data = data, Dns = "127.0.0.1:0", Http = "127.0.0.1:0", Quiet = true, Store = db.ConnectionString, NameServers = ["ns1.example.net."],
            }, TextWriter.Null);

            await a.Send(HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "office", match = new[] { "127.0.0.2/32" } }), HttpStatusCode.Created);
            await a.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24", view = "office" }), HttpStatusCode.Created);
            await a.Send(HttpMethod.Put, "/v1/ptr/192.0.2.5?view=office", ApiHost.Json(new { ptrdname = "printer.office.example." }), HttpStatusCode.OK);
            await Eventually(b.DnsEndpoint, "127.0.0.2", "192.0.2.5", "printer.office.example.");
            Assert.Equal("rcode Refused", PtrFrom(b.DnsEndpoint, "127.0.0.1", "192.0.2.5"));

            // A change of the rules, and of the view's zone, reach the other node too.
            await a.Send(HttpMethod.Patch, "/v1/views/office", ApiHost.Json(new { match = new[] { "127.0.0.3/32" } }), HttpStatusCode.OK);
            await Eventually(b.DnsEndpoint, "127.0.0.3", "192.0.2.5", "printer.office.example.");
            Assert.Equal("rcode Refused", PtrFrom(b.DnsEndpoint, "127.0.0.2", "192.0.2.5"));
            await a.Send(HttpMethod.Put, "/v1/ptr/192.0.2.5?view=office", ApiHost.Json(new { ptrdname = "copier.office.example." }), HttpStatusCode.OK);
            await Eventually(b.DnsEndpoint, "127.0.0.3", "192.0.2.5", "copier.office.example.");

            // A write through the other node lands in the same view's zone (its own writer of the view).
            using var http = new HttpClient { BaseAddress = b.HttpBase };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", a.AdminKey);
            await ApiHost.Send(http, HttpMethod.Put, "/v1/ptr/192.0.2.6?view=office", ApiHost.Json(new { ptrdname = "scanner.office.example." }), HttpStatusCode.OK);
            Assert.Equal("scanner.office.example.", PtrFrom(b.DnsEndpoint, "127.0.0.3", "192.0.2.6"));
            await Eventually(a.DnsEndpoint, "127.0.0.3", "192.0.2.6", "scanner.office.example.");
            Assert.Equal("copier.office.example.", PtrFrom(a.DnsEndpoint, "127.0.0.3", "192.0.2.5"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
