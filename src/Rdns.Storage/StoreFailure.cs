using Microsoft.Data.Sqlite;
using Npgsql;

namespace Rdns.Storage;

/// <summary>Why a store operation failed, when the cause is the store's disk or server rather than the request.</summary>
public enum StoreFailureKind
{
    /// <summary>No room to write: the disk (or the database's quota) is full.</summary>
    Full,

    /// <summary>The store cannot be read or written: an I/O error, a read-only or unreachable database.</summary>
    Unavailable,
}

/// <summary>
/// Tells store failures that are about the store itself apart from bugs, for both databases, so the
/// API can answer "the store is full" instead of "internal error".
/// </summary>
public static class StoreFailure
{
    /// <summary>SQLite result codes (https://sqlite.org/rescode.html), primary part.</summary>
    private const int SqliteIoErr = 10, SqliteFull = 13, SqliteCantOpen = 14, SqliteReadOnly = 8, SqliteCorrupt = 11, SqliteNotADb = 26;

    /// <summary>The kind of store failure <paramref name="exception"/> (or one it wraps) is, or null for anything else.</summary>
    public static StoreFailureKind? Classify(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite:
                    return (sqlite.SqliteErrorCode & 0xFF) switch
                    {
                        SqliteFull => StoreFailureKind.Full,
                        SqliteIoErr or SqliteCantOpen or SqliteReadOnly or SqliteCorrupt or SqliteNotADb => StoreFailureKind.Unavailable,
                        _ => null,
                    };
                case PostgresException postgres:
                    // Class 53, insufficient resources: 53100 disk_full; class 58, system error (58030 io_error).
                    return postgres.SqlState switch
                    {
                        PostgresErrorCodes.DiskFull => StoreFailureKind.Full,
                        PostgresErrorCodes.IoError or PostgresErrorCodes.ReadOnlySqlTransaction or PostgresErrorCodes.AdminShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections => StoreFailureKind.Unavailable,
                        _ => null,
                    };
                case NpgsqlException:
                    // Not a server's answer: the connection failed or timed out.
                    return StoreFailureKind.Unavailable;
            }
        }
        return null;
    }

    /// <summary>What an operator reads: the failure and what to do.</summary>
    public static string Explain(StoreFailureKind kind, Exception exception) => kind switch
    {
        StoreFailureKind.Full => $"the store has no room to write (disk or quota full: {Innermost(exception)}); nothing was applied. Free space on the store's disk and retry",
        _ => $"the store cannot be read or written ({Innermost(exception)}); nothing was applied. Check the store's disk or database server and retry",
    };

    private static string Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null)
            e = e.InnerException;
        return e.Message.TrimEnd('.');
    }
}
