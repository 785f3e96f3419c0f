using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Tests.Events;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace AnFunctions.Core.Tests.Alerts;

/// <summary>
/// <see cref="AlertPump"/> on the real refused-write handler and dispatcher over the in-memory finding store: pending
/// refusals are completed (or closed) first, so what that queues goes out in the same run.
/// </summary>
public sealed class AlertPumpTests
{
    private readonly EventHarness _app = new();
    private readonly FakeSink _sink = new("pager", minimum: FindingSeverity.Info);
    private readonly RefusedWriteHandler _refused;
    private readonly AlertPump _pump;

    public AlertPumpTests()
    {
        var alerts = CoreWiring.Monitor(new AlertsOptions());
        var engine = new FindingEngine(_app.Findings, [_sink], alerts, _app.Time, NullLogger<FindingEngine>.Instance);
        _refused = new RefusedWriteHandler(_app.Arm, _app.Catalogs, _app.ActivityLog, _app.Findings, engine, _app.Time, NullLogger<RefusedWriteHandler>.Instance);
        var dispatcher = new AlertDispatcher(_app.Findings, [_sink], alerts, _app.Time, NullLogger<AlertDispatcher>.Instance);
        _pump = new AlertPump(_refused, dispatcher);
    }

    private Task<DispatchResult> RunAsync() => _pump.RunAsync(CancellationToken.None);

    [Fact]
    public async Task RunAsync_NothingPendingOrQueued_DeliversNothing()
    {
        var result = await RunAsync();

        Assert.Equal(new DispatchResult(0, 0, 0, 0), result);
        Assert.Empty(_sink.Received);
        Assert.Empty(_app.ActivityLog.ReceivedCalls());
    }

    [Fact]
    public async Task RunAsync_PendingRefusalPastTheHorizon_ClosesItAndDeliversTheResolveInTheSameRun()
    {
        await _refused.HandleAsync(_app.Id, "evt-1", "refused", "corr-1", null, CancellationToken.None);
        Assert.Equal(new DispatchResult(1, 0, 0, 0), await RunAsync());
        _app.Time.Advance(RefusedWriteHandler.LookupHorizon + TimeSpan.FromMinutes(1));

        var result = await RunAsync();

        Assert.Equal(new DispatchResult(1, 0, 0, 0), result);
        Assert.Equal([AlertAction.Trigger, AlertAction.Resolve], _sink.Delivered.Select(d => d.Action));
        Assert.Empty(await _app.Engine.OpenFindingsAsync(_app.Id, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_PendingRefusalTheLogNowExplains_CompletesItBeforeDeliveringSoBothAlertsGoOut()
    {
        await _refused.HandleAsync(_app.Id, "evt-1", "refused", "corr-1", null, CancellationToken.None);
        _app.ActivityLog.FindFailedWriteAsync(TestData.Subscription, "corr-1", TestData.Now, Arg.Any<CancellationToken>()).Returns(
            new ActivityLog.FailedOperation("corr-1", _app.Id.Value, "Microsoft.Compute/virtualMachineScaleSets/write", "Failed", RefusedWriteAssessment.AnSizeErrorCode, "refused",
                """{"sku":{"name":"Standard_B2s"}}""", TestData.Now));

        var result = await RunAsync();

        var finding = Assert.Single(await _app.Engine.OpenFindingsAsync(_app.Id, CancellationToken.None));
        Assert.False(finding.Evidence.ActivityLogPending);
        Assert.Equal(["Standard_B2s"], finding.Evidence.AttemptedSizes);
        Assert.Equal(new DispatchResult(2, 0, 0, 0), result);
        Assert.Equal(
            [(FindingSeverity.Info, true), (FindingSeverity.Warning, false)],
            _sink.Received.Select(n => (n.Finding.Severity, n.Finding.Evidence.ActivityLogPending)));
    }
}
