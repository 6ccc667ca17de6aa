using System.Runtime.InteropServices;
using SQLitePCL;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// Direct calls into the native SQLite library SQLitePCLRaw's provider loaded (whichever it is:
/// e_sqlite3 as bundled, the system's sqlite3, SQLCipher...), for <see cref="RowInserter"/>'s
/// millions of binds. The library is found by the name the provider gives and then proved to be
/// the very one the provider calls: both must return the same address for
/// <c>sqlite3_libversion()</c> (a string inside the library's own image), since handles of one
/// copy of SQLite passed to another copy corrupt memory. When the proof fails,
/// <see cref="Current"/> is null and <see cref="Unavailable"/> says why; the rows then go through
/// the provider's ordinary calls.
/// </summary>
internal sealed unsafe class SqliteDirectCalls
{
    private static readonly Lazy<(SqliteDirectCalls? Calls, string? Why)> Resolved = new(() =>
    {
        // Microsoft.Data.Sqlite sets the provider (its bundled e_sqlite3, unless the application
        // set another first) when the type is first used.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Microsoft.Data.Sqlite.SqliteConnection).TypeHandle);
        return Resolve(raw.GetNativeLibraryName());
    });

    private SqliteDirectCalls(string library, Dictionary<string, IntPtr> exports)
    {
        Library = library;
        BindBlob = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int>)exports["sqlite3_bind_blob"];
        BindInt = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int, int>)exports["sqlite3_bind_int"];
        BindInt64 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int>)exports["sqlite3_bind_int64"];
        ClearBindings = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int>)exports["sqlite3_clear_bindings"];
        Step = (delegate* unmanaged[Cdecl]<IntPtr, int>)exports["sqlite3_step"];
        Reset = (delegate* unmanaged[Cdecl]<IntPtr, int>)exports["sqlite3_reset"];
    }

    /// <summary>The calls into the provider's library, or null when they could not be proved to reach it.</summary>
    public static SqliteDirectCalls? Current => Resolved.Value.Calls;

    /// <summary>Why <see cref="Current"/> is null (for the log); null when it is not.</summary>
    public static string? Unavailable => Resolved.Value.Why;

    /// <summary>The name of the native library called (as the provider names it).</summary>
    public string Library { get; }

    // Binding only records a value (or a pointer to it) in the statement: a few instructions that
    // never block, so those calls skip the transition out of managed code (SuppressGCTransition).
    // Stepping writes and may wait for locks and the disk, so it keeps it.
    public readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int> BindBlob;

    public readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int, int> BindInt;

    public readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int> BindInt64;

    public readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int> ClearBindings;

    public readonly delegate* unmanaged[Cdecl]<IntPtr, int> Step;

    public readonly delegate* unmanaged[Cdecl]<IntPtr, int> Reset;

    /// <summary>The library named <paramref name="name"/>, when it is the one SQLitePCLRaw's provider calls.</summary>
    internal static (SqliteDirectCalls? Calls, string? Why) Resolve(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return (null, "SQLitePCLRaw's provider does not name its native library");
        if (!NativeLibrary.TryLoad(name, typeof(SqliteDirectCalls).Assembly, null, out var handle))
            return (null, $"the native library SQLitePCLRaw's provider names, {name}, cannot be loaded by that name");
        var exports = new Dictionary<string, IntPtr>();
        foreach (var export in (string[])["sqlite3_libversion", "sqlite3_bind_blob", "sqlite3_bind_int", "sqlite3_bind_int64", "sqlite3_clear_bindings", "sqlite3_step", "sqlite3_reset"])
        {
            if (!NativeLibrary.TryGetExport(handle, export, out var address))
                return (null, $"{name} has no {export}");
            exports[export] = address;
        }
        byte* ours = ((delegate* unmanaged[Cdecl]<byte*>)exports["sqlite3_libversion"])();
        fixed (byte* theirs = raw.sqlite3_libversion())
        {
            if (ours != theirs)
                return (null, $"the library found by the name {name} is not the copy of SQLite that SQLitePCLRaw's provider calls");
        }
        return (new SqliteDirectCalls(name, exports), null);
    }
}
