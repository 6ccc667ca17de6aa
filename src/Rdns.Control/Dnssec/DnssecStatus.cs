namespace Rdns.Control.Dnssec;

/// <summary>A signed zone as the API shows it: its policy, its keys, and the DS records to give the parent.</summary>
/// <param name="Ds">The DS records the parent should publish (presentation form), one per key the DS points at.</param>
/// <param name="Rollover">What is under way: "none", "zsk", "ksk" or "csk".</param>
public sealed record DnssecStatus(string Zone, bool Enabled, int Algorithm, string Keys, string Denial, IReadOnlyList<DnssecKeyStatus> KeyList,
    IReadOnlyList<string> Ds, string Rollover);

/// <summary>One key: tag, role, algorithm, where it is in its life and since when, and its DNSKEY and DS (presentation form).</summary>
public sealed record DnssecKeyStatus(int KeyTag, string Role, int Algorithm, int Flags, string State, DateTimeOffset Since, string DsState,
    DateTimeOffset? DsSince, string Dnskey, string? DsRecord);
