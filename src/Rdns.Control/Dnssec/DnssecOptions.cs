using Rdns.Zones.Dnssec;

namespace Rdns.Control.Dnssec;

/// <summary>DNSSEC defaults for zones enabled without saying otherwise, and the timing of key rollovers (section <c>Dnssec</c>).</summary>
public sealed class DnssecOptions
{
    /// <summary>13 (ECDSA P-256/SHA-256): what every validating resolver supports (RFC 8624 §3.1 MUST); 15 (Ed25519) is the option.</summary>
    public int Algorithm { get; set; } = 13;

    /// <summary>
    /// "csk": one combined signing key per zone, so a rollover always involves the parent; "ksk-zsk":
    /// a KSK the parent's DS points at and a ZSK that rolls by itself. CSK by default: one DS to
    /// hand to the RIR and nothing else to understand.
    /// </summary>
    public string Keys { get; set; } = "csk";

    /// <summary>"compact" (RFC 9824, one NSEC per negative answer) or "nsec" (minimally covering NSEC, RFC 4470).</summary>
    public string Denial { get; set; } = "compact";

    /// <summary>14 days (Knot's default): signatures outlive a fortnight without the signer.</summary>
    public TimeSpan SignatureValidity { get; set; } = TimeSpan.FromDays(14);

    /// <summary>7 days: a signature is made again once less than this is left, and a signed zone's serial moves at least this often so secondaries fetch fresh signatures.</summary>
    public TimeSpan SignatureRefresh { get; set; } = TimeSpan.FromDays(7);

    /// <summary>30 days (Knot's default): how long a ZSK signs before a successor is published. 0 = never by itself.</summary>
    public TimeSpan ZskLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a KSK or CSK signs before a successor is introduced; 0 (the default, as Knot's) =
    /// only when asked, since the parent must take the new DS.
    /// </summary>
    public TimeSpan KskLifetime { get; set; } = TimeSpan.Zero;

    /// <summary>1 hour (Knot's default): time for a change to reach every node and secondary, added to each TTL a rollover waits for.</summary>
    public TimeSpan PropagationDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>1 day: the parent's DS TTL assumed when the parent is not hosted here (RIRs publish DS for a day).</summary>
    public TimeSpan ParentDsTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>1 minute: how often each signed zone's keys are looked at for a due rollover step.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>64 MiB: the most memory cached signatures take (about 250 octets each, so about 250,000 RRsets).</summary>
    public int SignatureCacheMegabytes { get; set; } = 64;

    public SignaturePolicy Signatures => new(SignatureValidity, SignatureRefresh, TimeSpan.FromHours(1));

    public void Validate()
    {
        if (!Protocol.Dnssec.DnssecAlgorithms.IsSupported(Algorithm))
            throw new ArgumentException($"Dnssec:Algorithm {Algorithm} is not supported; use 13 (ECDSA P-256) or 15 (Ed25519)");
        if (Keys is not ("csk" or "ksk-zsk"))
            throw new ArgumentException($"Dnssec:Keys '{Keys}' is neither 'csk' nor 'ksk-zsk'");
        if (Denial is not ("compact" or "nsec"))
            throw new ArgumentException($"Dnssec:Denial '{Denial}' is neither 'compact' nor 'nsec'");
        if (SignatureRefresh <= TimeSpan.Zero || SignatureRefresh >= SignatureValidity)
            throw new ArgumentException("Dnssec:SignatureRefresh must be above zero and below Dnssec:SignatureValidity");
        if (CheckInterval <= TimeSpan.Zero)
            throw new ArgumentException("Dnssec:CheckInterval must be above zero");
        if (SignatureCacheMegabytes < 1)
            throw new ArgumentException("Dnssec:SignatureCacheMegabytes must be at least 1");
        if (ZskLifetime < TimeSpan.Zero || KskLifetime < TimeSpan.Zero || PropagationDelay < TimeSpan.Zero || ParentDsTtl < TimeSpan.Zero)
            throw new ArgumentException("Dnssec lifetimes and delays cannot be negative");
    }
}
