using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using static AnFunctions.Infrastructure.Tests.Emulator.EmulatorTestData;

namespace AnFunctions.Infrastructure.Tests.Emulator;

/// <summary>
/// The emulator's instances follow Azure (scenario contract v2, "Instances and upgrade policies"): a model write
/// reaches running instances per upgrade policy, a running VM cannot change AN, and the documented path (deallocate,
/// manualupgrade, start) brings it there. Checked through the real SDK where it reads instances and sends actions.
/// </summary>
public sealed class ArmEmulatorInstanceTests
{
    private const string EnableAnPatch = """
        {"properties":{"virtualMachineProfile":{"networkProfile":{"networkInterfaceConfigurations":[
          {"name":"nic-primary","properties":{"primary":true,"enableAcceleratedNetworking":true,"ipConfigurations":[{"name":"ipconfig1","properties":{"primary":true}}]}},
          {"name":"nic-secondary","properties":{"primary":false,"enableAcceleratedNetworking":true,"ipConfigurations":[{"name":"ipconfig2","properties":{}}]}}]}}}}
        """;

    private readonly ArmEmulator _emulator = new();

    private string Seed(string name, string mode, int capacity, int? maxBatchInstancePercent = null)
    {
        var vmss = UniformScaleSet(name, capacity: capacity);
        var policy = new JsonObject { ["mode"] = mode };
        if (maxBatchInstancePercent is { } percent)
        {
            policy["rollingUpgradePolicy"] = new JsonObject { ["maxBatchInstancePercent"] = percent };
        }

        vmss["properties"]!["upgradePolicy"] = policy;
        _emulator.PutScaleSet(vmss);
        return ScaleSetId(name);
    }

    /// <summary>A PATCH, then polls its operation until it finishes, as a client of ARM does: the instances meet the model then.</summary>
    private async Task<HttpStatusCode> PatchAsync(string id, string body)
    {
        using var http = EmulatorArm.CreateHttpClient(_emulator);
        using var response = await http.PatchAsync(new Uri(id + "?api-version=2024-11-01", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        if (response.Headers.TryGetValues("Azure-AsyncOperation", out var operation))
        {
            for (var poll = 0; poll < 10; poll++)
            {
                var status = JsonNode.Parse(await http.GetStringAsync(new Uri(operation.Single())))!["status"]!.GetValue<string>();
                if (status != "InProgress")
                {
                    break;
                }
            }
        }

        return response.StatusCode;
    }

    private VirtualMachineScaleSetResource Sdk(string id) =>
        EmulatorArm.CreateClient(_emulator).GetVirtualMachineScaleSetResource(new ResourceIdentifier(id));

    private IReadOnlyList<ScaleSetInstance> Instances(string id) => _emulator.GetInstances(id)!;

    [Fact]
    public async Task Patch_ManualPolicy_LeavesRunningInstancesOnTheirModelWithoutDisruption()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 3);

        Assert.Equal(HttpStatusCode.OK, await PatchAsync(id, EnableAnPatch));

        Assert.All(Instances(id), i =>
        {
            Assert.False(i.LatestModelApplied);
            Assert.True(i.IsRunning);
            Assert.False(i.AcceleratedNetworking);
        });
        Assert.Empty(_emulator.Disruptions);
    }

    [Fact]
    public async Task Patch_AutomaticPolicy_UpgradesEveryRunningInstanceInOneDisruption()
    {
        var id = Seed("vmss-auto", "Automatic", capacity: 4);

        await PatchAsync(id, EnableAnPatch);

        Assert.All(Instances(id), i => Assert.True(i.LatestModelApplied && i.AcceleratedNetworking));
        var disruption = Assert.Single(_emulator.Disruptions);
        Assert.Equal(4, disruption.Instances);
        Assert.Equal("automaticUpgrade", disruption.Cause);
        Assert.Equal(id, disruption.ResourceId, ignoreCase: true);
    }

