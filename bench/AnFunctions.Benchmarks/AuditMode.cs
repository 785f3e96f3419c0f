using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Audit;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Benchmarks;

/// <summary>
/// <c>audit</c>: the fleet audit over an emulated fleet (default 10,000 pools in 20 subscriptions and 3 regions, 50 ms
/// per ARM call), first run and steady state, against a per-pool-GET baseline run in the same process. With
/// <c>--store table</c> the same fleet is audited with the in-memory stores and with the Table stores on Azurite
/// (<c>--table-latency-ms</c> per round trip, default 10) side by side. <c>--curve</c> runs 1,000, 10,000 and 100,000
/// pools, each in a process of its own (peak memory is per process). Prints Markdown; exits 1 when a goal is missed.
/// </summary>
internal static class AuditMode
{
    internal static readonly string[] Regions = ["westeurope", "eastus", "southeastasia"];
    internal static readonly string[] Sizes = ["Standard_D4s_v5", "Standard_D8s_v5", "Standard_B2s"];
    private const string ResultMarker = "BENCH-RESULT ";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var settings = AuditSettings.Parse(args);
        if (settings.Error is { } error)
        {
            await output.WriteLineAsync(error).ConfigureAwait(false);
            return 2;
        }

        if (settings.Curve)
        {
            return await CurveAsync(settings, output).ConfigureAwait(false);
        }

        if (settings.Single)
        {
            // One size in this process (a point of the curve): the parent reads the line.
            var result = await MeasureStoreAsync(settings, settings.Store, baseline: false, output).ConfigureAwait(false);
            await output.WriteLineAsync(ResultMarker + JsonSerializer.Serialize(result)).ConfigureAwait(false);
            return 0;
        }

