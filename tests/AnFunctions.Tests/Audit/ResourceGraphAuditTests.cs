using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Audit;

/// <summary>
/// The fleet audit from Azure Resource Graph (<c>Audit:Source=ResourceGraph</c>) through the app's real DI: one query
/// for all subscriptions, the same verdicts as ARM's listing, and never a verdict from a lagging row alone.
/// </summary>
public sealed class ResourceGraphAuditTests
{
    private const string SubA = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string SubB = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static AppUnderTest App(AuditSource source, FindingSeverity availableButOff = FindingSeverity.Info)
    {
        var app = AppUnderTest.Create(new Dictionary<string, string?>
        {
            ["Audit:Source"] = source.ToString(),
            ["AcceleratedNetworking:AvailableButOffSeverity"] = availableButOff.ToString(),
        }, now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        return app;
    }

    private static Task<AuditRun> AuditAsync(AppUnderTest app) => app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

    private static async Task<SortedSet<string>> OpenFindingsAsync(AppUnderTest app)
    {
        var open = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var f in app.Get<IFindingStore>().ListAsync(new FindingQuery(FindingStatus.Open), CancellationToken.None))
        {
            open.Add($"{f.PoolId.Name}:{f.Kind}:{f.Severity}");
        }

        return open;
    }

    private static void TurnAnOff(AppUnderTest app, string id) =>
        app.Emulator.ModifyScaleSet(id, s => s["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = false);

    /// <summary>A fleet, a first audit, then drift behind the app's back and a second audit: what each source concludes.</summary>
    private static async Task<(AuditRun Run, SortedSet<string> Open, PoolStatus Gone)> DriftAsync(AppUnderTest app)
    {
        app.Emulator.PutScaleSet(Fleet.ScaleSet("lost", "Standard_D4s_v5", Now.AddDays(-20), an: true, subscription: SubA));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("resized", "Standard_B2s", Now.AddDays(-20), an: false, subscription: SubA));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("capability", "Standard_D8s_v5", Now.AddDays(-20), an: true, subscription: SubB));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("gone", "Standard_B2s", Now.AddDays(-20), an: false, subscription: SubB));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("plain-off", "Standard_D4s_v5", Now.AddDays(-20), an: false, subscription: SubB));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("steady", "Standard_D4s_v5", Now.AddDays(-20), an: true, subscription: SubB));
        Assert.Equal(6, (await AuditAsync(app)).PoolsRecorded);

        TurnAnOff(app, Fleet.Id("lost", SubA));
        app.Emulator.ModifyScaleSet(Fleet.Id("resized", SubA), s => s["sku"]!["name"] = "Standard_D4s_v5");
        app.Emulator.SetSkus([Fleet.Sku("Standard_D4s_v5", an: true), Fleet.Sku("Standard_D8s_v5", an: false), Fleet.Sku("Standard_B2s", an: false)]);
        app.Emulator.DeleteScaleSet(Fleet.Id("gone", SubB));
        app.Time.Advance(TimeSpan.FromDays(2));
        app.Emulator.ResetCounts();

        var run = await AuditAsync(app);
        var gone = (await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(Fleet.Id("gone", SubB)), CancellationToken.None))!.Status;
        return (run, await OpenFindingsAsync(app), gone);
    }

    [Fact]
    public async Task Run_DriftBehindTheAppsBack_SameFindingsAsArmsListingAndOnlyTheChangedPoolsReadAgain()
    {
        await using var arm = App(AuditSource.Arm);
        await using var graph = App(AuditSource.ResourceGraph);

        var byArm = await DriftAsync(arm);
        var byGraph = await DriftAsync(graph);

        Assert.Equal(byArm.Open, byGraph.Open);
        Assert.Contains("lost:AcceleratedNetworkingLost:Critical", byGraph.Open);
        Assert.Contains("capability:AcceleratedNetworkingOnUnsupportedSize:Critical", byGraph.Open);
        Assert.Equal((PoolStatus.Deleted, PoolStatus.Deleted), (byArm.Gone, byGraph.Gone));
        Assert.Equal((byArm.Run.PoolsSeen, byArm.Run.PoolsClosed, byArm.Run.FindingsOpenedCount), (byGraph.Run.PoolsSeen, byGraph.Run.PoolsClosed, byGraph.Run.FindingsOpenedCount));

        // One query for both subscriptions instead of a listing each. Read again from ARM: "lost" and "resized" (the
        // row differs from the record), "capability" (its row would raise a critical finding), "gone" (missing from
        // the rows: closed only once ARM says 404). "steady" and "plain-off" are judged from their rows.
        Assert.Equal((0, 1), (graph.Emulator.Count(ArmCallKind.ListScaleSets), graph.Emulator.Count(ArmCallKind.ResourceGraphQuery)));
        Assert.Equal(2, arm.Emulator.Count(ArmCallKind.ListScaleSets));
        Assert.Equal(0, arm.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(4, graph.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(1, byGraph.Run.ArmCalls["ResourceGraphQuery"]);
        Assert.Empty(graph.Emulator.Writes);
    }

    [Fact]
    public async Task Run_RowOlderThanTheAppsWrite_ReadFromArmAndNoFalseAnLost()
    {
        // The app enabled AN on a new pool; Resource Graph still shows the pool as it was before the write.
        await using var app = App(AuditSource.ResourceGraph);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("new", "Standard_D4s_v5", Now.AddMinutes(-2), an: false));
        app.Emulator.FreezeResourceGraph();
        await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(Fleet.Id("new"), "create"), CancellationToken.None);
        Assert.Single(app.Emulator.Writes);
        app.Time.Advance(TimeSpan.FromMinutes(30));
        app.Emulator.ResetCounts();

        var run = await AuditAsync(app);

        Assert.Equal(AuditRunStatus.Completed, run.Status);
        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.DoesNotContain(await OpenFindingsAsync(app), f => f.Contains("AcceleratedNetworkingLost", StringComparison.Ordinal));
        Assert.True((await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(Fleet.Id("new")), CancellationToken.None))!.AcceleratedNetworking);
    }

    [Fact]
    public async Task Run_RowOlderThanAResizeTheAppRecorded_ReadFromArmAndTheRecordKeepsTheNewSize()
    {
        // Nothing to alarm anyone here (both sizes support AN, AN is on): only the row's disagreement with the record
        // makes the audit ask ARM, instead of writing the old size back into the record.
        await using var app = App(AuditSource.ResourceGraph);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool", "Standard_D4s_v5", Now.AddDays(-20), an: true));
        await AuditAsync(app);
        app.Emulator.FreezeResourceGraph();
        app.Emulator.ModifyScaleSet(Fleet.Id("pool"), s => s["sku"]!["name"] = "Standard_D8s_v5");
        await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(Fleet.Id("pool"), "resize"), CancellationToken.None);
        app.Time.Advance(TimeSpan.FromMinutes(30));
        app.Emulator.ResetCounts();

        await AuditAsync(app);

        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(["Standard_D8s_v5"], (await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(Fleet.Id("pool")), CancellationToken.None))!.VmSizes);
    }

    [Fact]
    public async Task Run_PoolRecordedByItsEventButNotIndexedYet_NotClosed()
    {
        await using var app = App(AuditSource.ResourceGraph);
        app.Emulator.FreezeResourceGraph();
        app.Emulator.PutScaleSet(Fleet.ScaleSet("fresh", "Standard_D4s_v5", Now.AddMinutes(-2), an: false));
        await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(Fleet.Id("fresh"), "create"), CancellationToken.None);
        app.Emulator.ResetCounts();

        var run = await AuditAsync(app);

        Assert.Equal(0, run.PoolsClosed);
        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(PoolStatus.Active, (await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(Fleet.Id("fresh")), CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Run_NewPoolFoundOnlyByTheAudit_WrittenAfterAnArmReadWithItsETag()
    {
        await using var app = App(AuditSource.ResourceGraph);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("missed", "Standard_D4s_v5", Now.AddMinutes(-5), an: false));

        var run = await AuditAsync(app);

        Assert.Equal(1, run.Writes);
        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet));
        var write = Assert.Single(app.Emulator.Writes);
        Assert.False(string.IsNullOrEmpty(write.IfMatch));
    }

    [Fact]
    public async Task Run_RowThatWouldOpenAWarning_ConfirmedFromArmFirst()
    {
        // The operator made "AN available but off" a warning: on-call would be called, so ARM is asked first.
        await using var app = App(AuditSource.ResourceGraph, FindingSeverity.Warning);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("off", "Standard_D4s_v5", Now.AddDays(-20), an: false));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("on", "Standard_D4s_v5", Now.AddDays(-20), an: true));
        await AuditAsync(app);
        app.Emulator.ResetCounts();

        await AuditAsync(app);

        // Only the first audit opened it (after a GET); the second finds it open and judges both rows as listed.
        Assert.Equal(0, app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Contains("off:AcceleratedNetworkingAvailableButOff:Warning", await OpenFindingsAsync(app));
    }

    [Fact]
    public async Task Run_FirstAuditOfAWarning_ReadsThatPoolFromArm()
    {
        await using var app = App(AuditSource.ResourceGraph, FindingSeverity.Warning);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("off", "Standard_D4s_v5", Now.AddDays(-20), an: false));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("on", "Standard_D4s_v5", Now.AddDays(-20), an: true));
        await AuditAsync(app); // records both, opens the warning (after reading "off" from ARM)
        await app.Get<FindingEngine>().ResolveAllAsync(ScaleSetId.Parse(Fleet.Id("off")), CancellationToken.None);
        app.Emulator.ResetCounts();

        await AuditAsync(app);

        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Contains("off:AcceleratedNetworkingAvailableButOff:Warning", await OpenFindingsAsync(app));
    }

    [Fact]
    public async Task Run_FleetNewToTheApp_JudgedFromTheRowsWithoutAGetExceptTheAlarm()
    {
        await using var app = App(AuditSource.ResourceGraph);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("on", "Standard_D4s_v5", Now.AddDays(-20), an: true, subscription: SubA));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("off", "Standard_D4s_v5", Now.AddDays(-20), an: false, subscription: SubA));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("small", "Standard_B2s", Now.AddDays(-20), an: false, subscription: SubB));
        app.Emulator.SetSkus([Fleet.Sku("Standard_D4s_v5", an: true), Fleet.Sku("Standard_D8s_v5", an: false), Fleet.Sku("Standard_B2s", an: false)]);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("unsupported", "Standard_D8s_v5", Now.AddDays(-20), an: true, subscription: SubB));

        var run = await AuditAsync(app);

        // Four pools recorded from one query; only "unsupported" (a critical finding) was read from ARM first.
        Assert.Equal(4, run.PoolsRecorded);
        Assert.Equal((1, 1), (app.Emulator.Count(ArmCallKind.ResourceGraphQuery), app.Emulator.Count(ArmCallKind.GetScaleSet)));
        Assert.Contains("unsupported:AcceleratedNetworkingOnUnsupportedSize:Critical", await OpenFindingsAsync(app));
    }

    [Fact]
    public async Task Run_ResourceGraphFails_EverySubscriptionListedFromArmAndTheRunSaysSo()
    {
        await using var app = App(AuditSource.ResourceGraph);
        app.Emulator.PutScaleSet(Fleet.ScaleSet("a", "Standard_D4s_v5", Now.AddDays(-3), an: true, subscription: SubA));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("b", "Standard_D4s_v5", Now.AddDays(-3), an: true, subscription: SubB));
        app.Emulator.FailNext(ArmCallKind.ResourceGraphQuery, 403, "AuthorizationFailed", times: 10);

        var run = await AuditAsync(app);

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal(2, run.PoolsSeen);
        Assert.Equal(2, app.Emulator.Count(ArmCallKind.ListScaleSets));
        Assert.Contains(run.Errors, e => e.StartsWith("resource graph: ", StringComparison.Ordinal) && e.Contains("AuthorizationFailed", StringComparison.Ordinal));
    }
}
