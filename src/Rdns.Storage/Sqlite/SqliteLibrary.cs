using SQLitePCL;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// What the store asks of the SQLite library for the whole process, once, before its first
/// connection (SQLite takes such settings only before it initializes): no memory statistics
/// (<c>SQLITE_CONFIG_MEMSTATUS</c> off). Counting them made every allocation and free inside
/// SQLite take a global mutex, three fifths of the mutexes the writer took in an import of small
/// zones and several percent of its time (docs/BENCHMARKS.md). Nothing reads the counts: the store
/// sets no soft heap limit and frees its caches with <c>PRAGMA shrink_memory</c>.
/// </summary>
/// <remarks>
/// The serialized threading mode stays, with its mutex around every call on a connection, though
/// the store never uses a connection from two threads at once: a statement the program failed to
/// dispose is finalized on the finalizer thread, and only that mutex keeps its
/// <c>sqlite3_finalize</c> from racing the thread that is using its connection meanwhile. When
/// something in the process opened SQLite before the store, SQLite refuses the setting and keeps
/// its default, which is correct, only slower.
/// </remarks>
internal static class SqliteLibrary
{
    private static readonly Lazy<int> Configured = new(() =>
    {
        // Microsoft.Data.Sqlite sets its provider (the bundled e_sqlite3, unless the application
        // set another first) when the type is first used; the setting goes to that library.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Microsoft.Data.Sqlite.SqliteConnection).TypeHandle);
        return raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
    });

    /// <summary>Applies the setting once; SQLite's answer (<c>SQLITE_OK</c>, or <c>SQLITE_MISUSE</c> when it had already initialized).</summary>
    public static int Configure() => Configured.Value;
}
