using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Microsoft.Extensions.Time.Testing;
using static AnFunctions.Infrastructure.Tests.Emulator.EmulatorTestData;

namespace AnFunctions.Infrastructure.Tests.Emulator;

/// <summary>
/// Writes are long-running operations (scenario contract v2): a PUT or PATCH answers 200/201 with <c>Updating</c> /
/// <c>Creating</c> and an <c>Azure-AsyncOperation</c> URL; polling it gives <c>InProgress</c>, then the outcome; a GET
/// shows the final state; ARM refuses other writes meanwhile, and to a scale set still <c>Creating</c>.
/// </summary>
public sealed class ArmEmulatorOperationTests
{
    private const string EnableAnPatch = """
        {"properties":{"virtualMachineProfile":{"networkProfile":{"networkInterfaceConfigurations":[
          {"name":"nic-primary","properties":{"primary":true,"enableAcceleratedNetworking":true,"ipConfigurations":[{"name":"ipconfig1","properties":{"primary":true}}]}},
          {"name":"nic-secondary","properties":{"primary":false,"enableAcceleratedNetworking":true,"ipConfigurations":[{"name":"ipconfig2","properties":{}}]}}]}}}}
        """;

    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly ArmEmulator _emulator;
    private readonly HttpClient _http;

    public ArmEmulatorOperationTests()
    {
        _emulator = new ArmEmulator(_time);
        _http = EmulatorArm.CreateHttpClient(_emulator);
    }

    private static Uri At(string id) => new(id + "?api-version=2024-11-01", UriKind.Relative);

