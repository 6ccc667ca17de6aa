namespace Rdns.Zones.Images;

/// <summary>A zone to write into an image: its row id and revision in the store, and the snapshot built at that revision.</summary>
public readonly record struct ZoneImageSource(long Id, long Revision, ZoneSnapshot Zone);
