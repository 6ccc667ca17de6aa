using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Rdns.Protocol.Records;
using SQLitePCL;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// The bulk insert of a zone's rows on the writer connection. Two statements prepared once for the
/// connection's life: one that inserts <see cref="Group"/> rows at once (SQLite keeps its cursors
/// open from row to row, so a row that goes at the right edge of the table and of the index, as
/// rows in index order do, needs no search from the root), and one for the rows left over. Each
/// row's octets are copied into one pinned buffer and bound from there without SQLite copying
/// them again (<c>SQLITE_STATIC</c>), through direct calls into the same SQLite library
/// Microsoft.Data.Sqlite loaded: a million-row zone makes millions of these calls, and the safe-
/// handle bookkeeping and the copy per blob of the general binding path would cost as much as
/// SQLite's own work on the row.
/// </summary>
internal sealed partial class RowInserter : IDisposable
{
    private const string Library = "e_sqlite3";

    // Binding only records a value (or a pointer to it) in the statement: a few instructions that
    // never block, so those calls skip the transition out of managed code (SuppressGCTransition).
    // Stepping writes and may wait for locks and the disk, so it keeps it.

    /// <summary>Rows one statement inserts (7 parameters each).</summary>
    internal const int Group = 32;

    private const int Columns = 7;

    private const string Insert1 = "INSERT INTO records (zone_id, owner_key, owner, type, class, ttl, rdata) VALUES ";

    /// <summary>Rows ahead of the one being written whose octets are fetched into cache (their entries twice as far).</summary>
    private const int PrefetchDistance = 8;

    /// <summary>Room for a group of ordinary rows; a group that does not fit goes row by row (one row always fits).</summary>
    private const int BufferSize = 1 << 20;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _one;
    private readonly sqlite3_stmt _group;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);

    public RowInserter(SqliteConnection connection)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v3(_db, Insert1 + Values(1), raw.SQLITE_PREPARE_PERSISTENT, out _one));
        Check(raw.sqlite3_prepare_v3(_db, Insert1 + Values(Group), raw.SQLITE_PREPARE_PERSISTENT, out _group));
    }

    private static string Values(int rows) =>
        string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", Enumerable.Range(1 + r * Columns, Columns).Select(p => "?" + p.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")"));

    /// <summary>Inserts rows <paramref name="order"/> (or all in turn when null) of <paramref name="rows"/> into zone <paramref name="zoneId"/>.</summary>
    public unsafe void Insert(long zoneId, ZoneRows rows, int[]? order, CancellationToken cancellationToken)
    {
        bool addedOne = false, addedGroup = false;
        _one.DangerousAddRef(ref addedOne);
        _group.DangerousAddRef(ref addedGroup);
        try
        {
            var one = _one.DangerousGetHandle();
            var group = _group.DangerousGetHandle();
            fixed (byte* buffer = _buffer)
            {
                int n = rows.Count;
                for (int i = 0; i < n;)
                {
                    if ((i & ~0xFFFF) != ((i + Group) & ~0xFFFF))
                        cancellationToken.ThrowIfCancellationRequested();
                    int used = 0;
                    int bound = 0;
                    if (n - i >= Group)
                    {
                        while (bound < Group && Bind(group, bound, zoneId, rows, At(rows, order, i + bound), buffer, ref used))
                            bound++;
                    }
                    if (bound == Group)
                    {
                        Step(group);
                        i += Group;
                        continue;
                    }
                    used = 0;
                    Bind(one, 0, zoneId, rows, At(rows, order, i), buffer, ref used);
                    Step(one);
                    i++;
                }
            }
        }
        finally
        {
            sqlite3_clear_bindings(_one.DangerousGetHandle());
            sqlite3_clear_bindings(_group.DangerousGetHandle());
            if (addedOne)
                _one.DangerousRelease();
            if (addedGroup)
                _group.DangerousRelease();
        }
    }

    /// <summary>Which row goes <paramref name="i"/>th; in index order the rows are scattered over memory, so fetch ahead, entries first.</summary>
    private static int At(ZoneRows rows, int[]? order, int i)
    {
        if (order is null)
            return i;
        if (i + 2 * PrefetchDistance < order.Length)
            rows.Prefetch(order[i + 2 * PrefetchDistance], octets: false);
        if (i + PrefetchDistance < order.Length)
            rows.Prefetch(order[i + PrefetchDistance], octets: true);
        return order[i];
    }

    /// <summary>Copies row <paramref name="at"/> into the buffer and binds it as the statement's <paramref name="slot"/>th row; false when it does not fit.</summary>
    private unsafe bool Bind(IntPtr stmt, int slot, long zoneId, ZoneRows rows, int at, byte* buffer, ref int used)
    {
        var owner = rows.Owner(at);
        var data = rows.Data(at);
        if (used + 2 * owner.Length + data.Length > BufferSize)
            return false;
        byte* key = buffer + used;
        var lowered = new Span<byte>(key, owner.Length);
        owner.CopyTo(lowered);
        Protocol.Names.WireName.LowerInPlace(lowered);
        byte* wire = key + owner.Length;
        owner.CopyTo(new Span<byte>(wire, owner.Length));
        // A blob of length 0 still has a non-null pointer, or SQLite would store NULL.
        byte* rdata = wire + owner.Length;
        data.CopyTo(new Span<byte>(rdata, data.Length));
        used += 2 * owner.Length + data.Length;
        int p = slot * Columns;
        Check(sqlite3_bind_int64(stmt, p + 1, zoneId));
        Check(sqlite3_bind_blob(stmt, p + 2, key, owner.Length, 0));
        Check(sqlite3_bind_blob(stmt, p + 3, wire, owner.Length, 0));
        Check(sqlite3_bind_int(stmt, p + 4, (ushort)rows.Type(at)));
        Check(sqlite3_bind_int(stmt, p + 5, (ushort)rows.Class(at)));
        Check(sqlite3_bind_int64(stmt, p + 6, rows.Ttl(at)));
        Check(sqlite3_bind_blob(stmt, p + 7, rdata, data.Length, 0));
        return true;
    }

    private void Step(IntPtr stmt)
    {
        int rc = sqlite3_step(stmt);
        int reset = sqlite3_reset(stmt);
        if (rc == raw.SQLITE_DONE)
            rc = reset;
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE))
            Check(rc);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
            throw new SqliteException($"SQLite Error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
    }

    public void Dispose()
    {
        _one.Dispose();
        _group.Dispose();
    }

    [SuppressGCTransition]
    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static unsafe partial int sqlite3_bind_blob(IntPtr stmt, int index, byte* value, int length, IntPtr destructor);

    [SuppressGCTransition]
    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial int sqlite3_bind_int(IntPtr stmt, int index, int value);

    [SuppressGCTransition]
    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial int sqlite3_bind_int64(IntPtr stmt, int index, long value);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial int sqlite3_step(IntPtr stmt);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial int sqlite3_reset(IntPtr stmt);

    [SuppressGCTransition]
    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial int sqlite3_clear_bindings(IntPtr stmt);
}
