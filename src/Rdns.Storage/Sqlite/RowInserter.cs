using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Rdns.Protocol.Records;
using SQLitePCL;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// The bulk insert of a zone's rows on the writer connection: one statement prepared once for the
/// connection's life, its parameters bound straight from the rows' octets with SQLite told not to
/// copy them (<c>SQLITE_STATIC</c>: they stay pinned until the row is stepped), through direct
/// calls into the same SQLite library Microsoft.Data.Sqlite loaded. A million-row zone makes nine
/// million of these calls, so the safe-handle bookkeeping and the copy per blob of the general
/// binding path cost as much as SQLite's own work on the row.
/// </summary>
internal sealed partial class RowInserter : IDisposable
{
    private const string Library = "e_sqlite3";

    // Binding only records a value (or a pointer to it) in the statement: a few instructions that
    // never block, so those calls skip the transition out of managed code (SuppressGCTransition).
    // Stepping writes and may wait for locks and the disk, so it keeps it.

    private const string Sql = "INSERT INTO records (zone_id, owner_key, owner, type, class, ttl, rdata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

    /// <summary>Rows ahead of the one being written whose octets are fetched into cache (their entries twice as far).</summary>
    private const int PrefetchDistance = 8;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RowInserter(SqliteConnection connection)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v3(_db, Sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement));
    }

    /// <summary>Inserts rows <paramref name="order"/> (or all in turn when null) of <paramref name="rows"/> into zone <paramref name="zoneId"/>.</summary>
    public unsafe void Insert(long zoneId, ZoneRows rows, int[]? order, CancellationToken cancellationToken)
    {
        bool added = false;
        _statement.DangerousAddRef(ref added);
        try
        {
            var stmt = _statement.DangerousGetHandle();
            byte* key = stackalloc byte[Protocol.Names.DnsName.MaxLength];
            Check(sqlite3_bind_int64(stmt, 1, zoneId));
            for (int i = 0; i < rows.Count; i++)
            {
                if ((i & 0xFFFF) == 0xFFFF)
                    cancellationToken.ThrowIfCancellationRequested();
                int at;
                if (order is null)
                {
                    at = i;
                }
                else
                {
                    // In index order the rows are scattered over memory: fetch ahead, entries first.
                    if (i + 2 * PrefetchDistance < order.Length)
                        rows.Prefetch(order[i + 2 * PrefetchDistance], octets: false);
                    if (i + PrefetchDistance < order.Length)
                        rows.Prefetch(order[i + PrefetchDistance], octets: true);
                    at = order[i];
                }
                var owner = rows.Owner(at);
                var lowered = new Span<byte>(key, owner.Length);
                owner.CopyTo(lowered);
                Protocol.Names.WireName.LowerInPlace(lowered);
                var data = rows.Data(at);
                int rc;
                fixed (byte* ownerOctets = owner)
                fixed (byte* dataOctets = data)
                {
                    // A blob of length 0 still needs a non-null pointer, or SQLite stores NULL.
                    byte* rdata = data.Length == 0 ? key : dataOctets;
                    Check(sqlite3_bind_blob(stmt, 2, key, owner.Length, 0));
                    Check(sqlite3_bind_blob(stmt, 3, ownerOctets, owner.Length, 0));
                    Check(sqlite3_bind_int(stmt, 4, (ushort)rows.Type(at)));
                    Check(sqlite3_bind_int(stmt, 5, (ushort)rows.Class(at)));
                    Check(sqlite3_bind_int64(stmt, 6, rows.Ttl(at)));
                    Check(sqlite3_bind_blob(stmt, 7, rdata, data.Length, 0));
                    rc = sqlite3_step(stmt);
                    // Reset while the octets are still pinned: nothing may point at them afterwards.
                    int reset = sqlite3_reset(stmt);
                    if (rc == raw.SQLITE_DONE)
                        rc = reset;
                }
                if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE))
                    Check(rc);
            }
        }
        finally
        {
            sqlite3_clear_bindings(_statement.DangerousGetHandle());
            if (added)
                _statement.DangerousRelease();
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
            throw new SqliteException($"SQLite Error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
    }

    public void Dispose() => _statement.Dispose();

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
