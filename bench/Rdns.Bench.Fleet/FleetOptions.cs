using System.Globalization;

namespace Rdns.Bench.Fleet;

/// <summary>What the fleet simulation runs: the shape by default, every figure adjustable.</summary>
internal sealed record FleetOptions
{
    public string Rdns { get; init; } = Path.GetFullPath(".build/rdns/rdns");
    public string Knotd { get; init; } = "knotd";
    public int Edges { get; init; } = 20;

    /// <summary>How many of the edges are knotd; the others are Rdns secondaries. Default: a quarter.</summary>
    public int KnotEdges { get; init; } = -1;

    public int Zones { get; init; } = 4000;

    /// <summary>PTRs written into each zone before the edges start, so a transfer of a zone is not empty.</summary>
    public int SeedPtrs { get; init; } = 10;

    public int Rate { get; init; } = 1000;
    public int Seconds { get; init; } = 60;

    /// <summary>
    /// Changes in flight at most (PUTs awaiting their acknowledgement): 512. The rate acknowledged
    /// is at most this over the acknowledgement time, so with 128 a primary answering in 1.2 s
    /// was held to about 100 changes/s whatever was asked; the primary's group commit takes up to
    /// 256 writes per transaction, and more waiting writes make fuller commits.
    /// </summary>
    public int InFlight { get; init; } = 512;

    /// <summary>One change in this many milliseconds is followed to every edge (its propagation measured).</summary>
    public int ProbeEveryMs { get; init; } = 250;

    /// <summary>A probed change not answered by an edge within this many seconds counts as missed.</summary>
    public int ProbeLimitSeconds { get; init; } = 30;

    /// <summary>An edge is killed (SIGKILL) this often during the change phase, in turn; 0: never.</summary>
    public int KillEverySeconds { get; init; } = 10;

    /// <summary>How long a killed edge stays down before it is started again.</summary>
    public int DownSeconds { get; init; } = 3;

    /// <summary>Bound of each wait for the edges to agree with the primary (initial sync, end of run).</summary>
    public int SettleSeconds { get; init; } = 180;

    /// <summary>Zones compared by AXFR digest at the end (all by default).</summary>
    public int VerifyZones { get; init; } = int.MaxValue;

    public int Seed { get; init; } = 1;
    public string Work { get; init; } = Path.Combine(Path.GetTempPath(), "rdns-bench-fleet");
    public bool Keep { get; init; }

    /// <summary>The primary writes /tmp/perf-PID.map, so <c>perf record -p PID</c> names its JIT-compiled methods.</summary>
    public bool PerfMap { get; init; }

    public int KnotCount => KnotEdges >= 0 ? Math.Min(KnotEdges, Edges) : Edges / 4;

    public static FleetOptions? Parse(string[] args)
    {
        var o = new FleetOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--rdns" => o with { Rdns = Path.GetFullPath(Next()) },
                "--knotd" => o with { Knotd = Next() },
                "--edges" => o with { Edges = Int() },
                "--knot-edges" => o with { KnotEdges = Int() },
                "--zones" => o with { Zones = Int() },
                "--seed-ptrs" => o with { SeedPtrs = Int() },
                "--rate" => o with { Rate = Int() },
                "--seconds" => o with { Seconds = Int() },
                "--in-flight" => o with { InFlight = Int() },
                "--probe-every-ms" => o with { ProbeEveryMs = Int() },
                "--probe-limit" => o with { ProbeLimitSeconds = Int() },
                "--kill-every" => o with { KillEverySeconds = Int() },
                "--down" => o with { DownSeconds = Int() },
                "--settle" => o with { SettleSeconds = Int() },
                "--verify-zones" => o with { VerifyZones = Int() },
                "--seed" => o with { Seed = Int() },
                "--work" => o with { Work = Path.GetFullPath(Next()) },
                "--keep" => o with { Keep = true },
                "--perf-map" => o with { PerfMap = true },
                _ => null,
            };
            if (o is null)
                return null;
        }
        if (o.Zones is < 1 or > 65536 || o.Edges < 1 || o.Rate < 1 || o.Seconds < 1 || o.SeedPtrs is < 0 or > 249)
            return null;
        return o;
    }

    public const string Usage = """
        rdns fleet simulation: one Rdns primary, N edges (Rdns secondaries and knotd), Z zones, C changes/s.
          --edges N (20)  --knot-edges N (a quarter)  --zones Z (4000)  --seed-ptrs N (10 per zone)
          --rate C (1000 changes/s)  --seconds S (60)  --in-flight N (512)
          --probe-every-ms MS (250: one change in that time is followed to every edge)  --probe-limit S (30)
          --kill-every S (10; 0: no kills)  --down S (3)  --settle S (180)  --verify-zones N (all)
          --rdns PATH (.build/rdns/rdns)  --knotd PATH  --work DIR  --keep  --seed N  --perf-map (the primary writes /tmp/perf-PID.map for perf)
        """;
}