    [Theory]
    [InlineData(5, 40, new[] { 2, 2, 1 })]
    [InlineData(3, 20, new[] { 1, 1, 1 })]
    [InlineData(10, 20, new[] { 2, 2, 2, 2, 2 })]
    [InlineData(4, 100, new[] { 4 })]
    public async Task Patch_RollingPolicy_UpgradesInBatchesOfMaxBatchInstancePercent(int capacity, int percent, int[] batches)
    {
        var id = Seed("vmss-rolling", "Rolling", capacity, percent);

        await PatchAsync(id, EnableAnPatch);

        Assert.Equal(batches, _emulator.Disruptions.Select(d => d.Instances));
        Assert.All(_emulator.Disruptions, d => Assert.Equal("rollingUpgrade", d.Cause));
        Assert.All(Instances(id), i => Assert.True(i.AcceleratedNetworking));
    }

    [Fact]
    public async Task Patch_RollingPolicyWithoutBatchSetting_UsesTwentyPercent()
    {
        var id = Seed("vmss-rolling", "Rolling", capacity: 10);

        await PatchAsync(id, EnableAnPatch);

        Assert.Equal([2, 2, 2, 2, 2], _emulator.Disruptions.Select(d => d.Instances));
    }

    [Fact]
    public async Task Patch_TagsOnlyOnAutomaticPolicy_DisruptsNothing()
    {
        var id = Seed("vmss-auto", "Automatic", capacity: 3);

        await PatchAsync(id, """{"tags":{"owner":"someone-else"}}""");

        Assert.Empty(_emulator.Disruptions);
        Assert.All(Instances(id), i => Assert.True(i.LatestModelApplied));
    }

    [Fact]
    public async Task Patch_AutomaticPolicy_NeverTouchesProtectedInstances()
    {
        var id = Seed("vmss-auto", "Automatic", capacity: 3);
        _emulator.SetInstances(id, [new ScaleSetInstance("0"), new ScaleSetInstance("1") { ProtectFromScaleSetActions = true }, new ScaleSetInstance("2")]);

        await PatchAsync(id, EnableAnPatch);

        Assert.Equal(2, Assert.Single(_emulator.Disruptions).Instances);
        var kept = Instances(id).Single(i => i.InstanceId == "1");
        Assert.False(kept.LatestModelApplied);
        Assert.False(kept.AcceleratedNetworking);
    }

