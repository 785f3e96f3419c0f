using System.Text.Json.Nodes;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Compute;
using static AnFunctions.Infrastructure.Tests.Compute.ComputeTestData;

namespace AnFunctions.Infrastructure.Tests.Compute;

/// <summary>The nodes' truth and the instance actions of <see cref="ArmScaleSetClient"/>, against the ARM emulator.</summary>
public sealed class ArmScaleSetClientInstanceTests
{
    private readonly ArmEmulator _emulator = new();
    private readonly ArmScaleSetClient _client;

    public ArmScaleSetClientInstanceTests() => _client = new ArmScaleSetClient(EmulatorConnection.Create(_emulator));

    private ScaleSetId Seed(string name, int capacity, string? upgradeMode = null, int? maxBatchPercent = null)
    {
        var vmss = Uniform(name, capacity: capacity);
        if (upgradeMode is not null)
        {
            var policy = new JsonObject { ["mode"] = upgradeMode };
            if (maxBatchPercent is { } percent)
            {
                policy["rollingUpgradePolicy"] = new JsonObject { ["maxBatchInstancePercent"] = percent };
            }

            vmss["properties"]!["upgradePolicy"] = policy;
        }

        _emulator.PutScaleSet(vmss);
        return ScaleSetId.Parse(Id(name));
    }

