using System.Text.Json.Nodes;
using AnFunctions.Api;
using AnFunctions.Api.Report;
using AnFunctions.Cli;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Events;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Fleet;
using AnFunctions.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Report;

/// <summary>The fleet report's model from the stores, its HTML (escaping, nothing loaded), its route, and the metrics fed by the same model.</summary>
public sealed class FleetReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static async Task<JsonNode> ReportJsonAsync(string scenario)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["report", "--output", "json", "--emulator", Path.Combine(RepoPaths.Scenarios, scenario)], stdout, stderr));
        return JsonNode.Parse(stdout.ToString())!;
    }

    [Fact]
    public async Task Report_FleetScenario_CountsCoverageEligibleMixedAndFindingsPerGroup()
    {
        var report = await ReportJsonAsync("fleet-report.json");

        var totals = report["totals"]!;
        Assert.Equal(10, totals["pools"]!.GetValue<int>());
        Assert.Equal(7, totals["withAcceleratedNetworking"]!.GetValue<int>());
        Assert.Equal(70, totals["coveragePercent"]!.GetValue<double>());
        // pool-jobs (D8ds_v5, AN off); pool-batch's E8bds_v5 is restricted in its region, pool-legacy's A2_v2 has no AN.
        Assert.Equal(1, totals["eligibleWithoutAcceleratedNetworking"]!.GetValue<int>());
        Assert.Equal(6, totals["nodesWithoutAcceleratedNetworking"]!.GetValue<int>());
        Assert.Equal(["pool-gpu", "pool-apps"], report["mixedPools"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal(["prod-neu", "prod-weu", "staging-weu"], report["byCluster"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()));
        Assert.Equal([4, 3, 3], report["byCluster"]!.AsArray().Select(r => r!["pools"]!.GetValue<int>()));
        Assert.Equal(["northeurope", "westeurope"], report["byRegion"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()));
        var first = report["openFindings"]!.AsArray()[0]!;
        Assert.Equal("critical", first["severity"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal("pool-tiny", first["poolName"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(first["remedy"]!.GetValue<string>()));
        Assert.Single(report["lastAudits"]!.AsArray());
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    [InlineData("</style><a href='javascript:x'>")]
    public void Render_UntrustedText_IsEncodedEverywhere(string hostile)
    {
        var html = FleetReportPage.Render(HostileReport(hostile));

        Assert.DoesNotContain(hostile, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<a ", html, StringComparison.OrdinalIgnoreCase);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "</style>"));
    }

    [Fact]
    public void Render_Page_LoadsNothingFromAnywhere()
    {
        var html = FleetReportPage.Render(HostileReport("pool"));

        Assert.Contains($"<meta http-equiv=\"Content-Security-Policy\" content=\"{FleetReportPage.ContentSecurityPolicy}\">", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", FleetReportPage.ContentSecurityPolicy, StringComparison.Ordinal);
        foreach (var marker in new[] { "<script", "<link", "@import", "url(", " src=", "http://", "https://", "@font-face" })
        {
            Assert.DoesNotContain(marker, html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task GetReport_Route_IsSelfContainedHtmlWithItsPolicy()
    {
        await using var app = AppUnderTest.Create(now: Now);
        var request = Request("GET");
        request.Path = "/api/report";

        var answer = await ExecuteAsync(request, await new ApiRouter(app.Services).SendAsync(request, CancellationToken.None));

        Assert.Equal(200, answer.Status);
        Assert.Equal(HtmlResult.ContentType, answer.ContentType);
        Assert.Equal(FleetReportPage.ContentSecurityPolicyHeader, answer.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", answer.Headers.XContentTypeOptions.ToString());
        Assert.Contains("id=\"coverage\"", answer.Body, StringComparison.Ordinal);
        Assert.Equal(Api.Auth.ApiRole.Reader, Auth(ApiRoutes.GetReport.Name));
    }

    [Fact]
    public async Task GetReport_UnknownParameter_Is400()
    {
        await using var app = AppUnderTest.Create(now: Now);
        var request = Request("GET", "format=pdf");
        request.Path = "/api/report";

        AssertProblem(await ExecuteAsync(request, await new ApiRouter(app.Services).SendAsync(request, CancellationToken.None)), 400, "unknown-parameter");
    }

    [Fact]
    public async Task Metrics_ReportObserved_GaugesSayWhatTheReportSays()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        app.Emulator.PutScaleSet(Fleet.ScaleSet("old-on", "Standard_D4s_v5", Now.AddDays(-30), an: true));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("old-off", "Standard_D4s_v5", Now.AddDays(-30), an: false));
        await app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);
        var factory = app.Get<System.Diagnostics.Metrics.IMeterFactory>();
        using var pools = new MetricCollector<long>(factory, AnMetrics.MeterName, AnMetrics.PoolsInScope);
        using var withAn = new MetricCollector<long>(factory, AnMetrics.MeterName, AnMetrics.PoolsWithAcceleratedNetworking);
        using var eligible = new MetricCollector<long>(factory, AnMetrics.MeterName, AnMetrics.EligiblePoolsWithoutAcceleratedNetworking);
        using var open = new MetricCollector<long>(factory, AnMetrics.MeterName, AnMetrics.OpenFindings);

        var report = await app.Get<FleetObserver>().ObserveAsync(CancellationToken.None);
        pools.RecordObservableInstruments();
        withAn.RecordObservableInstruments();
        eligible.RecordObservableInstruments();
        open.RecordObservableInstruments();

        Assert.Equal(2, report.Totals.Pools);
        var subscription = new KeyValuePair<string, object?>("subscription", AppUnderTest.Subscription);
        Assert.Equal(2, Assert.Single(pools.GetMeasurementSnapshot()).Value);
        Assert.Contains(subscription, pools.LastMeasurement!.Tags);
        Assert.Equal(1, withAn.LastMeasurement!.Value);
        Assert.Equal(1, eligible.LastMeasurement!.Value);
        var finding = Assert.Single(open.GetMeasurementSnapshot());
        Assert.Equal(1, finding.Value);
        Assert.Equal(nameof(FindingKind.AcceleratedNetworkingAvailableButOff), finding.Tags["kind"]);
        Assert.Equal("info", finding.Tags["severity"]);
    }

    [Fact]
    public async Task Metrics_EventsAuditsAndArmCalls_AreCountedByOutcomeAndKind()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = app.Emulator.PutScaleSet(Fleet.ScaleSet("new", "Standard_D4s_v5", Now.AddMinutes(-2)))["id"]!.GetValue<string>();
        var factory = app.Get<System.Diagnostics.Metrics.IMeterFactory>();
        using var events = new MetricCollector<long>(factory, AnMetrics.MeterName, AnMetrics.Events);
        using var arm = new MetricCollector<long>(factory, AnMetrics.MeterName, AnMetrics.ArmRequests);
        using var duration = new MetricCollector<double>(factory, AnMetrics.MeterName, AnMetrics.AuditDuration);

        var payload = Fleet.WriteEvent(id, "evt-1");
        await app.Get<EventDeliveryProcessor>().ProcessAsync(payload, CancellationToken.None);
        await app.Get<EventDeliveryProcessor>().ProcessAsync(payload, CancellationToken.None);
        var run = await app.Get<FleetAudit>().RunAsync(new AuditRequest("timer"), CancellationToken.None);
        app.Time.Advance(TimeSpan.FromSeconds(3));
        await app.Get<FleetObserver>().AuditFinishedAsync(run with { Ended = run.Started.AddSeconds(42) }, CancellationToken.None);

        Assert.Equal(["handled", "duplicate"], events.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!));
        var kinds = arm.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["kind"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(1, kinds["PatchScaleSet"]);
        Assert.Equal(app.Emulator.RequestLog.Count, kinds.Values.Sum());
        var audit = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal(42, audit.Value);
        Assert.Equal("timer", audit.Tags["trigger"]);
    }

    private static Api.Auth.ApiRole Auth(string name) => ApiRoutes.Find(name)!.Role;

    private static FleetReport HostileReport(string text)
    {
        var row = new CoverageRow(text, 2, 1, 1, 4, 2);
        return new FleetReport
        {
            GeneratedAt = Now,
            Scope = [text],
            Totals = row with { Key = "fleet" },
            BySubscription = [row],
            ByCluster = [row],
            ByRegion = [row],
            MixedPools = [new MixedPool("/subscriptions/x/resourceGroups/" + text, text, text, text, 4, 4, 2, Now)],
            OpenFindings = [new ReportFinding("fnd-0123456789abcdef01234567", FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, text, text, text, text, text, Now)],
            OpenFindingsByKind = [new FindingCount(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, 1, text)],
            LastAudits = [new AuditRun { RunId = text, Trigger = text, Started = Now, Ended = Now.AddSeconds(5), Errors = [text], ArmCalls = new Dictionary<string, int> { [text] = 3 } }],
        };
    }
}
