namespace Rdns.Control.Dnssec;

/// <summary>The words the store and the API use for a key's role and life (docs/DNSSEC.md).</summary>
public static class KeyStates
{
    /// <summary>A combined signing key: signs everything, a DS points at it.</summary>
    public const string Csk = "csk";

    /// <summary>A key-signing key: signs the apex's DNSKEY, CDS and CDNSKEY; a DS points at it.</summary>
    public const string Ksk = "ksk";

    /// <summary>A zone-signing key: signs everything else.</summary>
    public const string Zsk = "zsk";

    /// <summary>In the DNSKEY RRset, not signing yet (a ZSK pre-published for caches to learn).</summary>
    public const string Published = "published";

    /// <summary>In the DNSKEY RRset and signing.</summary>
    public const string Active = "active";

    /// <summary>In the DNSKEY RRset, no longer signing (kept while caches may hold its signatures).</summary>
    public const string Retired = "retired";

    /// <summary>No DS is wanted for this key (yet).</summary>
    public const string DsNone = "none";

    /// <summary>The key is in CDS/CDNSKEY; the parent is to publish its DS.</summary>
    public const string DsSubmitted = "submitted";

    /// <summary>The parent publishes the key's DS.</summary>
    public const string DsSeen = "seen";

    /// <summary>A successor's DS replaces this key's at the parent; the key goes once that DS has spread.</summary>
    public const string DsRetiring = "retiring";

    /// <summary>True when the key's DS is what the child asks the parent for (CDS and CDNSKEY list it).</summary>
    public static bool WantsDs(string dsState) => dsState is DsSubmitted or DsSeen;
}
