using AnFunctions.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/AnFunctions.Benchmarks -- counts [--pools N]
// dotnet run -c Release --project bench/AnFunctions.Benchmarks -- audit [--pools 10000] [--subscriptions 20] [--latency-ms 50] [--store memory|table] [--table-latency-ms 10] [--curve]
// dotnet run -c Release --project bench/AnFunctions.Benchmarks -- audit --source resource-graph [--pools 10000] [--subscriptions 200] [--latency-ms 50]
// dotnet run -c Release --project bench/AnFunctions.Benchmarks -- bdn [BenchmarkDotNet arguments, e.g. --filter '*']
switch (args)
{
    case ["counts", .. var rest]:
        return await CountsMode.RunAsync(rest, Console.Out).ConfigureAwait(false);
    case ["audit", .. var rest] when rest.Contains("--source"):
        return await SourceComparison.RunAsync(rest, Console.Out).ConfigureAwait(false);
    case ["audit", .. var rest]:
        return await AuditMode.RunAsync(rest, Console.Out).ConfigureAwait(false);
    case ["bdn", .. var rest]:
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(EventBenchmarks).Assembly).Run(rest);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    default:
        await Console.Error.WriteLineAsync("usage: counts [--pools N] [--store memory|table] | " + AuditSettings.Usage[7..] + " | bdn [--filter '*' ...]").ConfigureAwait(false);
        return 2;
}
