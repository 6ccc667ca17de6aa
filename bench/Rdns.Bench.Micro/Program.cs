using BenchmarkDotNet.Running;

// Rdns.Bench.Micro — BenchmarkDotNet micro-benchmarks of the query hot path.
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- --filter '*'
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- observability   (the cost of metrics and dnstap)
if (args.Length > 0 && args[0] == "observability")
    return Rdns.Bench.Micro.ObservabilityCost.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Rdns.Bench.Micro.QueryPathBenchmarks).Assembly).Run(args);
return 0;
