using System.Globalization;
using System.Text.Json.Nodes;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Arm;
using AnFunctions.Infrastructure.Compute;
using static AnFunctions.Infrastructure.Tests.Compute.ComputeTestData;

namespace AnFunctions.Infrastructure.Tests.Compute;

/// <summary><see cref="ArmScaleSetClient"/> with the real Azure SDK against the ARM emulator.</summary>
public sealed class ArmScaleSetClientTests
{
    private readonly ArmEmulator _emulator = new();
    private readonly ArmScaleSetClient _client;

    public ArmScaleSetClientTests() => _client = new ArmScaleSetClient(EmulatorConnection.Create(_emulator));

    private static ScaleSetId ScaleSet(string name, string subscription = Subscription) => ScaleSetId.Parse(Id(name, subscription: subscription));

    // ---------------------------------------------------------------- GetAsync

    [Fact]
    public async Task GetAsync_UniformScaleSet_SnapshotCarriesArmFields()
    {
        _emulator.PutScaleSet(Uniform("nodepool1", size: "Standard_D8as_v5", capacity: 4));

        var snapshot = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(ScaleSet("nodepool1"), snapshot.Id);
        Assert.Equal("westeurope", snapshot.Location);
        Assert.Equal("Standard_D8as_v5", snapshot.SkuName);
        Assert.Equal(["Standard_D8as_v5"], snapshot.VmSizes);
        Assert.False(snapshot.IsMixedSize);
        Assert.Equal(4, snapshot.Capacity);
        Assert.Equal(DateTimeOffset.Parse(TimeCreated, CultureInfo.InvariantCulture), snapshot.TimeCreated);
        Assert.Equal("Succeeded", snapshot.ProvisioningState);
        Assert.Equal("Uniform", snapshot.OrchestrationMode);
        Assert.Equal(2, snapshot.Tags.Count);
        Assert.Equal("nodepool1", snapshot.Tags["aks-managed-poolName"]);
        Assert.Equal("prod", snapshot.Tag("environment"));
    }