        return await CompareAsync(settings, output).ConfigureAwait(false);
    }

    /// <summary>In memory and (with <c>--store table</c>) on Table Storage, then the per-pool-GET baseline: one table.</summary>
    private static async Task<int> CompareAsync(AuditSettings settings, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var results = new List<StoreResult> { await MeasureStoreAsync(settings, "memory", baseline: settings.Store != "table", output).ConfigureAwait(false) };
        if (settings.Store == "table")
        {
            results.Add(await MeasureStoreAsync(settings, "table", baseline: true, output).ConfigureAwait(false));
        }

        var memory = results[0];
        var last = results[^1];
        var baseline = last.Baseline!;
        await output.WriteLineAsync(string.Create(inv, $"## Fleet audit: {settings.Pools:N0} pools, {settings.Subscriptions} subscriptions, {Regions.Length} regions, {settings.ArmLatency.TotalMilliseconds:F0} ms per ARM call")).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("| Run | Store | ARM calls | by kind | Table round trips | by kind | pools written | wall time |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | --- | ---: | --- | ---: | --- | ---: | ---: |").ConfigureAwait(false);
        foreach (var result in results)
        {
            foreach (var (name, m) in new[] { ("audit, first run (records the fleet)", result.First), ("audit, steady state", result.Steady) })
            {
                await output.WriteLineAsync(string.Create(inv,
                    $"| {name} | {result.StoreName} | {m.ArmCalls:N0} | {Kinds(m.ArmKinds)} | {m.TableCalls:N0} | {Kinds(m.TableKinds)} | {m.PoolsChanged:N0} | {m.Seconds:F1} s |")).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync(string.Create(inv, $"| baseline: per-pool GET | — | {baseline.ArmCalls:N0} | {Kinds(baseline.ArmKinds)} | — | — | — | {baseline.Seconds:F1} s |")).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);

        var pageSize = ArmEmulator.DefaultPageSize;
        var perSubscription = (settings.Pools + settings.Subscriptions - 1) / settings.Subscriptions;
        var armBudget = settings.Subscriptions * ((perSubscription + pageSize - 1) / pageSize) + (settings.Subscriptions * Regions.Length);
        var goals = new List<(string Text, bool Met)>
        {
            (string.Create(inv, $"ARM reads ≤ listing pages + subscriptions × regions ({armBudget:N0}) + instance checks: first {memory.First.ArmCalls:N0}, steady {memory.Steady.ArmCalls:N0}"),
                results.All(r => r.Steady.ArmCalls <= armBudget && r.First.ArmCalls <= armBudget + r.First.InstanceChecks)),
            (string.Create(inv, $"≥ 20× fewer ARM calls than the per-pool-GET baseline: {(double)baseline.ArmCalls / Math.Max(1, last.First.ArmCalls):F1}× (first run, SKU lists included), {(double)baseline.ArmCalls / Math.Max(1, last.Steady.ArmCalls):F1}× (steady state)"),
                baseline.ArmCalls >= 20 * last.First.ArmCalls),
        };

        if (settings.Store == "table")
        {
            var table = results[1];
            var pages = settings.Subscriptions * ((perSubscription + 999) / 1000);
            var tableBudget = (2 * pages) + table.Steady.PoolsChanged + 2;
            goals.Add((string.Create(inv, $"steady-state audit on Table Storage ≤ 10 s: {table.Steady.Seconds:F1} s"), table.Steady.Seconds <= 10));
            goals.Add((string.Create(inv, $"first run on Table Storage ≤ 30 s: {table.First.Seconds:F1} s"), table.First.Seconds <= 30));
            goals.Add((string.Create(inv,
                $"steady-state Table round trips ≤ 2 × {pages} pages of records + {table.Steady.PoolsChanged} changed pools + 2 saves of the run's own record = {tableBudget}: {table.Steady.TableCalls}"),
                table.Steady.TableCalls <= tableBudget));
        }
        else
        {
            goals.Add((string.Create(inv, $"wall time < 60 s: {memory.First.Seconds:F1} s first, {memory.Steady.Seconds:F1} s steady"), memory.First.Seconds < 60));
        }

        goals.Add((string.Create(inv, $"peak working set of the whole process (emulator, its {settings.Pools:N0} scale sets and every run above) < 1 GB: {last.PeakWorkingSetMb:F0} MB"), last.PeakWorkingSetMb < 1024));
        await output.WriteLineAsync(string.Create(inv,
            $"- Pools seen {last.First.PoolsSeen:N0}, recorded {last.First.PoolsRecorded:N0}, findings opened {last.First.FindingsOpened:N0}; errors {results.Sum(r => r.First.Errors + r.Steady.Errors)}")).ConfigureAwait(false);
        foreach (var (text, met) in goals)
        {
            await output.WriteLineAsync($"- {(met ? "ok" : "**missed**")}: {text}").ConfigureAwait(false);
        }

        var ok = goals.All(g => g.Met) && results.All(r => r.First.Errors + r.Steady.Errors == 0);
        await output.WriteLineAsync(ok ? "- Goals met." : "- GOALS NOT MET.").ConfigureAwait(false);
        return ok ? 0 : 1;
    }

    /// <summary>Each size in a process of its own, so that each peak working set is that size's.</summary>
    private static async Task<int> CurveAsync(AuditSettings settings, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var sizes = new[] { 1_000, 10_000, 100_000 };
        var points = new List<(int Pools, StoreResult Result)>();
        foreach (var pools in sizes)
        {
            var args = new List<string> { "audit", "--single", "--pools", pools.ToString(inv), "--subscriptions", settings.Subscriptions.ToString(inv),
                "--latency-ms", settings.ArmLatency.TotalMilliseconds.ToString(inv), "--concurrency", settings.Concurrency.ToString(inv),
                "--store", settings.Store, "--table-latency-ms", settings.TableLatency.TotalMilliseconds.ToString(inv), "--azurite-port", settings.AzuritePort.ToString(inv) };
            var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = false };
            // The apphost is "AnFunctions.Benchmarks" (its "extension" is ".Benchmarks"); anything else is dotnet running the dll.
            if (Path.GetFileName(Environment.ProcessPath!) is not ("AnFunctions.Benchmarks" or "AnFunctions.Benchmarks.exe"))
            {
                info.ArgumentList.Add(typeof(AuditMode).Assembly.Location); // dotnet <bench.dll>
            }

            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            using var child = Process.Start(info) ?? throw new InvalidOperationException("the bench could not start itself");
            var text = await child.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await child.WaitForExitAsync().ConfigureAwait(false);
            var line = text.Split('\n').LastOrDefault(l => l.StartsWith(ResultMarker, StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"the run of {pools:N0} pools ended with code {child.ExitCode} without a result:\n{text}");
            points.Add((pools, JsonSerializer.Deserialize<StoreResult>(line[ResultMarker.Length..])!));
        }

        await output.WriteLineAsync(string.Create(inv, $"## Audit scale curve: {settings.Subscriptions} subscriptions, {Regions.Length} regions, {settings.ArmLatency.TotalMilliseconds:F0} ms per ARM call, store: {points[0].Result.StoreName}")).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("| Pools | first run | steady state | steady ARM calls | steady Table round trips | peak working set (process) | of which before the app ran (emulator + fleet) | app's share | per 1,000 pools (steady, app's memory) |").ConfigureAwait(false);
        await output.WriteLineAsync("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |").ConfigureAwait(false);
        foreach (var (pools, r) in points)
        {
            await output.WriteLineAsync(string.Create(inv,
                $"| {pools:N0} | {r.First.Seconds:F1} s | {r.Steady.Seconds:F1} s | {r.Steady.ArmCalls:N0} | {r.Steady.TableCalls:N0} | {r.PeakWorkingSetMb:F0} MB | {r.SeededWorkingSetMb:F0} MB | {r.AppPeakMb:F0} MB | {r.Steady.Seconds * 1000 / pools:F2} s, {r.AppPeakMb * 1000 / pools:F1} MB |")).ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        var goals = new List<(string Text, bool Met)>();
        for (var i = 1; i < points.Count; i++)
        {
            var (p0, r0) = points[i - 1];
            var (p1, r1) = points[i];
            var growth = (double)p1 / p0;
            foreach (var (what, a, b) in new[] { ("first-run wall time", r0.First.Seconds, r1.First.Seconds), ("steady-state wall time", r0.Steady.Seconds, r1.Steady.Seconds), ("peak working set", r0.PeakWorkingSetMb, r1.PeakWorkingSetMb), ("the app's share of the peak", r0.AppPeakMb, r1.AppPeakMb) })
            {
                goals.Add((string.Create(inv, $"{what} grows no faster than the pools from {p0:N0} to {p1:N0} (× {growth:F0}): × {b / a:F1}"), b / a <= growth));
            }
        }

        var largest = points[^1];
        // Judged on the app's share: the emulator standing in for Azure, with every scale set's JSON, is not the app.
        goals.Add((string.Create(inv, $"{largest.Pools:N0} pools: the app's share of the peak working set under 1 GB: {largest.Result.AppPeakMb:F0} MB"), largest.Result.AppPeakMb < 1024));
        goals.Add((string.Create(inv, $"{largest.Pools:N0} pools: the whole process's peak working set (the emulator and its fleet included) under 1 GB: {largest.Result.PeakWorkingSetMb:F0} MB"), largest.Result.PeakWorkingSetMb < 1024));
        goals.Add(("no audit error", points.All(p => p.Result.First.Errors + p.Result.Steady.Errors == 0)));
        foreach (var (text, met) in goals)
        {
            await output.WriteLineAsync($"- {(met ? "ok" : "**missed**")}: {text}").ConfigureAwait(false);
        }

        var ok = goals.All(g => g.Met);
        await output.WriteLineAsync(ok ? "- Goals met." : "- GOALS NOT MET.").ConfigureAwait(false);
        return ok ? 0 : 1;
    }

    private static async Task<StoreResult> MeasureStoreAsync(AuditSettings settings, string storeKind, bool baseline, TextWriter log)
    {
        await using var azurite = storeKind == "table" ? await BenchAzurite.StartAsync(settings.AzuritePort, log).ConfigureAwait(false) : null;
        var store = azurite is null ? BenchStore.InMemory : BenchStore.Table(azurite, settings.TableLatency);
        var subscriptionIds = Enumerable.Range(0, settings.Subscriptions)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"7d2e9f30-4b5c-4d6e-8f90-{i:D12}"))
            .ToList();
        try
        {
            await using var app = BenchApp.Create(new Dictionary<string, string?>
            {
                ["AcceleratedNetworking:Subscriptions"] = string.Join(",", subscriptionIds),
                ["Audit:SubscriptionConcurrency"] = settings.Concurrency.ToString(CultureInfo.InvariantCulture),
            }, store);
            var emulator = app.Emulator;
            emulator.SetSkus(Regions.SelectMany(region => Sizes.Select(size => Sku(size, region))));
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < settings.Pools; i++)
            {
                emulator.PutScaleSet(ScaleSet(i, subscriptionIds[i % settings.Subscriptions], Regions[i / settings.Subscriptions % Regions.Length], now));
            }

            // What the stand-in for Azure holds before the app does anything (the emulator and its scale sets): the
            // app's own share of the peak is what comes on top.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var seededMb = Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024.0);
            emulator.Latency = settings.ArmLatency;
            var audit = app.Services.GetRequiredService<FleetAudit>();

            // Run 1 records the fleet; run 2 is the steady state every 30 minutes.
            var first = await MeasureAsync(emulator, async () => (AuditRun?)await audit.RunAsync(new AuditRequest("bench"), CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
            var steady = await MeasureAsync(emulator, async () => (AuditRun?)await audit.RunAsync(new AuditRequest("bench"), CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);

            Measurement? perPool = null;
            if (baseline)
            {
                // Baseline: the same information gathered the naive way, one GET per pool (after the same listing).
                var client = app.Services.GetRequiredService<IScaleSetClient>();
                perPool = await MeasureAsync(emulator, async () =>
                {
                    var ids = new List<ScaleSetId>();
                    foreach (var subscription in subscriptionIds)
                    {
                        await foreach (var item in client.ListAsync(subscription, CancellationToken.None).ConfigureAwait(false))
                        {
                            ids.Add(ScaleSetId.Parse(item.ResourceId));
                        }
                    }

                    await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = settings.BaselineConcurrency },
                        async (id, ct) => await client.GetAsync(id, ct).ConfigureAwait(false)).ConfigureAwait(false);
                    return null;
                }).ConfigureAwait(false);
            }

            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
            return new StoreResult(store.Describe(), first, steady, perPool, peakMb, seededMb);
        }
        finally
        {
            await store.DropTablesAsync().ConfigureAwait(false);
        }
    }

    private static async Task<Measurement> MeasureAsync(ArmEmulator emulator, Func<Task<AuditRun?>> run)
    {
        emulator.ResetCounts();
        using var tables = TableCallMeter.Begin();
        var clock = Stopwatch.StartNew();
        var result = await run().ConfigureAwait(false);
        clock.Stop();
        return new Measurement(
            emulator.TotalCalls,
            emulator.Counts.Where(c => c.Value > 0).ToDictionary(c => c.Key.ToString(), c => c.Value),
            tables.Total,
            new Dictionary<string, int>(tables.Counts),
            clock.Elapsed.TotalSeconds,
            result?.PoolsSeen ?? 0,
            result?.PoolsRecorded ?? 0,
            result?.PoolsChanged ?? 0,
            result?.InstanceChecks ?? 0,
            result?.FindingsOpenedCount ?? 0,
            result?.Errors.Count ?? 0);
    }

    internal static string Kinds(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "—" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:N0}")));

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

    internal sealed record Measurement(int ArmCalls, Dictionary<string, int> ArmKinds, int TableCalls, Dictionary<string, int> TableKinds, double Seconds,
        int PoolsSeen, int PoolsRecorded, int PoolsChanged, int InstanceChecks, int FindingsOpened, int Errors);

    /// <param name="SeededWorkingSetMb">The working set once the emulator holds the fleet, before the app ran.</param>
    internal sealed record StoreResult(string StoreName, Measurement First, Measurement Steady, Measurement? Baseline, double PeakWorkingSetMb, double SeededWorkingSetMb)
    {
        /// <summary>The app's share of the peak: what came on top of the emulator and its scale sets.</summary>
        public double AppPeakMb => PeakWorkingSetMb - SeededWorkingSetMb;
    }
}

