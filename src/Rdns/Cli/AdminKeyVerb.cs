using System.CommandLine;
using Rdns.Hosting;
using Rdns.Storage;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns admin-key rotate [--data DIR] [--store CONN]</c>: replaces the admin key of
/// <c>DATA/admin.key</c> with a new one, directly in the store (the server may be running), and
/// revokes the old one.
/// </summary>
internal static class AdminKeyVerb
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory holding admin.key (default $RDNS_DATA, else ./rdns-data)" };
        var store = new Option<string?>("--store") { Description = "PostgreSQL connection string (Host=...) or SQLite path (default DATA/rdns.db)" };
        var rotate = new Command("rotate", "Write a new admin key to DATA/admin.key and revoke the one it held.") { data, store };
        rotate.SetAction(async (result, cancel) =>
        {
            var directory = result.GetValue(data) ?? Environment.GetEnvironmentVariable("RDNS_DATA") ?? "rdns-data";
            if (!Directory.Exists(directory))
                return Usage.Fail(result, directory, "no such data directory");
            var options = new StoreOptions { Connection = result.GetValue(store) ?? Environment.GetEnvironmentVariable("RDNS_STORE") };
            if (StoreFactory.SqlitePath(options, Path.GetFullPath(directory)) is { } database && !File.Exists(database))
                return Usage.Fail(result, database, "no store here; 'rdns serve' creates one (and its admin key) at first start");
            await using var opened = StoreFactory.Open(options, Path.GetFullPath(directory));
            try
            {
                var (newId, revoked) = await AdminKey.RotateAsync(opened, directory, cancel).ConfigureAwait(false);
                var path = Path.GetFullPath(Path.Combine(directory, AdminKey.FileName));
                result.InvocationConfiguration.Output.WriteLine(revoked is null
                    ? $"rdns: new admin key {newId} in {path}; the file held no admin key of this store, so none was revoked"
                    : $"rdns: new admin key {newId} in {path}; {revoked} revoked (running servers refuse it within seconds)");
                return 0;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or StoreUnavailableException or IOException or UnauthorizedAccessException)
            {
                result.InvocationConfiguration.Error.WriteLine($"rdns: admin-key rotate: {Addressing.Excerpt.Of(e.Message, 300)}");
                return RdnsCommandLine.InternalError;
            }
        });
        var command = new Command("admin-key", "Manage the admin key of DATA/admin.key against the store.");
        command.Subcommands.Add(rotate);
        return command;
    }
}
