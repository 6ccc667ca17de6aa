using System.Data.Common;
using Rdns.Protocol.Names;

namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    private const string ViewColumns = "name, position, match_clients, match_destinations, match_keys, tenant_id, created_at, updated_at";

    /// <summary>Rules are stored as space-separated text: prefixes and key names never contain a space.</summary>
    private static string Join(IReadOnlyList<string> items) => string.Join(' ', items);

    private static List<string> Split(string text) => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    private StoredView ReadView(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), Split(r.GetString(2)), Split(r.GetString(3)), Split(r.GetString(4)), NullableString(r, 5), ReadTime(r, 6), ReadTime(r, 7));

    public async Task<IReadOnlyList<StoredView>> ListViewsAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command($"SELECT {ViewColumns} FROM views ORDER BY position, name");
        var views = new List<StoredView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            views.Add(ReadView(reader));
        return views;
    }

    public async Task<StoredView> AddViewAsync(StoredView view, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        var now = Now();
        await using var cmd = s.Command(
            $"INSERT INTO views ({ViewColumns}) SELECT @name, COALESCE(MAX(position), 0) + 1, @clients, @destinations, @keys, @tenant, @now, @now FROM views RETURNING position");
        cmd.With("@name", view.Name);
        cmd.With("@clients", Join(view.Clients));
        cmd.With("@destinations", Join(view.Destinations));
        cmd.With("@keys", Join(view.Keys));
        cmd.With("@tenant", view.TenantId);
        cmd.With("@now", DbTime(now));
        long position;
        try
        {
            position = await cmd.ScalarInt64Async(cancellationToken) ?? 0;
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new StoreConflictException($"a view named {view.Name} already exists", e);
        }
        await AuditAsync(s, audit, cancellationToken);
        s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.Views) { View = view.Name });
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
        return view with { Position = position, CreatedAt = now, UpdatedAt = now };
    }

    public async Task<StoredView?> UpdateViewAsync(StoredView view, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        var now = Now();
        StoredView? updated;
        await using (var cmd = s.Command(
            "UPDATE views SET match_clients = @clients, match_destinations = @destinations, match_keys = @keys, tenant_id = @tenant, updated_at = @now " +
            $"WHERE name = @name RETURNING {ViewColumns}"))
        {
            cmd.With("@name", view.Name);
            cmd.With("@clients", Join(view.Clients));
            cmd.With("@destinations", Join(view.Destinations));
            cmd.With("@keys", Join(view.Keys));
            cmd.With("@tenant", view.TenantId);
            cmd.With("@now", DbTime(now));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            updated = await reader.ReadAsync(cancellationToken) ? ReadView(reader) : null;
        }
        if (updated is null)
            return null;
        await AuditAsync(s, audit, cancellationToken);
        s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.Views) { View = view.Name });
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
        return updated;
    }

    public async Task<ViewDeletion> DeleteViewAsync(string name, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        await using (var zones = s.Command("SELECT COUNT(*) FROM zones WHERE view = @name"))
        {
            zones.With("@name", name);
            if ((await zones.ScalarInt64Async(cancellationToken) ?? 0) > 0)
                return ViewDeletion.HasZones;
        }
        await using (var cmd = s.Command("DELETE FROM views WHERE name = @name"))
        {
            cmd.With("@name", name);
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
                return ViewDeletion.NotFound;
        }
        await AuditAsync(s, audit, cancellationToken);
        s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.Views) { View = name });
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
        return ViewDeletion.Deleted;
    }
}
