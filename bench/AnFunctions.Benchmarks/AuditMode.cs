using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AnFunctions.Core.Audit;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Benchmarks;

/// <summary>
/// <c>audit</c>: the fleet audit over an emulated fleet (default 10,000 pools in 20 subscriptions and 3 regions, 50 ms
/// per ARM call), against a per-pool-GET baseline run in the same process. Prints ARM calls by kind, the ratio, wall
/// time and peak memory as Markdown.
/// </summary>
internal static class AuditMode
{
    internal static readonly string[] Regions = ["westeurope", "eastus", "southeastasia"];
    internal static readonly string[] Sizes = ["Standard_D4s_v5", "Standard_D8s_v5", "Standard_B2s"];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var pools = Option(args, "--pools", 10_000);
        var subscriptions = Option(args, "--subscriptions", 20);
        var latency = TimeSpan.FromMilliseconds(Option(args, "--latency-ms", 50));
        var concurrency = Option(args, "--concurrency", 8);
        var baselineConcurrency = Option(args, "--baseline-concurrency", 64);
        var subscriptionIds = Enumerable.Range(0, subscriptions)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"7d2e9f30-4b5c-4d6e-8f90-{i:D12}"))
            .ToList();

        await using var app = BenchApp.Create(new Dictionary<string, string?>
        {
            ["AcceleratedNetworking:Subscriptions"] = string.Join(",", subscriptionIds),
            ["Audit:SubscriptionConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
        });
        var emulator = app.Emulator;
        emulator.SetSkus(Regions.SelectMany(region => Sizes.Select(size => Sku(size, region))));
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < pools; i++)
        {
            emulator.PutScaleSet(ScaleSet(i, subscriptionIds[i % subscriptions], Regions[i / subscriptions % Regions.Length], now));
        }

        emulator.Latency = latency;
        var audit = app.Services.GetRequiredService<FleetAudit>();

        // Run 1 records the fleet; run 2 is the steady state every 30 minutes.
        var first = await MeasureAsync(emulator, async () => (AuditRun?)await audit.RunAsync(new AuditRequest("bench"), CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
        var steady = await MeasureAsync(emulator, async () => (AuditRun?)await audit.RunAsync(new AuditRequest("bench"), CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);

        // Baseline: the same information gathered the naive way, one GET per pool (after the same listing).
        var client = app.Services.GetRequiredService<IScaleSetClient>();
        var baseline = await MeasureAsync(emulator, async () =>
        {
            var ids = new List<ScaleSetId>();
            foreach (var subscription in subscriptionIds)
            {
                await foreach (var item in client.ListAsync(subscription, CancellationToken.None).ConfigureAwait(false))
                {
                    ids.Add(ScaleSetId.Parse(item.ResourceId));
                }
            }

            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = baselineConcurrency },
                async (id, ct) => await client.GetAsync(id, ct).ConfigureAwait(false)).ConfigureAwait(false);
            return (AuditRun?)null;
        }).ConfigureAwait(false);

        var pageSize = emulator.PageSize;
        var perSubscription = (pools + subscriptions - 1) / subscriptions;
        var budget = subscriptions * ((perSubscription + pageSize - 1) / pageSize) + (subscriptions * Regions.Length);
        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        var inv = CultureInfo.InvariantCulture;

        await output.WriteLineAsync(string.Create(inv, $"## Fleet audit: {pools:N0} pools, {subscriptions} subscriptions, {Regions.Length} regions, {latency.TotalMilliseconds:F0} ms per ARM call")).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("| Run | ARM calls | by kind | wall time |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | ---: | --- | ---: |").ConfigureAwait(false);
        foreach (var (name, m) in new[] { ("audit, first run (records the fleet)", first), ("audit, steady state", steady), ("baseline: per-pool GET", baseline) })
        {
            await output.WriteLineAsync(string.Create(inv, $"| {name} | {m.Calls:N0} | {Kinds(m.Counts)} | {m.Elapsed.TotalSeconds:F1} s |")).ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(inv, $"- ARM read budget (ceil(pools per subscription / page size {pageSize}) per subscription + subscriptions × regions + instance views): {budget:N0} + {first.Run?.InstanceChecks ?? 0} instance views; audit used {first.Calls:N0} (first), {steady.Calls:N0} (steady)")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(inv, $"- Baseline / audit ARM calls: {(double)baseline.Calls / Math.Max(1, first.Calls):F1}× fewer than the first run (SKU lists included), {(double)baseline.Calls / Math.Max(1, steady.Calls):F1}× fewer than a steady-state run")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(inv, $"- Pools seen {first.Run?.PoolsSeen:N0}, recorded {first.Run?.PoolsRecorded:N0}, findings opened {first.Run?.FindingsOpenedCount:N0}; errors {first.Run?.Errors.Count + steady.Run?.Errors.Count}")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(inv, $"- Peak working set of the whole process (emulator and its {pools:N0} scale sets included): {peakMb:F0} MB")).ConfigureAwait(false);
        var ok = steady.Calls <= budget && first.Calls <= budget + (first.Run?.InstanceChecks ?? 0)
            && baseline.Calls >= 20 * first.Calls && first.Elapsed < TimeSpan.FromSeconds(60) && peakMb < 300;
        await output.WriteLineAsync(ok ? "- Goals met." : "- GOALS NOT MET.").ConfigureAwait(false);
        return ok ? 0 : 1;
    }

    private static async Task<Measurement> MeasureAsync(ArmEmulator emulator, Func<Task<AuditRun?>> run)
    {
        emulator.ResetCounts();
        var clock = Stopwatch.StartNew();
        var result = await run().ConfigureAwait(false);
        clock.Stop();
        return new Measurement(emulator.TotalCalls, emulator.Counts.Where(c => c.Value > 0).ToDictionary(c => c.Key.ToString(), c => c.Value), clock.Elapsed, result);
    }

    private static string Kinds(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:N0}")));

    internal static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    internal static JsonObject Sku(string size, string region) => new()
    {
        ["resourceType"] = "virtualMachines",
        ["name"] = size,
        ["locations"] = new JsonArray(region),
        ["capabilities"] = new JsonArray(new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = size == "Standard_B2s" ? "False" : "True" }),
        ["restrictions"] = new JsonArray(),
    };

    internal static JsonObject ScaleSet(int i, string subscription, string region, DateTimeOffset now)
    {
        var size = Sizes[i % Sizes.Length];
        var an = size != "Standard_B2s" && i % 5 != 0;
        var id = string.Create(CultureInfo.InvariantCulture, $"/subscriptions/{subscription}/resourceGroups/rg-{region}/providers/Microsoft.Compute/virtualMachineScaleSets/pool{i:D6}");
        return new JsonObject
        {
            ["id"] = id,
            ["location"] = region,
            ["tags"] = new JsonObject { ["k8s-cluster"] = string.Create(CultureInfo.InvariantCulture, $"cluster-{i % 50}") },
            ["sku"] = new JsonObject { ["name"] = size, ["capacity"] = 3 },
            ["properties"] = new JsonObject
            {
                ["provisioningState"] = "Succeeded",
                ["timeCreated"] = now.AddDays(-30).UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["virtualMachineProfile"] = new JsonObject
                {
                    ["networkProfile"] = new JsonObject
                    {
                        ["networkInterfaceConfigurations"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "nic0",
                            ["properties"] = new JsonObject
                            {
                                ["primary"] = true,
                                ["enableAcceleratedNetworking"] = an,
                                ["ipConfigurations"] = new JsonArray(new JsonObject { ["name"] = "ip0", ["properties"] = new JsonObject() }),
                            },
                        }),
                    },
                },
            },
        };
    }

    private sealed record Measurement(int Calls, IReadOnlyDictionary<string, int> Counts, TimeSpan Elapsed, AuditRun? Run);
}
