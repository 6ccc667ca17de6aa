using System.Collections.Concurrent;
using Rdns.Storage;

namespace Rdns.Api.Auth;

/// <summary>
/// Key lookups remembered for a moment, so a burst of requests costs one store read. A key revoked
/// through this node is forgotten at once; one revoked through another node sharing the store is
/// refused here once its entry expires, within <see cref="CacheFor"/>.
/// </summary>
public sealed class ApiKeyCache(IKeyStore keys, TimeProvider time)
{
    /// <summary>
    /// 2 s: revocation must reach every node within 5 s (docs/API.md), with room for the request
    /// that is already under way; a store read every 2 s per busy key costs nothing.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    /// <summary>Entries kept at most; beyond it the cache starts over rather than grow without bound under a flood of wrong keys.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Key, DateTimeOffset Until)> _entries = new();

    /// <summary>The unrevoked key with this text, or null.</summary>
    public async Task<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken)
    {
        if (key.Length > 200)
            return null;
        var hash = ApiKeys.Hash(key);
        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(cacheKey, out var hit) && hit.Until > now)
            return hit.Key;
        var record = await keys.FindKeyAsync(hash, cancellationToken).ConfigureAwait(false);
        if (_entries.Count > MaxEntries)
            _entries.Clear();
        _entries[cacheKey] = (record, now + CacheFor);
        return record;
    }

    /// <summary>Drops the key with this id, so its next use reads the store (after a revocation here).</summary>
    public void Forget(string keyId)
    {
        foreach (var (hash, entry) in _entries)
        {
            if (entry.Key?.Id == keyId)
                _entries.TryRemove(hash, out _);
        }
    }
}
