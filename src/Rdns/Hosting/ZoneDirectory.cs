using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Zones;

namespace Rdns.Hosting;

/// <summary>
/// Reads every <c>*.zone</c> file of a directory: the file name without <c>.zone</c> (trailing dot
/// optional) is the zone's name and its origin.
/// </summary>
public static class ZoneDirectory
{
    /// <param name="maxRecords">Most records one file may make (<c>$GENERATE</c> included); null for no limit.</param>
    public static IReadOnlyList<(DnsName Name, List<ResourceRecord> Records)> Read(string directory, long? maxRecords = null)
    {
        if (!Directory.Exists(directory))
            throw new ZoneFileException(directory, 0, "no such directory");
        var zones = new List<(DnsName, List<ResourceRecord>)>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.zone").Order(StringComparer.Ordinal))
        {
            var stem = Path.GetFileNameWithoutExtension(path);
            if (!DnsName.TryParse(stem.EndsWith('.') ? stem : stem + ".", null, out var origin, out var error))
                throw new ZoneFileException(path, 0, $"the file name is not a zone name: {error}");
            var records = ZoneFileReader.ReadFile(path, new ZoneFileOptions { Origin = origin, CheckZone = true, MaxRecords = maxRecords });
            zones.Add((origin, records));
        }
        return zones;
    }

    /// <summary>Reads and builds every zone, naming the file in any error.</summary>
    public static IReadOnlyList<ZoneSnapshot> Load(string directory)
    {
        var snapshots = new List<ZoneSnapshot>();
        foreach (var (name, records) in Read(directory))
        {
            try
            {
                snapshots.Add(ZoneSnapshot.Build(name, records));
            }
            catch (ZoneDataException e)
            {
                throw new ZoneFileException(Path.Combine(directory, name.ToString().TrimEnd('.') + ".zone"), 0, e.Message);
            }
        }
        return snapshots;
    }
}
