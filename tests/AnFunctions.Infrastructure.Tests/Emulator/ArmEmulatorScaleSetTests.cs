using System.Net;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using static AnFunctions.Infrastructure.Tests.Emulator.EmulatorTestData;

namespace AnFunctions.Infrastructure.Tests.Emulator;

public sealed class ArmEmulatorScaleSetTests
{
    private readonly ArmEmulator _emulator = new();

    private VirtualMachineScaleSetResource ScaleSet(ArmClient client, string name) =>
        client.GetVirtualMachineScaleSetResource(new ResourceIdentifier(ScaleSetId(name)));

    [Fact]
    public async Task GetAsync_SeededUniformScaleSet_RoundTripsArmJson()
    {
        var seeded = _emulator.PutScaleSet(UniformScaleSet("vmss-a", capacity: 4));
        var client = EmulatorArm.CreateClient(_emulator);

        var response = await ScaleSet(client, "vmss-a").GetAsync();

        var data = response.Value.Data;
        Assert.Equal(ScaleSetId("vmss-a"), data.Id.ToString());
        Assert.Equal("westeurope", data.Location.Name);
        Assert.Equal("Standard_D4s_v5", data.Sku.Name);
        Assert.Equal(4, data.Sku.Capacity);
        Assert.Equal(DateTimeOffset.Parse("2024-03-11T08:15:01.7654321+00:00", System.Globalization.CultureInfo.InvariantCulture), data.TimeCreated);
        Assert.Equal("team-pools", data.Tags["owner"]);
        var nics = data.VirtualMachineProfile.NetworkProfile.NetworkInterfaceConfigurations;
        Assert.Equal(["nic-primary", "nic-secondary"], nics.Select(n => n.Name));
        Assert.Equal([true, false], nics.Select(n => n.EnableAcceleratedNetworking));

        var raw = response.GetRawResponse();
        Assert.Equal(200, raw.Status);
        Assert.True(raw.Headers.TryGetValue("ETag", out var etag));
        Assert.Equal(seeded["etag"]!.GetValue<string>(), etag);
        Assert.True(JsonNode.DeepEquals(seeded, JsonNode.Parse(raw.Content.ToString())));
    }

    [Fact]
    public void PutScaleSet_Seeding_AssignsNewETagAndKeepsJsonOtherwise()
    {
        var given = UniformScaleSet("vmss-a");

        var stored = _emulator.PutScaleSet(given);
        var again = _emulator.PutScaleSet(given);

        Assert.NotEqual("\"7\"", stored["etag"]!.GetValue<string>());
        Assert.Matches("^\"[0-9]+\"$", stored["etag"]!.GetValue<string>());
        Assert.NotEqual(stored["etag"]!.GetValue<string>(), again["etag"]!.GetValue<string>());
        stored.Remove("etag");
        given.Remove("etag");
        Assert.True(JsonNode.DeepEquals(given, stored));
        Assert.Equal(0, _emulator.TotalCalls);
    }

