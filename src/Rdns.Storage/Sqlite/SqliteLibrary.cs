using SQLitePCL;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// What the store asks of the SQLite library for the whole process, once, before its first
/// connection (SQLite takes these settings only before it initializes):
/// <list type="bullet">
/// <item><b>No memory statistics</b> (<c>SQLITE_CONFIG_MEMSTATUS</c> off). Counting them made every
/// allocation and free inside SQLite take a global mutex. Nothing reads the counts: the store
/// sets no soft heap limit and frees its caches with <c>PRAGMA shrink_memory</c>.</item>
/// <item><b>Multi-thread mode</b> (<c>SQLITE_CONFIG_MULTITHREAD</c>) in place of serialized: no
/// mutex around every call on a connection. A connection is never used by two threads at once
/// here: each read opens its own (Microsoft.Data.Sqlite's pool hands one to one user at a time),
/// and the writer's is only used under the store's writer semaphore.</item>
/// </list>
/// Together the two mutexes were a tenth of the writer's time in an import of many small zones
/// (docs/BENCHMARKS.md). When SQLite was already initialized (something in the process opened a
/// connection first), it refuses them and keeps its defaults, which are correct, only slower.
/// </summary>
internal static class SqliteLibrary
{
    private static readonly Lazy<(int MemoryStatistics, int Threading)> Configured = new(() =>
    {
        // Microsoft.Data.Sqlite sets its provider (the bundled e_sqlite3, unless the application
        // set another first) when the type is first used; the settings go to that library.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Microsoft.Data.Sqlite.SqliteConnection).TypeHandle);
        return (raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0), raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD));
    });

    /// <summary>Applies the settings once; SQLite's answers (<c>SQLITE_OK</c>, or <c>SQLITE_MISUSE</c> when it had already initialized).</summary>
    public static (int MemoryStatistics, int Threading) Configure() => Configured.Value;
}
