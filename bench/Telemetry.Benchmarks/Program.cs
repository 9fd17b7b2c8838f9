using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Telemetry.Benchmarks -- --filter '*'   (see bench/RESULTS.md)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
