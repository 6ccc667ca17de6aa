using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// A command of the writer connection kept prepared between uses: SQLite compiles a statement
/// once (parsing and planning cost more than running a one-row INSERT), and each use only binds
/// new parameters. Disposing this wrapper clears the parameters and keeps the statement.
/// </summary>
internal sealed class CachedCommand(SqliteCommand inner) : DbCommand
{
    public override string CommandText
    {
        get => inner.CommandText;
#pragma warning disable CS8765 // the base property is nullable-oblivious
        set => throw new NotSupportedException("a cached command keeps its text");
#pragma warning restore CS8765
    }

    public override int CommandTimeout { get => inner.CommandTimeout; set => inner.CommandTimeout = value; }

    public override CommandType CommandType { get => inner.CommandType; set => inner.CommandType = value; }

    public override bool DesignTimeVisible { get => inner.DesignTimeVisible; set => inner.DesignTimeVisible = value; }

    public override UpdateRowSource UpdatedRowSource { get => inner.UpdatedRowSource; set => inner.UpdatedRowSource = value; }

    protected override DbConnection? DbConnection { get => inner.Connection; set => inner.Connection = (SqliteConnection?)value; }

    protected override DbParameterCollection DbParameterCollection => inner.Parameters;

    protected override DbTransaction? DbTransaction { get => inner.Transaction; set => inner.Transaction = (SqliteTransaction?)value; }

    public override void Cancel() => inner.Cancel();

    public override int ExecuteNonQuery() => inner.ExecuteNonQuery();

    public override object? ExecuteScalar() => inner.ExecuteScalar();

    public override void Prepare() => inner.Prepare();

    protected override DbParameter CreateDbParameter() => inner.CreateParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => inner.ExecuteReader(behavior);

    public override ValueTask DisposeAsync()
    {
        inner.Parameters.Clear();
        return ValueTask.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Parameters.Clear();
    }
}
