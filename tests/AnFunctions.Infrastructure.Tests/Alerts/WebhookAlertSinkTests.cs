using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Findings;
using AnFunctions.Infrastructure.Alerts;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>The generic webhook's JSON, schema <c>anfunctions.alert/v1</c>: its keys are a contract with receivers.</summary>
public sealed class WebhookAlertSinkTests
{
    /// <summary>The documented v1 keys (see <see cref="WebhookAlertSink"/>). Changing this list is changing the contract.</summary>
    private static readonly string[] TopLevelKeys =
    [
        "schema", "action", "notificationId", "createdAt", "findingId", "dedupKey", "kind", "severity", "status", "pool", "sizes",
        "acceleratedNetworking", "message", "consequence", "remedy", "evidence", "firstSeen", "lastSeen", "resolvedAt", "portalUrl",
    ];

    [Fact]
    public async Task SendAsync_Trigger_PostsTheV1Document()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Webhook, receiver);
        var notification = AlertTestData.Trigger();

        await harness.Sink(AlertSinkNames.Webhook).SendAsync(notification, default);

        var request = receiver.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/webhook/hook", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("ntf-0001", request.Headers["Idempotency-Key"]);

        var json = request.Json.AsObject();
        Assert.Equal(TopLevelKeys.Order(StringComparer.Ordinal), json.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("anfunctions.alert/v1", (string?)json["schema"]);
        Assert.Equal("trigger", (string?)json["action"]);
        Assert.Equal("ntf-0001", (string?)json["notificationId"]);
        Assert.Equal(notification.Finding.Id, (string?)json["findingId"]);
        Assert.Equal(notification.Finding.Id, (string?)json["dedupKey"]);
        Assert.Equal("sizeChangedWithoutAcceleratedNetworking", (string?)json["kind"]);
        Assert.Equal("warning", (string?)json["severity"]);
        Assert.Equal("open", (string?)json["status"]);
        Assert.Equal(notification.Finding.Message, (string?)json["message"]);
        Assert.Equal(notification.Finding.Consequence, (string?)json["consequence"]);
        Assert.Equal(AlertTestData.Remedy, (string?)json["remedy"]);
        Assert.False((bool?)json["acceleratedNetworking"]);
        Assert.Equal("2026-11-25T08:30:00.000Z", (string?)json["firstSeen"]);
        Assert.Equal("2026-11-25T09:00:00.000Z", (string?)json["lastSeen"]);
        Assert.Equal(JsonValueKind.Null, json["resolvedAt"]?.GetValueKind() ?? JsonValueKind.Null);
        Assert.True(json.ContainsKey("resolvedAt"));
        Assert.Equal(
            $"https://portal.azure.com/#@/resource/subscriptions/{AlertTestData.SubscriptionId}/resourceGroups/k8s-prod/providers/Microsoft.Compute/virtualMachineScaleSets/aks-pool1/overview",
            (string?)json["portalUrl"]);

        var pool = json["pool"]!.AsObject();
        Assert.Equal(AlertTestData.Pool.Value, (string?)pool["resourceId"]);
        Assert.Equal("aks-pool1", (string?)pool["name"]);
        Assert.Equal("k8s-prod", (string?)pool["resourceGroup"]);
        Assert.Equal(AlertTestData.SubscriptionId, (string?)pool["subscriptionId"]);
        Assert.Equal("aks-prod-weu", (string?)pool["cluster"]);
        Assert.Equal("westeurope", (string?)pool["location"]);

        var sizes = json["sizes"]!.AsObject();
        Assert.Equal(["Standard_B2s"], sizes["previous"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(["Standard_D4s_v5"], sizes["current"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(["Standard_D4s_v5"], sizes["attempted"]!.AsArray().Select(v => (string?)v));

        var evidence = json["evidence"]!.AsObject();
        Assert.Equal("Standard_D4s_v5: AcceleratedNetworkingEnabled=True", (string?)evidence["sizeSupport"]);
        Assert.Equal(["evt-1"], evidence["eventIds"]!.AsArray().Select(v => (string?)v));
        Assert.False((bool?)evidence["activityLogPending"]);
    }

    [Fact]
    public async Task SendAsync_Resolve_SaysResolveWithTheResolutionTime()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Webhook, receiver);

        await harness.Sink(AlertSinkNames.Webhook).SendAsync(AlertTestData.Resolve(), default);

        var json = receiver.Single().Json;
        Assert.Equal("resolve", (string?)json["action"]);
        Assert.Equal("resolved", (string?)json["status"]);
        Assert.Equal("2026-11-25T10:00:00.000Z", (string?)json["resolvedAt"]);
        Assert.Equal(TopLevelKeys.Length, json.AsObject().Count);
    }

    [Fact]
    public async Task SendAsync_ResolveOfAFindingClosedForAReason_CarriesTheReasonAndTheWriteAttempt()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Webhook, receiver);
        var finding = AlertTestData.Finding() with
        {
            Status = FindingStatus.Resolved,
            Evidence = AlertTestData.Finding().Evidence with { Resolution = "closed: the Activity Log never showed it", WriteAttempt = 2 },
        };

        await harness.Sink(AlertSinkNames.Webhook).SendAsync(AlertTestData.Resolve(finding), default);

        var evidence = receiver.Single().Json["evidence"]!.AsObject();
        Assert.Equal("closed: the Activity Log never showed it", (string?)evidence["resolution"]);
        Assert.Equal(2, (int?)evidence["writeAttempt"]);
    }

    [Theory]
    [InlineData(FindingSeverity.Info, "info")]
    [InlineData(FindingSeverity.Warning, "warning")]
    [InlineData(FindingSeverity.Critical, "critical")]
    public async Task SendAsync_Severity_IsLowerCase(FindingSeverity severity, string expected)
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Webhook, receiver);

        await harness.Sink(AlertSinkNames.Webhook).SendAsync(AlertTestData.Trigger(AlertTestData.Finding(severity)), default);

        Assert.Equal(expected, (string?)receiver.Single().Json["severity"]);
    }

    [Fact]
    public async Task SendAsync_HostileText_RoundTripsExactlyAndIsNeverRawMarkup()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Webhook, receiver);
        var notification = AlertTestData.HostileTrigger();

        await harness.Sink(AlertSinkNames.Webhook).SendAsync(notification, default);

        var request = receiver.Single();
        var json = request.Json;
        Assert.Equal(AlertTestData.Hostile, (string?)json["message"]);
        Assert.Equal(AlertTestData.Hostile, (string?)json["remedy"]);
        Assert.Equal(AlertTestData.Hostile, (string?)json["pool"]!["cluster"]);
        Assert.Equal(AlertTestData.Hostile, (string?)json["evidence"]!["errorMessage"]);

        // The serializer escapes HTML-significant characters, so a receiver that pastes the body into a page is safe too.
        Assert.DoesNotContain("<script>", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("<@U123>", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_MissingEvidence_WritesNullsAndEmptyLists()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Webhook, receiver);
        var finding = AlertTestData.Finding(cluster: null) with { Evidence = new FindingEvidence() };

        await harness.Sink(AlertSinkNames.Webhook).SendAsync(AlertTestData.Trigger(finding), default);

        var json = receiver.Single().Json;
        Assert.Equal(JsonValueKind.Null, GetKind(json["pool"]!.AsObject(), "cluster"));
        Assert.Equal(JsonValueKind.Null, GetKind(json.AsObject(), "acceleratedNetworking"));
        Assert.Empty(json["sizes"]!["previous"]!.AsArray());
    }

    private static JsonValueKind GetKind(JsonObject json, string key)
    {
        Assert.True(json.ContainsKey(key), $"{key} is missing");
        return json[key]?.GetValueKind() ?? JsonValueKind.Null;
    }
}
