using System.Globalization;
using AnFunctions.Core.Findings;
using AnFunctions.Infrastructure.Alerts;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>PagerDuty Events API v2: the trigger and resolve events, the severity mapping and the documented limits.</summary>
public sealed class PagerDutyAlertSinkTests
{
    private static ScriptedResponse Accepted(string dedupKey) =>
        new(202, $$"""{"status":"success","message":"Event processed","dedup_key":"{{dedupKey}}"}""");

    [Fact]
    public async Task SendAsync_Trigger_PostsAnAlertEvent()
    {
        var notification = AlertTestData.Trigger();
        await using var receiver = AlertReceiver.Start(Accepted(notification.DedupKey));
        using var harness = SinkHarness.For(AlertSinkNames.PagerDuty, receiver);

        await harness.Sink(AlertSinkNames.PagerDuty).SendAsync(notification, default);

        var request = receiver.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/pagerduty/hook", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var json = request.Json.AsObject();
        Assert.Equal(SinkHarness.RoutingKey, (string?)json["routing_key"]);
        Assert.Equal("trigger", (string?)json["event_action"]);
        Assert.Equal(notification.Finding.Id, (string?)json["dedup_key"]);
        Assert.Equal("AnFunctions", (string?)json["client"]);

        var payload = json["payload"]!.AsObject();
        Assert.Equal(notification.Summary, (string?)payload["summary"]);
        Assert.Equal(AlertTestData.Pool.Value, (string?)payload["source"]);
        Assert.Equal("warning", (string?)payload["severity"]);
        Assert.Equal(
            AlertTestData.LastSeen,
            DateTimeOffset.Parse((string)payload["timestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        Assert.Equal("aks-pool1", (string?)payload["component"]);
        Assert.Equal("aks-prod-weu", (string?)payload["group"]);
        Assert.Equal("SizeChangedWithoutAcceleratedNetworking", (string?)payload["class"]);

        var details = payload["custom_details"]!.AsObject();
        Assert.Equal(notification.Finding.Id, (string?)details["finding_id"]);
        Assert.Equal("Standard_B2s", (string?)details["previous_sizes"]);
        Assert.Equal("Standard_D4s_v5", (string?)details["current_sizes"]);
        Assert.Equal("Off", (string?)details["accelerated_networking"]);
        Assert.Equal(AlertTestData.Remedy, (string?)details["remedy"]);
        Assert.Equal("k8s-prod", (string?)details["resource_group"]);

        var link = Assert.Single(json["links"]!.AsArray())!;
        Assert.Equal(notification.PortalUrl.AbsoluteUri, (string?)link["href"]);
        Assert.Equal("Azure portal", (string?)link["text"]);
    }

    [Fact]
    public async Task SendAsync_Resolve_SendsOnlyRoutingKeyActionAndDedupKey()
    {
        var notification = AlertTestData.Resolve();
        await using var receiver = AlertReceiver.Start(Accepted(notification.DedupKey));
        using var harness = SinkHarness.For(AlertSinkNames.PagerDuty, receiver);

        await harness.Sink(AlertSinkNames.PagerDuty).SendAsync(notification, default);

        var json = receiver.Single().Json.AsObject();
        Assert.Equal(["dedup_key", "event_action", "routing_key"], json.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("resolve", (string?)json["event_action"]);
        Assert.Equal(notification.Finding.Id, (string?)json["dedup_key"]);
        Assert.Equal(SinkHarness.RoutingKey, (string?)json["routing_key"]);
    }

    [Theory]
    [InlineData(FindingSeverity.Critical, "critical")]
    [InlineData(FindingSeverity.Warning, "warning")]
    [InlineData(FindingSeverity.Info, "info")]
    public async Task SendAsync_Severity_MapsToPagerDutySeverity(FindingSeverity severity, string expected)
    {
        var notification = AlertTestData.Trigger(AlertTestData.Finding(severity));
        await using var receiver = AlertReceiver.Start(Accepted(notification.DedupKey));
        using var harness = SinkHarness.For(AlertSinkNames.PagerDuty, receiver);

        await harness.Sink(AlertSinkNames.PagerDuty).SendAsync(notification, default);

        Assert.Equal(expected, (string?)receiver.Single().Json["payload"]!["severity"]);
        Assert.Equal(expected, PagerDutyAlertSink.Severity(severity));
    }

    [Fact]
    public async Task SendAsync_HostileText_SummaryOneLineWithin1024AndDetailsExact()
    {
        var notification = AlertTestData.HostileTrigger();
        await using var receiver = AlertReceiver.Start(Accepted(notification.DedupKey));
        using var harness = SinkHarness.For(AlertSinkNames.PagerDuty, receiver);

        await harness.Sink(AlertSinkNames.PagerDuty).SendAsync(notification, default);

        var payload = receiver.Single().Json["payload"]!;
        var summary = (string)payload["summary"]!;
        Assert.InRange(summary.Length, 1, PagerDutyAlertSink.MaxSummary);
        Assert.DoesNotContain('\n', summary);
        Assert.StartsWith("[CRITICAL] aks-pool1: <script>alert(1)</script> *bold*", summary, StringComparison.Ordinal);
        Assert.EndsWith(AlertText.Ellipsis, summary, StringComparison.Ordinal);

        // custom_details is JSON, shown as data: the text is kept as it is (cut at 4,000), quotes and line breaks included.
        var message = (string)payload["custom_details"]!["message"]!;
        Assert.StartsWith(AlertTestData.Hostile[..300], message, StringComparison.Ordinal);
        Assert.Contains("\"quotes\" & 'single' \\ backslash\nline two\r\n- list item", message, StringComparison.Ordinal);
        Assert.True(message.Length <= 4000);
        var group = (string)payload["group"]!;
        Assert.InRange(group.Length, 1, 255);
        Assert.StartsWith("<script>alert(1)</script> *bold*", group, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_NoCluster_LeavesGroupOut()
    {
        var notification = AlertTestData.Trigger(AlertTestData.Finding(cluster: null));
        await using var receiver = AlertReceiver.Start(Accepted(notification.DedupKey));
        using var harness = SinkHarness.For(AlertSinkNames.PagerDuty, receiver);

        await harness.Sink(AlertSinkNames.PagerDuty).SendAsync(notification, default);

        var payload = receiver.Single().Json["payload"]!.AsObject();
        Assert.False(payload.ContainsKey("group"));
        Assert.False(payload["custom_details"]!.AsObject().ContainsKey("cluster"));
    }
}
