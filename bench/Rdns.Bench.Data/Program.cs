using System.Diagnostics;
using System.Globalization;
using Rdns.Bench.Data;

// Rdns.Bench.Data — writes the side-by-side benchmark's dataset into one folder:
//   zones/<zone>.zone   RFC 1035 zone files, file name = zone name
//   queries.txt         the dnsperf query file
//   dataset.json        counts, zone names and probe queries (see DatasetManifest)
long records = DatasetShape.ReferenceRecords;
var kind = ShapeKind.Operator;
ulong seed = 1;
int queries = 1_000_000;
double nxShare = 0.005;
string? output = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--shape": kind = Enum.Parse<ShapeKind>(Value(), ignoreCase: true); break;
        case "--records": records = long.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = ulong.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--queries": queries = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--nxdomain": nxShare = double.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--out": output = Value(); break;
        case "-h" or "--help":
            Console.WriteLine("usage: Rdns.Bench.Data --out DIR [--shape operator|tenant|sparse6|huge|tiny (operator)] [--records N (1048832)] [--seed S (1)] [--queries N (1000000)] [--nxdomain SHARE (0.005)]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; see --help");
            return 2;
    }
}
if (output is null)
{
    Console.Error.WriteLine("--out DIR is required");
    return 2;
}

var clock = Stopwatch.StartNew();
var shape = DatasetShape.For(kind, records);
string zones = Path.Combine(output, DatasetManifest.ZonesFolder);
if (Directory.Exists(zones))
    Directory.Delete(zones, recursive: true);
Directory.CreateDirectory(zones);

var builder = new DatasetBuilder(shape, seed, zones);
builder.Build();
var counts = QueryFile.Write(Path.Combine(output, DatasetManifest.QueryFile), builder, queries, nxShare, seed);

// Probes: one PTR in each of 16 zones spread over the list, so "serving" means more than one zone loaded.
var probes = new List<Probe>();
int step = Math.Max(1, builder.ZoneNames.Count / 16);
for (int z = 0; z < builder.ZoneNames.Count && probes.Count < 16; z += step)
    probes.Add(builder.FirstPtrs[z]);
if (!probes.Contains(builder.FirstPtrs[^1]))
    probes.Add(builder.FirstPtrs[^1]);

var manifest = new DatasetManifest
{
    Shape = kind.ToString().ToLowerInvariant(),
    RequestedRecords = records,
    Seed = seed,
    PtrRecords = builder.Ipv4Ptrs.Count + builder.Ipv6Ptrs.Count,
    Ipv4PtrRecords = builder.Ipv4Ptrs.Count,
    Ipv6PtrRecords = builder.Ipv6Ptrs.Count,
    CnameRecords = builder.CnameRecords,
    Ipv4Zones = shape.Ipv4Zones,
    ClasslessChildZones = shape.ChildZones,
    Ipv6Zones = shape.Ipv6Zones,
    Queries = counts.Queries,
    NxdomainQueries = counts.Nxdomain,
    CnameQueries = counts.Cname,
    ChildQueries = counts.Child,
    Ipv6Queries = counts.Ipv6,
    ZoneNames = builder.ZoneNames,
    Probes = probes,
};
manifest.Save(output);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{manifest.Shape}: {manifest.PtrRecords:N0} PTR ({manifest.Ipv4PtrRecords:N0} IPv4, {manifest.Ipv6PtrRecords:N0} IPv6) and {manifest.CnameRecords:N0} CNAME in {manifest.Zones:N0} zones " +
    $"({manifest.Ipv4Zones:N0} IPv4, {manifest.ClasslessChildZones:N0} RFC 2317 children, {manifest.Ipv6Zones:N0} IPv6 /48); " +
    $"{manifest.Queries:N0} queries ({manifest.NxdomainQueries:N0} NXDOMAIN, {manifest.CnameQueries:N0} via CNAME, {manifest.ChildQueries:N0} in children, {manifest.Ipv6Queries:N0} IPv6) " +
    $"in {output} ({clock.Elapsed.TotalSeconds:F1} s)"));
return 0;
