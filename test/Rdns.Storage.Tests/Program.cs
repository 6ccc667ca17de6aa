using Microsoft.Data.Sqlite;
using Rdns.Protocol.Names;
using SQLitePCL;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>
/// Entry point of the test assembly when run as a program (<c>dotnet Rdns.Storage.Tests.dll</c>),
/// which only the crash test and the provider test do; the test runner never calls it.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => args switch
    {
        [CrashWriter.Verb, var directory] => CrashWriter.RunAsync(directory),
        [OtherProviderImport.Verb, var directory] => OtherProviderImport.RunAsync(directory),
        [LibrarySettings.Verb, var directory] => LibrarySettings.RunAsync(directory),
        _ => Task.FromResult(2),
    };

    /// <summary>
    /// This assembly run as a program doing <paramref name="verb"/> on <paramref name="directory"/>,
    /// given a minute: its output (standard output, then error), once it has exited with 0.
    /// </summary>
    public static async Task<string> RunAsync(string verb, string directory)
    {
        using var child = Start(verb, directory);
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            await child.WaitForExitAsync(timeout.Token);
        string output = await stdout + await stderr;
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {output}");
        return output;
    }

    /// <summary>This assembly started as a program doing <paramref name="verb"/> on <paramref name="directory"/>, its output redirected.</summary>
    public static System.Diagnostics.Process Start(string verb, string directory)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(directory);
        return System.Diagnostics.Process.Start(start)!;
    }
}

/// <summary>A writer that commits one PTR after another and acknowledges each on stdout, until it is killed.</summary>
internal static class CrashWriter
{
    public const string Verb = "crash-writer";

    /// <summary>Large enough that no acknowledged changeset is pruned before the check.</summary>
    public const int JournalLimit = 1_000_000;

    public static readonly DnsName Zone = DnsName.Parse("9.0.192.in-addr.arpa.");

    public static async Task<int> RunAsync(string directory)
    {
        var store = StoreFactory.Open(new StoreOptions { JournalLimit = JournalLimit }, directory);
        await store.MigrateAsync();
        await store.CreateZoneAsync(Zone, TestZones.Zone(Zone, 1, ptrs: 0), false, Audit("create", "crash"));
        for (uint serial = 1; serial < 1_000_000; serial++)
        {
            await store.CommitAsync([Change(Zone, serial, serial + 1, added: [Ptr(Zone, (int)serial + 1)])], Audit("commit", "crash"));
            Console.Out.WriteLine($"acked {serial + 1}");
            Console.Out.Flush();
        }
        return 0;
    }
}

/// <summary>
/// A bulk insert with SQLitePCLRaw's provider switched to the system's SQLite (libsqlite3) in
/// place of the bundled e_sqlite3, as an application embedding the store may do: the rows must be
/// stored exactly, whichever library the provider calls. Prints the library, the bulk path, and
/// whether the rows read back the same.
/// </summary>
internal static class OtherProviderImport
{
    public const string Verb = "other-provider-import";

    public static readonly DnsName Zone = DnsName.Parse("8.0.192.in-addr.arpa.");

    public static async Task<int> RunAsync(string directory)
    {
        // Microsoft.Data.Sqlite sets its bundled provider when it is first used; this replaces it after.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(SqliteConnection).TypeHandle);
        raw.SetProvider(new SQLite3Provider_sqlite3());
        await using var store = StoreFactory.Open(new StoreOptions(), directory);
        await store.MigrateAsync();
        var records = TestZones.Zone(Zone, 1, ptrs: 500);
        await store.CreateZoneAsync(Zone, records, false, Audit("create", "provider"));
        var loaded = (await store.LoadAsync(Zone))!;
        Console.Out.WriteLine($"library {raw.GetNativeLibraryName()} {raw.sqlite3_libversion().utf8_to_string()}");
        Console.Out.WriteLine($"bulk {StoreFactory.SqliteBulkBindingFallback() ?? "direct"}");
        Console.Out.WriteLine(Dump(records) == Dump(loaded.Records) ? "rows same" : "rows different");
        return 0;
    }
}

/// <summary>
/// A store opened first thing in a process, as the server does, then a write: prints SQLite's
/// answer to the store's process-wide setting, the memory SQLite counted meanwhile, and whether
/// the writer's connection has a mutex (the serialized mode gives it one).
/// </summary>
internal static class LibrarySettings
{
    public const string Verb = "library-settings";

    public static async Task<int> RunAsync(string directory)
    {
        await using var store = StoreFactory.Open(new StoreOptions(), directory);
        await store.MigrateAsync();
        var zone = DnsName.Parse("7.0.192.in-addr.arpa.");
        await store.CreateZoneAsync(zone, TestZones.Zone(zone, 1, ptrs: 100), false, Audit("create", "settings"));
        Console.Out.WriteLine($"config {Sqlite.SqliteLibrary.Configure()}");
        Console.Out.WriteLine($"memory used {raw.sqlite3_memory_used()}");
        using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "rdns.db")}");
        connection.Open();
        var library = System.Runtime.InteropServices.NativeLibrary.Load(raw.GetNativeLibraryName(), typeof(Program).Assembly, null);
        unsafe
        {
            var dbMutex = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)System.Runtime.InteropServices.NativeLibrary.GetExport(library, "sqlite3_db_mutex");
            Console.Out.WriteLine(dbMutex(connection.Handle!.DangerousGetHandle()) == IntPtr.Zero ? "connection mutex none" : "connection mutex some");
        }
        return 0;
    }
}
