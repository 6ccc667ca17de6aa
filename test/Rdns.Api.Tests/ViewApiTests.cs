using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Sockets;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// Views end to end through the API and the DNS listener: queries are sent from different
/// loopback addresses (127.0.0.2, 127.0.0.3, ...), as clients of different networks would.
/// </summary>
public sealed class ViewApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>Asks the listener over UDP from <paramref name="source"/>.</summary>
    private DnsMessage DnsFrom(string source, string name, RecordType type)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        s.ReceiveTimeout = 5000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(name), type, id: 7, edns: new EdnsOptions()).ToWire(), _api.DnsEndpoint);
        var buffer = new byte[65535];
        int n = s.Receive(buffer);
        return DnsMessage.Parse(buffer.AsSpan(0, n));
    }

    private string PtrFrom(string source, string address)
    {
        var m = DnsFrom(source, ReverseName.ToName(IpAddress.Parse(address)), RecordType.PTR);
        return m.Answers.Count == 0 ? $"rcode {(Rcode)m.Rcode}" : Rdata.ReadName(m.Answers[0].Data).ToString();
    }

    private Task SetPtr(string address, string name, string? view = null) =>
        _api.Send(HttpMethod.Put, $"/v1/ptr/{address}{(view is null ? "" : "?view=" + view)}", ApiHost.Json(new { ptrdname = name }), HttpStatusCode.OK);

    [Fact]
    public async Task The_same_ptr_question_gets_each_views_answer_and_rule_changes_apply_at_once()
    {
        var created = await _api.Send(HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "office", match = new[] { "127.0.0.2/32" } }), HttpStatusCode.Created);
        Assert.Equal("127.0.0.2/32", (string?)created["match"]![0]);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { name = "2.0.192.in-addr.arpa." }), HttpStatusCode.Created);
        var officeZone = await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { name = "2.0.192.in-addr.arpa.", view = "office" }), HttpStatusCode.Created);
        Assert.Equal("office", (string?)officeZone["view"]);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { name = "2.0.192.in-addr.arpa.", view = "office" }), HttpStatusCode.Conflict);
        await SetPtr("192.0.2.5", "www.example.com.");
        await SetPtr("192.0.2.5", "printer.office.example.", "office");

        Assert.Equal("www.example.com.", PtrFrom("127.0.0.1", "192.0.2.5"));
        Assert.Equal("printer.office.example.", PtrFrom("127.0.0.2", "192.0.2.5"));
        var officePtr = await _api.Send(HttpMethod.Get, "/v1/ptr/192.0.2.5?view=office", null, HttpStatusCode.OK);
        Assert.Equal("printer.office.example.", (string?)officePtr["ptrdname"]);
        var publicPtr = await _api.Send(HttpMethod.Get, "/v1/ptr/192.0.2.5", null, HttpStatusCode.OK);
        Assert.Equal("www.example.com.", (string?)publicPtr["ptrdname"]);
        var listed = await _api.Send(HttpMethod.Get, "/v1/zones?view=office", null, HttpStatusCode.OK);
        Assert.Equal("office", (string?)listed["items"]![0]!["view"]);

        // Moving the rule moves the clients, from the next query on.
        await _api.Send(HttpMethod.Patch, "/v1/views/office", ApiHost.Json(new { match = new[] { "127.0.0.3/32" } }), HttpStatusCode.OK);
        Assert.Equal("www.example.com.", PtrFrom("127.0.0.2", "192.0.2.5"));
        Assert.Equal("printer.office.example.", PtrFrom("127.0.0.3", "192.0.2.5"));

        // A view with zones is not deleted by accident; without them it is, and its clients are public again.
        var notEmpty = await _api.Send(HttpMethod.Delete, "/v1/views/office", null, HttpStatusCode.Conflict);
        Assert.Equal("view_not_empty", (string?)notEmpty["code"]);
        await _api.Send(HttpMethod.Delete, "/v1/zones/2.0.192.in-addr.arpa.?view=office", null, HttpStatusCode.NoContent);
        // What is left is the view's catalog, which does not count as a zone and goes with the view.
        Assert.Equal(0, (int)(await _api.Send(HttpMethod.Get, "/v1/views/office", null, HttpStatusCode.OK))["zones"]!);
        await _api.Send(HttpMethod.Get, "/v1/zones/catalog.office.invalid.?view=office", null, HttpStatusCode.OK);
        await _api.Send(HttpMethod.Delete, "/v1/views/office", null, HttpStatusCode.NoContent);
        Assert.Null(await _api.Services.GetRequiredService<Rdns.Storage.IRdnsStore>().LoadAsync("office", Rdns.Protocol.Names.DnsName.Parse("catalog.office.invalid.")));
        Assert.Equal("www.example.com.", PtrFrom("127.0.0.3", "192.0.2.5"));
        await _api.Send(HttpMethod.Get, "/v1/views/office", null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Private_reverse_zones_are_served_empty_in_a_view_and_refused_to_the_public()
    {
        await _api.Send(HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "lan", match = new[] { "127.0.0.4/32" } }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "10.5.0.0/16", view = "lan" }), HttpStatusCode.Created);
        await SetPtr("10.5.0.1", "gw.lan.example.", "lan");

        Assert.Equal("gw.lan.example.", PtrFrom("127.0.0.4", "10.5.0.1"));
        // RFC 6303: an address of 10/8 the view holds no data for is NXDOMAIN with 10.in-addr.arpa's SOA.
        var empty = DnsFrom("127.0.0.4", "1.0.6.10.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(Rcode.NXDomain, (Rcode)empty.Rcode);
        var soa = Assert.Single(empty.Authority);
        Assert.Equal((RecordType.SOA, "10.in-addr.arpa."), (soa.Type, soa.Owner.ToString()));
        Assert.Equal(Rcode.NXDomain, (Rcode)DnsFrom("127.0.0.4", "9.9.168.192.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Equal(Rcode.NXDomain, (Rcode)DnsFrom("127.0.0.4", ReverseName.ToName(IpAddress.Parse("fd00::1")), RecordType.PTR).Rcode);

        // The public view hosts none of it: refused, so the view's PTRs never leak.
        Assert.Equal("rcode Refused", PtrFrom("127.0.0.1", "10.5.0.1"));
        Assert.Equal(Rcode.Refused, (Rcode)DnsFrom("127.0.0.1", "1.0.6.10.in-addr.arpa.", RecordType.PTR).Rcode);
        await _api.Send(HttpMethod.Get, "/v1/ptr/10.5.0.1", null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_view_input_is_refused_naming_the_field_and_rule()
    {
        async Task<string> Fails(HttpMethod method, string path, object? body, HttpStatusCode status, string field)
        {
            var problem = await _api.Send(method, path, body is null ? null : ApiHost.Json(body), status);
            Assert.Equal(field, (string?)problem["field"]);
            return (string)problem["code"]!;
        }

        Assert.Equal("invalid_view_name", await Fails(HttpMethod.Post, "/v1/views", new { name = "Office!", match = new[] { "10.0.0.0/8" } }, HttpStatusCode.BadRequest, "name"));
        Assert.Equal("invalid_view_name", await Fails(HttpMethod.Post, "/v1/views", new { match = new[] { "10.0.0.0/8" } }, HttpStatusCode.BadRequest, "name"));
        Assert.Equal("view_without_rules", await Fails(HttpMethod.Post, "/v1/views", new { name = "empty" }, HttpStatusCode.BadRequest, "match"));
        Assert.Equal("invalid_view_rule", await Fails(HttpMethod.Post, "/v1/views", new { name = "bad", match = new[] { "10.0.0.1/8" } }, HttpStatusCode.BadRequest, "match[0]"));
        Assert.Equal("invalid_view_rule", await Fails(HttpMethod.Post, "/v1/views", new { name = "bad", destinations = new[] { "127.0.0.1", "nope" } }, HttpStatusCode.BadRequest, "destinations[1]"));
        Assert.Equal("view_exists", await Fails(HttpMethod.Post, "/v1/views", new { name = "public", match = new[] { "10.0.0.0/8" } }, HttpStatusCode.Conflict, "name"));
        Assert.Equal("tenant_not_found", await Fails(HttpMethod.Post, "/v1/views", new { name = "t", match = new[] { "10.0.0.0/8" }, tenant = "ten_nobody" }, HttpStatusCode.NotFound, "tenant"));
        await _api.Send(HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "ok", keys = new[] { "office-key" } }), HttpStatusCode.Created);
        Assert.Equal("view_exists", await Fails(HttpMethod.Post, "/v1/views", new { name = "ok", match = new[] { "10.0.0.0/8" } }, HttpStatusCode.Conflict, "name"));
        Assert.Equal("view_without_rules", await Fails(HttpMethod.Patch, "/v1/views/ok", new { keys = Array.Empty<string>() }, HttpStatusCode.BadRequest, "match"));
        Assert.Equal("office-key.", (string?)(await _api.Send(HttpMethod.Get, "/v1/views/ok", null, HttpStatusCode.OK))["keys"]![0]);

        Assert.Equal("view_not_found", await Fails(HttpMethod.Get, "/v1/zones?view=nowhere", null, HttpStatusCode.NotFound, "view"));
        Assert.Equal("view_not_found", await Fails(HttpMethod.Put, "/v1/ptr/192.0.2.1?view=nowhere", new { ptrdname = "a.example." }, HttpStatusCode.NotFound, "view"));
        Assert.Equal("validation_failed", await Fails(HttpMethod.Get, "/v1/zones?view=Bad%20Name", null, HttpStatusCode.BadRequest, "view"));
        Assert.Equal("view_not_found", await Fails(HttpMethod.Post, "/v1/zones", new { name = "example.org.", view = "nowhere" }, HttpStatusCode.NotFound, "view"));
    }
}
