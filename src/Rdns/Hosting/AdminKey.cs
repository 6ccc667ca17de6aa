using Rdns.Api.Auth;
using Rdns.Storage;

namespace Rdns.Hosting;

/// <summary>
/// The first start's operator key: generated when the store has no admin key yet, written to
/// <c>DATA/admin.key</c> readable by the owner only (0600), stored as a hash, never logged. An
/// existing <c>admin.key</c> is never overwritten: when a new store (<c>--init</c>) finds one, the
/// key in it becomes the new store's admin key, so the operator's scripts keep working.
/// </summary>
public static class AdminKey
{
    public const string FileName = "admin.key";

    public static async Task EnsureAsync(IRdnsStore store, string dataDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        if (await store.CountKeysAsync(ApiKeys.AdminRole, cancellationToken).ConfigureAwait(false) > 0)
        {
            if (File.Exists(path))
                output.WriteLine($"rdns: admin API key in {path}");
            return;
        }
        if (File.Exists(path))
        {
            await AdoptAsync(store, path, output, cancellationToken).ConfigureAwait(false);
            return;
        }
        var (id, key) = ApiKeys.Generate();
        // CreateNew: if the file appeared meanwhile it is kept, and this start fails rather than replace it.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
            await writer.WriteLineAsync(key).ConfigureAwait(false);
        await store.AddKeyAsync(new ApiKeyRecord(id, ApiKeys.AdminRole, null, ApiKeys.Hash(key), DateTimeOffset.UtcNow, "created at first start"),
            new AuditEntry("system", "key.create", id, "admin key written to " + FileName), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"rdns: created an admin API key in {path} (mode 0600); send it as 'Authorization: Bearer <key>'");
    }

    /// <summary>
    /// <c>rdns admin-key rotate</c>: a new admin key in the store and in <c>DATA/admin.key</c>
    /// (replaced atomically, 0600), then the key the file held revoked, each step audited. Works
    /// against the store directly, so it also serves when the old key is lost or leaked; a running
    /// server refuses the old key within <see cref="Api.Auth.ApiKeyCache.CacheFor"/>. Other operator
    /// keys are untouched. Returns the new key's id and the revoked one's (null when the file held
    /// no key the store knew).
    /// </summary>
    public static async Task<(string NewId, string? RevokedId)> RotateAsync(IRdnsStore store, string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        string? oldKey = File.Exists(path) ? (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim() : null;
        var old = oldKey is { Length: > 0 } ? await store.FindKeyAsync(ApiKeys.Hash(oldKey), cancellationToken).ConfigureAwait(false) : null;

        var (id, key) = ApiKeys.Generate();
        await store.AddKeyAsync(new ApiKeyRecord(id, ApiKeys.AdminRole, null, ApiKeys.Hash(key), DateTimeOffset.UtcNow, "rotated admin key"),
            new AuditEntry("system", "key.create", id, "admin key rotated into " + FileName), cancellationToken).ConfigureAwait(false);
        // Written beside the file and renamed over it: a crash leaves the old file or the new, never half of one.
        var temporary = path + ".new";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(temporary, options))
        {
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteLineAsync(key).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
        }
        File.Move(temporary, path, overwrite: true);

        if (old is null || old.Role != ApiKeys.AdminRole)
            return (id, null);
        await store.RevokeKeyAsync(old.Id, ApiKeys.AdminRole, null, new AuditEntry("system", "key.revoke", old.Id, "replaced by " + id + " (admin-key rotate)"), cancellationToken).ConfigureAwait(false);
        return (id, old.Id);
    }

    private static async Task AdoptAsync(IRdnsStore store, string path, TextWriter output, CancellationToken cancellationToken)
    {
        var key = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        if (!key.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal) || key.Length < 20 || key.Any(char.IsWhiteSpace))
            throw new StartupException($"{path} holds no API key, and the store has no admin key; move the file away and start again to have a new key written");
        var id = ApiKeys.Generate().Id;
        try
        {
            await store.AddKeyAsync(new ApiKeyRecord(id, ApiKeys.AdminRole, null, ApiKeys.Hash(key), DateTimeOffset.UtcNow, "admin.key kept for a new store"),
                new AuditEntry("system", "key.create", id, "existing " + FileName + " registered for a new store"), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException e)
        {
            throw new StartupException($"{path} holds a key this store already knows (revoked, or not an admin key); move the file away and start again to have a new key written", e);
        }
        output.WriteLine($"rdns: the store had no admin API key; the key already in {path} is now its admin key");
    }
}
