using System.Data.Common;
using Rdns.Protocol.Names;

namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    public async Task<IReadOnlyList<DnssecZoneRecord>> GetDnssecZonesAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT zone, algorithm, split_keys, denial, enabled_at FROM dnssec_zones ORDER BY zone");
        var zones = new List<DnssecZoneRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            zones.Add(new DnssecZoneRecord(r.GetString(0), Int(r, 1), Int(r, 2) != 0, r.GetString(3), ReadTime(r, 4)));
        return zones;
    }

    public async Task<IReadOnlyList<DnssecKeyRecord>> GetDnssecKeysAsync(string? zone, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command(
            "SELECT id, zone, algorithm, flags, role, dnskey, private_key, state, created_at, state_since, ds_state, ds_since FROM dnssec_keys" +
            (zone is null ? "" : " WHERE zone = @zone") + " ORDER BY created_at, id");
        if (zone is not null)
            cmd.With("@zone", zone);
        var keys = new List<DnssecKeyRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            keys.Add(ReadKey(r));
        return keys;
    }

    /// <summary>An integer column, whichever width the database gives it.</summary>
    private static int Int(DbDataReader r, int ordinal) => Convert.ToInt32(r.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    private DnssecKeyRecord ReadKey(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), Int(r, 2), Int(r, 3), r.GetString(4), r.GetFieldValue<byte[]>(5), r.GetFieldValue<byte[]>(6),
            r.GetString(7), ReadTime(r, 8), ReadTime(r, 9), r.GetString(10), r.IsDBNull(11) ? null : ReadTime(r, 11));

    private async Task ApplyDnssecWriteAsync(StoreSession s, DnssecWrite write, CancellationToken cancellationToken)
    {
        switch (write)
        {
            case PutDnssecZone p:
                await ExecAsync(s, "DELETE FROM dnssec_zones WHERE zone = @zone", cancellationToken, ("@zone", p.Zone));
                await ExecAsync(s, "INSERT INTO dnssec_zones (zone, algorithm, split_keys, denial, enabled_at) VALUES (@zone, @alg, @split, @denial, @at)",
                    cancellationToken, ("@zone", p.Zone), ("@alg", p.Policy.Algorithm), ("@split", p.Policy.SplitKeys ? 1 : 0),
                    ("@denial", p.Policy.Denial), ("@at", DbTime(p.Policy.EnabledAt)));
                break;
            case DeleteDnssecZone d:
                await ExecAsync(s, "DELETE FROM dnssec_keys WHERE zone = @zone", cancellationToken, ("@zone", d.Zone));
                await ExecAsync(s, "DELETE FROM dnssec_zones WHERE zone = @zone", cancellationToken, ("@zone", d.Zone));
                break;
            case PutDnssecKey k:
                await ExecAsync(s, "INSERT INTO dnssec_keys (id, zone, algorithm, flags, role, dnskey, private_key, state, created_at, state_since, ds_state, ds_since) " +
                                   "VALUES (@id, @zone, @alg, @flags, @role, @dnskey, @private, @state, @created, @since, @ds, @ds_since)", cancellationToken,
                    ("@id", k.Key.Id), ("@zone", k.Zone), ("@alg", k.Key.Algorithm), ("@flags", k.Key.Flags), ("@role", k.Key.Role), ("@dnskey", k.Key.DnsKey),
                    ("@private", k.Key.SealedPrivateKey), ("@state", k.Key.State), ("@created", DbTime(k.Key.CreatedAt)), ("@since", DbTime(k.Key.StateSince)),
                    ("@ds", k.Key.DsState), ("@ds_since", k.Key.DsSince is { } ds ? DbTime(ds) : null));
                break;
            case UpdateDnssecKey u:
                if (await ExecAsync(s, "UPDATE dnssec_keys SET state = @state, state_since = @since, ds_state = @ds, ds_since = @ds_since " +
                                       "WHERE id = @id AND zone = @zone AND state = @expected AND ds_state = @expected_ds", cancellationToken,
                        ("@state", u.State), ("@since", DbTime(u.StateSince)), ("@ds", u.DsState), ("@ds_since", u.DsSince is { } since ? DbTime(since) : null),
                        ("@id", u.Id), ("@zone", u.Zone), ("@expected", u.ExpectedState), ("@expected_ds", u.ExpectedDsState)) == 0)
                    throw new StoreConflictException($"DNSSEC key {u.Id} of {u.Zone} is no longer {u.ExpectedState}/{u.ExpectedDsState}: another node moved it first");
                break;
            case DeleteDnssecKey d:
                await ExecAsync(s, "DELETE FROM dnssec_keys WHERE id = @id AND zone = @zone", cancellationToken, ("@id", d.Id), ("@zone", d.Zone));
                break;
            default:
                throw new ArgumentException($"unknown DNSSEC write {write.GetType().Name}", nameof(write));
        }
        // Other nodes rebuild the zone's signer from the rows.
        if (DnsName.TryParse(write.Zone, null, out var zone, out _))
            s.Notices.Add(new ChangeNotice(zone, 0, ChangeKind.DnssecKeys));
    }
}
