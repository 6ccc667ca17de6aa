using Rdns.Storage;

namespace Rdns.Control.Dnssec;

/// <summary>What rollover timing depends on in a zone: the DNSKEY TTL, the largest TTL of its data (asked only when needed), the parent's DS TTL.</summary>
public sealed record RolloverTimings(TimeSpan DnskeyTtl, Func<TimeSpan> MaxZoneTtl, TimeSpan ParentDsTtl);

/// <summary>The keys after a step, the rows to write, and what happened in words (for the log and the audit row).</summary>
public sealed record KeyChange(IReadOnlyList<DnssecKeyRecord> Keys, IReadOnlyList<DnssecWrite> Writes, IReadOnlyList<string> Steps);

/// <summary>
/// The key lifecycle as a function of the rows, the zone's TTLs and the time, so it is the same on
/// every node and testable with a fake clock (the steps of RFC 6781 §4.1 and RFC 7583):
/// <list type="bullet">
/// <item>ZSK, pre-publish: a successor is published when the active key reaches its lifetime; after
/// the DNSKEY TTL and the propagation delay it signs and the old key retires; after the largest TTL
/// of the zone's data (every signature made by the old key has left caches) the old key goes.</item>
/// <item>KSK or CSK, double signature: the successor is published and signs with the old key at once
/// (a CSK signs everything, a KSK the DNSKEY RRset); after the DNSKEY TTL and the delay CDS and
/// CDNSKEY name only the successor; once the parent publishes its DS (seen in a hosted parent, or
/// confirmed by the operator) and the parent's DS TTL and the delay have passed, the old key goes.</item>
/// </list>
/// </summary>
public static class KeyRollover
{
    /// <summary>Whatever step is due now; null when nothing is.</summary>
    public static KeyChange? Plan(DnssecZoneRecord policy, IReadOnlyList<DnssecKeyRecord> keys, RolloverTimings timings, DnssecOptions options,
        DateTimeOffset now, Func<string, string, string, DnssecKeyRecord> create)
    {
        var plan = new Working(keys);
        var delay = options.PropagationDelay;

        // ZSK pre-publish (only zones with a KSK/ZSK pair have ZSKs).
        foreach (var retired in plan.Keys.Where(k => k.Role == KeyStates.Zsk && k.State == KeyStates.Retired).ToList())
        {
            if (now >= retired.StateSince + timings.MaxZoneTtl() + delay)
                plan.Remove(retired, $"ZSK {Tag(retired)} removed: its signatures have expired from caches");
        }
        var published = plan.Keys.Where(k => k.Role == KeyStates.Zsk && k.State == KeyStates.Published).OrderBy(k => k.CreatedAt).FirstOrDefault();
        var activeZsks = plan.Keys.Where(k => k.Role == KeyStates.Zsk && k.State == KeyStates.Active).ToList();
        if (published is not null)
        {
            if (now >= published.StateSince + timings.DnskeyTtl + delay)
            {
                foreach (var old in activeZsks)
                    plan.Set(old with { State = KeyStates.Retired, StateSince = now }, $"ZSK {Tag(old)} retired");
                plan.Set(published with { State = KeyStates.Active, StateSince = now }, $"ZSK {Tag(published)} signs the zone");
            }
        }
        else if (activeZsks.Count == 1 && options.ZskLifetime > TimeSpan.Zero && now >= activeZsks[0].StateSince + options.ZskLifetime
                 && !plan.Keys.Any(k => k.Role == KeyStates.Zsk && k.State == KeyStates.Retired))
        {
            var next = create(KeyStates.Zsk, KeyStates.Published, KeyStates.DsNone);
            plan.Add(next, $"ZSK {Tag(next)} published to succeed {Tag(activeZsks[0])} (lifetime reached)");
        }

        // KSK/CSK double signature.
        // Oldest first; keys made in the same instant are told apart by where their DS is (the
        // successor's is always behind its predecessor's), so every node picks the same successor.
        var entries = plan.Keys.Where(k => k.Role != KeyStates.Zsk && k.State == KeyStates.Active)
            .OrderBy(k => k.CreatedAt).ThenBy(k => DsRank(k.DsState)).ToList();
        if (entries.Count >= 2)
        {
            var successor = entries[^1];
            var olds = entries[..^1];
            if (successor.DsState == KeyStates.DsNone && now >= successor.StateSince + timings.DnskeyTtl + delay)
            {
                plan.Set(successor with { DsState = KeyStates.DsSubmitted, DsSince = now }, $"{Name(successor)} {Tag(successor)} submitted to the parent in CDS/CDNSKEY");
                foreach (var old in olds)
                    plan.Set(old with { DsState = KeyStates.DsRetiring, DsSince = now }, $"{Name(old)} {Tag(old)} withdrawn from CDS/CDNSKEY");
            }
            else if (successor.DsState == KeyStates.DsSeen && successor.DsSince is { } seen && now >= seen + timings.ParentDsTtl + delay)
            {
                foreach (var old in olds)
                    plan.Remove(old, $"{Name(old)} {Tag(old)} removed: the parent's DS for {Tag(successor)} has spread");
            }
        }
        else if (entries.Count == 1 && options.KskLifetime > TimeSpan.Zero && entries[0].DsState == KeyStates.DsSeen
                 && now >= entries[0].StateSince + options.KskLifetime)
        {
            var next = create(entries[0].Role, KeyStates.Active, KeyStates.DsNone);
            plan.Add(next, $"{Name(next)} {Tag(next)} introduced to succeed {Tag(entries[0])} (lifetime reached); both sign");
        }
        return plan.Result();
    }

