namespace Rdns.Hosting;

/// <summary>How many records one zone-file read may make, <c>$GENERATE</c> included; each default with its reason.</summary>
public sealed class ImportLimits
{
    /// <summary>Per <c>POST /v1/zones/{name}/import</c>; see <see cref="Api.Zones.ZoneImportOptions.MaxRecords"/> for the 1,000,000.</summary>
    public long ApiRecords { get; set; } = new Api.Zones.ZoneImportOptions().MaxRecords;

    /// <summary>
    /// Per <c>--zones</c> file: 20,000,000, so that a whole IPv4 /8 (16,777,216 addresses) with its
    /// apex fits. The files are the operator's own, read once at start, so the limit only stops a
    /// runaway <c>$GENERATE</c> from exhausting memory; raise it for larger zones.
    /// </summary>
    public long ZoneFileRecords { get; set; } = 20_000_000;
}
