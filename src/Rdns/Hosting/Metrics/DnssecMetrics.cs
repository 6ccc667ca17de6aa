using Prometheus;
using Rdns.Zones;
using Rdns.Zones.Dnssec;

namespace Rdns.Hosting.Metrics;

/// <summary>Online signing on each scrape: zones signed, and the signature cache's size against its bound and how many signatures were made.</summary>
internal sealed class DnssecMetrics
{
    private readonly ServedZones _zones;
    private readonly SignatureCache _cache;
    private readonly Gauge _signedZones;
    private readonly Gauge _bytes;
    private readonly Gauge _limit;
    private readonly Gauge _entries;
    private readonly Counter _signatures;

    public DnssecMetrics(IMetricFactory f, ServedZones zones, SignatureCache cache)
    {
        _zones = zones;
        _cache = cache;
        _signedZones = f.CreateGauge("rdns_dnssec_signed_zones", "Zones signed online");
        _bytes = f.CreateGauge("rdns_dnssec_signature_cache_bytes", "Octets the cached signatures take (entries and their arrays, plus the slot table)");
        _limit = f.CreateGauge("rdns_dnssec_signature_cache_limit_bytes", "The bound of the signature cache (Dnssec:SignatureCacheMegabytes)");
        _entries = f.CreateGauge("rdns_dnssec_signature_cache_entries", "Signatures cached");
        _signatures = f.CreateCounter("rdns_dnssec_signatures_total", "Signatures made (cache misses and refreshes)");
    }

    public void Update()
    {
        _signedZones.Set(_zones.Current.Signers.Count());
        _bytes.Set(_cache.Bytes + _cache.TableBytes);
        _limit.Set(_cache.MaxBytes);
        _entries.Set(_cache.Entries);
        _signatures.IncTo(_cache.Signatures);
    }
}
