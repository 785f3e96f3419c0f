using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Functions;

/// <summary>Size changes and refused writes on existing pools, through the real function, DI, SDK and emulator.</summary>
public sealed class FindingsThroughEventsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<IReadOnlyList<Finding>> FindingsAsync(string id) =>
        await _app.Get<IFindingStore>().ListForPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);

    private Task SendAsync(string payload) => _app.Create<ScaleSetEventsFunction>().RunAsync(payload, CancellationToken.None);

    [Fact]
    public async Task ResizeOfPoolWithoutAnToAnSize_RaisesWarningAndNeverWrites()
    {
        var id = Fleet.Id("pool-resize");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-resize", "Standard_B2s", Now.AddDays(-30), an: false));
        await SendAsync(Fleet.WriteEvent(id, "seen"));
        _app.Emulator.ModifyScaleSet(id, s => s["sku"]!["name"] = "Standard_D4s_v5");

        await SendAsync(Fleet.WriteEvent(id, "resized"));

        Assert.Empty(_app.Emulator.Writes);
        var finding = Assert.Single(await FindingsAsync(id));
        Assert.Equal(FindingKind.SizeChangedWithoutAcceleratedNetworking, finding.Kind);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal(["Standard_B2s"], finding.Evidence.PreviousSizes);
        Assert.Equal(["Standard_D4s_v5"], finding.Evidence.CurrentSizes);
        Assert.Contains("resized", finding.Evidence.EventIds);
        var pool = await _app.Get<Core.State.IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.Equal(["Standard_D4s_v5"], pool!.VmSizes);
    }

    [Fact]
    public async Task ResizeOfAnPoolToSizeWithoutAn_IsCritical()
    {
        var id = Fleet.Id("pool-crit");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-crit", "Standard_D4s_v5", Now.AddDays(-30), an: true));
        await SendAsync(Fleet.WriteEvent(id, "seen"));
        _app.Emulator.ModifyScaleSet(id, s => s["sku"]!["name"] = "Standard_B2s");

        await SendAsync(Fleet.WriteEvent(id, "resized"));

        var finding = Assert.Single(await FindingsAsync(id));
        Assert.Equal(FindingKind.AcceleratedNetworkingOnUnsupportedSize, finding.Kind);
        Assert.Equal(FindingSeverity.Critical, finding.Severity);
    }

    [Fact]
    public async Task RefusedResize_LooksUpTheActivityLogAndNamesAttemptedSizeAndError()
    {
        var id = Fleet.Id("pool-refused");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-refused", "Standard_D4s_v5", Now.AddDays(-30), an: true));
        const string correlation = "0f1e2d3c-4b5a-4968-8776-655443322110";
        _app.Emulator.AddFailedWrite(id, correlation, JsonNode.Parse("""{"sku":{"name":"Standard_B2s"}}"""),
            RefusedWriteAssessment.AnSizeErrorCode, "VM size Standard_B2s is not allowed with accelerated networking", Now.AddSeconds(-5));

        await SendAsync(Fleet.WriteEvent(id, "failed", type: "Microsoft.Resources.ResourceWriteFailure"));

        var finding = Assert.Single(await FindingsAsync(id));
        Assert.Equal(FindingKind.SizeChangeRefused, finding.Kind);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal(["Standard_B2s"], finding.Evidence.AttemptedSizes);
        Assert.Equal(RefusedWriteAssessment.AnSizeErrorCode, finding.Evidence.ErrorCode);
        Assert.False(finding.Evidence.ActivityLogPending);
        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.ActivityLog));
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task RefusedResize_ActivityLogLagging_RaisedPendingThenCompletedByThePump()
    {
        var id = Fleet.Id("pool-lag");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-lag", "Standard_D4s_v5", Now.AddDays(-30), an: true));
        const string correlation = "0f1e2d3c-4b5a-4968-8776-655443322110";

        await SendAsync(Fleet.WriteEvent(id, "failed-early", type: "Microsoft.Resources.ResourceWriteFailure"));
        var pending = Assert.Single(await FindingsAsync(id));
        Assert.True(pending.Evidence.ActivityLogPending);
        Assert.Equal(FindingSeverity.Info, pending.Severity);

        _app.Emulator.AddFailedWrite(id, correlation, JsonNode.Parse("""{"sku":{"name":"Standard_B2s"}}"""),
            RefusedWriteAssessment.AnSizeErrorCode, "not allowed", Now);
        _app.Time.Advance(TimeSpan.FromMinutes(5));
        await _app.Get<AlertPump>().RunAsync(CancellationToken.None);

        var completed = Assert.Single(await FindingsAsync(id));
        Assert.False(completed.Evidence.ActivityLogPending);
        Assert.Equal(FindingSeverity.Warning, completed.Severity);
        Assert.Equal(["Standard_B2s"], completed.Evidence.AttemptedSizes);
    }

    [Fact]
    public async Task RefusedResize_ActivityLogNeverShowsIt_ClosedAfterTheLookupHorizonWithThatReason()
    {
        var id = Fleet.Id("pool-never");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-never", "Standard_D4s_v5", Now.AddDays(-30), an: true));
        await SendAsync(Fleet.WriteEvent(id, "failed-unexplained", type: "Microsoft.Resources.ResourceWriteFailure"));
        Assert.True(Assert.Single(await FindingsAsync(id)).Evidence.ActivityLogPending);

        // Within the horizon: still looked up, still open.
        _app.Time.Advance(RefusedWriteHandler.LookupHorizon - TimeSpan.FromMinutes(1));
        await _app.Get<AlertPump>().RunAsync(CancellationToken.None);
        Assert.Equal(FindingStatus.Open, Assert.Single(await FindingsAsync(id)).Status);
        var lookups = _app.Emulator.Count(ArmCallKind.ActivityLog);

        _app.Time.Advance(TimeSpan.FromMinutes(2));
        await _app.Get<AlertPump>().RunAsync(CancellationToken.None);

        var closed = Assert.Single(await FindingsAsync(id));
        Assert.Equal(FindingStatus.Resolved, closed.Status);
        Assert.False(closed.Evidence.ActivityLogPending);
        Assert.Contains("the Activity Log never showed correlation id", closed.Evidence.Resolution, StringComparison.Ordinal);
        Assert.Contains("6 h", closed.Evidence.Resolution, StringComparison.Ordinal);
        // Closed without another lookup, and never looked up again.
        Assert.Equal(lookups, _app.Emulator.Count(ArmCallKind.ActivityLog));
        await _app.Get<AlertPump>().RunAsync(CancellationToken.None);
        Assert.Equal(lookups, _app.Emulator.Count(ArmCallKind.ActivityLog));
    }

    [Fact]
    public async Task DeleteEvent_ResolvesThePoolsFindings()
    {
        var id = Fleet.Id("pool-gone-findings");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-gone-findings", "Standard_B2s", Now.AddDays(-30), an: false));
        await SendAsync(Fleet.WriteEvent(id, "seen"));
        _app.Emulator.ModifyScaleSet(id, s => s["sku"]!["name"] = "Standard_D4s_v5");
        await SendAsync(Fleet.WriteEvent(id, "resized"));
        _app.Emulator.DeleteScaleSet(id);

        await SendAsync(Fleet.WriteEvent(id, "deleted", type: "Microsoft.Resources.ResourceDeleteSuccess", operation: "Microsoft.Compute/virtualMachineScaleSets/delete"));

        Assert.All(await FindingsAsync(id), f => Assert.Equal(FindingStatus.Resolved, f.Status));
    }
}
