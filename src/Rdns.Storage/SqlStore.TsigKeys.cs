using System.Data.Common;
using Rdns.Protocol.Names;

namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    public async Task AddTsigKeyAsync(TsigKeyRecord key, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        await using var cmd = s.Command(
            "INSERT INTO tsig_keys (name, algorithm, secret, tenant_id, rules, created_at) VALUES (@name, @algorithm, @secret, @tenant, @rules, @at)");
        cmd.With("@name", key.Name);
        cmd.With("@algorithm", key.Algorithm);
        cmd.With("@secret", key.SealedSecret);
        cmd.With("@tenant", key.TenantId);
        cmd.With("@rules", key.Rules);
        cmd.With("@at", DbTime(key.CreatedAt));
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new StoreConflictException($"a TSIG key named {key.Name} already exists", e);
        }
        await AuditAsync(s, audit, cancellationToken);
        s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.TsigKeys));
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TsigKeyRecord>> ListTsigKeysAsync(string? tenantId = null, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT name, algorithm, secret, tenant_id, rules, created_at FROM tsig_keys" +
                                        (tenantId is null ? "" : " WHERE tenant_id = @tenant") + " ORDER BY name");
        if (tenantId is not null)
            cmd.With("@tenant", tenantId);
        var keys = new List<TsigKeyRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new TsigKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), NullableString(reader, 3),
                reader.GetString(4), ReadTime(reader, 5)));
        }
        return keys;
    }

    public async Task<bool> DeleteTsigKeyAsync(string name, string? tenantId, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        await using var cmd = s.Command("DELETE FROM tsig_keys WHERE name = @name" + (tenantId is null ? "" : " AND tenant_id = @tenant"));
        cmd.With("@name", name);
        if (tenantId is not null)
            cmd.With("@tenant", tenantId);
        if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
            return false;
        await AuditAsync(s, audit, cancellationToken);
        s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.TsigKeys));
        await PublishAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
        return true;
    }

    public async Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
            return;
        await using var s = await BeginWriteAsync(cancellationToken);
        foreach (var entry in entries)
            await AuditAsync(s, entry, cancellationToken);
        await s.CommitAsync(cancellationToken);
    }
}
