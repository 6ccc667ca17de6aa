using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rdns.Control.Dnssec;
using Rdns.Control.Zones;
using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.TestSupport;
using Rdns.Zones;
using Rdns.Zones.Dnssec;
using Rdns.Zones.Writes;

namespace Rdns.Control.Tests.Dnssec;

/// <summary>
/// Enabling, sharing and rolling DNSSEC keys through the one write path, on a real store: the
/// DNSKEY, CDS and CDNSKEY RRsets follow the key rows in the same commit; private keys are sealed,
/// so a node with another seal key cannot sign while a node with the same one signs with the same
/// key; a CSK rollover (double signature) and a ZSK rollover (pre-publish) run to their end under a
/// controlled clock, every state of the zone keeping a key that signs and a DS the parent can hold.
/// </summary>
public sealed class DnssecServiceTests : IAsyncLifetime
{
    private static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");
    private static readonly WriteAudit Audit = new("tester", "dnssec", Zone.ToString());
    private readonly string _directory = Directory.CreateTempSubdirectory("rdns-dnssec-").FullName;
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly byte[] _sealKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            await _owned[i].DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed record Node(IRdnsStore Store, ServedZones Zones, ZoneWriter Writer, DnssecKeyring Keyring, DnssecService Service);

    private async Task<Node> NodeAsync(string? connection = null, byte[]? sealKey = null, DnssecOptions? options = null)
    {
        var store = StoreFactory.Open(new StoreOptions { Connection = connection }, _directory);
        _owned.Add(store);
        await store.MigrateAsync();
        var zones = new ServedZones();
        var writer = new ZoneWriter(store, zones, NullLogger<ZoneWriter>.Instance);
        _owned.Add(writer);
        options ??= new DnssecOptions();
        var keyring = new DnssecKeyring(store, zones, new KeySeal(sealKey ?? _sealKey), options, new SignatureCache(1 << 20), _time, NullLogger<DnssecKeyring>.Instance);
        var service = new DnssecService(store, writer, zones, keyring, options, _time, NullLogger<DnssecService>.Instance);
        return new Node(store, zones, writer, keyring, service);
    }

