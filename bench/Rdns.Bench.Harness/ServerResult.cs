namespace Rdns.Bench.Harness;

/// <summary>Every figure measured for one server; null where a phase did not run or failed.</summary>
public sealed class ServerResult(string name)
{
    public string Name { get; } = name;
    public string? Version { get; set; }

    /// <summary>Rdns only: spawn with <c>--zones</c> on an empty store until every probe answers.</summary>
    public double? ImportSeconds { get; set; }
    public long? StoreBytes { get; set; }

    /// <summary>Spawn until the first correct answer to a probe (a known PTR).</summary>
    public double? FirstAnswerSeconds { get; set; }

    /// <summary>Spawn until every probe (16 zones spread over the list, and the last) answers correctly.</summary>
    public double? StartSeconds { get; set; }

    /// <summary>Spawn until every zone answers its SOA.</summary>
    public double? AllZonesSeconds { get; set; }

    public long? PssAfterLoad { get; set; }
    public long? PssAfterTraffic { get; set; }
    public double? PssPerPtr { get; set; }

    /// <summary>After the load, the answer comparison and (Rdns) API requests: a server in use.</summary>
    public long? PssInUse { get; set; }
    public double? PssInUsePerPtr { get; set; }
    public DnsperfResult? Load { get; set; }
    public double? CpuSeconds { get; set; }
    public double? CpuMicrosPerQuery { get; set; }
    public string[]? Answers { get; set; }
    public int? Mismatches { get; set; }
    public string? MismatchReference { get; set; }
    public string? Error { get; set; }
    public string? Log { get; set; }
}
