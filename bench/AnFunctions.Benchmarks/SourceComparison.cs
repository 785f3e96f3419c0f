using System.Diagnostics;
using System.Globalization;
using AnFunctions.Core.Audit;
using AnFunctions.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Benchmarks;

/// <summary>
/// <c>audit --source resource-graph</c>: the same fleet (default 10,000 pools in 200 subscriptions, 50 ms per ARM call)
/// audited with <c>Audit:Source=Arm</c> and <c>Audit:Source=ResourceGraph</c>, each in an app of its own, first run
/// and steady state, in one process. Prints the listing calls, all ARM calls by kind and wall time side by side.
/// Goals (the exit code): the Resource Graph listing takes at most 12 calls, at least 15 times fewer than ARM's
/// per-subscription listing, and both sources open the same number of findings.
/// </summary>
internal static class SourceComparison
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var source = args.SkipWhile(a => a != "--source").Skip(1).FirstOrDefault();
        if (source is not ("resource-graph" or "ResourceGraph"))
        {
            await output.WriteLineAsync($"--source must be resource-graph (it is compared with ARM's listing), not '{source}'").ConfigureAwait(false);
            return 2;
        }

        var pools = Option(args, "--pools", 10_000);
        var subscriptions = Option(args, "--subscriptions", 200);
        var latency = TimeSpan.FromMilliseconds(Option(args, "--latency-ms", 50));
        var concurrency = Option(args, "--concurrency", 8);
        var subscriptionIds = Enumerable.Range(0, subscriptions)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"7d2e9f30-4b5c-4d6e-8f90-{i:D12}"))
            .ToList();

        var arm = await MeasureAsync(AuditSource.Arm, pools, subscriptionIds, latency, concurrency).ConfigureAwait(false);
        var graph = await MeasureAsync(AuditSource.ResourceGraph, pools, subscriptionIds, latency, concurrency).ConfigureAwait(false);

        var inv = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(string.Create(inv, $"## Audit source: {pools:N0} pools, {subscriptions} subscriptions, {AuditMode.Regions.Length} regions, {latency.TotalMilliseconds:F0} ms per ARM call")).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("| Source | Run | listing calls | ARM calls | by kind | findings opened | wall time |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | --- | ---: | ---: | --- | ---: | ---: |").ConfigureAwait(false);
        foreach (var (name, m) in new[] { ("ARM listing", arm), ("Resource Graph", graph) })
        {
            foreach (var (run, r) in new[] { ("first", m.First), ("steady", m.Steady) })
            {
                await output.WriteLineAsync(string.Create(inv, $"| {name} | {run} | {r.Listing:N0} | {r.Calls:N0} | {AuditMode.Kinds(r.Counts)} | {r.Opened:N0} | {r.Elapsed.TotalSeconds:F1} s |")).ConfigureAwait(false);
            }
        }

        var ratio = (double)arm.Steady.Listing / Math.Max(1, graph.Steady.Listing);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(inv, $"- Listing calls, steady state: ARM {arm.Steady.Listing:N0}, Resource Graph {graph.Steady.Listing:N0}: {ratio:F1}× fewer")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(inv, $"- Errors: ARM {arm.Errors}, Resource Graph {graph.Errors}")).ConfigureAwait(false);
        var ok = graph.First.Listing <= 12 && graph.Steady.Listing <= 12 && ratio >= 15
            && graph.First.Opened == arm.First.Opened && arm.Errors == 0 && graph.Errors == 0;
        await output.WriteLineAsync(ok ? "- Goals met." : "- GOALS NOT MET.").ConfigureAwait(false);
        return ok ? 0 : 1;
    }

    private static async Task<Source> MeasureAsync(AuditSource source, int pools, List<string> subscriptionIds, TimeSpan latency, int concurrency)
    {
        await using var app = BenchApp.Create(new Dictionary<string, string?>
        {
            ["AcceleratedNetworking:Subscriptions"] = string.Join(",", subscriptionIds),
            ["Audit:SubscriptionConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
            ["Audit:Source"] = source.ToString(),
        });
        var emulator = app.Emulator;
        emulator.SetSkus(AuditMode.Regions.SelectMany(region => AuditMode.Sizes.Select(size => AuditMode.Sku(size, region))));
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < pools; i++)
        {
            emulator.PutScaleSet(AuditMode.ScaleSet(i, subscriptionIds[i % subscriptionIds.Count], AuditMode.Regions[i / subscriptionIds.Count % AuditMode.Regions.Length], now));
        }

        emulator.Latency = latency;
        var audit = app.Services.GetRequiredService<FleetAudit>();
        var first = await RunAsync(emulator, audit).ConfigureAwait(false);
        var steady = await RunAsync(emulator, audit).ConfigureAwait(false);
        return new Source(first, steady, first.Errors + steady.Errors);
    }

    private static async Task<Run> RunAsync(ArmEmulator emulator, FleetAudit audit)
    {
        emulator.ResetCounts();
        var clock = Stopwatch.StartNew();
        var run = await audit.RunAsync(new AuditRequest("bench"), CancellationToken.None).ConfigureAwait(false);
        clock.Stop();
        var counts = emulator.Counts.Where(c => c.Value > 0).ToDictionary(c => c.Key.ToString(), c => c.Value);
        var listing = emulator.Count(ArmCallKind.ListScaleSets) + emulator.Count(ArmCallKind.ResourceGraphQuery);
        return new Run(listing, emulator.TotalCalls, counts, run.FindingsOpenedCount, run.Errors.Count, clock.Elapsed);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    private sealed record Run(int Listing, int Calls, IReadOnlyDictionary<string, int> Counts, int Opened, int Errors, TimeSpan Elapsed);

    private sealed record Source(Run First, Run Steady, int Errors);
}
