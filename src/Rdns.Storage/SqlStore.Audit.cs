using System.Text;

namespace Rdns.Storage;

/// <summary>The audit log: rows written inside each change's transaction, read filtered and paged by the database.</summary>
internal abstract partial class SqlStore
{
    private const string AuditColumns = "id, at, actor, action, target, detail, remote, old_value, new_value";

    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(int limit, long? beforeId = null, CancellationToken cancellationToken = default) =>
        GetAuditAsync(AuditQuery.All, limit, beforeId, cancellationToken);

    /// <summary>
    /// Rows matching <paramref name="query"/>, newest first, older than <paramref name="beforeId"/>
    /// (keyset paging: the id of the last row of the previous page).
    /// </summary>
    public async Task<IReadOnlyList<AuditRecord>> GetAuditAsync(AuditQuery query, int limit, long? beforeId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var s = await BeginReadAsync(cancellationToken);
        var where = new List<string>();
        var parameters = new List<(string Name, object Value)>();
        if (beforeId is not null)
        {
            where.Add("id < @before");
            parameters.Add(("@before", beforeId.Value));
        }
        if (query.Action is { } action)
        {
            // A family ("ptr.") by prefix; substr rather than LIKE, where '_' in an action would be a wildcard.
            where.Add(action.EndsWith('.') ? "substr(action, 1, @actionLength) = @action" : "action = @action");
            parameters.Add(("@action", action));
            if (action.EndsWith('.'))
                parameters.Add(("@actionLength", action.Length));
        }
        if (query.Tenant is { } tenant)
        {
            where.Add("(actor_tenant = @tenant OR subject_tenant = @tenant)");
            parameters.Add(("@tenant", tenant));
        }
        if (query.Ip is { } ip)
        {
            where.Add("((target_first <= @ip AND target_last >= @ip) OR (detail_first <= @ip AND detail_last >= @ip))");
            parameters.Add(("@ip", AuditKeys.Address(ip)));
        }
        if (query.Zone is { } zone)
        {
            var named = new StringBuilder("(target_name = @zone");
            parameters.Add(("@zone", AuditKeys.Name(zone)));
            if (query.ZoneFirst is { } first && query.ZoneLast is { } last)
            {
                named.Append(" OR (target_first >= @zoneFirst AND target_first <= @zoneLast) OR (detail_first >= @zoneFirst AND detail_first <= @zoneLast)");
                parameters.Add(("@zoneFirst", AuditKeys.Address(first)));
                parameters.Add(("@zoneLast", AuditKeys.Address(last)));
            }
            where.Add(named.Append(')').ToString());
        }
        await using var command = s.Command($"SELECT {AuditColumns} FROM audit" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY id DESC LIMIT @limit");
        foreach (var (name, value) in parameters)
            command.With(name, value);
        command.With("@limit", limit);
        var rows = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new AuditRecord(reader.GetInt64(0), ReadTime(reader, 1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), NullableString(reader, 5), NullableString(reader, 6), NullableString(reader, 7), NullableString(reader, 8)));
        }
        return rows;
    }

    /// <summary>Writes the audit row of a change inside the change's own transaction, with the keys its filters search.</summary>
    protected async Task AuditAsync(StoreSession s, AuditEntry audit, CancellationToken cancellationToken)
    {
        var keys = AuditKeys.Of(audit.Actor, audit.Target, audit.Detail);
        await using var cmd = s.Command(
            "INSERT INTO audit (at, actor, action, target, detail, remote, old_value, new_value, " +
            "actor_tenant, subject_tenant, target_name, target_first, target_last, detail_first, detail_last, keyed) " +
            "VALUES (@at, @actor, @action, @target, @detail, @remote, @old, @new, @at_, @st, @tn, @tf, @tl, @df, @dl, 1)");
        cmd.With("@at", DbTime(Now()));
        cmd.With("@actor", audit.Actor);
        cmd.With("@action", audit.Action);
        cmd.With("@target", audit.Target);
        cmd.With("@detail", audit.Detail);
        cmd.With("@remote", audit.RemoteAddress);
        cmd.With("@old", audit.Before);
        cmd.With("@new", audit.After);
        WithKeys(cmd, keys);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void WithKeys(System.Data.Common.DbCommand cmd, AuditKeys keys)
    {
        cmd.With("@at_", keys.ActorTenant);
        cmd.With("@st", keys.SubjectTenant);
        cmd.With("@tn", keys.TargetName);
        cmd.With("@tf", keys.TargetFirst);
        cmd.With("@tl", keys.TargetLast);
        cmd.With("@df", keys.DetailFirst);
        cmd.With("@dl", keys.DetailLast);
    }

    /// <summary>
    /// Rows written before the audit keys existed (or by an older rdns on a shared store) get them
    /// at start, so the filters see the whole log; a partial index makes the check free when none is left.
    /// </summary>
    private async Task KeyOlderAuditRowsAsync(StoreSession s, CancellationToken cancellationToken)
    {
        var pending = new List<(long Id, AuditKeys Keys)>();
        await using (var read = s.Command("SELECT id, actor, target, detail FROM audit WHERE keyed = 0"))
        {
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                pending.Add((reader.GetInt64(0), AuditKeys.Of(reader.GetString(1), reader.GetString(2), NullableString(reader, 3))));
        }
        foreach (var (id, keys) in pending)
        {
            await using var update = s.Command(
                "UPDATE audit SET actor_tenant = @at_, subject_tenant = @st, target_name = @tn, target_first = @tf, target_last = @tl, " +
                "detail_first = @df, detail_last = @dl, keyed = 1 WHERE id = @id");
            WithKeys(update, keys);
            update.With("@id", id);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
