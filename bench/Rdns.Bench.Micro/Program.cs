using BenchmarkDotNet.Running;

// Rdns.Bench.Micro — BenchmarkDotNet micro-benchmarks of the query hot path.
//   dotnet run -c Release --project bench/Rdns.Bench.Micro -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Rdns.Bench.Micro.QueryPathBenchmarks).Assembly).Run(args);
