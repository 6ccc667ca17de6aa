using System.Security.Cryptography;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Synthesis;

namespace Rdns.Control.Zones;

/// <summary>
/// An address pool published in the catalog zone, so Rdns secondaries synthesize the same default
/// names as the primary. A custom property (RFC 9432 §4.4: below the label <c>ext</c>, named by the
/// implementation) of the whole catalog, one TXT record per pool:
/// <code>
/// 5f1c0b1e9a3d2c47.pools.rdns.ext.catalog.invalid. 0 IN TXT "prefix=203.0.113.0/24" "template=ip-{ip}.pool.example.net." "ttl=3600" "zone=pool.example.net."
/// </code>
/// The label is a hash of the prefix (stable, unique: pools do not overlap). Other consumers
/// (Knot, BIND) ignore properties they do not know (§4.4). Unknown keys are ignored here too, so
/// later versions may add some.
/// </summary>
public static class CatalogPoolProperty
{
    /// <summary>The owner of pool properties below the catalog's apex: <c>pools.rdns.ext</c>.</summary>
    public static DnsName Parent(DnsName catalog) => catalog.Prepend("ext").Prepend("rdns").Prepend("pools");

    public static DnsName Owner(DnsName catalog, IpPrefix prefix)
    {
        var hash = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(prefix.ToString()));
        return Parent(catalog).Prepend(Convert.ToHexStringLower(hash.AsSpan(0, 8)));
    }

    public static byte[] Data(DefaultNamePool pool) => Rdata.Txt(
        $"prefix={pool.Prefix}", $"template={pool.Template}", $"ttl={pool.Ttl.ToString(System.Globalization.CultureInfo.InvariantCulture)}", $"zone={pool.ForwardZone}");

    /// <summary>Every pool the catalog publishes; a malformed property is reported through <paramref name="invalid"/> and skipped.</summary>
    public static List<DefaultNamePool> Read(Rdns.Zones.ZoneSnapshot catalog, Action<string>? invalid = null)
    {
        var pools = new List<DefaultNamePool>();
        var parent = Parent(catalog.Origin);
        foreach (var node in catalog.Nodes)
        {
            var owner = DnsName.FromWire(node.Name);
            if (owner.LabelCount != parent.LabelCount + 1 || !owner.IsSubdomainOf(parent))
                continue;
            var txt = node.Find(RecordType.TXT);
            if (txt is null)
                continue;
            foreach (var data in txt.Data)
            {
                if (TryRead(data, out var pool, out var error))
                    pools.Add(pool);
                else
                    invalid?.Invoke($"{owner}: {error}");
            }
        }
        return pools;
    }

    public static bool TryRead(ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DefaultNamePool? pool,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        pool = null;
        var strings = Rdata.TxtStrings(data);
        if (strings is null)
        {
            error = "malformed TXT";
            return false;
        }
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in strings)
        {
            int eq = s.IndexOf('=');
            if (eq > 0)
                values[s[..eq]] = s[(eq + 1)..];
        }
        if (!values.TryGetValue("prefix", out var prefixText))
        {
            error = "no prefix=";
            return false;
        }
        if (!IpPrefix.TryParse(prefixText, out var prefix, out var prefixError))
        {
            error = $"prefix: {prefixError}";
            return false;
        }
        if (!values.TryGetValue("template", out var template))
        {
            error = "no template=";
            return false;
        }
        uint ttl = 3600;
        if (values.TryGetValue("ttl", out var ttlText) && !uint.TryParse(ttlText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ttl))
        {
            error = $"ttl '{ttlText}' is not a number of seconds";
            return false;
        }
        return DefaultNamePool.TryCreate(prefix, template, ttl, out pool, out error);
    }
}
