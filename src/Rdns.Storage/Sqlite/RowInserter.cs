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
/// them again (<c>SQLITE_STATIC</c>), through direct calls into the SQLite library SQLitePCLRaw's
/// provider loaded (<see cref="SqliteDirectCalls"/>): a million-row zone makes millions of these
/// calls, and the safe-handle bookkeeping and the copy per blob of the general binding path would
/// cost as much as SQLite's own work on the row. When that library cannot be proved to be the
/// provider's, the same statements are bound through the provider's ordinary calls (slower, never wrong).
/// </summary>
internal sealed class RowInserter : IDisposable
{
    /// <summary>Rows one statement inserts (7 parameters each).</summary>
    internal const int Group = 32;

    private const int Columns = 7;

    private const string Insert1 = "INSERT INTO records (zone_id, owner_key, owner, type, class, ttl, rdata) VALUES ";

    /// <summary>Rows ahead of the one being written whose octets are fetched into cache (their entries twice as far).</summary>
    private const int PrefetchDistance = 8;

    /// <summary>Room for a group of ordinary rows; a group that does not fit goes row by row (one row always fits).</summary>
    private const int BufferSize = 1 << 20;

    private readonly sqlite3 _db;
    private readonly SqliteDirectCalls? _calls;
    private readonly sqlite3_stmt _one;
    private readonly sqlite3_stmt _group;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);

    public RowInserter(SqliteConnection connection)
        : this(connection, SqliteDirectCalls.Current)
    {
    }

    /// <param name="calls">Direct calls into the provider's library, or null for the provider's ordinary calls.</param>
    internal RowInserter(SqliteConnection connection, SqliteDirectCalls? calls)
    {
        _db = connection.Handle!;
        _calls = calls;
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
                        while (bound < Group && Bind(_group, group, bound, zoneId, rows, At(rows, order, i + bound), buffer, ref used))
                            bound++;
                    }
                    if (bound == Group)
                    {
                        Step(_group, group);
                        i += Group;
                        continue;
                    }
                    used = 0;
                    Bind(_one, one, 0, zoneId, rows, At(rows, order, i), buffer, ref used);
                    Step(_one, one);
                    i++;
                }
            }
        }
        finally
        {
            ClearBindings(_one);
            ClearBindings(_group);
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
    private unsafe bool Bind(sqlite3_stmt statement, IntPtr stmt, int slot, long zoneId, ZoneRows rows, int at, byte* buffer, ref int used)
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
        if (_calls is { } c)
        {
            Check(c.BindInt64(stmt, p + 1, zoneId));
            Check(c.BindBlob(stmt, p + 2, key, owner.Length, 0));
            Check(c.BindBlob(stmt, p + 3, wire, owner.Length, 0));
            Check(c.BindInt(stmt, p + 4, (ushort)rows.Type(at)));
            Check(c.BindInt(stmt, p + 5, (ushort)rows.Class(at)));
            Check(c.BindInt64(stmt, p + 6, rows.Ttl(at)));
            Check(c.BindBlob(stmt, p + 7, rdata, data.Length, 0));
        }
        else
        {
            Check(raw.sqlite3_bind_int64(statement, p + 1, zoneId));
            Check(BindBlob(statement, p + 2, new ReadOnlySpan<byte>(key, owner.Length)));
            Check(BindBlob(statement, p + 3, new ReadOnlySpan<byte>(wire, owner.Length)));
            Check(raw.sqlite3_bind_int(statement, p + 4, (ushort)rows.Type(at)));
            Check(raw.sqlite3_bind_int(statement, p + 5, (ushort)rows.Class(at)));
            Check(raw.sqlite3_bind_int64(statement, p + 6, rows.Ttl(at)));
            Check(BindBlob(statement, p + 7, new ReadOnlySpan<byte>(rdata, data.Length)));
        }
        return true;
    }

    /// <summary>The provider's binding (it copies the octets); an empty blob as a zero-length blob, never NULL.</summary>
    private static int BindBlob(sqlite3_stmt statement, int index, ReadOnlySpan<byte> value) =>
        value.IsEmpty ? raw.sqlite3_bind_zeroblob(statement, index, 0) : raw.sqlite3_bind_blob(statement, index, value);

    private unsafe void Step(sqlite3_stmt statement, IntPtr stmt)
    {
        int rc, reset;
        if (_calls is { } c)
        {
            rc = c.Step(stmt);
            reset = c.Reset(stmt);
        }
        else
        {
            rc = raw.sqlite3_step(statement);
            reset = raw.sqlite3_reset(statement);
        }
        if (rc == raw.SQLITE_DONE)
            rc = reset;
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE))
            Check(rc);
    }

    private unsafe void ClearBindings(sqlite3_stmt statement)
    {
        if (_calls is { } c)
            c.ClearBindings(statement.DangerousGetHandle());
        else
            raw.sqlite3_clear_bindings(statement);
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
}
