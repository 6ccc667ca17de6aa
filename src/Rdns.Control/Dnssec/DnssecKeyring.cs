using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Dnssec;

namespace Rdns.Control.Dnssec;

/// <summary>
/// Turns the store's DNSSEC rows into the signers the DNS path uses: private keys opened with the
/// seal key (once per key, then kept), active keys sorted into zone-signing and key-signing lists,
/// one <see cref="ZoneSigner"/> per signed zone sharing one bounded <see cref="SignatureCache"/>.
/// Every node builds the same signers from the same rows, so nodes of one store sign alike.
/// </summary>
public sealed partial class DnssecKeyring(IRdnsStore store, ServedZones zones, KeySeal seal, DnssecOptions options, SignatureCache cache,
    TimeProvider time, ILogger<DnssecKeyring> logger)
{
    private readonly ConcurrentDictionary<string, SigningKey> _opened = new();

    public SignatureCache Cache => cache;

    public DnssecOptions Options => options;

    /// <summary>Builds every signed zone's signer from the store and publishes them all at once (start-up, resync).</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken = default)
    {
        var policies = await store.GetDnssecZonesAsync(cancellationToken).ConfigureAwait(false);
        var stored = await store.GetDnssecKeysAsync(null, cancellationToken).ConfigureAwait(false);
        // Every resync loads all: rows as they were at the last load build the same signers.
        var seen = new LoadedRows(policies, [.. stored.Select(KeyState.Of)]);
        if (_loaded is { } loaded && policies.SequenceEqual(loaded.Policies) && seen.Keys.SequenceEqual(loaded.Keys))
            return;
        var keys = stored.ToLookup(k => k.Zone);
        var signers = new List<(DnsName, ZoneSigner?)>();
        foreach (var policy in policies)
            signers.Add((DnsName.Parse(policy.Zone), TryBuild(policy, keys[policy.Zone])));
        zones.Update(set =>
        {
            // Zones whose signing was turned off elsewhere lose their signer.
            foreach (var signer in set.Signers.ToList())
            {
                if (!signers.Any(s => s.Item1.Equals(signer.Apex)))
                    set = set.WithSigner(signer.Apex, null);
            }
            foreach (var (zone, signer) in signers)
                set = set.WithSigner(zone, signer);
            return set;
        });
        _loaded = seen;
    }

    /// <summary>What of a stored key a signer depends on (its key material never changes under one id).</summary>
    private readonly record struct KeyState(string Id, string Zone, string Role, string State, DateTimeOffset CreatedAt)
    {
        public static KeyState Of(DnssecKeyRecord key) => new(key.Id, key.Zone, key.Role, key.State, key.CreatedAt);
    }

    private sealed record LoadedRows(IReadOnlyList<DnssecZoneRecord> Policies, KeyState[] Keys);

    /// <summary>The rows the signers in use were last built from by <see cref="LoadAllAsync"/>.</summary>
    private LoadedRows? _loaded;

    /// <summary>Rebuilds one zone's signer from the store (another node changed its keys).</summary>
    public async Task ReloadAsync(DnsName zone, CancellationToken cancellationToken = default)
    {
        string key = ZoneKeyOf(zone);
        var policy = (await store.GetDnssecZonesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Zone == key);
        var signer = policy is null ? null : TryBuild(policy, await store.GetDnssecKeysAsync(key, cancellationToken).ConfigureAwait(false));
        zones.Update(set => set.WithSigner(zone, signer));
    }

    /// <summary>The zone's key in the store: lowercase presentation form with the trailing dot.</summary>
    public static string ZoneKeyOf(DnsName zone) => zone.ToLower().ToString();

    private ZoneSigner? TryBuild(DnssecZoneRecord policy, IEnumerable<DnssecKeyRecord> keys)
    {
        try
        {
            return Build(policy, keys);
        }
        catch (Exception e) when (e is CryptographicException or InvalidDataException or ArgumentException)
        {
            LogUnusable(logger, policy.Zone, e.Message);
            return null;
        }
    }

    /// <summary>The signer of <paramref name="keys"/> (their active ones sign); throws when a key cannot be opened or a role has no active key.</summary>
    public ZoneSigner Build(DnssecZoneRecord policy, IEnumerable<DnssecKeyRecord> keys)
    {
        var zoneSigning = new List<SigningKey>();
        var keySigning = new List<SigningKey>();
        foreach (var key in keys.Where(k => k.State == KeyStates.Active).OrderBy(k => k.CreatedAt))
        {
            var opened = Open(key);
            if (key.Role is KeyStates.Csk or KeyStates.Zsk)
                zoneSigning.Add(opened);
            if (key.Role is KeyStates.Csk or KeyStates.Ksk)
                keySigning.Add(opened);
        }
        var denial = policy.Denial == "nsec" ? DenialMode.Nsec : DenialMode.Compact;
        return new ZoneSigner(DnsName.Parse(policy.Zone), zoneSigning, keySigning, denial, options.Signatures, cache, time);
    }

    /// <summary>The key's private half, opened with the seal key (once; later calls reuse it).</summary>
    public SigningKey Open(DnssecKeyRecord key) =>
        _opened.GetOrAdd(key.Id, _ =>
        {
            var privateKey = seal.Open(key.Zone, key.Id, key.SealedPrivateKey)
                ?? throw new InvalidDataException($"DNSSEC key {key.Id} of {key.Zone} cannot be opened with this node's seal key ({seal.Source}); every node of a store needs the same one");
            var opened = SigningKey.Import((DnssecAlgorithm)key.Algorithm, (ushort)key.Flags, privateKey);
            CryptographicOperations.ZeroMemory(privateKey);
            if (!opened.DnsKeyRdata.AsSpan().SequenceEqual(key.DnsKey))
                throw new InvalidDataException($"DNSSEC key {key.Id} of {key.Zone}: the private key does not match its DNSKEY");
            return opened;
        });

    /// <summary>A new key of <paramref name="role"/> for <paramref name="zone"/>, sealed for the store.</summary>
    public DnssecKeyRecord Create(DnsName zone, DnssecAlgorithm algorithm, string role, string state, string dsState, DateTimeOffset now)
    {
        ushort flags = role == KeyStates.Zsk ? DnsKey.ZskFlags : DnsKey.KskFlags;
        var key = SigningKey.Generate(algorithm, flags);
        string zoneKey = ZoneKeyOf(zone);
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var privateKey = key.ExportPrivateKey();
        var record = new DnssecKeyRecord(id, zoneKey, (int)algorithm, flags, role, key.DnsKeyRdata, seal.Seal(zoneKey, id, privateKey),
            state, now, now, dsState, dsState == KeyStates.DsNone ? null : now);
        CryptographicOperations.ZeroMemory(privateKey);
        _opened[id] = key;
        return record;
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Error, Message = "Zone {Zone} is not signed: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string zone, string reason);
}