    [Fact]
    public async Task ListInstancesAsync_MixedInstances_ReadsPowerStateAppliedAnModelAndProtection()
    {
        var id = Seed("pool", capacity: 0);
        _emulator.SetInstances(id.Value, [
            new ScaleSetInstance("0") { AppliedAcceleratedNetworking = new Dictionary<string, bool> { ["a"] = true, ["b"] = true } },
            new ScaleSetInstance("1", LatestModelApplied: false) { AppliedAcceleratedNetworking = new Dictionary<string, bool> { ["a"] = true, ["b"] = false } },
            new ScaleSetInstance("2") { PowerState = ScaleSetInstance.Deallocated, ProtectFromScaleSetActions = true, AppliedAcceleratedNetworking = new Dictionary<string, bool> { ["a"] = false } },
        ]);

        var instances = await _client.ListInstancesAsync(id, CancellationToken.None);

        Assert.Equal(
            [
                new PoolInstance("0", PowerState.Running, true, true, false),
                new PoolInstance("1", PowerState.Running, false, false, false),
                new PoolInstance("2", PowerState.Deallocated, true, false, true),
            ],
            instances);
        Assert.Contains(_emulator.RequestLog, r => r.Kind == ArmCallKind.ListInstances && r.PathAndQuery.Contains("$expand=instanceView", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListInstancesAsync_FivePagesOfTwo_FollowsNextLinkInThreeCalls()
    {
        _emulator.PageSize = 2;
        var id = Seed("pool", capacity: 5);

        var instances = await _client.ListInstancesAsync(id, CancellationToken.None);

        Assert.Equal(["0", "1", "2", "3", "4"], instances.Select(i => i.InstanceId));
        Assert.Equal(3, _emulator.Count(ArmCallKind.ListInstances));
    }

    [Fact]
    public async Task ListInstancesAsync_CapacityZero_Empty()
    {
        var id = Seed("pool", capacity: 0);

        Assert.Empty(await _client.ListInstancesAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task ListInstancesAsync_UnknownScaleSet_ThrowsNotFound()
    {
        var failure = await Assert.ThrowsAsync<ArmRequestException>(() => _client.ListInstancesAsync(ScaleSetId.Parse(Id("missing")), CancellationToken.None));

        Assert.True(failure.IsNotFound);
    }

    [Fact]
    public async Task RunInstanceActionAsync_Deallocate_SendsTheIdsAndWaitsForTheOperation()
    {
        var id = Seed("pool", capacity: 3);

        await _client.RunInstanceActionAsync(id, InstanceAction.Deallocate, ["0", "2"], CancellationToken.None);

        Assert.Equal([ScaleSetInstance.Deallocated, ScaleSetInstance.Running, ScaleSetInstance.Deallocated], _emulator.GetInstances(id.Value)!.Select(i => i.PowerState));
        var write = Assert.Single(_emulator.Writes);
        Assert.EndsWith("/deallocate", write.ResourceId, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"instanceIds":["0","2"]}"""), write.Body));
        Assert.Equal(1, _emulator.Count(ArmCallKind.PollOperation));
    }

    [Fact]
    public async Task RunInstanceActionAsync_DocumentedPath_BringsARunningNodeToAn()
    {
        var id = Seed("pool", capacity: 2);
        _emulator.ModifyScaleSet(id.Value, vmss =>
        {
            foreach (var nic in Nics(vmss))
            {
                nic!["properties"]!["enableAcceleratedNetworking"] = true;
            }
        });

        await _client.RunInstanceActionAsync(id, InstanceAction.Deallocate, ["1"], CancellationToken.None);
        await _client.RunInstanceActionAsync(id, InstanceAction.ManualUpgrade, ["1"], CancellationToken.None);
        await _client.RunInstanceActionAsync(id, InstanceAction.Start, ["1"], CancellationToken.None);

        var instances = await _client.ListInstancesAsync(id, CancellationToken.None);
        Assert.Equal([false, true], instances.Select(i => i.AcceleratedNetworking));
        Assert.All(instances, i => Assert.Equal(PowerState.Running, i.PowerState));
    }

    [Fact]
    public async Task RunInstanceActionAsync_UpgradeOfARunningNodeThatWouldChangeAn_ThrowsOperationNotAllowed()
    {
        var id = Seed("pool", capacity: 1);
        _emulator.ModifyScaleSet(id.Value, vmss => Nics(vmss)[1]!["properties"]!["enableAcceleratedNetworking"] = true);

        var failure = await Assert.ThrowsAsync<ArmRequestException>(() =>
            _client.RunInstanceActionAsync(id, InstanceAction.ManualUpgrade, ["0"], CancellationToken.None));

        Assert.Equal(409, failure.Status);
        Assert.Equal("OperationNotAllowed", failure.ErrorCode);
    }

    [Fact]
    public async Task RunInstanceActionAsync_OperationFailsAfterBeingAccepted_ThrowsTerminalOperationFailure()
    {
        var id = Seed("pool", capacity: 2);
        _emulator.FailNextOperation(id.Value, "AllocationFailed", "No capacity for this size in the zone.");

        var failure = await Assert.ThrowsAsync<ArmRequestException>(() =>
            _client.RunInstanceActionAsync(id, InstanceAction.Deallocate, ["0"], CancellationToken.None));

        Assert.True(failure.IsOperationFailure);
        Assert.False(failure.IsTransient);
        Assert.Equal("AllocationFailed", failure.ErrorCode);
        Assert.Contains("No capacity", failure.Message, StringComparison.Ordinal);
        Assert.All(_emulator.GetInstances(id.Value)!, i => Assert.True(i.IsRunning));
    }

    [Fact]
    public async Task RunInstanceActionAsync_ThrottledAction_ThrowsTransientWithRetryAfter()
    {
        var id = Seed("pool", capacity: 1);
        _emulator.FailNext(ArmCallKind.InstanceAction, 429, "TooManyRequests", retryAfter: TimeSpan.FromSeconds(17));

        var failure = await Assert.ThrowsAsync<ArmRequestException>(() =>
            _client.RunInstanceActionAsync(id, InstanceAction.Start, ["0"], CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(17), failure.RetryAfter);
    }

    [Theory]
    [InlineData(null, null, UpgradeMode.Manual, 20, false)]
    [InlineData("Manual", null, UpgradeMode.Manual, 20, true)]
    [InlineData("Automatic", null, UpgradeMode.Automatic, 20, true)]
    [InlineData("rolling", 35, UpgradeMode.Rolling, 35, true)]
    [InlineData("Rolling", null, UpgradeMode.Rolling, 20, true)]
    public async Task GetAsync_UpgradePolicy_ReadFromTheRawJson(string? mode, int? percent, UpgradeMode expected, int expectedPercent, bool declared)
    {
        var vmss = Uniform("pool");
        var properties = vmss["properties"]!.AsObject();
        properties.Remove("upgradePolicy");
        if (mode is not null)
        {
            var policy = new JsonObject { ["mode"] = mode };
            if (percent is { } p)
            {
                policy["rollingUpgradePolicy"] = new JsonObject { ["maxBatchInstancePercent"] = p };
            }

            properties["upgradePolicy"] = policy;
        }

        _emulator.PutScaleSet(vmss);

        var snapshot = await _client.GetAsync(ScaleSetId.Parse(Id("pool")), CancellationToken.None);

        Assert.Equal(new UpgradePolicy(expected, expectedPercent, declared), snapshot!.UpgradePolicy);
    }
}
