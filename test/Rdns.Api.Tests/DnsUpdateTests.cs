using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Control.Tenants;
using Rdns.Control.Updates;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using static Rdns.TestSupport.DnsUpdateClient;

namespace Rdns.Api.Tests;

/// <summary>
/// A DHCP server keeps PTRs current by DNS UPDATE under a TSIG key the operator created through
/// the API; everything else is refused, and every refusal and every change is in the audit log.
/// </summary>
public sealed class DnsUpdateTests : IAsyncLifetime
{
    private const string Zone = "2.0.192.in-addr.arpa.";
    private readonly HeldForwardResolver _resolver = new();
    private ApiHost _api = null!;
    private TsigKey _dhcp = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(configure: s =>
            {
                // Unsigned updates are accepted from 127.0.0.2 only, and only for one name.
                s.Update.UnsignedFrom = ["127.0.0.2/32"];
                s.Update.UnsignedAllow = [new UpdateRuleSpec { Zone = Zone, Suffix = "99." + Zone, Types = ["PTR"] }];
            },
            services: s => s.AddSingleton<IForwardResolver>(_resolver));
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "198.51.100.0/24" }), HttpStatusCode.Created);
        _dhcp = await CreateKeyAsync("dhcp1", new { zone = "2.0.192.in-addr.arpa", prefix = "192.0.2.0/25", types = new[] { "PTR", "DHCID" } });
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<TsigKey> CreateKeyAsync(string name, params object[] allow)
    {
        var created = await _api.Send(HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name, algorithm = "hmac-sha256", allow }), HttpStatusCode.Created);
        Assert.Contains("secret \"" + created["secret"]!.GetValue<string>() + "\"", created["bind"]!.GetValue<string>(), StringComparison.Ordinal);
        return new TsigKey(DnsName.Parse(name + "."), TsigAlgorithm.HmacSha256, Convert.FromBase64String(created["secret"]!.GetValue<string>()));
    }

    private string[] Ptr(string ip) =>
        _api.Dns(Addressing.ReverseName.ToName(Addressing.IpAddress.Parse(ip)), RecordType.PTR).Answers
            .Where(r => r.Type == RecordType.PTR).Select(r => Rdata.ReadName(r.Data).ToString()).ToArray();

    private async Task<IReadOnlyList<AuditRecord>> AuditAsync(string action)
    {
        await _api.Services.GetRequiredService<UpdateAuditLog>().FlushAsync();
        return (await _api.Services.GetRequiredService<IRdnsStore>().GetAuditAsync(200)).Where(a => a.Action == action).ToList();
    }

    [Fact]
    public async Task A_signed_update_within_the_policy_lands_over_udp_and_tcp_and_is_audited()
    {
        var udp = await SendAsync(_api.DnsEndpoint, Message(Zone, [DeleteRRset("10.2.0.192.in-addr.arpa.", RecordType.PTR) with { Class = RecordClass.NONE }],
            [Add("10.2.0.192.in-addr.arpa.", RecordType.PTR, "host10.example.com."), Add("10.2.0.192.in-addr.arpa.", RecordType.DHCID, "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=")]), _dhcp);
        Assert.Equal((Rcode.NoError, TsigError.NoError), udp);
        Assert.Equal(["host10.example.com."], Ptr("192.0.2.10"));
        var tcp = await SendAsync(_api.DnsEndpoint, Message(Zone, updates: [Add("11.2.0.192.in-addr.arpa.", RecordType.PTR, "host11.example.com.")]), _dhcp, tcp: true);
        Assert.Equal((Rcode.NoError, TsigError.NoError), tcp);
        Assert.Equal(["host11.example.com."], Ptr("192.0.2.11"));
        var audit = await AuditAsync("dns.update");
        Assert.Contains(audit, a => a.Actor == "tsig:dhcp1." && a.Target == Zone && a.Detail!.Contains("+10.2.0.192.in-addr.arpa. 300 PTR host10.example.com.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unsigned_update_is_refused_except_from_the_range_the_operator_allowed()
    {
        var update = Message(Zone, updates: [Add("99.2.0.192.in-addr.arpa.", RecordType.PTR, "unsigned.example.com.")]);
        Assert.Equal((Rcode.Refused, (TsigError?)null), await SendAsync(_api.DnsEndpoint, update));
        Assert.Empty(Ptr("192.0.2.99"));
        Assert.Equal((Rcode.NoError, (TsigError?)null), await SendAsync(_api.DnsEndpoint, update, source: "127.0.0.2"));
        Assert.Equal(["unsigned.example.com."], Ptr("192.0.2.99"));
        // Even from there, only what the rule names.
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, Message(Zone, updates: [Add("98.2.0.192.in-addr.arpa.", RecordType.PTR, "x.example.com.")]), source: "127.0.0.2")).Rcode);
        var refused = await AuditAsync("dns.update.refused");
        Assert.Contains(refused, a => a.Actor == "unsigned" && a.RemoteAddress == "127.0.0.1" && a.Detail!.StartsWith("REFUSED: unsigned updates are not accepted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_key_is_notauth_badkey_and_a_wrong_secret_badsig()
    {
        var update = Message(Zone, updates: [Add("12.2.0.192.in-addr.arpa.", RecordType.PTR, "x.example.com.")]);
        var stranger = TsigKey.Generate(DnsName.Parse("stranger."), TsigAlgorithm.HmacSha256);
        Assert.Equal((Rcode.NotAuth, TsigError.BadKey), await SendAsync(_api.DnsEndpoint, update, stranger));
        var impostor = TsigKey.Generate(DnsName.Parse("dhcp1."), TsigAlgorithm.HmacSha256);
        Assert.Equal((Rcode.NotAuth, TsigError.BadSig), await SendAsync(_api.DnsEndpoint, update, impostor));
        Assert.Empty(Ptr("192.0.2.12"));
        Assert.Contains(await AuditAsync("dns.update.refused"), a => a.Detail!.StartsWith("NOTAUTH: TSIG BadSig", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stale_signature_is_notauth_badtime()
    {
        var update = Message(Zone, updates: [Add("13.2.0.192.in-addr.arpa.", RecordType.PTR, "x.example.com.")]);
        Assert.Equal((Rcode.NotAuth, TsigError.BadTime), await SendAsync(_api.DnsEndpoint, update, _dhcp, new SkewedClock(TimeSpan.FromMinutes(-10))));
        Assert.Empty(Ptr("192.0.2.13"));
    }

    [Fact]
    public async Task A_key_outside_its_policy_is_refused_by_zone_by_prefix_and_by_type()
    {
        var otherZone = Message("100.51.198.in-addr.arpa.", updates: [Add("1.100.51.198.in-addr.arpa.", RecordType.PTR, "x.example.com.")]);
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, otherZone, _dhcp)).Rcode);
        var outsidePrefix = Message(Zone, updates: [Add("200.2.0.192.in-addr.arpa.", RecordType.PTR, "x.example.com.")]);
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, outsidePrefix, _dhcp)).Rcode);
        var otherType = Message(Zone, updates: [Add("14.2.0.192.in-addr.arpa.", RecordType.TXT, "\"hello\"")]);
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, otherType, _dhcp)).Rcode);
        // One disallowed record refuses the whole message: nothing of it lands.
        var mixed = Message(Zone, updates: [Add("15.2.0.192.in-addr.arpa.", RecordType.PTR, "ok.example.com."), Add("15.2.0.192.in-addr.arpa.", RecordType.TXT, "\"no\"")]);
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, mixed, _dhcp)).Rcode);
        Assert.Empty(Ptr("192.0.2.15"));
        var refused = await AuditAsync("dns.update.refused");
        Assert.Contains(refused, a => a.Target == "100.51.198.in-addr.arpa." && a.Detail!.Contains("may not update zone", StringComparison.Ordinal));
        Assert.Contains(refused, a => a.Detail!.Contains("may not change 200.2.0.192.in-addr.arpa. PTR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_zone_not_hosted_here_is_notauth()
    {
        var update = Message("example.org.", updates: [Add("www.example.org.", RecordType.A, "192.0.2.1")]);
        Assert.Equal((Rcode.NotAuth, TsigError.NoError), await SendAsync(_api.DnsEndpoint, update, _dhcp));
    }

    [Fact]
    public async Task Deleting_every_rrset_of_a_name_is_allowed_only_when_the_key_may_touch_each_type_there()
    {
        Assert.Equal(Rcode.NoError, (await SendAsync(_api.DnsEndpoint, Message(Zone, updates:
            [Add("20.2.0.192.in-addr.arpa.", RecordType.PTR, "lease.example.com."), Add("20.2.0.192.in-addr.arpa.", RecordType.DHCID, "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=")]), _dhcp)).Rcode);
        Assert.Equal(Rcode.NoError, (await SendAsync(_api.DnsEndpoint, Message(Zone, updates: [DeleteName("20.2.0.192.in-addr.arpa.")]), _dhcp)).Rcode);
        Assert.Empty(Ptr("192.0.2.20"));
        // The operator put a TXT beside a PTR: the key may not remove the name.
        await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets", ApiHost.Json(new
        {
            rrsets = new object[] { new { name = "21", type = "PTR", ttl = 300, data = new[] { "keep.example.com." } }, new { name = "21", type = "TXT", ttl = 300, data = new[] { "\"operator\"" } } },
        }), HttpStatusCode.OK);
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, Message(Zone, updates: [DeleteName("21.2.0.192.in-addr.arpa.")]), _dhcp)).Rcode);
        Assert.Equal(["keep.example.com."], Ptr("192.0.2.21"));
    }

    [Fact]
    public async Task A_deleted_key_is_refused_at_once_and_listed_no_more()
    {
        var key = await CreateKeyAsync("short-lived", new { zone = Zone });
        var list = await _api.Send(HttpMethod.Get, "/v1/tsig-keys", null, HttpStatusCode.OK);
        Assert.Contains(list["items"]!.AsArray(), k => k!["name"]!.GetValue<string>() == "short-lived.");
        Assert.DoesNotContain("secret", list.ToJsonString(), StringComparison.Ordinal);
        await _api.Send(HttpMethod.Delete, "/v1/tsig-keys/short-lived", null, HttpStatusCode.NoContent);
        Assert.Equal((Rcode.NotAuth, TsigError.BadKey), await SendAsync(_api.DnsEndpoint, Message(Zone, updates: [Add("30.2.0.192.in-addr.arpa.", RecordType.PTR, "x.example.com.")]), key));
        await _api.Send(HttpMethod.Delete, "/v1/tsig-keys/short-lived", null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Keys_are_checked_when_created()
    {
        var noRules = await _api.Send(HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name = "k1" }), HttpStatusCode.BadRequest);
        Assert.Equal("allow", noRules["field"]!.GetValue<string>());
        var badPrefix = await _api.Send(HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name = "k2", allow = new[] { new { prefix = "192.0.2.1/24" } } }), HttpStatusCode.BadRequest);
        Assert.Equal("allow[0].prefix", badPrefix["field"]!.GetValue<string>());
        var badType = await _api.Send(HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name = "k3", allow = new[] { new { zone = Zone, types = new[] { "AXFR" } } } }), HttpStatusCode.BadRequest);
        Assert.Equal("allow[0].types[0]", badType["field"]!.GetValue<string>());
        var badAlgorithm = await _api.Send(HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name = "k4", algorithm = "hmac-md5", allow = new[] { new { zone = Zone } } }), HttpStatusCode.BadRequest);
        Assert.Equal("algorithm", badAlgorithm["field"]!.GetValue<string>());
        var twice = await _api.Send(HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name = "dhcp1", allow = new[] { new { zone = Zone } } }), HttpStatusCode.Conflict);
        Assert.Equal("tsig_key_exists", twice["code"]!.GetValue<string>());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Secrets_are_sealed_in_the_store()
    {
        var stored = await _api.Services.GetRequiredService<IRdnsStore>().ListTsigKeysAsync();
        var record = Assert.Single(stored, k => k.Name == "dhcp1.");
        Assert.False(record.SealedSecret.AsSpan().IndexOf(_dhcp.Secret) >= 0);
        var mode = File.GetUnixFileMode(Path.Combine(_api.Data, TsigSecretSeal.FileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task A_tenants_key_keeps_the_ptrs_of_held_addresses_by_the_tenants_policy()
    {
        await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "203.0.113.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." }), HttpStatusCode.Created);
        var tenant = (await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Acme" }), HttpStatusCode.Created))["id"]!.GetValue<string>();
        await _api.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant, prefix = "203.0.113.8/29" }), HttpStatusCode.Created);
        var tenantKey = (await _api.Send(HttpMethod.Post, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.Created))["key"]!.GetValue<string>();
        using var acme = _api.As(tenantKey);
        var created = await ApiHost.Send(acme, HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name = "acme-dhcp" }), HttpStatusCode.Created);
        var key = new TsigKey(DnsName.Parse("acme-dhcp."), TsigAlgorithm.HmacSha256, Convert.FromBase64String(created["secret"]!.GetValue<string>()));
        const string zone = "113.0.203.in-addr.arpa.";

        _resolver.Point("mail.acme.test.", "203.0.113.9");
        Assert.Equal(Rcode.NoError, (await SendAsync(_api.DnsEndpoint, Message(zone, updates: [Add("9.113.0.203.in-addr.arpa.", RecordType.PTR, "mail.acme.test.")]), key)).Rcode);
        Assert.Equal(["mail.acme.test."], Ptr("203.0.113.9"));
        var reverse = await ApiHost.Send(acme, HttpMethod.Get, "/v1/addresses/203.0.113.9/reverse", null, HttpStatusCode.OK);
        Assert.Equal("confirmed", reverse["status"]!.GetValue<string>());

        // A name that does not point back is refused, as through the API; so is an address not held.
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, Message(zone, updates: [Add("10.113.0.203.in-addr.arpa.", RecordType.PTR, "elsewhere.acme.test.")]), key)).Rcode);
        Assert.Equal(Rcode.Refused, (await SendAsync(_api.DnsEndpoint, Message(zone, updates: [Add("20.113.0.203.in-addr.arpa.", RecordType.PTR, "mail.acme.test.")]), key)).Rcode);
        // The tenant sees its own key only, and the operator's list has it with its owner.
        var mine = await ApiHost.Send(acme, HttpMethod.Get, "/v1/tsig-keys", null, HttpStatusCode.OK);
        Assert.Equal("acme-dhcp.", Assert.Single(mine["items"]!.AsArray())!["name"]!.GetValue<string>());
        await ApiHost.Send(acme, HttpMethod.Delete, "/v1/tsig-keys/dhcp1", null, HttpStatusCode.NotFound);
    }

    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }
}