/// <summary>The options of <c>audit</c>.</summary>
internal sealed record AuditSettings(int Pools, int Subscriptions, TimeSpan ArmLatency, int Concurrency, int BaselineConcurrency,
    string Store, TimeSpan TableLatency, int AzuritePort, bool Curve, bool Single, string? Error)
{
    public const string Usage =
        "usage: audit [--pools N] [--subscriptions N] [--latency-ms N] [--concurrency N] [--baseline-concurrency N] [--store memory|table] [--table-latency-ms N] [--azurite-port N] [--curve]";

    public static AuditSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--curve" or "--single")
            {
                flags.Add(args[i]);
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else
            {
                return Invalid($"unexpected argument '{args[i]}'");
            }
        }

        var known = new[] { "--pools", "--subscriptions", "--latency-ms", "--concurrency", "--baseline-concurrency", "--store", "--table-latency-ms", "--azurite-port" };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return Invalid($"unknown option '{unknown}'");
        }

        int Int(string name, int fallback) =>
            values.TryGetValue(name, out var text) ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : -1 : fallback;

        var store = values.GetValueOrDefault("--store", "memory");
        var result = new AuditSettings(Int("--pools", 10_000), Int("--subscriptions", 20), TimeSpan.FromMilliseconds(Int("--latency-ms", 50)), Int("--concurrency", 8),
            Int("--baseline-concurrency", 64), store, TimeSpan.FromMilliseconds(Int("--table-latency-ms", 10)), Int("--azurite-port", 10002),
            flags.Contains("--curve"), flags.Contains("--single"), null);
        return store is not ("memory" or "table") ? Invalid($"--store must be memory or table, not '{store}'")
            : result.Pools < 1 || result.Subscriptions < 1 || result.Concurrency < 1 || result.BaselineConcurrency < 1 || result.AzuritePort < 1
              || result.ArmLatency < TimeSpan.Zero || result.TableLatency < TimeSpan.Zero ? Invalid("every number must be a whole number (counts ≥ 1)")
            : result;

        static AuditSettings Invalid(string message) => new(0, 0, default, 0, 0, "memory", default, 0, false, false, $"{message}\n{Usage}");
    }
}
