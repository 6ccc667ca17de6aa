using System.Globalization;
using Rdns.Bench.Flood;

// Response rate limiting under a spoofed-style flood, side by side with Knot DNS (mod-rrl, same
// rate and slip), then CPU per query with rate limiting on and off (docs/BENCHMARKS.md).
// Usage: dotnet run -c Release --project bench/Rdns.Bench.Flood -- [--seconds 20] [--qps 25000] [--rdns ./rdns] [--rate 200] [--slip 2] [--work DIR]
//        ... -- --tcp [--seconds 20]   (TCP held by idle and keep-alive connections; a client elsewhere timed)
int seconds = 20, rate = 200, slip = 2, qps = 25_000;
bool tcpOnly = false;
string rdns = Path.GetFullPath("rdns");
string work = Path.Combine(Path.GetTempPath(), "rdns-bench-flood");
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rate": rate = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--slip": slip = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--qps": qps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--tcp": tcpOnly = true; break;
        case "--rdns": rdns = Path.GetFullPath(args[++i]); break;
        case "--work": work = Path.GetFullPath(args[++i]); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
if (Directory.Exists(work))
    Directory.Delete(work, recursive: true);
Directory.CreateDirectory(work);
var zones = FloodZones.Write(Path.Combine(work, "zones"));
if (tcpOnly)
{
    await TcpAbuse.RunAsync(rdns, work, zones, seconds);
    return 0;
}
await using (var knot = await FloodServer.StartKnotAsync(work, zones, rate, slip))
{
    var result = await Flood.RunAsync(knot, seconds, qps);
    result.Print("Knot (mod-rrl)");
}
await using (var ours = await FloodServer.StartRdnsAsync(rdns, work, zones, rate, slip, "flood"))
{
    var result = await Flood.RunAsync(ours, seconds, qps);
    result.Print("Rdns");
}
await CpuPerQuery.CompareAsync(rdns, work, rate, slip);
return 0;
