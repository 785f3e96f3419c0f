using System.Net;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using Azure.ResourceManager.Compute;
using Microsoft.Extensions.Time.Testing;
using static AnFunctions.Infrastructure.Tests.Emulator.EmulatorTestData;

namespace AnFunctions.Infrastructure.Tests.Emulator;

public sealed class ArmEmulatorActivityLogTests
{
    private static readonly DateTimeOffset FailedAt = new(2026, 11, 3, 10, 15, 30, TimeSpan.Zero);

    private readonly ArmEmulator _emulator = new(new FakeTimeProvider(FailedAt.AddMinutes(5)));

    private static Uri ActivityLogUri(string filter, string subscriptionId = SubscriptionId) => new(
        $"/subscriptions/{subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={Uri.EscapeDataString(filter)}",
        UriKind.Relative);

    private static string Window(DateTimeOffset from, DateTimeOffset to) =>
        $"eventTimestamp ge '{from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' and eventTimestamp le '{to.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}'";

    private JsonObject AddVmSizeFailure(string correlationId, DateTimeOffset at)
    {
        var body = JsonNode.Parse("""{"properties":{"virtualMachineProfile":{"networkProfile":{"networkInterfaceConfigurations":[{"name":"nic-primary","properties":{"primary":true,"enableAcceleratedNetworking":true}}]}}}}""");
        return _emulator.AddFailedWrite(ScaleSetId("vmss-a"), correlationId, body, "VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss",
            "VM size Standard_A1_v2 is not compatible with enabling accelerated networking on VM scale set vmss-a.", at);
    }

