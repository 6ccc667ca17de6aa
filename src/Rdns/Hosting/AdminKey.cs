using Rdns.Api.Auth;
using Rdns.Storage;

namespace Rdns.Hosting;

/// <summary>
/// The first start's operator key: generated when the store has no admin key yet, written to
/// <c>DATA/admin.key</c> readable by the owner only (0600), stored as a hash, never logged.
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
        var (id, key) = ApiKeys.Generate();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
            await writer.WriteLineAsync(key).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await store.AddKeyAsync(new ApiKeyRecord(id, ApiKeys.AdminRole, null, ApiKeys.Hash(key), DateTimeOffset.UtcNow, "created at first start"),
            new AuditEntry("system", "key.create", id, "admin key written to " + FileName), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"rdns: created an admin API key in {path} (mode 0600); send it as 'Authorization: Bearer <key>'");
    }
}
