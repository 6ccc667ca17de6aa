namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    public async Task<ServerSecret?> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT current_secret, previous_secret, rotated_at FROM server_secrets WHERE name = @name");
        cmd.With("@name", name);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
            return null;
        return new ServerSecret(name, r.GetFieldValue<byte[]>(0), r.IsDBNull(1) ? null : r.GetFieldValue<byte[]>(1), ReadTime(r, 2));
    }

    public async Task<bool> TryPutSecretAsync(ServerSecret secret, DateTimeOffset? expectedRotatedAt, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        int changed;
        if (expectedRotatedAt is null)
        {
            await using var insert = s.Command(
                "INSERT INTO server_secrets (name, current_secret, previous_secret, rotated_at) VALUES (@name, @current, @previous, @at) ON CONFLICT (name) DO NOTHING");
            Bind(insert);
            changed = await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            await using var update = s.Command(
                "UPDATE server_secrets SET current_secret = @current, previous_secret = @previous, rotated_at = @at WHERE name = @name AND rotated_at = @expected");
            Bind(update);
            update.With("@expected", DbTime(expectedRotatedAt.Value));
            changed = await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await s.CommitAsync(cancellationToken);
        return changed == 1;

        void Bind(System.Data.Common.DbCommand cmd)
        {
            cmd.With("@name", secret.Name);
            cmd.With("@current", secret.Current);
            cmd.With("@previous", secret.Previous);
            cmd.With("@at", DbTime(secret.RotatedAt));
        }
    }
}
