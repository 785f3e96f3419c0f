using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Audit;

/// <summary>The fleet audit through the app's real DI, over a multi-subscription emulated fleet.</summary>
public sealed class FleetAuditTests : IAsyncLifetime
{
    private const string SubA = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string SubB = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
    private const string SubC = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private FleetAudit Audit => _app.Get<FleetAudit>();

    private async Task<Dictionary<string, Finding>> OpenFindingsAsync()
    {
        var open = new Dictionary<string, Finding>();
        await foreach (var f in _app.Get<IFindingStore>().ListAsync(new FindingQuery(FindingStatus.Open), CancellationToken.None))
        {
            open[$"{f.PoolId.Name}:{f.Kind}"] = f;
        }

        return open;
    }

    [Fact]
    public async Task Run_FleetWithEveryDrift_FindsEachKindAndResolvesOnFix()
    {
        // Baseline: four pools in two subscriptions, seen by a first audit.
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("lost", "Standard_D4s_v5", Now.AddDays(-20), an: true, subscription: SubA));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("resized", "Standard_B2s", Now.AddDays(-20), an: false, subscription: SubA));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("capability", "Standard_D8s_v5", Now.AddDays(-20), an: true, subscription: SubB));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("gone", "Standard_B2s", Now.AddDays(-20), an: false, subscription: SubB));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("plain-off", "Standard_D4s_v5", Now.AddDays(-20), an: false, subscription: SubB));
        var baseline = await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);
        Assert.Equal(5, baseline.PoolsSeen);
        Assert.Equal(5, baseline.PoolsRecorded);

        // Drift behind the app's back, with no event at all.
        _app.Emulator.ModifyScaleSet(Fleet.Id("lost", SubA), s => s["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = false);
        _app.Emulator.ModifyScaleSet(Fleet.Id("resized", SubA), s => s["sku"]!["name"] = "Standard_D4s_v5");
        _app.Emulator.SetSkus([Fleet.Sku("Standard_D4s_v5", an: true), Fleet.Sku("Standard_D8s_v5", an: false), Fleet.Sku("Standard_B2s", an: false)]);
        _app.Emulator.DeleteScaleSet(Fleet.Id("gone", SubB));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("unknown", "Standard_B2s", Now.AddDays(-5), an: false, subscription: SubA));
        _app.Time.Advance(TimeSpan.FromDays(2)); // past the SKU cache TTL: the withdrawn capability is read

        var run = await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);

        var open = await OpenFindingsAsync();
        Assert.Equal(FindingSeverity.Critical, open["lost:AcceleratedNetworkingLost"].Severity);
        Assert.Equal(FindingSeverity.Warning, open["resized:SizeChangedWithoutAcceleratedNetworking"].Severity);
        Assert.Equal(FindingSeverity.Critical, open["capability:AcceleratedNetworkingOnUnsupportedSize"].Severity);
        Assert.Equal(FindingSeverity.Info, open["plain-off:AcceleratedNetworkingAvailableButOff"].Severity);
        Assert.Equal(5, run.PoolsSeen);
        Assert.Equal(1, run.PoolsRecorded);
        Assert.Equal(1, run.PoolsClosed);
        Assert.Equal(PoolStatus.Deleted, (await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(Fleet.Id("gone", SubB)), CancellationToken.None))!.Status);
        Assert.Empty(_app.Emulator.Writes);

        // Fixes: AN back on, the capability back. The findings whose condition no longer holds resolve.
        _app.Emulator.ModifyScaleSet(Fleet.Id("lost", SubA), s => s["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = true);
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        _app.Time.Advance(TimeSpan.FromDays(2));

        var fixedRun = await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);

        open = await OpenFindingsAsync();
        Assert.DoesNotContain("lost:AcceleratedNetworkingLost", open.Keys);
        Assert.DoesNotContain("capability:AcceleratedNetworkingOnUnsupportedSize", open.Keys);
        Assert.Contains("resized:SizeChangedWithoutAcceleratedNetworking", open.Keys);
        Assert.Equal(2, fixedRun.FindingsResolvedCount);
    }

    [Fact]
    public async Task Run_ArmCalls_AreOneListingPerSubscriptionAndOneSkuListPerRegion()
    {
        for (var i = 0; i < 7; i++)
        {
            _app.Emulator.PutScaleSet(Fleet.ScaleSet($"pool-{i}", "Standard_D4s_v5", Now.AddDays(-3), an: true, subscription: i % 2 == 0 ? SubA : SubB));
        }

        _app.Emulator.PageSize = 2;
        _app.Emulator.ResetCounts();

        var run = await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);

        // SubA holds 4 pools (2 pages), SubB 3 (2 pages); one SKU list each; one subscription listing; no per-pool GET.
        Assert.Equal(0, _app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(4, _app.Emulator.Count(ArmCallKind.ListScaleSets));
        Assert.Equal(2, _app.Emulator.Count(ArmCallKind.ListSkus));
        Assert.Equal(_app.Emulator.TotalCalls, run.ArmCalls.Values.Sum());
        Assert.Equal(4, run.ArmCalls["ListScaleSets"]);
        Assert.Equal(2, run.ArmCalls["ListSkus"]);
    }

    [Theory]
    [InlineData(403, "AuthorizationFailed")]
    [InlineData(429, "TooManyRequests")]
    public async Task Run_OneSubscriptionFails_OthersAreAuditedAndTheFailureReported(int status, string code)
    {
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("a", "Standard_D4s_v5", Now.AddDays(-3), an: true, subscription: SubA));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("b", "Standard_D4s_v5", Now.AddDays(-3), an: true, subscription: SubB));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("c", "Standard_D4s_v5", Now.AddDays(-3), an: true, subscription: SubC));
        _app.Emulator.AddFault(new FaultRule
        {
            Kind = ArmCallKind.ListScaleSets,
            When = r => r.Path.Contains(SubB, StringComparison.OrdinalIgnoreCase),
            Status = status,
            ErrorCode = code,
            RetryAfter = status == 429 ? TimeSpan.FromSeconds(1) : null,
        });

        var run = await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal(2, run.PoolsSeen);
        var failed = Assert.Single(run.Subscriptions, s => s.Error is not null);
        Assert.Equal(SubB, failed.SubscriptionId);
        Assert.Contains(code, failed.Error, StringComparison.Ordinal);
        Assert.Contains(SubB, Assert.Single(run.Errors), StringComparison.Ordinal);
        Assert.Contains("| error: ", AuditReport.ToMarkdown(run), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PoolEnabledByTheAppWithRunningNodes_MixedPoolInfoThenWarningAfterGraceThenResolved()
    {
        var id = Fleet.Id("fresh");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("fresh", "Standard_D4s_v5", Now.AddMinutes(-2), an: false));
        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);
        var atOnce = (await OpenFindingsAsync())["fresh:NodesWithoutAcceleratedNetworking"];
        Assert.Equal(FindingSeverity.Info, atOnce.Severity);
        Assert.Contains("3 of 3 node(s)", atOnce.Message, StringComparison.Ordinal);
        _app.Emulator.ResetCounts();

        var early = await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);
        Assert.Equal(1, early.InstanceChecks);
        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.ListInstances));
        Assert.Equal(FindingSeverity.Info, (await OpenFindingsAsync())["fresh:NodesWithoutAcceleratedNetworking"].Severity);

        _app.Time.Advance(TimeSpan.FromDays(3));
        await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);
        var warning = (await OpenFindingsAsync())["fresh:NodesWithoutAcceleratedNetworking"];
        Assert.Equal(FindingSeverity.Warning, warning.Severity);
        Assert.Contains("3 of 3 node(s)", warning.Message, StringComparison.Ordinal);

        // The nodes were replaced: new instances run the model, which has AN.
        _app.Emulator.SetInstances(id, Enumerable.Range(0, 3).Select(i => new ScaleSetInstance(i.ToString(System.Globalization.CultureInfo.InvariantCulture), LatestModelApplied: true)));
        await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);
        Assert.DoesNotContain("fresh:NodesWithoutAcceleratedNetworking", (await OpenFindingsAsync()).Keys);
        var pool = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.Equal(new InstanceCounts(3, 3, 3, 3, 0), pool!.Instances);

        _app.Emulator.ResetCounts();
        await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);
        Assert.Equal(0, _app.Emulator.Count(ArmCallKind.ListInstances));
    }

    [Fact]
    public async Task Run_IsRecordedWithAReport()
    {
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("r", "Standard_D4s_v5", Now.AddDays(-3), an: false));

        var run = await Audit.RunAsync(new AuditRequest("test"), CancellationToken.None);

        var stored = await _app.Get<IAuditRunStore>().GetAsync(run.RunId, CancellationToken.None);
        Assert.Equal(AuditRunStatus.Completed, stored!.Status);
        Assert.Equal(1, stored.FindingsOpenedCount);
        Assert.NotNull(stored.Ended);
        var markdown = AuditReport.ToMarkdown(stored);
        Assert.Contains(run.RunId, markdown, StringComparison.Ordinal);
        Assert.Contains("| ListScaleSets | 1 |", markdown, StringComparison.Ordinal);
        var roundTrip = AuditReport.FromJson(AuditReport.ToJson(stored))!;
        Assert.Equal(stored.PoolsSeen, roundTrip.PoolsSeen);
        Assert.Equal(stored.ArmCalls, roundTrip.ArmCalls);
    }

    [Fact]
    public async Task Run_DryRun_WritesNothingAndRecordsNothing()
    {
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("late", "Standard_D4s_v5", Now.AddMinutes(-3), an: false));

        var run = await Audit.RunAsync(new AuditRequest("test", DryRun: true), CancellationToken.None);

        Assert.Empty(_app.Emulator.Writes);
        Assert.Equal(0, run.PoolsRecorded);
        Assert.Null(await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(Fleet.Id("late")), CancellationToken.None));
    }
}
