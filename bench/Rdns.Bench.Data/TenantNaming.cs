using System.Globalization;
using System.Text;

namespace Rdns.Bench.Data;

/// <summary>
/// PTR targets as tenants choose them: each address points into a different customer's own
/// domain (<c>smtp5.kerberwood.de.</c>, <c>edge1.eu.nordalin-hosting.co.uk.</c>,
/// <c>mail.xn--mnchen-3ya.de.</c>), so a zone shares no suffix but the top-level domain. Registrable
/// labels are 3–20 characters (about 10 in the middle, as in real registries) of letters, some
/// digits and hyphens; about 3 % are IDN A-labels (<c>xn--</c>, RFC 5891). The same generator
/// state gives the same names.
/// </summary>
public sealed class TenantNaming
{
    private static readonly string[] Syllables =
    [
        "al", "an", "ar", "ber", "bi", "bo", "bru", "ca", "cel", "cor", "da", "den", "dor", "el", "en", "fa", "fer",
        "gal", "gen", "gri", "ha", "hel", "in", "is", "jo", "ka", "ker", "kin", "la", "len", "lu", "ma", "mer",
        "mon", "na", "nor", "o", "ol", "pa", "per", "qui", "ra", "ren", "ro", "sa", "sel", "sto", "ta", "ter",
        "tri", "u", "ul", "va", "ven", "wer", "wood", "xa", "ya", "zen", "zo", "stadt", "berg", "field", "tech",
    ];

    private static readonly string[] Words =
    [
        "acme", "alpine", "atlas", "beacon", "blue", "bright", "cedar", "coast", "delta", "digital", "eagle", "east",
        "fox", "global", "green", "harbor", "iron", "lake", "lime", "metro", "north", "nova", "oak", "orbit",
        "peak", "pixel", "prime", "quick", "river", "rock", "silver", "sky", "smart", "solar", "star", "stone",
        "summit", "sun", "swift", "terra", "urban", "valley", "vector", "west", "wild", "zen",
    ];

    private static readonly string[] Endings = ["", "", "", "", "", "-hosting", "-it", "-net", "-media", "-shop", "-group", "-labs", "-design", "-consulting"];

    // Weighted: .com about a third, then country and generic domains.
    private static readonly string[] Tlds =
    [
        "com", "com", "com", "com", "com", "com", "net", "net", "org", "de", "de", "co.uk", "fr", "nl", "io", "eu",
        "it", "es", "pl", "ch", "at", "se", "com.br", "com.au", "jp", "info", "biz", "cz", "dk", "be", "ru", "ca",
    ];

    private static readonly string[] Hosts =
    [
        "mail", "smtp", "mx", "www", "web", "vpn", "edge", "gw", "ns", "srv", "server", "host", "vps", "node", "db",
        "app", "api", "cloud", "backup", "fw", "router", "office", "git", "ci", "proxy", "relay", "out", "cdn",
    ];

    private static readonly string[] Subzones = ["eu", "us", "int", "prod", "dc1", "fra", "ams", "lon", "nyc", "office", "mail", "srv"];

    // Labels of real IDN domains, as A-labels (punycode).
    private static readonly string[] IdnLabels =
    [
        "xn--mnchen-3ya", "xn--bcher-kva", "xn--caf-dma", "xn--zrich-kva", "xn--gteborg-90a", "xn--sterreich-z7a",
        "xn--mller-kva", "xn--kln-sna", "xn--malm-ura", "xn--dsseldorf-q9a", "xn--espaa-rta", "xn--franais-xxa",
        "xn--hrnsand-3ya", "xn--j1aef", "xn--80ak6aa92e", "xn--fiqs8s", "xn--wgbh1c", "xn--e1afmkfd",
    ];

    private readonly SplitMix64 _rng;
    private readonly HashSet<ulong> _domains = [];

    public TenantNaming(SplitMix64 rng) => _rng = rng;

    /// <summary>A registrable domain no other call of this generator returned, e.g. <c>kerberwood.de</c>.</summary>
    public string Domain()
    {
        while (true)
        {
            string domain = $"{Label()}.{_rng.Pick(Tlds)}";
            if (_domains.Add(Hash(domain)))
                return domain;
        }
    }

    /// <summary>A host name in a new tenant's domain: <c>smtp5.kerberwood.de.</c></summary>
    public string Target() => Host(Domain());

    /// <summary>A host of the tenant owning <paramref name="domain"/>: <c>edge1.domain.</c>, <c>www.domain.</c>, <c>mx2.eu.domain.</c>, or the domain itself.</summary>
    public string Host(string domain)
    {
        int kind = _rng.Below(20);
        string host = _rng.Pick(Hosts);
        return kind switch
        {
            < 7 => $"{host}.{domain}.",
            < 14 => $"{host}{(1 + _rng.Below(30)).ToString(CultureInfo.InvariantCulture)}.{domain}.",
            < 16 => $"{host}-{(1 + _rng.Below(999)).ToString("D2", CultureInfo.InvariantCulture)}.{_rng.Pick(Subzones)}.{domain}.",
            < 18 => $"{host}{(1 + _rng.Below(9)).ToString(CultureInfo.InvariantCulture)}.{_rng.Pick(Subzones)}.{domain}.",
            _ => $"{domain}.",
        };
    }

    private string Label()
    {
        if (_rng.Chance(0.03))
            return _rng.Pick(IdnLabels) + (_rng.Chance(0.5) ? "" : "-" + _rng.Pick(Words));
        var sb = new StringBuilder(24);
        int style = _rng.Below(10);
        if (style < 4)
        {
            // Made-up brand: two to four syllables.
            int n = 2 + _rng.Below(3);
            for (int i = 0; i < n; i++)
                sb.Append(_rng.Pick(Syllables));
        }
        else if (style < 8)
        {
            // Two words, sometimes hyphenated.
            sb.Append(_rng.Pick(Words));
            if (_rng.Chance(0.3))
                sb.Append('-');
            sb.Append(_rng.Chance(0.5) ? _rng.Pick(Words) : _rng.Pick(Syllables) + _rng.Pick(Syllables));
        }
        else
        {
            // A family or place name with a business word.
            sb.Append(_rng.Pick(Syllables)).Append(_rng.Pick(Syllables)).Append(_rng.Pick(Words));
        }
        sb.Append(_rng.Pick(Endings));
        if (_rng.Chance(0.1))
            sb.Append((_rng.Below(99) + 1).ToString(CultureInfo.InvariantCulture));
        if (sb.Length > 20)
            sb.Length = 20;
        if (sb[^1] == '-')
            sb.Length--;
        return sb.ToString();
    }

    private static ulong Hash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s)
            h = (h ^ c) * 1099511628211UL;
        return h;
    }
}