    private static async Task CreateZoneAsync(Node node)
    {
        var soa = Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 7200, 900, 1209600, 300);
        await node.Writer.WriteAsync(new ZoneWrite([], new WriteAudit("tester", "zone.create", Zone.ToString()))
        {
            Creations = [new NewZone(Zone, [new(Zone, RecordType.SOA, 3600, soa), new(Zone, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray())])],
        });
    }

    private static IReadOnlyList<ushort> Tags(Node node, RecordType type) =>
        node.Zones.Current.Get(Zone)!.GetRRset(Zone.Wire, type)?.Data.Select(d => type == RecordType.CDS ? DelegationSigner.KeyTag(d) : DnsKey.KeyTag(d)).Order().ToList() ?? [];

    private static ZoneSigner Signer(Node node) => node.Zones.Current.SignerOf(node.Zones.Current.Get(Zone)!)!;

    [Fact]
    public async Task Enabling_publishes_the_key_its_cds_and_cdnskey_and_a_signer_in_one_commit()
    {
        var node = await NodeAsync();
        await CreateZoneAsync(node);
        uint before = node.Zones.Current.Get(Zone)!.Serial;
        var status = await node.Service.EnableAsync(Zone, 13, null, null, Audit);
        var tag = (ushort)Assert.Single(status.KeyList).KeyTag;
        Assert.Equal("csk", status.Keys);
        Assert.Equal("compact", status.Denial);
        Assert.StartsWith($"{Zone} IN DS {tag} 13 2 ", Assert.Single(status.Ds), StringComparison.Ordinal);
        Assert.Equal([tag], Tags(node, RecordType.DNSKEY));
        Assert.Equal([tag], Tags(node, RecordType.CDS));
        Assert.Equal([tag], Tags(node, RecordType.CDNSKEY));
        Assert.True(node.Zones.Current.Get(Zone)!.Serial > before);
        Assert.Equal(tag, Assert.Single(Signer(node).ZoneSigningKeys).KeyTag);

        // Again with the same policy: nothing changes; with another: refused with a reason.
        Assert.Equal(tag, (await node.Service.EnableAsync(Zone, 13, null, null, Audit)).KeyList[0].KeyTag);
        var refused = await Assert.ThrowsAsync<WriteException>(() => node.Service.EnableAsync(Zone, 15, null, null, Audit));
        Assert.Equal("dnssec_enabled", refused.Code);
        var bad = await Assert.ThrowsAsync<WriteException>(() => node.Service.EnableAsync(Zone, 8, null, null, Audit));
        Assert.Equal("algorithm", bad.Field);

        await node.Service.DisableAsync(Zone, Audit);
        Assert.Empty(Tags(node, RecordType.DNSKEY));
        Assert.Empty(Tags(node, RecordType.CDS));
        Assert.Null(node.Zones.Current.SignerOf(node.Zones.Current.Get(Zone)!));
        Assert.False((await node.Service.GetAsync(Zone))!.Enabled);
    }

    [Fact]
    public async Task Nodes_of_one_store_sign_with_the_same_key_and_a_node_without_the_seal_key_cannot()
    {
        var a = await NodeAsync();
        await CreateZoneAsync(a);
        var status = await a.Service.EnableAsync(Zone, 13, null, null, Audit);
        var rows = await a.Store.GetDnssecKeysAsync(null);
        // Sealed at rest: no PKCS#8 structure (it starts with a DER SEQUENCE, 0x30) in the row.
        Assert.Equal(1, Assert.Single(rows).SealedPrivateKey[0]);

        var b = await NodeAsync();
        await new ZoneLoader(b.Store, b.Zones, NullLogger<ZoneLoader>.Instance).LoadAllAsync();
        await b.Keyring.LoadAllAsync();
        Assert.Equal(status.KeyList[0].KeyTag, Assert.Single(Signer(b).ZoneSigningKeys).KeyTag);
        Assert.Equal(Signer(a).ZoneSigningKeys[0].DnsKeyRdata, Signer(b).ZoneSigningKeys[0].DnsKeyRdata);

        var stranger = await NodeAsync(sealKey: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await new ZoneLoader(stranger.Store, stranger.Zones, NullLogger<ZoneLoader>.Instance).LoadAllAsync();
        await stranger.Keyring.LoadAllAsync();
        Assert.Null(stranger.Zones.Current.SignerOf(stranger.Zones.Current.Get(Zone)!));
    }

    [Fact]
    public async Task Nodes_sharing_a_postgresql_store_sign_alike()
    {
        var db = await PostgresDatabase.CreateAsync();
        _owned.Add(db);
        var a = await NodeAsync(db.ConnectionString);
        await CreateZoneAsync(a);
        await a.Service.EnableAsync(Zone, 13, "ksk-zsk", "nsec", Audit);
        var b = await NodeAsync(db.ConnectionString);
        await new ZoneLoader(b.Store, b.Zones, NullLogger<ZoneLoader>.Instance).LoadAllAsync();
        await b.Keyring.LoadAllAsync();
        Assert.Equal(DenialMode.Nsec, Signer(b).Denial);
        Assert.Equal(Signer(a).KeySigningKeys.Select(k => k.KeyTag), Signer(b).KeySigningKeys.Select(k => k.KeyTag));
        Assert.Equal(Signer(a).ZoneSigningKeys.Select(k => k.KeyTag), Signer(b).ZoneSigningKeys.Select(k => k.KeyTag));
        Assert.NotEqual(Signer(b).KeySigningKeys[0].KeyTag, Signer(b).ZoneSigningKeys[0].KeyTag);

        // Every resync loads all again: the same rows keep the same signer (and zone set); rows
        // another node changed are applied.
        var signer = Signer(b);
        var set = b.Zones.Current;
        await b.Keyring.LoadAllAsync();
        Assert.Same(set, b.Zones.Current);
        Assert.Same(signer, Signer(b));
        await a.Service.DisableAsync(Zone, Audit);
        await b.Keyring.LoadAllAsync();
        Assert.Null(b.Zones.Current.SignerOf(b.Zones.Current.Get(Zone)!));
        await a.Service.EnableAsync(Zone, 13, null, null, Audit);
        await b.Keyring.LoadAllAsync();
        Assert.Equal(Assert.Single(Signer(a).ZoneSigningKeys).KeyTag, Assert.Single(Signer(b).ZoneSigningKeys).KeyTag);
    }

    [Fact]
    public async Task A_csk_rollover_double_signs_then_moves_cds_then_drops_the_old_key_once_the_parent_ds_has_spread()
    {
        var options = new DnssecOptions { PropagationDelay = TimeSpan.FromMinutes(5), ParentDsTtl = TimeSpan.FromHours(1) };
        var node = await NodeAsync(options: options);
        await CreateZoneAsync(node);
        var old = (ushort)(await node.Service.EnableAsync(Zone, 13, null, null, Audit)).KeyList[0].KeyTag;
        var refused = await Assert.ThrowsAsync<WriteException>(() => node.Service.RolloverAsync(Zone, "csk", Audit));
        Assert.Equal("rollover_refused", refused.Code);
        await node.Service.DsSeenAsync(Zone, Audit);

        var started = await node.Service.RolloverAsync(Zone, "csk", Audit);
        Assert.Equal("csk", started.Rollover);
        var next = (ushort)started.KeyList.Single(k => k.KeyTag != old).KeyTag;
        Assert.Equal(new[] { old, next }.Order(), Tags(node, RecordType.DNSKEY));
        Assert.Equal(2, Signer(node).ZoneSigningKeys.Count); // both sign: a cache holding either DNSKEY validates
        Assert.Equal([old], Tags(node, RecordType.CDS));

        // Nothing moves before the DNSKEY TTL (3600) and the delay have passed.
        _time.Advance(TimeSpan.FromMinutes(64));
        await node.Service.TickAsync();
        Assert.Equal([old], Tags(node, RecordType.CDS));
        _time.Advance(TimeSpan.FromMinutes(2));
        await node.Service.TickAsync();
        Assert.Equal([next], Tags(node, RecordType.CDS));
        Assert.Equal([next], Tags(node, RecordType.CDNSKEY));
        Assert.Equal(2, Tags(node, RecordType.DNSKEY).Count);

        // The parent takes the new DS; the old key goes once that DS can have spread.
        await node.Service.DsSeenAsync(Zone, Audit);
        _time.Advance(TimeSpan.FromMinutes(30));
        await node.Service.TickAsync();
        Assert.Equal(2, Tags(node, RecordType.DNSKEY).Count);
        _time.Advance(TimeSpan.FromMinutes(36));
        await node.Service.TickAsync();
        Assert.Equal([next], Tags(node, RecordType.DNSKEY));
        Assert.Equal(next, Assert.Single(Signer(node).ZoneSigningKeys).KeyTag);
        Assert.Equal("none", (await node.Service.GetAsync(Zone))!.Rollover);
    }

    [Fact]
    public async Task A_zsk_reaching_its_lifetime_is_succeeded_by_pre_publication()
    {
        var options = new DnssecOptions { PropagationDelay = TimeSpan.FromMinutes(5), ZskLifetime = TimeSpan.FromDays(30) };
        var node = await NodeAsync(options: options);
        await CreateZoneAsync(node);
        var status = await node.Service.EnableAsync(Zone, 13, "ksk-zsk", null, Audit);
        var ksk = (ushort)status.KeyList.Single(k => k.Role == "ksk").KeyTag;
        var zsk = (ushort)status.KeyList.Single(k => k.Role == "zsk").KeyTag;
        Assert.Equal([ksk], Tags(node, RecordType.CDS));

        _time.Advance(TimeSpan.FromDays(30));
        await node.Service.TickAsync();
        var keys = Tags(node, RecordType.DNSKEY);
        Assert.Equal(3, keys.Count);
        var successor = keys.Single(k => k != ksk && k != zsk);
        Assert.Equal(zsk, Assert.Single(Signer(node).ZoneSigningKeys).KeyTag); // published, not signing yet

        _time.Advance(TimeSpan.FromMinutes(66));
        await node.Service.TickAsync();
        Assert.Equal(successor, Assert.Single(Signer(node).ZoneSigningKeys).KeyTag);
        Assert.Equal(3, Tags(node, RecordType.DNSKEY).Count); // the old ZSK stays while its signatures may be cached

        _time.Advance(TimeSpan.FromMinutes(66));
        await node.Service.TickAsync();
        Assert.Equal(new[] { ksk, successor }.Order(), Tags(node, RecordType.DNSKEY));
        Assert.Equal([ksk], Tags(node, RecordType.CDS)); // the parent never had to act
    }
}
