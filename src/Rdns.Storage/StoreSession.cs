using System.Data.Common;

namespace Rdns.Storage;

/// <summary>
/// One transaction on one connection, plus whatever the dialect holds to keep writers apart (the
/// SQLite writer lock). Disposing without <see cref="CommitAsync"/> rolls back, so every failure path
/// leaves nothing behind.
/// </summary>
internal sealed class StoreSession(DbConnection connection, DbTransaction transaction, Func<ValueTask> release) : IAsyncDisposable
{
    private bool _disposed;

    /// <summary>Where the dialect keeps prepared statements of a long-lived connection (SQLite's writer), or null.</summary>
    public Func<string, DbTransaction, DbCommand>? Statements { get; init; }

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    /// <summary>Notices to publish with the commit (PostgreSQL sends them inside the transaction).</summary>
    public List<ChangeNotice> Notices { get; } = [];

    public DbCommand Command(string sql)
    {
        if (Statements is not null)
            return Statements(sql, Transaction);
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        return command;
    }

    /// <summary>Runs a statement that takes no parameters and returns nothing.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            await release();
        }
    }
}

/// <summary>Small helpers that keep the SQL in the store classes readable.</summary>
internal static class DbCommandExtensions
{
    public static DbParameter With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static async Task<long?> ScalarInt64Async(this DbCommand command, CancellationToken cancellationToken)
    {
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
