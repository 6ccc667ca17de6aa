using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Control.Updates;

/// <summary>
/// The TSIG keys DNS UPDATE accepts and what each may change: keys from the <c>--tsig-keys</c> file
/// (rules from settings) merged with keys created through the API (kept in the store, secrets
/// sealed). Every node reloads the store's keys when told of a change (PostgreSQL LISTEN/NOTIFY,
/// within a second) and at the next resync round when a notice was missed; the node that made the change reloads at once. The merged
/// ring goes to whoever verifies TSIG (<see cref="RingChanged"/>).
/// </summary>
public sealed partial class UpdateKeys
{
    private readonly ITsigKeyStore _store;
    private readonly TsigSecretSeal _seal;
    private volatile TsigKeyRing _fileKeys;
    private readonly IReadOnlyDictionary<DnsName, UpdateKeyPolicy> _filePolicies;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile State _state;

    private sealed record State(TsigKeyRing Ring, IReadOnlyDictionary<DnsName, UpdateKeyPolicy> Policies);

    public UpdateKeys(ITsigKeyStore store, TsigSecretSeal seal, TsigKeyRing fileKeys, UpdateOptions options, TimeProvider time, ILogger<UpdateKeys> logger)
    {
        _store = store;
        _seal = seal;
        _fileKeys = fileKeys;
        _time = time;
        _logger = logger;
        var policies = new Dictionary<DnsName, UpdateKeyPolicy>();
        foreach (var (name, specs) in options.Keys ?? [])
        {
            var keyName = DnsName.Parse(name.EndsWith('.') ? name : name + ".");
            if (fileKeys.Find(keyName) is null)
                throw new ControlException(WriteError.Invalid, "validation_failed", $"Update:Keys:{name}: no key of that name in the --tsig-keys file", $"Update:Keys:{name}");
            policies[keyName] = new UpdateKeyPolicy(keyName, null, UpdateRules.Parse(specs, $"Update:Keys:{name}"), FromFile: true);
        }
        _filePolicies = policies;
        _state = new State(fileKeys, policies);
    }

    /// <summary>
    /// Takes the keys of a reloaded --tsig-keys file (SIGHUP) and merges them again with the
    /// stored keys; the rules of Update:Keys stay those read at start.
    /// </summary>
    public Task UseFileKeysAsync(TsigKeyRing fileKeys, CancellationToken cancellationToken = default)
    {
        _fileKeys = fileKeys;
        return ReloadAsync(cancellationToken);
    }

    /// <summary>Raised with the merged key ring after every reload that changed it.</summary>
    public event Action<TsigKeyRing>? RingChanged;

    public TsigKeyRing Ring => _state.Ring;

