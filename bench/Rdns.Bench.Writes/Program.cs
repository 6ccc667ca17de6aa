using Rdns.Bench.Writes;

// The write path's figures (docs/BENCHMARKS.md, "Changes in proportion to their size"):
//   apply       the in-memory apply alone, for a 256-record zone, a 1,000,000-record zone and a 40,000-zone store
//   ack         PUT /v1/ptr acknowledged (durable), the same three stores, against a real ./rdns serve
//   load        32 concurrent clients: acknowledged changes per second, and ack -> DNS answer p99
//   two-nodes   two nodes on one PostgreSQL, 1,000 concurrent PUTs alternating between them
// Usage: dotnet run -c Release --project bench/Rdns.Bench.Writes -- MODE [--rdns ./rdns] [--store CONN]
//        [--clients 32] [--seconds 10] [--changes 1000] [--work DIR]
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: MODE (apply|ack|load|two-nodes) [--rdns PATH] [--store CONN] [--clients N] [--seconds N] [--changes N] [--work DIR]");
    return 2;
}
return options.Mode switch
{
    "apply" => ApplyBench.Run(),
    "ack" => await AckBench.RunAsync(options),
    "load" => await LoadBench.RunAsync(options),
    "two-nodes" => await TwoNodeBench.RunAsync(options),
    _ => 2,
};
