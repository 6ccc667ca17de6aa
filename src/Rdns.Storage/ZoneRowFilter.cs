namespace Rdns.Storage;

/// <summary>
/// The zones whose rows a start-up read wants; <see cref="ByIndex"/> when they hold few of the rows,
/// so reading each zone's range of the index beats scanning the table.
/// </summary>
internal sealed record ZoneRowFilter(HashSet<long> Zones, bool ByIndex);
