using System.Diagnostics;
using System.Globalization;
using AnFunctions.Core.Events;
using AnFunctions.Emulator;

namespace AnFunctions.Benchmarks;

/// <summary>
/// <c>counts [--pools N]</c>: N new pools over 2 subscriptions × 2 regions, one creation event each through
/// <see cref="EventDeliveryProcessor.ProcessAsync"/>, then a duplicate delivery of each. Prints the ARM calls per event
/// (deterministic), allocations per event and events/s (informative) as a Markdown table. Exits 1 when a goal is missed.
/// </summary>
internal static class CountsMode
{
    private const int DefaultPools = 1000;
    private const int WarmupPools = 500;

    private static readonly ArmCallKind[] WriteKinds = [ArmCallKind.PutScaleSet, ArmCallKind.PatchScaleSet, ArmCallKind.DeleteScaleSet, ArmCallKind.InstanceAction];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (!TryParsePools(args, out var pools, out var error))
        {
            await output.WriteLineAsync(error).ConfigureAwait(false);
            return 2;
        }

        // A first run of its own JITs the path, and the pause lets tiered compilation finish in the background, so
        // that the measured run's time and allocations are those of a warm app. The counts do not depend on it.
        await MeasureAsync(WarmupPools).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        var run = await MeasureAsync(pools).ConfigureAwait(false);
        await output.WriteAsync(Report(run)).ConfigureAwait(false);
        return run.GoalsMet ? 0 : 1;
    }

    private static bool TryParsePools(string[] args, out int pools, out string error)
    {
        pools = DefaultPools;
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--pools" && i + 1 < args.Length
                && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out pools) && pools >= 1)
            {
                i++;
                continue;
            }

            error = "usage: counts [--pools N]   (N >= 1, default 1000)";
            return false;
        }

        return true;
    }

    private static async Task<Run> MeasureAsync(int pools)
    {
        await using var app = BenchApp.Create();
        var now = DateTimeOffset.UtcNow;
        app.Emulator.SetSkus(BenchFleet.Skus());
        var payloads = new string[pools];
        for (var i = 0; i < pools; i++)
        {
            app.Emulator.PutScaleSet(BenchFleet.ScaleSet(i, now));
            payloads[i] = BenchFleet.CreationEvent(i, now);
        }

        var creates = await PhaseAsync(app, payloads, EventDisposition.Handled).ConfigureAwait(false);
        var duplicates = await PhaseAsync(app, payloads, EventDisposition.Duplicate).ConfigureAwait(false);
        var patched = app.Emulator.Writes.Count(w => w.Kind == ArmCallKind.PatchScaleSet && w.Status == 200);
        return new Run(pools, creates, duplicates, patched);
    }

    private static async Task<Phase> PhaseAsync(BenchApp app, string[] payloads, EventDisposition expected)
    {
        var before = app.Emulator.Counts;
        var unexpected = 0;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        foreach (var payload in payloads)
        {
            var result = await app.Processor.ProcessAsync(payload, CancellationToken.None).ConfigureAwait(false);
            unexpected += result.Outcomes.Count(o => o.Disposition != expected);
        }

        clock.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var after = app.Emulator.Counts;
        var calls = after.ToDictionary(c => c.Key, c => c.Value - before[c.Key]);
        return new Phase(payloads.Length, calls, allocated, clock.Elapsed, unexpected);
    }

    private static string Report(Run run)
    {
        var c = run.Creates;
        var d = run.Duplicates;
        var skuLists = c.Calls[ArmCallKind.ListSkus] + d.Calls[ArmCallKind.ListSkus];
        var expectedSkuLists = Math.Min(run.Pools, BenchFleet.Subscriptions.Length * BenchFleet.Regions.Length);
        // ARM answers a write before it has finished (a long-running operation): confirming its outcome costs a poll,
        // counted apart from the calls that decide and write.
        var createPolls = c.PerEvent(c.Calls[ArmCallKind.PollOperation]);
        var createTotal = c.PerEvent(c.Total - c.Calls[ArmCallKind.PollOperation]);
        var duplicateReads = d.PerEvent(d.Reads);
        var duplicateWrites = d.PerEvent(d.Writes);

        var rows = new List<string[]>
        {
            Row("ARM calls per create event (total, the write's outcome aside)", "≤ 3", F(createTotal), Verdict(createTotal <= 3)),
            Row("of which GET scale set", string.Empty, F(c.PerEvent(c.Calls[ArmCallKind.GetScaleSet])), string.Empty),
            Row("of which PATCH scale set", string.Empty, F(c.PerEvent(c.Calls[ArmCallKind.PatchScaleSet])), string.Empty),
            Row("of which SKU lists", "amortised", F(c.PerEvent(c.Calls[ArmCallKind.ListSkus])), string.Empty),
            Row("of which other calls", string.Empty, F(c.PerEvent(c.Total - c.Calls[ArmCallKind.GetScaleSet] - c.Calls[ArmCallKind.PatchScaleSet] - c.Calls[ArmCallKind.ListSkus] - c.Calls[ArmCallKind.PollOperation])), string.Empty),
            Row("Polls of the write's operation per create event", "1 (outcome confirmed in the delivery)", F(createPolls), Verdict(createPolls == 1)),
            Row("SKU list calls in total", I(expectedSkuLists) + (expectedSkuLists == BenchFleet.Subscriptions.Length * BenchFleet.Regions.Length
                ? " (subscriptions × regions)"
                : " (subscription-region pairs the pools cover)"), I(skuLists), Verdict(skuLists == expectedSkuLists)),
            Row("ARM reads per duplicate", "≤ 1", F(duplicateReads), Verdict(duplicateReads <= 1)),
            Row("ARM writes per duplicate", "0", F(duplicateWrites), Verdict(d.Writes == 0)),
            Row("Create events handled with one PATCH", I(run.Pools), I(run.Patched), Verdict(run.Patched == run.Pools && c.Unexpected == 0)),
            Row("Duplicates recognised", I(run.Pools), I(run.Pools - d.Unexpected), Verdict(d.Unexpected == 0)),
            Row("Allocated per create event", "informative", Kb(c.PerEvent(c.Allocated)), string.Empty),
            Row("Allocated per duplicate", "informative", Kb(d.PerEvent(d.Allocated)), string.Empty),
            Row("Create events/s (wall clock)", "informative", I(c.PerSecond), string.Empty),
            Row("Duplicate events/s (wall clock)", "informative", I(d.PerSecond), string.Empty),
        };

        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## AnFunctions counts: {run.Pools} new pools, {BenchFleet.Subscriptions.Length} subscriptions × {BenchFleet.Regions.Length} regions, ARM latency 0");
        text.AppendLine();
        text.AppendLine("| Metric | Goal | Measured | |");
        text.AppendLine("| --- | --- | ---: | --- |");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row[0]} | {row[1]} | {row[2]} | {row[3]} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{(run.GoalsMet ? "All goals met." : "GOAL MISSED.")} Wall-clock and allocation figures depend on the machine; the call counts do not.");
        return text.ToString();

        static string[] Row(string metric, string goal, string measured, string verdict) => [metric, goal, measured, verdict];
    }

    private static string Verdict(bool met) => met ? "ok" : "**missed**";

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string I(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Kb(double bytes) => (bytes / 1024).ToString("#,0.0", CultureInfo.InvariantCulture) + " KB";

    private sealed record Phase(int Events, Dictionary<ArmCallKind, int> Calls, long Allocated, TimeSpan Elapsed, int Unexpected)
    {
        public int Total => Calls.Values.Sum();
        public int Writes => WriteKinds.Sum(k => Calls[k]);
        public int Reads => Total - Writes;
        public double PerEvent(double value) => value / Events;
        public double PerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-9);
    }

    private sealed record Run(int Pools, Phase Creates, Phase Duplicates, int Patched)
    {
        public bool GoalsMet =>
            Creates.PerEvent(Creates.Total - Creates.Calls[ArmCallKind.PollOperation]) <= 3
            && Creates.Calls[ArmCallKind.PollOperation] == Creates.Events
            && Creates.Calls[ArmCallKind.ListSkus] + Duplicates.Calls[ArmCallKind.ListSkus] == Math.Min(Pools, BenchFleet.Subscriptions.Length * BenchFleet.Regions.Length)
            && Duplicates.Writes == 0
            && Duplicates.PerEvent(Duplicates.Reads) <= 1
            && Patched == Pools
            && Creates.Unexpected == 0
            && Duplicates.Unexpected == 0;
    }
}