    [Fact]
    public async Task Patch_ScaleOutAfterManualModelChange_NewInstancesRunTheNewModel()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 2);
        await PatchAsync(id, EnableAnPatch);

        await PatchAsync(id, """{"sku":{"capacity":3}}""");

        Assert.Equal([false, false, true], Instances(id).Select(i => i.AcceleratedNetworking));
        Assert.Equal([false, false, true], Instances(id).Select(i => i.LatestModelApplied));
    }

    [Fact]
    public async Task ManualUpgrade_RunningInstanceWhoseAnWouldChange_Returns409AndChangesNothing()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 2);
        await PatchAsync(id, EnableAnPatch);

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() =>
            Sdk(id).UpdateInstancesAsync(WaitUntil.Completed, new VirtualMachineScaleSetVmInstanceRequiredIds(["0"])));

        Assert.Equal(409, failure.Status);
        Assert.Equal("OperationNotAllowed", failure.ErrorCode);
        Assert.All(Instances(id), i => Assert.False(i.LatestModelApplied || i.AcceleratedNetworking));
        Assert.Empty(_emulator.Disruptions);
    }

    [Fact]
    public async Task DocumentedPath_DeallocateUpgradeStart_BringsTheInstanceToAnWithOneDisruption()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 3);
        await PatchAsync(id, EnableAnPatch);
        var scaleSet = Sdk(id);
        var batch = new VirtualMachineScaleSetVmInstanceIds();
        batch.InstanceIds.Add("1");

        await scaleSet.DeallocateAsync(WaitUntil.Completed, batch);
        Assert.Equal(ScaleSetInstance.Deallocated, Instances(id).Single(i => i.InstanceId == "1").PowerState);
        await scaleSet.UpdateInstancesAsync(WaitUntil.Completed, new VirtualMachineScaleSetVmInstanceRequiredIds(["1"]));
        await scaleSet.PowerOnAsync(WaitUntil.Completed, batch);

        var instance = Instances(id).Single(i => i.InstanceId == "1");
        Assert.True(instance.IsRunning && instance.LatestModelApplied && instance.AcceleratedNetworking);
        Assert.All(Instances(id).Where(i => i.InstanceId != "1"), i => Assert.False(i.AcceleratedNetworking));
        var disruption = Assert.Single(_emulator.Disruptions);
        Assert.Equal((1, "deallocate"), (disruption.Instances, disruption.Cause));
        Assert.Equal(3, _emulator.Count(ArmCallKind.InstanceAction));
    }

    private static VirtualMachineScaleSetVmInstanceIds Ids(params string[] ids)
    {
        var batch = new VirtualMachineScaleSetVmInstanceIds();
        foreach (var id in ids)
        {
            batch.InstanceIds.Add(id);
        }

        return batch;
    }

    [Fact]
    public async Task NodesDown_BatchesOneAfterTheOther_OneAtATime()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 3);
        var scaleSet = Sdk(id);

        foreach (var instance in new[] { "0", "1", "2" })
        {
            await scaleSet.DeallocateAsync(WaitUntil.Completed, Ids(instance));
            await scaleSet.PowerOnAsync(WaitUntil.Completed, Ids(instance));
        }

        Assert.Equal([(1, 1), (1, 1), (1, 1)], _emulator.Disruptions.Select(d => (d.Instances, d.NodesDown)));
    }

    [Fact]
    public async Task NodesDown_NextBatchDeallocatedBeforeTheLastWasStarted_CountsBoth()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 3);
        await PatchAsync(id, """{"properties":{"virtualMachineProfile":{"storageProfile":{"imageReference":{"version":"24.04.202611"}}}}}""");
        var scaleSet = Sdk(id);

        await scaleSet.DeallocateAsync(WaitUntil.Completed, Ids("0"));
        await scaleSet.DeallocateAsync(WaitUntil.Completed, Ids("1"));
        await scaleSet.PowerOnAsync(WaitUntil.Completed, Ids("0"));
        await scaleSet.UpdateInstancesAsync(WaitUntil.Completed, new VirtualMachineScaleSetVmInstanceRequiredIds(["2"]));

        // Each took one node down; the second found the first still down; the in-place upgrade found the second.
        Assert.Equal([(1, "deallocate", 1), (1, "deallocate", 2), (1, "manualUpgrade", 2)], _emulator.Disruptions.Select(d => (d.Instances, d.Cause, d.NodesDown)));
    }

    [Fact]
    public async Task NodesDown_ModelWriteWhileANodeIsDeallocatedByAnAction_CountsItBesideEachBatch()
    {
        var id = Seed("vmss-rolling", "Rolling", capacity: 5, maxBatchInstancePercent: 20);
        await Sdk(id).DeallocateAsync(WaitUntil.Completed, Ids("4"));

        await PatchAsync(id, EnableAnPatch);

        Assert.Equal([(1, "deallocate", 1), (1, "rollingUpgrade", 2), (1, "rollingUpgrade", 2), (1, "rollingUpgrade", 2), (1, "rollingUpgrade", 2)],
            _emulator.Disruptions.Select(d => (d.Instances, d.Cause, d.NodesDown)));
    }

    [Fact]
    public async Task NodesDown_InstanceDeallocatedBeforeAnyAction_IsNotADisruption()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 2);
        _emulator.SetInstances(id, [new ScaleSetInstance("0") { PowerState = ScaleSetInstance.Deallocated }, new ScaleSetInstance("1")]);

        await Sdk(id).DeallocateAsync(WaitUntil.Completed, Ids("0", "1"));

        Assert.Equal((1, 1), (Assert.Single(_emulator.Disruptions).Instances, _emulator.Disruptions[0].NodesDown));
    }

    [Fact]
    public async Task ManualUpgrade_RunningInstanceWithoutAnChange_IsAnInPlaceDisruption()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 2);
        await PatchAsync(id, """{"properties":{"virtualMachineProfile":{"storageProfile":{"imageReference":{"version":"24.04.202611"}}}}}""");

        await Sdk(id).UpdateInstancesAsync(WaitUntil.Completed, new VirtualMachineScaleSetVmInstanceRequiredIds(["0", "1"]));

        Assert.All(Instances(id), i => Assert.True(i.LatestModelApplied));
        Assert.Equal((2, "manualUpgrade"), (_emulator.Disruptions.Single().Instances, _emulator.Disruptions.Single().Cause));
    }

    [Fact]
    public async Task Deallocate_ProtectedInstance_IsNotTouched()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 2);
        _emulator.SetInstances(id, [new ScaleSetInstance("0") { ProtectFromScaleSetActions = true }, new ScaleSetInstance("1")]);
        var all = new VirtualMachineScaleSetVmInstanceIds();
        all.InstanceIds.Add("0");
        all.InstanceIds.Add("1");

        await Sdk(id).DeallocateAsync(WaitUntil.Completed, all);

        Assert.Equal([ScaleSetInstance.Running, ScaleSetInstance.Deallocated], Instances(id).Select(i => i.PowerState));
        Assert.Equal(1, Assert.Single(_emulator.Disruptions).Instances);
    }

    [Fact]
    public async Task Deallocate_UnknownInstanceId_Returns400AndChangesNothing()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 2);
        var ids = new VirtualMachineScaleSetVmInstanceIds();
        ids.InstanceIds.Add("7");

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => Sdk(id).DeallocateAsync(WaitUntil.Completed, ids));

        Assert.Equal(400, failure.Status);
        Assert.All(Instances(id), i => Assert.True(i.IsRunning));
    }

    [Fact]
    public async Task ListInstances_WithInstanceView_SdkReadsPowerStateAppliedNicsAndProtection()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 2);
        await PatchAsync(id, EnableAnPatch);
        _emulator.SetInstances(id, [
            new ScaleSetInstance("0", LatestModelApplied: false) { AppliedAcceleratedNetworking = new Dictionary<string, bool> { ["nic-primary"] = true, ["nic-secondary"] = false } },
            new ScaleSetInstance("1") { PowerState = ScaleSetInstance.Deallocated, ProtectFromScaleSetActions = true },
        ]);

        var instances = new List<VirtualMachineScaleSetVmResource>();
        await foreach (var vm in Sdk(id).GetVirtualMachineScaleSetVms().GetAllAsync(expand: "instanceView"))
        {
            instances.Add(vm);
        }

        var first = instances[0].Data;
        Assert.Equal([true, false], first.NetworkInterfaceConfigurations.Select(n => n.EnableAcceleratedNetworking));
        Assert.Contains(first.InstanceView.Statuses, s => s.Code == "PowerState/running");
        Assert.False(first.LatestModelApplied);
        var second = instances[1].Data;
        Assert.Equal([true, true], second.NetworkInterfaceConfigurations.Select(n => n.EnableAcceleratedNetworking));
        Assert.Contains(second.InstanceView.Statuses, s => s.Code == "PowerState/deallocated");
        Assert.True(second.ProtectionPolicy.ProtectFromScaleSetActions);
    }

    [Fact]
    public async Task ListInstances_WithoutExpand_HasNoInstanceView()
    {
        var id = Seed("vmss-manual", "Manual", capacity: 1);

        var vm = await Sdk(id).GetVirtualMachineScaleSetVms().GetAllAsync().FirstAsync();

        Assert.Null(vm.Data.InstanceView);
        Assert.NotEmpty(vm.Data.NetworkInterfaceConfigurations);
    }

    [Fact]
    public void PutScaleSet_ReplacingWithANewModel_FollowsTheUpgradePolicyInsteadOfRecreatingInstances()
    {
        var id = Seed("vmss-auto", "Automatic", capacity: 2);
        var replaced = UniformScaleSet("vmss-auto", capacity: 2, secondaryAcceleratedNetworking: true);
        replaced["properties"]!["upgradePolicy"] = new JsonObject { ["mode"] = "Automatic" };

        _emulator.PutScaleSet(replaced);

        Assert.Equal((2, "automaticUpgrade"), (_emulator.Disruptions.Single().Instances, _emulator.Disruptions.Single().Cause));
        Assert.All(Instances(id), i => Assert.True(i.AcceleratedNetworking));
    }
}