    /// <summary>The policy of a key (file or store), or null when the key may not update.</summary>
    public UpdateKeyPolicy? Policy(string keyName) =>
        DnsName.TryParse(keyName, null, out var name, out _) ? _state.Policies.GetValueOrDefault(name) : null;

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await _store.ListTsigKeysAsync(null, cancellationToken).ConfigureAwait(false);
            var keys = new List<TsigKey>(_fileKeys.Keys);
            var policies = new Dictionary<DnsName, UpdateKeyPolicy>(_filePolicies);
            foreach (var record in stored)
            {
                var name = DnsName.Parse(record.Name);
                if (_fileKeys.Find(name) is not null)
                {
                    LogShadowed(_logger, record.Name);
                    continue;
                }
                var secret = _seal.Open(record.Name, record.SealedSecret);
                if (secret is null || !TsigAlgorithms.TryParse(record.Algorithm, out var algorithm))
                {
                    LogUnsealable(_logger, record.Name, TsigSecretSeal.FileName);
                    continue;
                }
                // The same key object while its secret is unchanged: its pooled hash states stay warm.
                var key = _state.Ring.Find(name) is { } known && known.Algorithm == algorithm && known.Secret.SequenceEqual(secret)
                    ? known
                    : new TsigKey(name, algorithm, secret);
                keys.Add(key);
                policies[name] = new UpdateKeyPolicy(name, record.TenantId, record.TenantId is null ? UpdateRules.FromJson(record.Rules) : [], FromFile: false);
            }
            var before = _state.Ring;
            _state = new State(new TsigKeyRing(keys), policies);
            if (before.Count != keys.Count || keys.Any(k => !ReferenceEquals(before.Find(k.Name), k)))
                RingChanged?.Invoke(_state.Ring);
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>
    /// Creates a key with a random secret (RFC 2104 §3: as long as the hash) for the operator
    /// (<paramref name="tenantId"/> null, with <paramref name="allow"/> rules) or for a tenant (its
    /// held addresses, its PTR policy). The secret is returned this once.
    /// </summary>
    public async Task<TsigKeyCreated> CreateAsync(string? name, string? algorithmText, IReadOnlyList<UpdateRuleSpec>? allow, string? tenantId, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw Invalid("name", "required, a domain name such as dhcp1 or dhcp1.example.net");
        var text = name.Trim();
        if (!DnsName.TryParse(text.EndsWith('.') ? text : text + ".", null, out var keyName, out var error))
            throw Invalid("name", $"'{name}': {error}");
        keyName = keyName.ToLower();
        var algorithm = TsigAlgorithm.HmacSha256;
        if (algorithmText is not null && !TsigAlgorithms.TryParse(algorithmText, out algorithm))
            throw Invalid("algorithm", $"'{algorithmText}': one of hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha1");
        IReadOnlyList<Rdns.Zones.Updates.UpdateRule> rules;
        if (tenantId is null)
            rules = UpdateRules.Parse(allow);
        else if (allow is { Count: > 0 })
            throw Invalid("allow", "a tenant's key may update the PTR and DHCID records of the addresses the tenant holds; it takes no rules");
        else
            rules = [];
        if (_fileKeys.Find(keyName) is not null)
            throw new ControlException(WriteError.Conflict, "tsig_key_exists", $"a key named {keyName} is in the --tsig-keys file; choose another name");
        var key = TsigKey.Generate(keyName, algorithm);
        var now = _time.GetUtcNow();
        var record = new TsigKeyRecord(keyName.ToString(), TsigAlgorithms.ToText(algorithm), _seal.Seal(keyName.ToString(), key.Secret), tenantId,
            UpdateRules.ToJson(rules), now.AddTicks(-(now.Ticks % 10)));
        try
        {
            await _store.AddTsigKeyAsync(record, audit with { Action = "tsig-key.create", Target = keyName.ToString(), Detail = tenantId is null ? UpdateRules.ToJson(rules) : $"tenant {tenantId}" },
                cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException)
        {
            throw new ControlException(WriteError.Conflict, "tsig_key_exists", $"a key named {keyName} exists; delete it first or choose another name");
        }
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return new TsigKeyCreated(keyName.ToString(), TsigAlgorithms.ToText(algorithm), Convert.ToBase64String(key.Secret), key.ToBindText(), tenantId,
            rules.Select(UpdateRules.ToSpec).ToList(), record.CreatedAt);
    }

    /// <summary>Keys (without secrets): every key for the operator, file keys with rules included; a tenant's own for a tenant.</summary>
    public async Task<IReadOnlyList<TsigKeyView>> ListAsync(string? tenantId, CancellationToken cancellationToken)
    {
        var stored = await _store.ListTsigKeysAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var views = stored.Select(r => new TsigKeyView(r.Name, r.Algorithm, r.TenantId,
            r.TenantId is null ? UpdateRules.FromJson(r.Rules).Select(UpdateRules.ToSpec).ToList() : [], r.CreatedAt, "api")).ToList();
        if (tenantId is null)
        {
            foreach (var key in _fileKeys.Keys.OrderBy(k => k.Name))
            {
                var rules = _filePolicies.GetValueOrDefault(key.Name)?.Rules ?? [];
                views.Add(new TsigKeyView(key.Name.ToString(), TsigAlgorithms.ToText(key.Algorithm), null, rules.Select(UpdateRules.ToSpec).ToList(), null, "file"));
            }
        }
        return views;
    }

    /// <summary>Deletes a key: refused here at once, on every other node within a second.</summary>
    public async Task DeleteAsync(string name, string? tenantId, AuditEntry audit, CancellationToken cancellationToken)
    {
        var text = name.Trim();
        if (!DnsName.TryParse(text.EndsWith('.') ? text : text + ".", null, out var keyName, out _))
            throw new ControlException(WriteError.NotFound, "tsig_key_not_found", $"no TSIG key {name}");
        keyName = keyName.ToLower();
        if (tenantId is null && _fileKeys.Find(keyName) is not null)
            throw new ControlException(WriteError.Conflict, "tsig_key_in_file", $"{keyName} comes from the --tsig-keys file; remove it there and restart");
        if (!await _store.DeleteTsigKeyAsync(keyName.ToString(), tenantId, audit with { Action = "tsig-key.delete", Target = keyName.ToString() }, cancellationToken).ConfigureAwait(false))
            throw new ControlException(WriteError.NotFound, "tsig_key_not_found", $"no TSIG key {keyName}" + (tenantId is null ? "" : " of this tenant"));
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ControlException Invalid(string field, string detail) => new(WriteError.Invalid, "validation_failed", $"{field}: {detail}", field);

    [LoggerMessage(EventId = 330, Level = LogLevel.Warning, Message = "TSIG key {Name} in the store has the name of a key in the --tsig-keys file; the file's key is used")]
    private static partial void LogShadowed(ILogger logger, string name);

    [LoggerMessage(EventId = 331, Level = LogLevel.Error, Message = "TSIG key {Name} in the store cannot be opened with this node's {File} (another node's seal key?); it is not accepted here")]
    private static partial void LogUnsealable(ILogger logger, string name, string file);
}