    /// <summary>
    /// Starts a rollover now, as asked: <paramref name="which"/> is "zsk" (zones with a KSK/ZSK pair)
    /// or "ksk"/"csk" (the key the DS points at). Refused (with the reason) while one is under way or,
    /// for the DS key, while the parent has not taken the current DS.
    /// </summary>
    public static KeyChange Start(DnssecZoneRecord policy, IReadOnlyList<DnssecKeyRecord> keys, string which, Func<string, string, string, DnssecKeyRecord> create, out string? refusal)
    {
        var plan = new Working(keys);
        refusal = null;
        if (which == KeyStates.Zsk)
        {
            if (!policy.SplitKeys)
                refusal = "this zone has one combined signing key (csk); roll that";
            else if (keys.Any(k => k.Role == KeyStates.Zsk && k.State != KeyStates.Active))
                refusal = "a ZSK rollover is already under way";
            else
            {
                var next = create(KeyStates.Zsk, KeyStates.Published, KeyStates.DsNone);
                plan.Add(next, $"ZSK {Tag(next)} published (rollover asked for)");
            }
            return plan.Result() ?? new KeyChange(keys, [], []);
        }
        string role = policy.SplitKeys ? KeyStates.Ksk : KeyStates.Csk;
        if (which != role)
        {
            refusal = $"this zone's DS points at its {role.ToUpperInvariant()}; roll '{role}'";
            return new KeyChange(keys, [], []);
        }
        var entries = keys.Where(k => k.Role == role && k.State == KeyStates.Active).ToList();
        if (entries.Count != 1)
            refusal = $"a {role.ToUpperInvariant()} rollover is already under way";
        else if (entries[0].DsState != KeyStates.DsSeen)
            refusal = $"the parent has not published the DS of {role.ToUpperInvariant()} {Tag(entries[0])} yet (confirm it first: POST /v1/zones/{{name}}/dnssec/ds-seen)";
        else
        {
            var next = create(role, KeyStates.Active, KeyStates.DsNone);
            plan.Add(next, $"{Name(next)} {Tag(next)} introduced (rollover asked for); both sign");
        }
        return plan.Result() ?? new KeyChange(keys, [], []);
    }

    /// <summary>The parent publishes the DS of every submitted key: they are "seen" from now.</summary>
    public static KeyChange? DsSeen(IReadOnlyList<DnssecKeyRecord> keys, DateTimeOffset now)
    {
        var plan = new Working(keys);
        foreach (var key in keys.Where(k => k.DsState == KeyStates.DsSubmitted))
            plan.Set(key with { DsState = KeyStates.DsSeen, DsSince = now }, $"the parent publishes the DS of {Name(key)} {Tag(key)}");
        return plan.Result();
    }

    private static int DsRank(string dsState) => dsState switch
    {
        KeyStates.DsRetiring => 0,
        KeyStates.DsSeen => 1,
        KeyStates.DsSubmitted => 2,
        _ => 3,
    };

    public static string Tag(DnssecKeyRecord key) => Protocol.Dnssec.DnsKey.KeyTag(key.DnsKey).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Name(DnssecKeyRecord key) => key.Role.ToUpperInvariant();

    /// <summary>The keys as a plan leaves them, and the writes (one per key, checked against the state it was read in).</summary>
    private sealed class Working(IReadOnlyList<DnssecKeyRecord> original)
    {
        private readonly List<DnssecKeyRecord> _keys = [.. original];
        private readonly List<DnssecKeyRecord> _added = [];
        private readonly List<string> _steps = [];

        public IReadOnlyList<DnssecKeyRecord> Keys => _keys;

        public void Set(DnssecKeyRecord key, string step)
        {
            int i = _keys.FindIndex(k => k.Id == key.Id);
            _keys[i] = key;
            int a = _added.FindIndex(k => k.Id == key.Id);
            if (a >= 0)
                _added[a] = key;
            _steps.Add(step);
        }

        public void Add(DnssecKeyRecord key, string step)
        {
            _keys.Add(key);
            _added.Add(key);
            _steps.Add(step);
        }

        public void Remove(DnssecKeyRecord key, string step)
        {
            _keys.RemoveAll(k => k.Id == key.Id);
            _added.RemoveAll(k => k.Id == key.Id);
            _steps.Add(step);
        }

        public KeyChange? Result()
        {
            if (_steps.Count == 0)
                return null;
            var writes = new List<DnssecWrite>();
            foreach (var before in original)
            {
                var after = _keys.Find(k => k.Id == before.Id);
                if (after is null)
                    writes.Add(new DeleteDnssecKey(before.Zone, before.Id));
                else if (after != before)
                    writes.Add(new UpdateDnssecKey(before.Zone, before.Id, before.State, before.DsState, after.State, after.StateSince, after.DsState, after.DsSince));
            }
            foreach (var added in _added)
                writes.Add(new PutDnssecKey(added));
            return new KeyChange(_keys, writes, _steps);
        }
    }
}
