using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// Prepared statements of the one writer connection, by SQL text. A DNS UPDATE or a PTR change
/// runs about ten statements; preparing each anew cost more CPU than everything else the write
/// does. Used only under the writer lock, so it needs no locking of its own; bounded, so SQL built
/// from data (never done on the write path today) could not grow it without limit.
/// </summary>
internal sealed class StatementCache(SqliteConnection connection) : IDisposable
{
    /// <summary>Every statement the store writes with, several times over.</summary>
    private const int MaxStatements = 128;

    /// <summary>Scripts (migrations) run once; only statements of ordinary size are kept.</summary>
    private const int MaxLength = 1000;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public DbCommand Command(string sql, DbTransaction transaction)
    {
        if (sql.Length > MaxLength)
            return Fresh(sql, transaction);
        if (!_commands.TryGetValue(sql, out var command))
        {
            if (_commands.Count >= MaxStatements)
                return Fresh(sql, transaction);
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        command.Transaction = (SqliteTransaction)transaction;
        command.Parameters.Clear();
        return new CachedCommand(command);
    }

    private DbCommand Fresh(string sql, DbTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = (SqliteTransaction)transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
            command.Dispose();
        _commands.Clear();
    }
}
