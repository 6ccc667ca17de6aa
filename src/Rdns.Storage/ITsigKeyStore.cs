namespace Rdns.Storage;

/// <summary>
/// A TSIG key kept in the store for DNS UPDATE: its name (lowercase, trailing dot), algorithm, the
/// secret as the caller sealed it (the store never sees it in the clear: Control encrypts it with a
/// key kept in the data directory), the tenant that owns it (null: the operator's), and its update
/// rules as JSON text that Control reads.
/// </summary>
public sealed record TsigKeyRecord(string Name, string Algorithm, byte[] SealedSecret, string? TenantId, string Rules, DateTimeOffset CreatedAt);

public interface ITsigKeyStore
{
    /// <summary>Adds a key; <see cref="StoreConflictException"/> when the name is taken. Other nodes are told (<see cref="ChangeKind.TsigKeys"/>).</summary>
    Task AddTsigKeyAsync(TsigKeyRecord key, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Every key, or those of one tenant, by name.</summary>
    Task<IReadOnlyList<TsigKeyRecord>> ListTsigKeysAsync(string? tenantId = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key (of that tenant, when given); false when there was none. Other nodes are told.</summary>
    Task<bool> DeleteTsigKeyAsync(string name, string? tenantId, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Appends audit rows that belong to no change (refused DNS updates), in one transaction.</summary>
    Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);
}
