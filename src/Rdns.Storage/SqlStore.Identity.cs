namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    public async Task<string?> GetIdentityAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT id FROM store_identity");
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<string> ClaimIdentityAsync(string proposed, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(proposed);
        await using var s = await BeginWriteAsync(cancellationToken);
        // One row at most (singleton = 1); nodes starting together on a new store race here and the
        // first insert wins, so all of them end up naming the same id.
        int claimed;
        await using (var insert = s.Command(
            "INSERT INTO store_identity (singleton, id, created_at) VALUES (1, @id, @at) ON CONFLICT DO NOTHING"))
        {
            insert.With("@id", proposed);
            insert.With("@at", DbTime(Now()));
            claimed = await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        string id;
        await using (var read = s.Command("SELECT id FROM store_identity"))
            id = (string)(await read.ExecuteScalarAsync(cancellationToken))!;
        if (claimed > 0)
            await AuditAsync(s, audit with { Target = id }, cancellationToken);
        await s.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        foreach (var table in (string[])["zones", "api_keys", "tenants", "pools"])
        {
            await using var cmd = s.Command($"SELECT 1 FROM {table} LIMIT 1");
            if (await cmd.ExecuteScalarAsync(cancellationToken) is not null)
                return false;
        }
        return true;
    }
}