    [Fact]
    public async Task GetAsync_UnknownScaleSet_ThrowsRequestFailed404ResourceNotFound()
    {
        var client = EmulatorArm.CreateClient(_emulator);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client, "missing").GetAsync());

        Assert.Equal(404, error.Status);
        Assert.Equal("ResourceNotFound", error.ErrorCode);
        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task GetAsync_IdInOtherCase_FindsScaleSet()
    {
        _emulator.PutScaleSet(UniformScaleSet("VMSS-Mixed"));
        var client = EmulatorArm.CreateClient(_emulator);
        var id = ScaleSetId("vmss-mixed", ResourceGroup.ToUpperInvariant()).Replace("resourceGroups", "RESOURCEGROUPS", StringComparison.Ordinal);

        var response = await client.GetVirtualMachineScaleSetResource(new ResourceIdentifier(id)).GetAsync();

        Assert.Equal("VMSS-Mixed", response.Value.Data.Name);
    }

    [Fact]
    public async Task Get_WithoutApiVersion_Returns400MissingApiVersionParameter()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
        using var http = EmulatorArm.CreateHttpClient(_emulator);

        using var response = await http.GetAsync(new Uri(ScaleSetId("vmss-a"), UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("MissingApiVersionParameter", error["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetVirtualMachineScaleSetsAsync_PageSizeTwoFiveScaleSets_FollowsNextLinkInThreeCalls()
    {
        _emulator.PageSize = 2;
        foreach (var name in new[] { "vmss-e", "vmss-c", "vmss-a", "vmss-d", "vmss-b" })
        {
            _emulator.PutScaleSet(UniformScaleSet(name));
        }

        _emulator.PutScaleSet(UniformScaleSet("vmss-elsewhere", subscriptionId: OtherSubscriptionId));
        var client = EmulatorArm.CreateClient(_emulator);
        var subscription = client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(SubscriptionId));

        var names = new List<string>();
        await foreach (var scaleSet in subscription.GetVirtualMachineScaleSetsAsync())
        {
            names.Add(scaleSet.Data.Name);
        }

        Assert.Equal(["vmss-a", "vmss-b", "vmss-c", "vmss-d", "vmss-e"], names);
        Assert.Equal(3, _emulator.Count(ArmCallKind.ListScaleSets));
        Assert.Contains(_emulator.RequestLog, r => r.PathAndQuery.Contains("$skiptoken=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListByResourceGroup_TwoGroups_ListsOnlyThatGroup()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
        _emulator.PutScaleSet(UniformScaleSet("vmss-b"));
        _emulator.PutScaleSet(UniformScaleSet("vmss-other", resourceGroup: "rg-other"));
        _emulator.PutScaleSet(UniformScaleSet("vmss-prefix", resourceGroup: ResourceGroup + "-2"));
        var client = EmulatorArm.CreateClient(_emulator);
        var group = client.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(SubscriptionId, ResourceGroup));

        var names = new List<string>();
        await foreach (var scaleSet in group.GetVirtualMachineScaleSets().GetAllAsync())
        {
            names.Add(scaleSet.Data.Name);
        }

        Assert.Equal(["vmss-a", "vmss-b"], names);
        Assert.Equal(1, _emulator.Count(ArmCallKind.ListScaleSets));
    }

    [Fact]
    public async Task UpdateAsync_NicConfigurationsPatch_ReplacesArrayKeepsOtherFieldsAndReturns200()
    {
        var seeded = _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
        var client = EmulatorArm.CreateClient(_emulator);
        var patch = new VirtualMachineScaleSetPatch
        {
            VirtualMachineProfile = new VirtualMachineScaleSetUpdateVmProfile
            {
                NetworkProfile = new VirtualMachineScaleSetUpdateNetworkProfile
                {
                    NetworkInterfaceConfigurations =
                    {
                        new VirtualMachineScaleSetUpdateNetworkConfiguration { Name = "nic-primary", Primary = true, EnableAcceleratedNetworking = true },
                    },
                },
            },
        };

        var operation = await ScaleSet(client, "vmss-a").UpdateAsync(WaitUntil.Completed, patch);

        Assert.True(operation.HasCompleted);
        Assert.Equal(200, operation.GetRawResponse().Status);
        var stored = _emulator.GetScaleSet(ScaleSetId("vmss-a"))!;
        var nics = stored["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        var nic = Assert.Single(nics);
        Assert.True(nic!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>());
        Assert.Null(nic["properties"]!["ipConfigurations"]); // the array element was replaced, not merged
        Assert.Equal("team-pools", stored["tags"]!["owner"]!.GetValue<string>());
        Assert.Equal(seeded["properties"]!["timeCreated"]!.GetValue<string>(), stored["properties"]!["timeCreated"]!.GetValue<string>());
        Assert.Equal("Succeeded", stored["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.NotEqual(seeded["etag"]!.GetValue<string>(), stored["etag"]!.GetValue<string>());
        Assert.Equal(1, _emulator.Count(ArmCallKind.PatchScaleSet));
        // The SDK 1.2.0 polls the resource until its provisioningState is terminal: Updating, then Succeeded.
        Assert.Equal(2, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(200, Assert.Single(_emulator.Writes).Status);
    }

    [Fact]
    public async Task UpdateAsync_ModelChange_MarksEveryInstanceStale()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", capacity: 3, primaryAcceleratedNetworking: false));
        var client = EmulatorArm.CreateClient(_emulator);
        var scaleSet = ScaleSet(client, "vmss-a");
        Assert.All(await ListInstancesAsync(scaleSet), vm => Assert.True(vm.Data.LatestModelApplied));

        await scaleSet.UpdateAsync(WaitUntil.Completed, AcceleratedNetworkingPatch());

        var instances = await ListInstancesAsync(scaleSet);
        Assert.Equal(["vmss-a_0", "vmss-a_1", "vmss-a_2"], instances.Select(vm => vm.Data.Name));
        Assert.All(instances, vm => Assert.False(vm.Data.LatestModelApplied));
        Assert.Equal(2, _emulator.Count(ArmCallKind.ListInstances));
    }

    [Fact]
    public async Task UpdateAsync_TagsOnly_ReplacesTagsAndKeepsInstancesOnLatestModel()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", capacity: 2));
        var client = EmulatorArm.CreateClient(_emulator);
        var patch = new VirtualMachineScaleSetPatch();
        patch.Tags["anfunctions"] = "seen";

        await ScaleSet(client, "vmss-a").UpdateAsync(WaitUntil.Completed, patch);

        Assert.All(_emulator.GetInstances(ScaleSetId("vmss-a"))!, i => Assert.True(i.LatestModelApplied));
        var tags = _emulator.GetScaleSet(ScaleSetId("vmss-a"))!["tags"]!.AsObject();
        Assert.Equal(["anfunctions"], tags.Select(t => t.Key)); // ARM replaces the tags as a whole on PATCH
    }

    [Fact]
    public async Task UpdateAsync_UnknownScaleSet_Throws404AndCreatesNothing()
    {
        var client = EmulatorArm.CreateClient(_emulator);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            ScaleSet(client, "missing").UpdateAsync(WaitUntil.Completed, AcceleratedNetworkingPatch()));

        Assert.Equal(404, error.Status);
        Assert.Equal(0, _emulator.ScaleSetCount);
    }

    [Fact]
    public async Task UpdateAsync_StaleIfMatch_Throws412AndLeavesStateUnchanged()
    {
        var seeded = _emulator.PutScaleSet(UniformScaleSet("vmss-a", primaryAcceleratedNetworking: false));
        var staleETag = seeded["etag"]!.GetValue<string>();
        _emulator.ModifyScaleSet(ScaleSetId("vmss-a"), vmss => vmss["tags"]!["changedBy"] = "portal");
        var ifMatch = new IfMatchPolicy { ETag = staleETag };
        var client = EmulatorArm.CreateClient(_emulator, configure: o => o.AddPolicy(ifMatch, HttpPipelinePosition.PerCall));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            ScaleSet(client, "vmss-a").UpdateAsync(WaitUntil.Completed, AcceleratedNetworkingPatch()));

        Assert.Equal(412, error.Status);
        Assert.Equal("PreconditionFailed", error.ErrorCode);
        var stored = _emulator.GetScaleSet(ScaleSetId("vmss-a"))!;
        Assert.False(stored["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>());
        Assert.Equal(412, Assert.Single(_emulator.Writes).Status);

        ifMatch.ETag = _emulator.GetETag(ScaleSetId("vmss-a"));
        var operation = await ScaleSet(client, "vmss-a").UpdateAsync(WaitUntil.Completed, AcceleratedNetworkingPatch());
        Assert.Equal(200, operation.GetRawResponse().Status);
    }

    [Fact]
    public async Task CreateOrUpdateAsync_NewThenExisting_Returns201Then200AndKeepsTimeCreated()
    {
        var client = EmulatorArm.CreateClient(_emulator);
        var group = client.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(SubscriptionId, ResourceGroup));
        var data = new VirtualMachineScaleSetData(new AzureLocation("westeurope"))
        {
            Sku = new ComputeSku { Name = "Standard_D2s_v5", Capacity = 2 },
        };

        var created = await group.GetVirtualMachineScaleSets().CreateOrUpdateAsync(WaitUntil.Completed, "vmss-new", data);
        var timeCreated = created.Value.Data.TimeCreated;
        data.Sku.Capacity = 3;
        var replaced = await group.GetVirtualMachineScaleSets().CreateOrUpdateAsync(WaitUntil.Completed, "vmss-new", data);

        // The SDK hands back the final GET of its polling; the PUTs themselves were answered 201 (Creating) and 200 (Updating).
        Assert.Equal([201, 200], _emulator.Writes.Select(w => w.Status));
        Assert.Equal("Succeeded", created.Value.Data.ProvisioningState);
        Assert.Equal(ScaleSetId("vmss-new"), replaced.Value.Data.Id.ToString());
        Assert.NotNull(timeCreated);
        Assert.Equal(timeCreated, replaced.Value.Data.TimeCreated);
        Assert.Equal("Succeeded", replaced.Value.Data.ProvisioningState);
        Assert.Equal(3, _emulator.GetInstances(ScaleSetId("vmss-new"))!.Count);
        Assert.Equal(2, _emulator.Count(ArmCallKind.PutScaleSet));
    }

    [Fact]
    public async Task Put_IfNoneMatchStarOnExisting_Returns412()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
        using var http = EmulatorArm.CreateHttpClient(_emulator);
        using var request = new HttpRequestMessage(HttpMethod.Put, ScaleSetId("vmss-a") + "?api-version=2024-11-01")
        {
            Content = new StringContent("""{"location":"westeurope","sku":{"name":"Standard_D2s_v5","capacity":1}}"""),
        };
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(3, _emulator.GetInstances(ScaleSetId("vmss-a"))!.Count);
    }

    [Fact]
    public async Task DeleteAsync_Existing_RemovesAndCompletes()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
        var client = EmulatorArm.CreateClient(_emulator);

        var operation = await ScaleSet(client, "vmss-a").DeleteAsync(WaitUntil.Completed);

        Assert.True(operation.HasCompleted);
        Assert.Null(_emulator.GetScaleSet(ScaleSetId("vmss-a")));
        Assert.Equal(1, _emulator.Count(ArmCallKind.DeleteScaleSet));
        Assert.Equal(1, _emulator.TotalCalls);
    }

    [Fact]
    public async Task GetAllInstancesAsync_SeededInstances_ReportLatestModelApplied()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", capacity: 2));
        _emulator.SetInstances(ScaleSetId("vmss-a"), [new ScaleSetInstance("0"), new ScaleSetInstance("3", LatestModelApplied: false)]);
        var client = EmulatorArm.CreateClient(_emulator);

        var instances = await ListInstancesAsync(ScaleSet(client, "vmss-a"));

        Assert.Equal(["0", "3"], instances.Select(vm => vm.Data.InstanceId));
        Assert.Equal([true, false], instances.Select(vm => vm.Data.LatestModelApplied));
        Assert.Equal(ScaleSetId("vmss-a") + "/virtualMachines/3", instances[1].Id.ToString());
    }

    [Fact]
    public async Task GetAllInstancesAsync_MoreThanOnePage_FollowsNextLink()
    {
        _emulator.PageSize = 2;
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", capacity: 5));
        var client = EmulatorArm.CreateClient(_emulator);

        var instances = await ListInstancesAsync(ScaleSet(client, "vmss-a"));

        Assert.Equal(["0", "1", "2", "3", "4"], instances.Select(vm => vm.Data.InstanceId));
        Assert.Equal(3, _emulator.Count(ArmCallKind.ListInstances));
    }

    [Fact]
    public async Task UpdateInstancesAsync_ManualUpgrade_AppliesModelAndFinishesOnFirstPoll()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a", capacity: 2));
        _emulator.SetInstances(ScaleSetId("vmss-a"), [new ScaleSetInstance("0", false), new ScaleSetInstance("1", false)]);
        var client = EmulatorArm.CreateClient(_emulator);

        var operation = await ScaleSet(client, "vmss-a").UpdateInstancesAsync(WaitUntil.Completed, new VirtualMachineScaleSetVmInstanceRequiredIds(["0"]));

        Assert.True(operation.HasCompleted);
        // Finished on the first poll (the SDK waits about a second before each further poll): counted, not timed.
        Assert.Equal([true, false], _emulator.GetInstances(ScaleSetId("vmss-a"))!.Select(i => i.LatestModelApplied));
        Assert.Equal(1, _emulator.Count(ArmCallKind.InstanceAction));
        Assert.InRange(_emulator.Count(ArmCallKind.PollOperation), 1, 2);
        var write = Assert.Single(_emulator.Writes);
        Assert.Equal("POST", write.Method);
        Assert.EndsWith("/manualupgrade", write.ResourceId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPath_AnyMethod_Returns404AndCountsOther()
    {
        using var http = EmulatorArm.CreateHttpClient(_emulator);

        using var network = await http.GetAsync(new Uri($"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet?api-version=2024-05-01", UriKind.Relative));
        using var compute = await http.GetAsync(new Uri($"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/disks/d1?api-version=2024-05-01", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, network.StatusCode);
        Assert.Contains("NoRegisteredProviderFound", await network.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, compute.StatusCode);
        Assert.Contains("InvalidResourceType", await compute.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, _emulator.Count(ArmCallKind.Other));
    }

    [Fact]
    public async Task Patch_ConcurrentWrites_OneAcceptedTheOthers409WhileItsOperationRuns()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
        using var http = EmulatorArm.CreateHttpClient(_emulator);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await http.PatchAsync(new Uri(ScaleSetId("vmss-a") + "?api-version=2024-11-01", UriKind.Relative),
                new StringContent("{\"sku\":{\"capacity\":" + (i % 5) + "}}", System.Text.Encoding.UTF8, "application/json"));
            return (int)response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(49, statuses.Count(s => s == 409));
        Assert.Equal(50, _emulator.Count(ArmCallKind.PatchScaleSet));
    }

    internal static VirtualMachineScaleSetPatch AcceleratedNetworkingPatch() => new()
    {
        VirtualMachineProfile = new VirtualMachineScaleSetUpdateVmProfile
        {
            NetworkProfile = new VirtualMachineScaleSetUpdateNetworkProfile
            {
                NetworkInterfaceConfigurations =
                {
                    new VirtualMachineScaleSetUpdateNetworkConfiguration { Name = "nic-primary", Primary = true, EnableAcceleratedNetworking = true },
                    new VirtualMachineScaleSetUpdateNetworkConfiguration { Name = "nic-secondary", Primary = false, EnableAcceleratedNetworking = true },
                },
            },
        },
    };

    private static async Task<List<VirtualMachineScaleSetVmResource>> ListInstancesAsync(VirtualMachineScaleSetResource scaleSet)
    {
        var instances = new List<VirtualMachineScaleSetVmResource>();
        await foreach (var vm in scaleSet.GetVirtualMachineScaleSetVms().GetAllAsync())
        {
            instances.Add(vm);
        }

        return instances;
    }
}