    [Fact]
    public async Task GetAsync_NicWithAnTrueAndNicWithoutKey_ReadsTrueAndNull()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));

        var snapshot = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Collection(snapshot.NetworkInterfaces,
            nic => Assert.Equal(new NetworkInterfaceConfiguration("nodepool1-nic-0", Primary: true, AcceleratedNetworking: true), nic),
            nic => Assert.Equal(new NetworkInterfaceConfiguration("nodepool1-nic-1", Primary: false, AcceleratedNetworking: null), nic));
        Assert.True(snapshot.AcceleratedNetworkingOnAny);
        Assert.False(snapshot.AcceleratedNetworkingOnAll);
    }

    [Fact]
    public async Task GetAsync_SeededScaleSet_ETagIsTheEmulatorsETag()
    {
        var stored = _emulator.PutScaleSet(Uniform("nodepool1"));
        var etag = _emulator.GetETag(Id("nodepool1"));

        var snapshot = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        Assert.NotNull(etag);
        Assert.NotEqual("\"3\"", etag);
        Assert.Equal(stored["etag"]!.GetValue<string>(), etag);
        Assert.Equal(etag, snapshot!.ETag);
    }

    [Fact]
    public async Task GetAsync_NicFieldsTheSdkDoesNotModel_KeptInRawConfigurations()
    {
        var seeded = Uniform("nodepool1");
        _emulator.PutScaleSet(seeded);

        var snapshot = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        var raw = JsonNode.Parse(snapshot!.RawNetworkInterfaceConfigurations)!.AsArray();
        Assert.True(JsonNode.DeepEquals(Nics(seeded), raw), $"raw NICs differ from ARM's: {raw.ToJsonString()}");
        var primary = raw[0]!["properties"]!;
        Assert.Equal("AcceleratedConnections", primary["auxiliaryMode"]!.GetValue<string>());
        Assert.Equal("A2", primary["auxiliarySku"]!.GetValue<string>());
        Assert.True(primary["disableTcpStateTracking"]!.GetValue<bool>());
        Assert.False(raw[1]!["properties"]!.AsObject().ContainsKey("enableAcceleratedNetworking"));
    }

    [Fact]
    public async Task GetAsync_FlexibleMixWithSkuProfile_VmSizesListsEverySize()
    {
        _emulator.PutScaleSet(FlexibleMix("spotmix"));

        var snapshot = await _client.GetAsync(ScaleSet("spotmix"), CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal("Mix", snapshot.SkuName);
        Assert.Equal(["Standard_D4s_v5", "Standard_D4as_v5", "Standard_E4s_v5"], snapshot.VmSizes);
        Assert.True(snapshot.IsMixedSize);
        Assert.Equal("Flexible", snapshot.OrchestrationMode);
        Assert.Equal(6, snapshot.Capacity);
        var nic = Assert.Single(snapshot.NetworkInterfaces);
        Assert.False(nic.AcceleratedNetworking);
    }

    [Fact]
    public async Task GetAsync_NoTimeCreated_TimeCreatedIsNull()
    {
        _emulator.PutScaleSet(WithoutTimeCreated("legacy"));

        var snapshot = await _client.GetAsync(ScaleSet("legacy"), CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Null(snapshot.TimeCreated);
    }

    [Fact]
    public async Task GetAsync_UnknownScaleSet_ReturnsNull()
    {
        var snapshot = await _client.GetAsync(ScaleSet("missing"), CancellationToken.None);

        Assert.Null(snapshot);
        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task GetAsync_Forbidden_ThrowsTerminalArmRequestException()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        _emulator.FailNext(ArmCallKind.GetScaleSet, 403, "AuthorizationFailed");

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None));

        Assert.Equal(403, error.Status);
        Assert.Equal("AuthorizationFailed", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.False(error.IsNotFound);
        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public async Task GetAsync_ThrottledWithRetryAfter_ThrowsTransientWithRetryAfterAndNoRetry()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        _emulator.FailNext(ArmCallKind.GetScaleSet, 429, "TooManyRequests", retryAfter: TimeSpan.FromSeconds(17));

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None));

        Assert.Equal(429, error.Status);
        Assert.Equal("TooManyRequests", error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(17), error.RetryAfter);
        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task GetAsync_NoAnswerInTime_ThrowsTransientArmRequestException()
    {
        var client = new ArmScaleSetClient(EmulatorConnection.Create(_emulator, timeout: TimeSpan.FromMilliseconds(200)));
        _emulator.PutScaleSet(Uniform("nodepool1"));
        _emulator.DelayNext(ArmCallKind.GetScaleSet, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None));

        Assert.Equal(0, error.Status);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task GetAsync_Request_UsesTheScaleSetApiVersion()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));

        await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        var request = Assert.Single(_emulator.RequestLog);
        Assert.Equal("GET", request.Method);
        Assert.Equal($"{Id("nodepool1")}?api-version={ArmConnection.ScaleSetApiVersion}", request.PathAndQuery, ignoreCase: true);
    }

    // ---------------------------------------------------------------- ListAsync

    private async Task<List<ScaleSetSnapshot>> ListAllAsync(string subscription)
    {
        var all = new List<ScaleSetSnapshot>();
        await foreach (var item in _client.ListAsync(subscription, CancellationToken.None))
        {
            all.Add(item.ScaleSet ?? throw new InvalidDataException($"{item.ResourceId}: {item.Problem}"));
        }

        return all;
    }

    private string[] SeedFive()
    {
        string[] names = ["pool-a", "pool-b", "pool-c", "pool-d", "pool-e"];
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            _emulator.PutScaleSet(Uniform(name, resourceGroup: i % 2 == 0 ? ResourceGroup : "rg-batch", capacity: i + 1, marker: $"marker-{i}"));
        }

        _emulator.PutScaleSet(Uniform("pool-elsewhere", subscription: OtherSubscription));
        return names;
    }

    [Fact]
    public async Task ListAsync_FivePagesOfTwo_ReturnsEveryScaleSetInThreeCalls()
    {
        var names = SeedFive();
        _emulator.PageSize = 2;

        var all = await ListAllAsync(Subscription);

        Assert.Equal(names.Order(StringComparer.Ordinal), all.Select(s => s.Id.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3, _emulator.Count(ArmCallKind.ListScaleSets));
        Assert.Equal(_emulator.TotalCalls, _emulator.Count(ArmCallKind.ListScaleSets));
    }

    [Fact]
    public async Task ListAsync_SeveralPages_EachSnapshotCarriesItsOwnRawNicsAndETag()
    {
        SeedFive();
        _emulator.PageSize = 2;

        var all = await ListAllAsync(Subscription);

        Assert.Equal(5, all.Count);
        Assert.Equal(5, all.Select(s => s.ETag).Distinct().Count());
        foreach (var snapshot in all)
        {
            var stored = _emulator.GetScaleSet(snapshot.Id.Value)!;
            Assert.Equal(_emulator.GetETag(snapshot.Id.Value), snapshot.ETag);
            Assert.True(JsonNode.DeepEquals(Nics(stored), JsonNode.Parse(snapshot.RawNetworkInterfaceConfigurations)),
                $"{snapshot.Id.Name}: raw NICs are not its own: {snapshot.RawNetworkInterfaceConfigurations}");
            Assert.Equal(stored["sku"]!["capacity"]!.GetValue<int>(), snapshot.Capacity);
            Assert.Equal([true, null], snapshot.NetworkInterfaces.Select(n => n.AcceleratedNetworking));
        }
    }

    [Fact]
    public async Task ListAsync_EmptySubscription_ReturnsNothingAfterOneCall()
    {
        SeedFive();

        var all = await ListAllAsync("0f0e0d0c-0b0a-4098-8765-43210fedcba9");

        Assert.Empty(all);
        Assert.Equal(1, _emulator.Count(ArmCallKind.ListScaleSets));
    }

    [Fact]
    public async Task ListAsync_SecondPageForbidden_ThrowsArmRequestException()
    {
        SeedFive();
        _emulator.PageSize = 2;
        _emulator.AddFault(new FaultRule
        {
            Kind = ArmCallKind.ListScaleSets,
            When = r => r.Query.Contains("$skiptoken", StringComparison.OrdinalIgnoreCase),
            Status = 403,
            ErrorCode = "AuthorizationFailed",
            Times = 1,
        });

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => ListAllAsync(Subscription));

        Assert.Equal(403, error.Status);
        Assert.Equal("AuthorizationFailed", error.ErrorCode);
        Assert.Equal(2, _emulator.Count(ArmCallKind.ListScaleSets));
    }

    // ---------------------------------------------------------------- SendAsync

    private const string PatchBody =
        """{"properties":{"virtualMachineProfile":{"networkProfile":{"networkInterfaceConfigurations":[{"name":"nodepool1-nic-0","properties":{"primary":true, "enableAcceleratedNetworking":true,"auxiliaryMode":"AcceleratedConnections"}}]}}}}""";

    [Fact]
    public async Task SendAsync_Patch_BodyArrivesExactlyAsGivenWithIfMatch()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        var snapshot = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        await _client.SendAsync(new ScaleSetWrite(snapshot!.Id, "PATCH", PatchBody, snapshot.ETag), CancellationToken.None);

        var write = Assert.Single(_emulator.Writes);
        Assert.Equal("PATCH", write.Method);
        Assert.Equal(ArmCallKind.PatchScaleSet, write.Kind);
        Assert.Equal(Id("nodepool1"), write.ResourceId, ignoreCase: true);
        Assert.Equal(PatchBody, write.RawBody);
        Assert.Equal(snapshot.ETag, write.IfMatch);
        Assert.Equal(200, write.Status);
        var nics = Nics(_emulator.GetScaleSet(Id("nodepool1"))!);
        Assert.Equal("nodepool1-nic-0", Assert.Single(nics)!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendAsync_AfterPatch_GetSeesTheChangeAndANewETag()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        var before = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        await _client.SendAsync(new ScaleSetWrite(before!.Id, "PATCH", PatchBody, before.ETag), CancellationToken.None);
        var after = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);

        Assert.NotEqual(before.ETag, after!.ETag);
        Assert.Equal(_emulator.GetETag(Id("nodepool1")), after.ETag);
        Assert.True(after.AcceleratedNetworkingOnAll);
        Assert.Equal(before.TimeCreated, after.TimeCreated);
    }

    [Fact]
    public async Task SendAsync_WithoutIfMatch_SendsNoIfMatchHeader()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));

        await _client.SendAsync(new ScaleSetWrite(ScaleSet("nodepool1"), "PATCH", PatchBody, IfMatch: null), CancellationToken.None);

        var write = Assert.Single(_emulator.Writes);
        Assert.Null(write.IfMatch);
        Assert.Equal(200, write.Status);
    }

    [Fact]
    public async Task SendAsync_StaleIfMatch_ThrowsPreconditionFailedAndLeavesScaleSet()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        var snapshot = await _client.GetAsync(ScaleSet("nodepool1"), CancellationToken.None);
        var changed = _emulator.ModifyScaleSet(Id("nodepool1"), vmss => vmss["tags"]!["Environment"] = "staging")!;

        var error = await Assert.ThrowsAsync<ArmRequestException>(() =>
            _client.SendAsync(new ScaleSetWrite(snapshot!.Id, "PATCH", PatchBody, snapshot.ETag), CancellationToken.None));

        Assert.Equal(412, error.Status);
        Assert.True(error.IsPreconditionFailed);
        Assert.False(error.IsTransient);
        Assert.Equal("PreconditionFailed", error.ErrorCode);
        Assert.True(JsonNode.DeepEquals(changed, _emulator.GetScaleSet(Id("nodepool1"))));
        Assert.Equal(412, Assert.Single(_emulator.Writes).Status);
    }

    [Fact]
    public async Task SendAsync_MissingScaleSet_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<ArmRequestException>(() =>
            _client.SendAsync(new ScaleSetWrite(ScaleSet("missing"), "PATCH", PatchBody, "\"1\""), CancellationToken.None));

        Assert.Equal(404, error.Status);
        Assert.True(error.IsNotFound);
        Assert.Equal("ResourceNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task SendAsync_Patch_UsesTheScaleSetApiVersion()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));

        await _client.SendAsync(new ScaleSetWrite(ScaleSet("nodepool1"), "PATCH", PatchBody, IfMatch: null), CancellationToken.None);

        var request = Assert.Single(_emulator.RequestLog);
        Assert.Equal("PATCH", request.Method);
        Assert.Equal($"{Id("nodepool1")}?api-version={ArmConnection.ScaleSetApiVersion}", request.PathAndQuery, ignoreCase: true);
        Assert.Equal(ArmCallKind.PatchScaleSet, request.Kind);
    }

    [Fact]
    public async Task SendAsync_ServerError_ThrowsTransient()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        _emulator.FailNext(ArmCallKind.PatchScaleSet, 503, "ServiceUnavailable", retryAfter: TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<ArmRequestException>(() =>
            _client.SendAsync(new ScaleSetWrite(ScaleSet("nodepool1"), "PATCH", PatchBody, IfMatch: null), CancellationToken.None));

        Assert.Equal(503, error.Status);
        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        Assert.Equal(1, _emulator.Count(ArmCallKind.PatchScaleSet));
    }

    // ---------------------------------------------------------------- the write's operation

    [Fact]
    public async Task SendAsync_Accepted_ReturnsTheOperationUrlAndUpdating()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));

        var accepted = await _client.SendAsync(new ScaleSetWrite(ScaleSet("nodepool1"), "PATCH", PatchBody, IfMatch: null), CancellationToken.None);

        Assert.Equal(200, accepted.Status);
        Assert.Equal("Updating", accepted.ProvisioningState);
        Assert.False(accepted.Finished);
        Assert.Contains("/providers/Microsoft.Compute/locations/westeurope/operations/", accepted.OperationUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetOperationAsync_AcceptedWrite_InProgressThenSucceeded()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        var accepted = await _client.SendAsync(new ScaleSetWrite(ScaleSet("nodepool1"), "PATCH", PatchBody, IfMatch: null), CancellationToken.None);

        var first = await _client.GetOperationAsync(accepted.OperationUrl!, CancellationToken.None);
        var second = await _client.GetOperationAsync(accepted.OperationUrl!, CancellationToken.None);

        Assert.Equal(OperationState.InProgress, first.State);
        Assert.Equal(OperationState.Succeeded, second.State);
        Assert.Equal(2, _emulator.Count(ArmCallKind.PollOperation));
    }

    [Fact]
    public async Task GetOperationAsync_OperationFailed_StateFailedWithArmsError()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        _emulator.FailNextOperation(Id("nodepool1"), "LinkedAuthorizationFailed", "The client has permission to perform action on scope, however does not have join permission on the subnet.");
        var accepted = await _client.SendAsync(new ScaleSetWrite(ScaleSet("nodepool1"), "PATCH", PatchBody, IfMatch: null), CancellationToken.None);
        await _client.GetOperationAsync(accepted.OperationUrl!, CancellationToken.None);

        var status = await _client.GetOperationAsync(accepted.OperationUrl!, CancellationToken.None);

        Assert.Equal(OperationState.Failed, status.State);
        Assert.Equal("LinkedAuthorizationFailed", status.ErrorCode);
        Assert.StartsWith("The client has permission", status.ErrorMessage, StringComparison.Ordinal);
        Assert.True(status.IsTerminal);
    }

    [Fact]
    public async Task GetOperationAsync_UnknownOperation_StateUnknown()
    {
        var status = await _client.GetOperationAsync($"{ArmEmulator.BaseAddress}/subscriptions/{Subscription}/providers/Microsoft.Compute/locations/westeurope/operations/{Guid.NewGuid()}?api-version=2024-11-01", CancellationToken.None);

        Assert.Equal(OperationState.Unknown, status.State);
    }

    [Fact]
    public async Task GetOperationAsync_Throttled_ThrowsTransient()
    {
        _emulator.PutScaleSet(Uniform("nodepool1"));
        var accepted = await _client.SendAsync(new ScaleSetWrite(ScaleSet("nodepool1"), "PATCH", PatchBody, IfMatch: null), CancellationToken.None);
        _emulator.FailNext(ArmCallKind.PollOperation, 429, "TooManyRequests", retryAfter: TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => _client.GetOperationAsync(accepted.OperationUrl!, CancellationToken.None));

        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
    }
}
