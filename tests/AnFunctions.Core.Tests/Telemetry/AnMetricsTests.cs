using System.Diagnostics.Metrics;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Events;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Fleet;
using AnFunctions.Core.Telemetry;

namespace AnFunctions.Core.Tests.Telemetry;

/// <summary>
/// <see cref="AnMetrics"/> on meters of the test's own: the instruments it publishes (name, kind, unit, description:
/// what Azure Monitor and the workbook read), each measurement's value and tags, and the gauges before and after a
/// fleet is observed.
/// </summary>
public sealed class AnMetricsTests : IDisposable
{
    private readonly TestMeters _meters = new();

    private AnMetrics Metrics => _meters.Metrics;

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Constructor_NoFactory_Throws()
    {
        var e = Assert.Throws<ArgumentNullException>(() => new AnMetrics(null!));

        Assert.Equal("meterFactory", e.ParamName);
    }

    [Fact]
    public void Constructor_Always_MakesOneMeterNamedAnFunctions()
    {
        Assert.Equal(["AnFunctions"], _meters.MeterNames);
        Assert.Equal("AnFunctions", AnMetrics.MeterName);
    }

    [Fact]
    public void Constructor_Always_PublishesEachInstrumentWithItsKindUnitAndDescription()
    {
        var published = new List<string>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, _meters))
                {
                    published.Add($"{instrument.Name}|{instrument.GetType().Name}|{instrument.Unit}|{instrument.Description}");
                }
            };
            listener.Start();
        }

        Assert.Equal(
        [
            "anfunctions.arm.requests|Counter`1|{request}|ARM requests sent (each retry counts), by kind.",
            "anfunctions.audit.duration|Histogram`1|s|Duration of a fleet audit run, by trigger and status.",
            "anfunctions.events|Counter`1|{event}|Scale set events handled, by outcome (handled, recorded, ignored, duplicate, rejected, retrylater).",
            "anfunctions.findings.open|ObservableGauge`1|{finding}|Open findings by kind and severity.",
            "anfunctions.fleet.nodes.without_accelerated_networking|ObservableGauge`1|{node}|Nodes running without AN (pools whose nodes were listed).",
            "anfunctions.fleet.pools.accelerated_networking|ObservableGauge`1|{pool}|Pools whose model has AN on every NIC configuration.",
            "anfunctions.fleet.pools.eligible_without_accelerated_networking|ObservableGauge`1|{pool}|Pools without AN whose size supports it.",
            "anfunctions.fleet.pools|ObservableGauge`1|{pool}|Active pools in scope, per subscription, cluster and region, as last observed.",
            "anfunctions.table.requests|Counter`1|{request}|Table Storage requests sent (each retry counts), by HTTP method.",
        ], published.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Names_Always_AreTheOnesTheWorkbookQueries()
    {
        Assert.Equal(
        [
            "anfunctions.fleet.pools", "anfunctions.fleet.pools.accelerated_networking", "anfunctions.fleet.pools.eligible_without_accelerated_networking",
            "anfunctions.fleet.nodes.without_accelerated_networking", "anfunctions.findings.open", "anfunctions.events", "anfunctions.audit.duration",
            "anfunctions.arm.requests", "anfunctions.table.requests",
        ], AnMetrics.InstrumentNames);
        Assert.Equal(["subscription", "cluster", "region", "kind", "severity", "outcome", "trigger", "status", "method"], AnMetrics.TagNames);
    }

    [Theory]
    [InlineData(EventDisposition.Handled, "handled")]
    [InlineData(EventDisposition.Recorded, "recorded")]
    [InlineData(EventDisposition.Ignored, "ignored")]
    [InlineData(EventDisposition.Duplicate, "duplicate")]
    [InlineData(EventDisposition.Rejected, "rejected")]
    [InlineData(EventDisposition.RetryLater, "retrylater")]
    public void EventHandled_EachDisposition_CountsOneWithItsOutcomeInLowerCase(EventDisposition disposition, string outcome)
    {
        var events = _meters.Collect<long>(AnMetrics.Events);

        Metrics.EventHandled(disposition);

        var measurement = Assert.Single(events.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal($"outcome={outcome}", TestMeters.Tags(measurement.Tags));
    }

    [Fact]
    public void ArmRequest_Kind_CountsOneTaggedWithTheKindAsGiven()
    {
        var requests = _meters.Collect<long>(AnMetrics.ArmRequests);

        Metrics.ArmRequest("getInstances");
        Metrics.ArmRequest("get");

        Assert.Equal(
            [(1L, "kind=getInstances"), (1L, "kind=get")],
            requests.GetMeasurementSnapshot().Select(m => (m.Value, TestMeters.Tags(m.Tags))));
    }

    [Fact]
    public void TableRequest_Method_CountsOneTaggedWithTheMethodInUpperCase()
    {
        var requests = _meters.Collect<long>(AnMetrics.TableRequests);

        Metrics.TableRequest("patch");
        Metrics.TableRequest("GET");

        Assert.Equal(
            [(1L, "method=PATCH"), (1L, "method=GET")],
            requests.GetMeasurementSnapshot().Select(m => (m.Value, TestMeters.Tags(m.Tags))));
    }

    public static TheoryData<string, double, AuditRunStatus, double, string> Audits() => new()
    {
        { "completed in 90.5 s", 90.5, AuditRunStatus.Completed, 90.5, "status=completed,trigger=timer" },
        { "with errors", 12, AuditRunStatus.CompletedWithErrors, 12, "status=completedwitherrors,trigger=timer" },
        { "failed at once", 0, AuditRunStatus.Failed, 0, "status=failed,trigger=timer" },
        { "ended before it started (clock skew): zero, never negative", -3, AuditRunStatus.Completed, 0, "status=completed,trigger=timer" },
    };

    [Theory]
    [MemberData(nameof(Audits))]
    public void AuditCompleted_EndedRun_RecordsItsSecondsWithTriggerAndStatus(string name, double seconds, AuditRunStatus status, double expected, string tags)
    {
        _ = name;
        var durations = _meters.Collect<double>(AnMetrics.AuditDuration);

        Metrics.AuditCompleted(Run(TestData.Now.AddSeconds(seconds), status));

        var measurement = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.Equal(expected, measurement.Value, precision: 9);
        Assert.Equal(tags, TestMeters.Tags(measurement.Tags));
    }

    [Fact]
    public void AuditCompleted_StillRunning_RecordsNothing()
    {
        var durations = _meters.Collect<double>(AnMetrics.AuditDuration);

        Metrics.AuditCompleted(Run(ended: null, AuditRunStatus.Running));

        Assert.Empty(durations.GetMeasurementSnapshot());
    }

    [Fact]
    public void AuditCompleted_NoRun_Throws()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Metrics.AuditCompleted(null!));

        Assert.Equal("run", e.ParamName);
    }

    [Fact]
    public void Observe_NoReport_Throws()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Metrics.Observe(null!));

        Assert.Equal("report", e.ParamName);
    }

    [Theory]
    [InlineData(AnMetrics.PoolsInScope)]
    [InlineData(AnMetrics.PoolsWithAcceleratedNetworking)]
    [InlineData(AnMetrics.EligiblePoolsWithoutAcceleratedNetworking)]
    [InlineData(AnMetrics.NodesWithoutAcceleratedNetworking)]
    [InlineData(AnMetrics.OpenFindings)]
    public void Gauges_NothingObservedYet_ReportNothing(string gauge) =>
        Assert.Empty(_meters.Observe(gauge));

    [Theory]
    [InlineData(AnMetrics.PoolsInScope, 7, 3)]
    [InlineData(AnMetrics.PoolsWithAcceleratedNetworking, 4, 1)]
    [InlineData(AnMetrics.EligiblePoolsWithoutAcceleratedNetworking, 2, 0)]
    [InlineData(AnMetrics.NodesWithoutAcceleratedNetworking, 11, 5)]
    public void SegmentGauges_FleetObserved_OneSeriesPerSegmentWithItsValue(string gauge, long first, long second)
    {
        Metrics.Observe(TestMeters.Report(
        [
            new FleetSegment(TestData.Subscription, "prod", "westeurope", new CoverageRow("a", 7, 4, 2, 20, 11)),
            new FleetSegment(TestData.OtherSubscription, "capz-1", "northeurope", new CoverageRow("b", 3, 1, 0, 6, 5)),
        ]));

        Assert.Equal(
        [
            (first, $"cluster=prod,region=westeurope,subscription={TestData.Subscription}"),
            (second, $"cluster=capz-1,region=northeurope,subscription={TestData.OtherSubscription}"),
        ], _meters.Observe(gauge));
    }

    [Fact]
    public void OpenFindingsGauge_FleetObserved_OneSeriesPerKindAndSeverity()
    {
        Metrics.Observe(TestMeters.Report([],
            TestMeters.Count(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, 2),
            TestMeters.Count(FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Info, 9)));

        Assert.Equal(
        [
            (2L, "kind=AcceleratedNetworkingLost,severity=critical"),
            (9L, "kind=AcceleratedNetworkingAvailableButOff,severity=info"),
        ], _meters.Observe(AnMetrics.OpenFindings));
        Assert.Empty(_meters.Observe(AnMetrics.PoolsInScope));
    }

    [Fact]
    public void Observe_SecondReport_ReplacesTheFirst()
    {
        Metrics.Observe(TestMeters.Report([new FleetSegment("s1", "c1", "r1", new CoverageRow("a", 5, 0, 0, 0, 0))]));
        Metrics.Observe(TestMeters.Report([new FleetSegment("s2", "c2", "r2", new CoverageRow("b", 8, 0, 0, 0, 0))]));

        Assert.Equal([(8L, "cluster=c2,region=r2,subscription=s2")], _meters.Observe(AnMetrics.PoolsInScope));
    }

    private static AuditRun Run(DateTimeOffset? ended, AuditRunStatus status) =>
        new() { RunId = "audit-1", Trigger = "timer", Started = TestData.Now, Ended = ended, Status = status };
}
