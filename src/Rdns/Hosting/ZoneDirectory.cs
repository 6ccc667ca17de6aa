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
    public static IReadOnlyList<(DnsName Name, List<ResourceRecord> Records)> Read(string directory, long? maxRecords = null) =>
        Files(directory).Select(f => (f.Origin, ReadFile(f.Path, f.Origin, maxRecords))).ToList();

    /// <summary>The zone files of a directory in name order, each with the zone its name says; nothing is read yet.</summary>
    public static IReadOnlyList<(DnsName Origin, string Path)> Files(string directory)
    {
        if (!Directory.Exists(directory))
            throw new ZoneFileException(directory, 0, "no such directory");
        var files = new List<(DnsName, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.zone").Order(StringComparer.Ordinal))
        {
            var stem = Path.GetFileNameWithoutExtension(path);
            if (!DnsName.TryParse(stem.EndsWith('.') ? stem : stem + ".", null, out var origin, out var error))
                throw new ZoneFileException(path, 0, $"the file name is not a zone name: {error}");
            files.Add((origin, path));
        }
        return files;
    }

    public static List<ResourceRecord> ReadFile(string path, DnsName origin, long? maxRecords) =>
        ZoneFileReader.ReadFile(path, Options(origin, maxRecords));

    /// <summary>
    /// Reads a zone file into rows as it is parsed: each record is copied into the rows' octets and
    /// dropped, so nothing per record survives the parse (see <see cref="ZoneRows"/>). A large file
    /// is parsed in pieces on every core (<see cref="ZoneFileSplitter"/>).
    /// </summary>
    public static ZoneRows ReadRows(string path, DnsName origin, long? maxRecords) =>
        ZoneFileSplitter.ReadRows(path, Options(origin, maxRecords), Environment.ProcessorCount);

    private static ZoneFileOptions Options(DnsName origin, long? maxRecords) =>
        new() { Origin = origin, CheckZone = true, MaxRecords = maxRecords };

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