    [Fact]
    public async Task QueryByCorrelationId_FailedWrite_ReturnsEventInArmShape()
    {
        AddVmSizeFailure("5c0e7a3d-0b8e-4b6e-9b0c-1f2e3d4c5b6a", FailedAt);
        AddVmSizeFailure("99999999-0b8e-4b6e-9b0c-1f2e3d4c5b6a", FailedAt);
        using var http = EmulatorArm.CreateHttpClient(_emulator);

        using var response = await http.GetAsync(ActivityLogUri(
            Window(FailedAt.AddHours(-1), FailedAt.AddHours(1)) + " and correlationId eq '5c0e7a3d-0b8e-4b6e-9b0c-1f2e3d4c5b6a'"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var entry = Assert.Single(body["value"]!.AsArray())!.AsObject();
        Assert.Equal("5c0e7a3d-0b8e-4b6e-9b0c-1f2e3d4c5b6a", entry["correlationId"]!.GetValue<string>());
        Assert.Equal("Error", entry["level"]!.GetValue<string>());
        Assert.Equal("Failed", entry["status"]!["value"]!.GetValue<string>());
        Assert.Equal("Administrative", entry["category"]!["value"]!.GetValue<string>());
        Assert.Equal("Microsoft.Compute/virtualMachineScaleSets/write", entry["operationName"]!["value"]!.GetValue<string>());
        Assert.Equal("Microsoft.Compute/virtualMachineScaleSets/write", entry["authorization"]!["action"]!.GetValue<string>());
        Assert.Equal(ScaleSetId("vmss-a"), entry["resourceId"]!.GetValue<string>());
        Assert.Equal(ScaleSetId("vmss-a"), entry["authorization"]!["scope"]!.GetValue<string>());
        Assert.Equal(ResourceGroup, entry["resourceGroupName"]!.GetValue<string>());
        Assert.Equal("Microsoft.Compute", entry["resourceProviderName"]!["value"]!.GetValue<string>());
        Assert.Equal("Microsoft.Compute/virtualMachineScaleSets", entry["resourceType"]!["value"]!.GetValue<string>());
        Assert.Equal(SubscriptionId, entry["subscriptionId"]!.GetValue<string>());
        Assert.Equal("2026-11-03T10:15:30.0000000Z", entry["eventTimestamp"]!.GetValue<string>());
        Assert.StartsWith(ScaleSetId("vmss-a") + "/events/", entry["id"]!.GetValue<string>(), StringComparison.Ordinal);

        var properties = entry["properties"]!;
        Assert.Equal("BadRequest", properties["statusCode"]!.GetValue<string>());
        var statusMessage = JsonNode.Parse(properties["statusMessage"]!.GetValue<string>())!;
        Assert.Equal("VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", statusMessage["error"]!["code"]!.GetValue<string>());
        var requestBody = JsonNode.Parse(properties["requestbody"]!.GetValue<string>())!;
        Assert.True(requestBody["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>());
        Assert.Equal(1, _emulator.Count(ArmCallKind.ActivityLog));
    }

    [Fact]
    public async Task Query_OutsideWindowOrOtherSubscription_ReturnsNothing()
    {
        AddVmSizeFailure("5c0e7a3d-0b8e-4b6e-9b0c-1f2e3d4c5b6a", FailedAt);
        using var http = EmulatorArm.CreateHttpClient(_emulator);

        var early = await http.GetStringAsync(ActivityLogUri(Window(FailedAt.AddHours(-2), FailedAt.AddHours(-1))));
        var otherSubscription = await http.GetStringAsync(ActivityLogUri(Window(FailedAt.AddHours(-1), FailedAt.AddHours(1)), OtherSubscriptionId));

        Assert.Empty(JsonNode.Parse(early)!["value"]!.AsArray());
        Assert.Empty(JsonNode.Parse(otherSubscription)!["value"]!.AsArray());
    }

    [Fact]
    public async Task Query_WithoutStartTime_Returns400()
    {
        using var http = EmulatorArm.CreateHttpClient(_emulator);

        using var response = await http.GetAsync(ActivityLogUri("correlationId eq '5c0e7a3d-0b8e-4b6e-9b0c-1f2e3d4c5b6a'"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Query_MoreEventsThanPageSize_PagesWithNextLinkNewestFirst()
    {
        _emulator.PageSize = 2;
        for (var i = 0; i < 5; i++)
        {
            AddVmSizeFailure($"c-{i}", FailedAt.AddMinutes(i));
        }

        using var http = EmulatorArm.CreateHttpClient(_emulator);
        var correlationIds = new List<string>();
        Uri? next = ActivityLogUri(Window(FailedAt.AddHours(-1), FailedAt.AddHours(1)));
        while (next is not null)
        {
            var page = JsonNode.Parse(await http.GetStringAsync(next))!;
            correlationIds.AddRange(page["value"]!.AsArray().Select(e => e!["correlationId"]!.GetValue<string>()));
            next = page["nextLink"] is { } link ? new Uri(link.GetValue<string>()) : null;
        }

        Assert.Equal(["c-4", "c-3", "c-2", "c-1", "c-0"], correlationIds);
        Assert.Equal(3, _emulator.Count(ArmCallKind.ActivityLog));
    }

    [Fact]
    public async Task FaultWithRecordInActivityLog_FailedPatch_IsFoundByTheCorrelationIdOfTheAnswer()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", size: "Standard_A1_v2", primaryAcceleratedNetworking: false));
        _emulator.AddFault(new FaultRule
        {
            Kind = ArmCallKind.PatchScaleSet,
            When = request => request.BodyText?.Contains("\"enableAcceleratedNetworking\":true", StringComparison.Ordinal) == true,
            Status = 400,
            ErrorCode = "VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss",
            ErrorMessage = "VM size Standard_A1_v2 is not compatible with enabling accelerated networking.",
            RecordInActivityLog = true,
        });
        var client = EmulatorArm.CreateClient(_emulator);
        var scaleSet = client.GetVirtualMachineScaleSetResource(new Azure.Core.ResourceIdentifier(ScaleSetId("vmss-a")));

        var error = await Assert.ThrowsAsync<Azure.RequestFailedException>(() =>
            scaleSet.UpdateAsync(Azure.WaitUntil.Completed, ArmEmulatorScaleSetTests.AcceleratedNetworkingPatch()));
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("x-ms-correlation-request-id", out var correlationId));

        using var http = EmulatorArm.CreateHttpClient(_emulator);
        var now = _emulator.TimeProvider.GetUtcNow();
        var found = JsonNode.Parse(await http.GetStringAsync(ActivityLogUri(Window(now.AddHours(-1), now.AddHours(1)) + $" and correlationId eq '{correlationId}'")))!;
        var entry = Assert.Single(found["value"]!.AsArray())!;
        Assert.Contains("VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", entry["properties"]!["statusMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(400, error.Status);
        Assert.False(_emulator.GetScaleSet(ScaleSetId("vmss-a"))!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>());
    }
}
