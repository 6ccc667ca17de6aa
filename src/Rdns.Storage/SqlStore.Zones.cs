using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    private const string ZoneColumns = "id, display_name, serial, created_at, record_count";
    private const string Public = Addressing.ViewName.Public;

    public async Task<IReadOnlyList<StoredZone>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        // One read transaction: the serials and the records come from the same snapshot, so a
        // zone is never loaded with records newer than its serial.
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command($"SELECT {ZoneColumns} FROM zones WHERE view = @view ORDER BY name");
        cmd.With("@view", Public);
        return await LoadZonesAsync(s, cmd, null, cancellationToken);
    }

    public async Task LoadAllAsync(IZoneRowReader rows, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        var wanted = new HashSet<long>();
        long wantedRecords = 0, allRecords = 0;
        await using (var cmd = s.Command("SELECT id, display_name, serial, view, revision, record_count FROM zones ORDER BY view, name"))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                long id = reader.GetInt64(0), records = reader.GetInt64(5);
                allRecords += records;
                if (rows.Zone(id, reader.GetString(3), DnsName.Parse(reader.GetString(1)), (uint)reader.GetInt64(2), reader.GetInt64(4)))
                {
                    wanted.Add(id);
                    wantedRecords += records;
                }
            }
        }
        // Every zone wanted: one scan of the table, as fast as the rows stream. Some: the scan
        // skips the others, unless they hold most of the rows and the index finds the few wanted faster.
        if (wantedRecords == allRecords)
            await ReadRowsAsync(s, rows, null, cancellationToken);
        else if (wanted.Count > 0)
            await ReadRowsAsync(s, rows, new ZoneRowFilter(wanted, ByIndex: wantedRecords * 4 < allRecords), cancellationToken);
    }

    public Task<StoredZone?> LoadAsync(DnsName zone, CancellationToken cancellationToken = default) =>
        LoadAsync(Public, zone, cancellationToken);

    public async Task<StoredZone?> LoadAsync(string view, DnsName zone, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        return await LoadAsync(s, view, zone, cancellationToken);
    }

    private async Task<StoredZone?> LoadAsync(StoreSession s, string view, DnsName zone, CancellationToken cancellationToken)
    {
        await using var cmd = s.Command($"SELECT {ZoneColumns} FROM zones WHERE name = @name");
        cmd.With("@name", ZoneKey.Of(view, zone));
        var zones = await LoadZonesAsync(s, cmd, zone, cancellationToken);
        return zones.Count == 0 ? null : zones[0];
    }

    private async Task<List<StoredZone>> LoadZonesAsync(StoreSession s, System.Data.Common.DbCommand zonesQuery, DnsName? only, CancellationToken cancellationToken)
    {
        var heads = new List<(long Id, DnsName Name, uint Serial, DateTimeOffset Created)>();
        var sink = new ZoneRecordSink();
        await using (var reader = await zonesQuery.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                long id = reader.GetInt64(0);
                heads.Add((id, DnsName.Parse(reader.GetString(1)), (uint)reader.GetInt64(2), ReadTime(reader, 3)));
                sink.Expect(id, (int)reader.GetInt64(4));
            }
        }
        if (heads.Count == 0)
            return [];
        await ReadRecordsAsync(s, only is null ? null : heads[0].Id, sink, cancellationToken);
        return heads.ConvertAll(h => new StoredZone(h.Name, h.Serial, h.Created, sink.RecordsOf(h.Id)));
    }

    public Task<uint?> GetSerialAsync(DnsName zone, CancellationToken cancellationToken = default) =>
        GetSerialAsync(Public, zone, cancellationToken);

    public async Task<uint?> GetSerialAsync(string view, DnsName zone, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        return await GetSerialAsync(s, view, zone, cancellationToken);
    }

    private static async Task<uint?> GetSerialAsync(StoreSession s, string view, DnsName zone, CancellationToken cancellationToken)
    {
        await using var cmd = s.Command("SELECT serial FROM zones WHERE name = @name");
        cmd.With("@name", ZoneKey.Of(view, zone));
        return (uint?)await cmd.ScalarInt64Async(cancellationToken);
    }

    /// <summary>Names asked per statement: one statement text whatever the count (the rest padded), so it is prepared once.</summary>
    private const int SerialsPerStatement = 64;

    private static readonly string[] SerialsParameters = [.. Enumerable.Range(0, SerialsPerStatement).Select(i => $"@n{i}")];

    private static readonly string SerialsSql = "SELECT name, serial FROM zones WHERE name IN (" + string.Join(", ", SerialsParameters) + ")";

    private static async Task<IReadOnlyDictionary<DnsName, uint>> GetSerialsAsync(StoreSession s, string view, IReadOnlyCollection<DnsName> zones, CancellationToken cancellationToken)
    {
        var serials = new Dictionary<DnsName, uint>(zones.Count);
        if (zones.Count == 0)
            return serials;
        // The stored key of each name back to the name as the caller gave it.
        var byKey = new Dictionary<string, DnsName>(zones.Count, StringComparer.Ordinal);
        foreach (var zone in zones)
            byKey.TryAdd(ZoneKey.Of(view, zone), zone);
        var keys = byKey.Keys.ToList();
        for (int start = 0; start < keys.Count; start += SerialsPerStatement)
        {
            await using var cmd = s.Command(SerialsSql);
            for (int i = 0; i < SerialsPerStatement; i++)
                cmd.With(SerialsParameters[i], keys[Math.Min(start + i, keys.Count - 1)]);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (byKey.TryGetValue(reader.GetString(0), out var zone))
                    serials[zone] = (uint)reader.GetInt64(1);
            }
        }
        return serials;
    }

    public async Task<ZonesStamp> GetZonesStampAsync(CancellationToken cancellationToken = default)
    {
        var (count, revision) = await ReadTwoAsync("SELECT count(*), coalesce(max(revision), 0) FROM zones", cancellationToken);
        return new ZonesStamp(count, revision);
    }

    public async Task<ZonesChecksum> GetZonesChecksumAsync(CancellationToken cancellationToken = default)
    {
        var (count, sum) = await ReadTwoAsync("SELECT count(*), CAST(coalesce(sum(serial), 0) AS BIGINT) FROM zones", cancellationToken);
        return new ZonesChecksum(count, sum);
    }

    /// <summary>The two integers of the one row <paramref name="sql"/> reads.</summary>
    private async Task<(long, long)> ReadTwoAsync(string sql, CancellationToken cancellationToken)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command(sql);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task<long> GetSettingsRevisionAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT value FROM settings_revision");
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<ZoneWritten>> ListZonesWrittenAsync(long afterRevision, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT view, display_name, serial, revision FROM zones WHERE revision > @after ORDER BY revision LIMIT @limit");
        cmd.With("@after", afterRevision);
        cmd.With("@limit", limit);
        var zones = new List<ZoneWritten>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            zones.Add(new ZoneWritten(reader.GetString(0), DnsName.Parse(reader.GetString(1)), (uint)reader.GetInt64(2), reader.GetInt64(3)));
        return zones;
    }

    public Task<IReadOnlyList<ZoneSummary>> ListZonesAsync(int limit, DnsName? after = null, CancellationToken cancellationToken = default) =>
        ListZonesAsync(Public, limit, after, cancellationToken);

    public async Task<IReadOnlyList<ZoneSummary>> ListZonesAsync(string view, int limit, DnsName? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command(
            "SELECT display_name, serial, record_count, created_at, updated_at FROM zones WHERE view = @view" +
            (after is null ? "" : " AND name > @after") + " ORDER BY name LIMIT @limit");
        cmd.With("@view", view);
        if (after is not null)
            cmd.With("@after", ZoneKey.Of(view, after));
        cmd.With("@limit", limit);
        var zones = new List<ZoneSummary>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            zones.Add(new ZoneSummary(DnsName.Parse(reader.GetString(0)), (uint)reader.GetInt64(1),
                (int)reader.GetInt64(2), ReadTime(reader, 3), ReadTime(reader, 4)));
        }
        return zones;
    }

    public async Task CreateZoneAsync(DnsName zone, IReadOnlyList<ResourceRecord> records, bool replace, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        await CreateZoneAsync(s, Public, new ZoneCreation(zone, records, replace), cancellationToken);
        await AuditAsync(s, audit, cancellationToken);
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
    }

    /// <summary>Creates or replaces a zone inside a write transaction (see <see cref="IZoneStore.CreateZoneAsync"/>).</summary>
    private async Task CreateZoneAsync(StoreSession s, string view, ZoneCreation creation, CancellationToken cancellationToken)
    {
        var (zone, records, replace) = (creation.Zone, creation.Records, creation.Replace);
        uint serial = ZoneKey.CheckZoneRecords(zone, records);
        string key = ZoneKey.Of(view, zone);
        var now = Now();
        long? id;
        await using (var find = s.Command("SELECT id FROM zones WHERE name = @name" + ForUpdate))
        {
            find.With("@name", key);
            id = await find.ScalarInt64Async(cancellationToken);
        }
        if (id is not null)
        {
            if (!replace)
                throw new StoreConflictException($"zone {zone} already exists");
            await ExecuteAsync(s, "DELETE FROM records WHERE zone_id = @zone", id.Value, cancellationToken);
            await ExecuteAsync(s, "DELETE FROM journal WHERE zone_id = @zone", id.Value, cancellationToken);
            await using var update = s.Command(
                "UPDATE zones SET display_name = @display, serial = @serial, record_count = @count, updated_at = @now WHERE id = @zone");
            update.With("@display", zone.ToString());
            update.With("@serial", (long)serial);
            update.With("@count", records.Count);
            update.With("@now", DbTime(now));
            update.With("@zone", id.Value);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            await using var insert = s.Command(
                "INSERT INTO zones (name, view, display_name, serial, record_count, created_at, updated_at) " +
                "VALUES (@name, @view, @display, @serial, @count, @now, @now) RETURNING id");
            insert.With("@name", key);
            insert.With("@view", view);
            insert.With("@display", zone.ToString());
            insert.With("@serial", (long)serial);
            insert.With("@count", records.Count);
            insert.With("@now", DbTime(now));
            try
            {
                id = await insert.ScalarInt64Async(cancellationToken);
            }
            catch (System.Data.Common.DbException e) when (IsUniqueViolation(e))
            {
                // Another node created it between our look and our insert.
                throw new StoreConflictException($"zone {zone} already exists", e);
            }
        }
        await InsertRecordsAsync(s, id!.Value, records, cancellationToken);
        s.Notices.Add(new ChangeNotice(zone, serial, ChangeKind.Created) { View = view });
    }

    public async Task<bool> DeleteZoneAsync(DnsName zone, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        if (!await DeleteZoneAsync(s, Public, zone, cancellationToken))
            return false;
        await AuditAsync(s, audit, cancellationToken);
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes a zone inside a write transaction; false when it did not exist.</summary>
    private async Task<bool> DeleteZoneAsync(StoreSession s, string view, DnsName zone, CancellationToken cancellationToken)
    {
        long id;
        uint serial;
        await using (var find = s.Command("SELECT id, serial FROM zones WHERE name = @name" + ForUpdate))
        {
            find.With("@name", ZoneKey.Of(view, zone));
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
                return false;
            id = reader.GetInt64(0);
            serial = (uint)reader.GetInt64(1);
        }
        // Children first, explicitly: one indexed range delete each rather than a cascade row by row.
        await ExecuteAsync(s, "DELETE FROM records WHERE zone_id = @zone", id, cancellationToken);
        await ExecuteAsync(s, "DELETE FROM journal WHERE zone_id = @zone", id, cancellationToken);
        await ExecuteAsync(s, "DELETE FROM zones WHERE id = @zone", id, cancellationToken);
        // A deleted zone's keys go with it; a zone of that name created later starts unsigned.
        await ExecAsync(s, "DELETE FROM dnssec_keys WHERE zone = @name", cancellationToken, ("@name", ZoneKey.Of(view, zone)));
        await ExecAsync(s, "DELETE FROM dnssec_zones WHERE zone = @name", cancellationToken, ("@name", ZoneKey.Of(view, zone)));
        s.Notices.Add(new ChangeNotice(zone, serial, ChangeKind.Deleted) { View = view });
        return true;
    }

    /// <summary>Adds record rows; the default is one prepared INSERT reused for every row.</summary>
    protected virtual async Task InsertRecordsAsync(StoreSession s, long zoneId, IReadOnlyList<ResourceRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
            return;
        await using var cmd = s.Command(
            "INSERT INTO records (zone_id, owner_key, owner, type, class, ttl, rdata) VALUES (@zone, @key, @owner, @type, @class, @ttl, @rdata)");
        cmd.With("@zone", zoneId);
        var key = cmd.With("@key", Array.Empty<byte>());
        var owner = cmd.With("@owner", Array.Empty<byte>());
        var type = cmd.With("@type", 0);
        var cls = cmd.With("@class", 0);
        var ttl = cmd.With("@ttl", 0L);
        var rdata = cmd.With("@rdata", Array.Empty<byte>());
        await cmd.PrepareAsync(cancellationToken);
        foreach (var r in records)
        {
            (key.Value, owner.Value, type.Value, cls.Value, ttl.Value) = RecordColumns(r);
            rdata.Value = r.Data;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Removes record rows (see <see cref="IZoneStore.CommitAsync"/> for the matching rule); returns how many went.</summary>
    protected virtual async Task<int> RemoveRecordsAsync(StoreSession s, long zoneId, IReadOnlyList<ResourceRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
            return 0;
        await using var exact = s.Command(
            "DELETE FROM records WHERE zone_id = @zone AND owner_key = @key AND type = @type AND rdata = @rdata");
        exact.With("@zone", zoneId);
        var key = exact.With("@key", Array.Empty<byte>());
        var type = exact.With("@type", 0);
        var rdata = exact.With("@rdata", Array.Empty<byte>());
        await exact.PrepareAsync(cancellationToken);
        int removed = 0;
        foreach (var r in records)
        {
            if (r.Type == RecordType.SOA)
            {
                removed += await RemoveSoaAsync(s, zoneId, r, cancellationToken);
                continue;
            }
            key.Value = r.Owner.ToLowerWire();
            type.Value = (int)(ushort)r.Type;
            rdata.Value = r.Data;
            removed += await exact.ExecuteNonQueryAsync(cancellationToken);
        }
        return removed;
    }

    /// <summary>
    /// A zone has one SOA, and the serial check has already proved the change was made from the
    /// stored state, so the SOA is removed by owner and type alone (as <c>ZoneSnapshot.Apply</c>
    /// does) and a difference in name case inside its RDATA cannot leave two behind.
    /// </summary>
    protected async Task<int> RemoveSoaAsync(StoreSession s, long zoneId, ResourceRecord soa, CancellationToken cancellationToken)
    {
        await using var cmd = s.Command("DELETE FROM records WHERE zone_id = @zone AND owner_key = @key AND type = @type");
        cmd.With("@zone", zoneId);
        cmd.With("@key", soa.Owner.ToLowerWire());
        cmd.With("@type", (int)(ushort)RecordType.SOA);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(StoreSession s, string sql, long zoneId, CancellationToken cancellationToken)
    {
        await using var cmd = s.Command(sql);
        cmd.With("@zone", zoneId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
