using AnFunctions.Core.Audit;
using AnFunctions.Core.Fleet;
using AnFunctions.Core.Options;
using AnFunctions.Core.State;
using AnFunctions.Core.Telemetry;
using AnFunctions.Core.Tests.Events;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Telemetry;

/// <summary>
/// <see cref="FleetObserver"/> on the real report builder over in-memory stores and <see cref="AnMetrics"/> on the
/// test's meters: the gauges report the fleet as last built, and a finished audit records its duration first.
/// </summary>
public sealed class FleetObserverTests : IDisposable
{
    private readonly InMemoryStateStore _state = new();
    private readonly IAuditRunStore _runs = Substitute.For<IAuditRunStore>();
    private readonly TestMeters _meters = new();
    private readonly FleetObserver _observer;

    public FleetObserverTests()
    {
        _runs.ListAsync(Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(Array.Empty<AuditRun>());
        var builder = new FleetReportBuilder(_state, new InMemoryFindingStore(), _runs, CoreWiring.Monitor(new AcceleratedNetworkingOptions()), new FakeTimeProvider(TestData.Now));
        _observer = new FleetObserver(builder, _meters.Metrics);
    }

    public void Dispose() => _meters.Dispose();

    private Task PoolAsync(string name, bool an) => _state.SavePoolAsync(new PoolRecord
    {
        Id = TestData.Id(name),
        Location = "westeurope",
        VmSizes = ["Standard_D4s_v3"],
        AcceleratedNetworking = an,
        FirstSeen = TestData.Now.AddDays(-2),
        LastSeen = TestData.Now.AddDays(-1),
    }, CancellationToken.None);

    private List<(long Value, string Tags)> Pools() => _meters.Observe(AnMetrics.PoolsInScope);

    private static string Segment => $"cluster=resource group cluster-x1y2z,region=westeurope,subscription={TestData.Subscription}";

    [Fact]
    public async Task ObserveAsync_Fleet_ReturnsTheReportAndTheGaugesReportIt()
    {
        await PoolAsync("pool-a", an: true);
        await PoolAsync("pool-b", an: false);

        var report = await _observer.ObserveAsync(CancellationToken.None);

        Assert.Equal(2, report.Totals.Pools);
        Assert.Equal(TestData.Now, report.GeneratedAt);
        Assert.Equal([(2L, Segment)], Pools());
        Assert.Equal([(1L, Segment)], _meters.Observe(AnMetrics.PoolsWithAcceleratedNetworking));
    }

    [Fact]
    public async Task ObserveAsync_FleetChanged_GaugesFollowTheNewReport()
    {
        await PoolAsync("pool-a", an: true);
        await _observer.ObserveAsync(CancellationToken.None);
        await PoolAsync("pool-b", an: true);

        Assert.Equal([(1L, Segment)], Pools());
        await _observer.ObserveAsync(CancellationToken.None);
        Assert.Equal([(2L, Segment)], Pools());
    }

    [Fact]
    public async Task AuditFinishedAsync_Run_RecordsItsDurationAndObservesTheFleet()
    {
        var durations = _meters.Collect<double>(AnMetrics.AuditDuration);
        await PoolAsync("pool-a", an: false);

        await _observer.AuditFinishedAsync(
            new AuditRun { RunId = "audit-1", Trigger = "queue", Started = TestData.Now.AddSeconds(-42), Ended = TestData.Now, Status = AuditRunStatus.Completed },
            CancellationToken.None);

        var duration = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.Equal(42, duration.Value, precision: 9);
        Assert.Equal("status=completed,trigger=queue", TestMeters.Tags(duration.Tags));
        Assert.Equal([(1L, Segment)], Pools());
        await _runs.Received(1).ListAsync(FleetReportBuilder.MaxAudits, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task AuditFinishedAsync_NoRun_RecordsNoDurationButStillObserves()
    {
        var durations = _meters.Collect<double>(AnMetrics.AuditDuration);
        await PoolAsync("pool-a", an: false);

        await _observer.AuditFinishedAsync(null, CancellationToken.None);

        Assert.Empty(durations.GetMeasurementSnapshot());
        Assert.Equal([(1L, Segment)], Pools());
    }
}
