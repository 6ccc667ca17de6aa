namespace Rdns.Storage;

/// <summary>A secret every node of one store shares (the DNS cookie secret), with the one it replaced.</summary>
public sealed record ServerSecret(string Name, byte[] Current, byte[]? Previous, DateTimeOffset RotatedAt);

/// <summary>
/// Secrets the nodes of one store must agree on. Writes are compare-and-set on the rotation time,
/// so when several nodes decide at once that a secret is due, exactly one rotation happens and the
/// others read it back.
/// </summary>
public interface IServerSecretStore
{
    Task<ServerSecret?> GetSecretAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="secret"/> if the stored one was last rotated at <paramref name="expectedRotatedAt"/>
    /// (null: only if there is none yet); false when another node got there first.
    /// </summary>
    Task<bool> TryPutSecretAsync(ServerSecret secret, DateTimeOffset? expectedRotatedAt, CancellationToken cancellationToken = default);
}
