using BenchmarkDotNet.Running;

// Rdns.Bench.Micro — BenchmarkDotNet micro-benchmarks of the query hot path.
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- --filter '*'
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- observability   (the cost of metrics and dnstap)
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- views           (the cost of 100 views x 50 zones)
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- replay DATA_DIR (a generated dataset's queries through the pipeline)
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- rows-pass       (one pass making new small zones rows, over 1M zones)
if (args.Length > 0 && args[0] == "observability")
    return Rdns.Bench.Micro.ObservabilityCost.Run(args[1..]);
if (args.Length > 0 && args[0] == "replay")
    return Rdns.Bench.Micro.ShapeReplay.Run(args[1..]);
if (args.Length > 0 && args[0] == "rows-pass")
    return Rdns.Bench.Micro.RowsPass.Run(args[1..]);
if (args.Length > 0 && args[0] == "views")
    return Rdns.Bench.Micro.ViewCost.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Rdns.Bench.Micro.QueryPathBenchmarks).Assembly).Run(args);
return 0;