    private async Task<(int Status, JsonObject Body, string? Operation)> SendAsync(HttpMethod method, string id, string body)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(method, At(id)) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        var operation = response.Headers.TryGetValues("Azure-AsyncOperation", out var values) ? values.Single() : null;
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject(), operation);
    }

    private async Task<JsonObject> PollAsync(string operation) => JsonNode.Parse(await _http.GetStringAsync(new Uri(operation)))!.AsObject();

    private JsonObject Stored(string id) => _emulator.GetScaleSet(id)!;

    private static string? State(JsonObject resource) => resource["properties"]?["provisioningState"]?.GetValue<string>();

    private static bool? PrimaryAn(JsonObject resource) =>
        resource["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>();

    [Fact]
    public async Task Patch_Accepted_AnswersUpdatingWithOperationThenPollInProgressThenSucceeded()
    {
        var id = ScaleSetId("vmss-a");
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false));

        var (status, body, operation) = await SendAsync(HttpMethod.Patch, id, EnableAnPatch);

        Assert.Equal(200, status);
        Assert.Equal("Updating", State(body));
        Assert.NotNull(operation);
        Assert.Contains("/providers/Microsoft.Compute/locations/westeurope/operations/", operation, StringComparison.Ordinal);
        Assert.Equal("Updating", State(Stored(id)));
        var first = await PollAsync(operation);
        Assert.Equal("InProgress", first["status"]!.GetValue<string>());
        Assert.Null(first["endTime"]);
        var second = await PollAsync(operation);
        Assert.Equal("Succeeded", second["status"]!.GetValue<string>());
        Assert.NotNull(second["endTime"]);
        Assert.Equal("Succeeded", State(Stored(id)));
        Assert.True(PrimaryAn(Stored(id)));
        Assert.Equal(2, _emulator.Count(ArmCallKind.PollOperation));
    }

    [Fact]
    public async Task Put_NewScaleSet_Answers201CreatingAndGetShowsSucceededAfterItsOperation()
    {
        var id = ScaleSetId("vmss-new");
        var (status, body, operation) = await SendAsync(HttpMethod.Put, id, UniformScaleSet("vmss-new").ToJsonString());

        Assert.Equal(201, status);
        Assert.Equal("Creating", State(body));
        Assert.NotNull(operation);
        using var firstGet = await _http.GetAsync(At(id));
        Assert.Equal("Creating", State(JsonNode.Parse(await firstGet.Content.ReadAsStringAsync())!.AsObject()));
        using var secondGet = await _http.GetAsync(At(id));
        Assert.Equal("Succeeded", State(JsonNode.Parse(await secondGet.Content.ReadAsStringAsync())!.AsObject()));
        Assert.Equal("Succeeded", (await PollAsync(operation))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_NobodyPolls_OperationFinishesAfterOperationDurationOnTheEmulatorsClock()
    {
        var id = ScaleSetId("vmss-a");
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false));
        _emulator.OperationDuration = TimeSpan.FromSeconds(30);
        await SendAsync(HttpMethod.Patch, id, EnableAnPatch);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("Updating", State(Stored(id)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Succeeded", State(Stored(id)));
    }

    [Fact]
    public async Task FailNextOperation_Patch_AcceptedThenFailsWithTheErrorAndTheModelStaysAsBefore()
    {
        var id = ScaleSetId("vmss-a");
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false));
        var etagBefore = _emulator.GetETag(id);
        _emulator.FailNextOperation(id, "InternalExecutionError", "An internal execution error occurred.");

        var (status, body, operation) = await SendAsync(HttpMethod.Patch, id, EnableAnPatch);
        Assert.Equal(200, status);
        Assert.True(PrimaryAn(body));
        Assert.Equal("InProgress", (await PollAsync(operation!))["status"]!.GetValue<string>());
        var final = await PollAsync(operation!);

        Assert.Equal("Failed", final["status"]!.GetValue<string>());
        Assert.Equal("InternalExecutionError", final["error"]!["code"]!.GetValue<string>());
        Assert.Equal("An internal execution error occurred.", final["error"]!["message"]!.GetValue<string>());
        var stored = Stored(id);
        Assert.Equal("Failed", State(stored));
        Assert.False(PrimaryAn(stored));
        Assert.NotEqual(etagBefore, _emulator.GetETag(id));

        // The failure was armed for one operation only: the next write succeeds.
        var (_, _, next) = await SendAsync(HttpMethod.Patch, id, EnableAnPatch);
        await PollAsync(next!);
        Assert.Equal("Succeeded", (await PollAsync(next!))["status"]!.GetValue<string>());
        Assert.True(PrimaryAn(Stored(id)));
    }

    [Fact]
    public async Task Patch_WhileAnotherOperationRuns_Refused409OperationNotAllowed()
    {
        var id = ScaleSetId("vmss-a");
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false));
        var (_, _, operation) = await SendAsync(HttpMethod.Patch, id, EnableAnPatch);

        var (status, body, _) = await SendAsync(HttpMethod.Patch, id, """{"tags":{"x":"y"}}""");

        Assert.Equal(409, status);
        Assert.Equal("OperationNotAllowed", body["error"]!["code"]!.GetValue<string>());
        await PollAsync(operation!);
        await PollAsync(operation!);
        Assert.Equal(200, (await SendAsync(HttpMethod.Patch, id, """{"tags":{"x":"y"}}""")).Status);
    }

    [Fact]
    public async Task SeededCreating_WritesAndActionsRefused409UntilAPutSettlesIt()
    {
        var id = ScaleSetId("vmss-a");
        var creating = UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false);
        creating["properties"]!["provisioningState"] = "Creating";
        _emulator.PutScaleSet(creating);

        var patch = await SendAsync(HttpMethod.Patch, id, EnableAnPatch);
        _time.Advance(TimeSpan.FromHours(1));
        using var action = await _http.PostAsync(new Uri(id + "/deallocate?api-version=2024-11-01", UriKind.Relative),
            new StringContent("""{"instanceIds":["0"]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(409, patch.Status);
        Assert.Equal("OperationNotAllowed", patch.Body["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, action.StatusCode);
        Assert.Equal("Creating", State(Stored(id)));
        Assert.False(PrimaryAn(Stored(id)));

        _emulator.PutScaleSet(UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false));
        Assert.Equal(200, (await SendAsync(HttpMethod.Patch, id, EnableAnPatch)).Status);
    }

    [Fact]
    public async Task SdkUpdateAsync_PollsTheResourceUntilTerminal_GetsTheFinalState()
    {
        var id = ScaleSetId("vmss-a");
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false));
        var client = EmulatorArm.CreateClient(_emulator);

        var operation = await client.GetVirtualMachineScaleSetResource(new ResourceIdentifier(id))
            .UpdateAsync(WaitUntil.Completed, ArmEmulatorScaleSetTests.AcceleratedNetworkingPatch());

        Assert.Equal("Succeeded", operation.Value.Data.ProvisioningState);
        Assert.Equal(200, Assert.Single(_emulator.Writes).Status);
        Assert.True(operation.Value.Data.VirtualMachineProfile.NetworkProfile.NetworkInterfaceConfigurations[0].EnableAcceleratedNetworking);
    }
}
