using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rdns.Bench.Data;

/// <summary>A PTR name and the target it must answer: how a harness knows a server is serving.</summary>
public sealed record Probe(string Name, string Target);

/// <summary>
/// What the generator wrote (<c>dataset.json</c> beside <c>zones/</c> and <c>queries.txt</c>):
/// the counts the harness divides by, every zone's name, and probe queries with known answers.
/// </summary>
public sealed record DatasetManifest
{
    public const string FileName = "dataset.json";
    public const string ZonesFolder = "zones";
    public const string QueryFile = "queries.txt";

    /// <summary>The <see cref="ShapeKind"/> in lower case.</summary>
    public string Shape { get; init; } = "operator";

    public required long RequestedRecords { get; init; }
    public required ulong Seed { get; init; }

    /// <summary>PTR records in all zones (RFC 2317 children included; the parents' CNAMEs are not PTRs).</summary>
    public required long PtrRecords { get; init; }
    public required long Ipv4PtrRecords { get; init; }
    public required long Ipv6PtrRecords { get; init; }
    public required long CnameRecords { get; init; }
    public required int Ipv4Zones { get; init; }
    public required int ClasslessChildZones { get; init; }
    public required int Ipv6Zones { get; init; }
    public int Zones => Ipv4Zones + ClasslessChildZones + Ipv6Zones;

    public required int Queries { get; init; }
    public required int NxdomainQueries { get; init; }
    /// <summary>Queries for an address name the parent answers with an RFC 2317 CNAME.</summary>
    public required int CnameQueries { get; init; }
    /// <summary>Queries for a name inside an RFC 2317 child (the CNAME's target).</summary>
    public required int ChildQueries { get; init; }
    public required int Ipv6Queries { get; init; }

    /// <summary>Absolute zone names; the file of zone <c>z.</c> is <c>zones/z.zone</c>.</summary>
    public required IReadOnlyList<string> ZoneNames { get; init; }

    public required IReadOnlyList<Probe> Probes { get; init; }

    public static string ZoneFileName(string zone) => zone.TrimEnd('.') + ".zone";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public void Save(string folder) =>
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    public static DatasetManifest Load(string folder) =>
        JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllText(Path.Combine(folder, FileName)), Json)
        ?? throw new InvalidDataException($"{Path.Combine(folder, FileName)} is empty");
}
