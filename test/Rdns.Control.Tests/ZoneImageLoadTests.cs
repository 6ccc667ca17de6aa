using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.TestSupport;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Control.Tests;

/// <summary>
/// A start takes every zone the data directory's zone image holds at the store's current revision
/// from the image, and everything else from the store's rows: what it serves is exactly what the
/// store holds, whoever changed it since the image was written, and an unusable image only costs time.
/// </summary>
public sealed class ZoneImageLoadTests() : StoreScratch("rdns-image-")
{
    private static readonly DnsName Big = DnsName.Parse("10.in-addr.arpa.");
    private static readonly DnsName Small = DnsName.Parse("2.0.192.in-addr.arpa.");
    private static readonly DnsName Six = DnsName.Parse("8.b.d.0.1.0.0.2.ip6.arpa.");

    private static List<ResourceRecord> Zone(DnsName origin, uint serial, int ptrs, Func<int, DnsName> owner, string tag = "")
    {
        var records = new List<ResourceRecord>
        {
            new(origin, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), serial, 7200, 900, 1209600, 300)),
            new(origin, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
        };
        for (int i = 0; i < ptrs; i++)
            records.Add(new ResourceRecord(owner(i), RecordType.PTR, (uint)(i % 5 == 0 ? 60 : 3600), DnsName.Parse($"edge{i % 7}{tag}.Tenant{i}.example.").Wire.ToArray()));
        return records;
    }

    private static DnsName BigOwner(int i) => Big.Prepend($"{i & 0xFF}").Prepend($"{(i >> 8) & 0xFF}").Prepend($"{i >> 16}");

    private async Task<(IRdnsStore Store, ZoneService Service)> OpenAsync(string? connection, string? directory = null)
    {
        var store = Own(StoreFactory.Open(new StoreOptions { Connection = connection }, directory ?? DataDirectory));
        await store.MigrateAsync();
        var writer = Own(new ZoneWriter(store, new ServedZones(), NullLogger<ZoneWriter>.Instance));
        return (store, new ZoneService(writer, new ServedZones(), store));
    }

    private async Task<string?> ConnectionAsync(bool postgres)
    {
        if (!postgres)
            return null;
        var db = Own(await PostgresDatabase.CreateAsync());
        return db.ConnectionString;
    }

    private async Task ImportAsync(ZoneService service)
    {
        await service.ImportAsync(Big, ZoneRows.From(Zone(Big, 1, 20_000, BigOwner)), new AuditEntry("tester", "zone.import", "big"), enforcePolicy: false);
        await service.ImportAsync(Small, Zone(Small, 1, 200, i => Small.Prepend($"{i}")), new AuditEntry("tester", "zone.import", "small"));
        await service.ImportAsync(Six, Zone(Six, 1, 3000, i => DnsName.Parse(string.Join('.', $"{i:x8}".Reverse()) + "." + string.Concat(Enumerable.Repeat("0.", 16)) + Six)),
            new AuditEntry("tester", "zone.import", "six"), enforcePolicy: false);
    }

    private ZoneImageFile Image => ZoneImageFile.In(DataDirectory, "store-under-test");

    /// <summary>What a start does: read (image first), publish, then keep the image current.</summary>
    private async Task<(ServedZones Zones, ZoneLoader.Loaded Loaded, List<string> Log)> StartAsync(IRdnsStore store)
    {
        var zones = new ServedZones();
        var log = new ListLogger();
        var loader = new ZoneLoader(store, zones, log);
        var loaded = await ZoneLoader.ReadAsync(store, Image, null, default);
        loader.Publish(loaded);
        loader.KeepImage(loaded, changedSince: false);
        await loader.ImageWritten;
        return (zones, loaded, log.Lines);
    }

    private static string[] Text(ZoneSnapshot zone) =>
        zone.Records().Select(r => $"{r.Owner} {r.Ttl} {r.Type} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal).ToArray();

    private static async Task AssertServesWhatTheStoreHoldsAsync(IRdnsStore store, ServedZones served)
    {
        var fromRows = new ServedZones();
        await new ZoneLoader(store, fromRows, NullLogger<ZoneLoader>.Instance).LoadAllAsync();
        Assert.Equal(fromRows.Current.Zones.Select(z => z.Origin).Order(), served.Current.Zones.Select(z => z.Origin).Order());
        foreach (var expected in fromRows.Current.Zones)
        {
            var actual = served.Current.Get(expected.Origin)!;
            Assert.Equal(expected.Serial, actual.Serial);
            Assert.Equal(expected.RecordCount, actual.RecordCount);
            Assert.Equal(expected.CompactCount, actual.CompactCount);
            // Every record, octets and case included.
            Assert.Equal(Text(expected), Text(actual));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_start_from_the_image_serves_exactly_what_a_start_from_rows_does(bool postgres)
    {
        var (store, service) = await OpenAsync(await ConnectionAsync(postgres));
        await ImportAsync(service);

        var (_, first, _) = await StartAsync(store);
        Assert.Equal(0, first.FromCopies);
        Assert.True(File.Exists(Image.Path));

        var (served, second, log) = await StartAsync(store);
        Assert.Equal(3, second.FromCopies);
        Assert.True(second.ImageCurrent);
        Assert.Contains(log, l => l.Contains("3 of them from the zone image"));
        await AssertServesWhatTheStoreHoldsAsync(store, served);
        Assert.Equal(20_002, served.Current.Get(Big)!.RecordCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Changes_made_after_the_image_was_written_are_served_after_a_restart(bool postgres)
    {
        var (store, service) = await OpenAsync(await ConnectionAsync(postgres));
        await ImportAsync(service);
        await StartAsync(store);

        // A PTR changed as the API and DNS UPDATE change it (through the zone writer); a zone
        // replaced with the same SOA serial (only the revision tells it apart); a zone deleted.
        var owner = BigOwner(4242);
        await service.ChangeAsync([new ZoneEdit(Big, [new RRsetChange(owner, RecordType.PTR, 300, [DnsName.Parse("changed.example.").Wire.ToArray()])])],
            new AuditEntry("tester", "ptr.set", owner.ToString()));
        await store.CreateZoneAsync(Small, Zone(Small, 1, 200, i => Small.Prepend($"{i}"), tag: "-replaced"), replace: true, new AuditEntry("tester", "zone.replace", "small"));
        Assert.True(await service.DeleteAsync(Six, new AuditEntry("tester", "zone.delete", "six")));

        // The image is not rewritten in between (as when the server is killed before it could be).
        var (served, loaded, _) = await StartAsync(store);
        Assert.Equal(0, loaded.FromCopies);
        Assert.False(loaded.ImageCurrent);
        Assert.Equal("changed.example.", PtrOf(served, owner));
        Assert.Equal("edge1-replaced.Tenant1.example.", PtrOf(served, Small.Prepend("1")));
        Assert.Null(served.Current.Get(Six));
        await AssertServesWhatTheStoreHoldsAsync(store, served);

        // The image written at that start holds the new state, and no deleted zone.
        var (again, reloaded, _) = await StartAsync(store);
        Assert.Equal(2, reloaded.FromCopies);
        Assert.Equal("changed.example.", PtrOf(again, owner));
        Assert.Null(again.Current.Get(Six));
    }

    [Fact]
    public async Task A_change_by_another_node_sharing_the_postgresql_store_is_served_after_a_restart()
    {
        var connection = await ConnectionAsync(postgres: true);
        var (store, service) = await OpenAsync(connection);
        await ImportAsync(service);
        await StartAsync(store);

        var otherDirectory = Directory.CreateTempSubdirectory("rdns-image-other-").FullName;
        try
        {
            var (_, other) = await OpenAsync(connection, otherDirectory);
            var owner = Small.Prepend("7");
            await other.ChangeAsync([new ZoneEdit(Small, [new RRsetChange(owner, RecordType.PTR, 300, [DnsName.Parse("from-the-other-node.example.").Wire.ToArray()])])],
                new AuditEntry("tester", "ptr.set", owner.ToString()));

            var (served, loaded, _) = await StartAsync(store);
            Assert.Equal(2, loaded.FromCopies);
            Assert.Equal("from-the-other-node.example.", PtrOf(served, owner));
            await AssertServesWhatTheStoreHoldsAsync(store, served);
        }
        finally
        {
            Directory.Delete(otherDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("damaged")]
    [InlineData("truncated")]
    [InlineData("other store")]
    [InlineData("not an image")]
    public async Task An_unusable_image_is_ignored_with_a_log_line_and_the_start_succeeds(string kind)
    {
        var (store, service) = await OpenAsync(null);
        await ImportAsync(service);
        await StartAsync(store);
        var octets = await File.ReadAllBytesAsync(Image.Path);
        switch (kind)
        {
            case "damaged":
                octets[octets.Length / 3] ^= 0x01;
                break;
            case "truncated":
                octets = octets[..(octets.Length / 2)];
                break;
            case "other store":
                await File.WriteAllBytesAsync(Image.Path, octets);
                octets = null;
                break;
            default:
                octets = "zones"u8.ToArray();
                break;
        }
        var path = Image.Path;
        if (octets is not null)
            await File.WriteAllBytesAsync(path, octets);

        var zones = new ServedZones();
        var log = new ListLogger();
        var loader = new ZoneLoader(store, zones, log);
        var image = kind == "other store" ? ZoneImageFile.In(DataDirectory, "another-store") : Image;
        var loaded = await ZoneLoader.ReadAsync(store, image, null, default);
        loader.Publish(loaded);

        Assert.Equal(0, loaded.FromCopies);
        Assert.NotNull(loaded.ImageProblem);
        Assert.Contains(log.Lines, l => l.Contains($"The zone image {path} is ignored"));
        await AssertServesWhatTheStoreHoldsAsync(store, zones);

        // The next image replaces it.
        loader.KeepImage(loaded, changedSince: false);
        await loader.ImageWritten;
        Assert.Equal(3, (await ZoneLoader.ReadAsync(store, image, null, default)).FromCopies);
    }

    private static string? PtrOf(ServedZones served, DnsName owner)
    {
        var zone = served.Current.FindZone(owner.Wire)!;
        var set = zone.GetRRset(owner.Wire, RecordType.PTR);
        return set is null ? null : DnsName.FromWire(set.Data[0]).ToString();
    }

    /// <summary>Keeps what was logged, as text.</summary>
    private sealed class ListLogger : ILogger<ZoneLoader>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
                Lines.Add(formatter(state, exception));
        }
    }
}
