namespace Rdns.Api.Zones;

/// <summary>Limits of zone-file imports through the API (<c>POST /v1/zones/{name}/import</c>).</summary>
public sealed class ZoneImportOptions
{
    /// <summary>
    /// 1,000,000 records per import, counting what <c>$GENERATE</c> makes: as many as the largest
    /// zone the store is measured with (docs/STORAGE.md) and about what 32 MiB of plain zone-file
    /// text can hold, so no real import is refused; while it stops a few kilobytes of
    /// <c>$GENERATE</c> lines from asking for tens of millions of records. An import holds its
    /// records several times over while it is diffed and journaled (about 2 KB each), so this also
    /// bounds one import's memory to about 2 GB; lower it on small machines.
    /// </summary>
    public long MaxRecords { get; set; } = 1_000_000;
}
