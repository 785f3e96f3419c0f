using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.Findings;

/// <summary>The remedy texts per owner are pinned: they are what the person paged at 3 a.m. copies.</summary>
public sealed class RemediesTests
{
    private static readonly ScaleSetId Pool = ScaleSetId.Create(TestData.Subscription, "nodes", "pool-a");

    [Fact]
    public void NewPool_Aks_NamesAzAksNodepoolAddThenDelete()
    {
        var owner = new Provisioner(PoolOwner.Aks, "prod-weu", "gpu", "k8s-prod");

        Assert.Equal(
            "AN cannot be changed on an existing pool, and AKS manages this one: add a node pool on Standard_D8s_v5 with " +
            "`az aks nodepool add --resource-group k8s-prod --cluster-name prod-weu --name <new pool> --node-vm-size Standard_D8s_v5` " +
            "(AKS enables AN where the size supports it); once its nodes are Ready, drain this pool and remove it with " +
            "`az aks nodepool delete --resource-group k8s-prod --cluster-name prod-weu --name gpu`.",
            Remedies.NewPool(owner, Pool, "Standard_D8s_v5"));
    }

    [Fact]
    public void NewPool_AksWithoutNames_UsesPlaceholders()
    {
        var text = Remedies.NewPool(new Provisioner(PoolOwner.Aks, null, null, null), Pool, "Standard_D8s_v5");

        // Both commands, each with its own placeholders (a Contains on one would also match the other).
        Assert.Contains("`az aks nodepool add --resource-group <cluster resource group> --cluster-name <cluster> --name <new pool> --node-vm-size Standard_D8s_v5`", text, StringComparison.Ordinal);
        Assert.Contains("`az aks nodepool delete --resource-group <cluster resource group> --cluster-name <cluster> --name <this pool>`", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NewPool_ClusterApi_NamesANewMachinePoolWithAcceleratedNetworkingUnset()
    {
        var owner = new Provisioner(PoolOwner.ClusterApiAzure, "capz-prod", "capz-prod-mp-0", null);

        Assert.Equal(
            "AN cannot be changed on an existing pool, and Cluster API manages this one: create a new MachinePool with an AzureMachinePool of vmSize Standard_D8s_v5, " +
            "leaving networkInterfaces[].acceleratedNetworking unset so that CAPZ decides from the SKU; once its nodes are Ready, " +
            "delete the old MachinePool (capz-prod-mp-0) of cluster capz-prod with `kubectl delete machinepool capz-prod-mp-0`.",
            Remedies.NewPool(owner, Pool, "Standard_D8s_v5"));
    }

    [Fact]
    public void NewPool_GiantSwarm_NamesKubectlGsTemplateNodepool()
    {
        var owner = new Provisioner(PoolOwner.GiantSwarm, "gs-7x2k", "np-a", null);

        Assert.Equal(
            "AN cannot be changed on an existing pool, and Giant Swarm manages this one: create a new node pool on Standard_D8s_v5 with " +
            "`kubectl gs template nodepool --provider capz --cluster-name gs-7x2k --organization <organization> --azure-vm-size Standard_D8s_v5` and apply it; " +
            "once its nodes are Ready, delete the old node pool (np-a).",
            Remedies.NewPool(owner, Pool, "Standard_D8s_v5"));
    }

    [Fact]
    public void NewPool_Unknown_GenericSteps()
    {
        Assert.Equal(
            "AN cannot be changed on an existing pool. Create a new node pool on Standard_D8s_v5 (it gets AN at creation when its size supports it), " +
            "cordon and drain this pool's nodes, move the workloads, then delete this pool.",
            Remedies.NewPool(Provisioner.Unknown, Pool, "Standard_D8s_v5"));
    }

    [Theory]
    [InlineData(PoolOwner.Unknown, "replace the nodes one at a time")]
    [InlineData(PoolOwner.ClusterApiAzure, "delete the Machines of this MachinePool")]
    [InlineData(PoolOwner.GiantSwarm, "let Giant Swarm replace the nodes")]
    public void RollOut_NamesTheRolloutCommandAndTheOwnersWay(PoolOwner owner, string ownersWay)
    {
        var text = Remedies.RollOut(new Provisioner(owner, null, null, null), Pool);

        Assert.StartsWith($"Drain the nodes batch by batch and run `an rollout {Pool.Value} --apply`", text, StringComparison.Ordinal);
        Assert.Contains("MaxUnavailable", text, StringComparison.Ordinal);
        Assert.Contains(ownersWay, text, StringComparison.Ordinal);
    }

    [Fact]
    public void AvailableButOff_OnAnAksPool_SpeaksAks()
    {
        var scaleSet = TestData.ScaleSet(tags: new Dictionary<string, string> { ["aks-managed-poolName"] = "np1" });

        var draft = FindingTexts.AvailableButOff(scaleSet, new FindingEvidence(), FindingSeverity.Info);

        Assert.Contains("az aks nodepool add", draft.Remedy, StringComparison.Ordinal);
        Assert.Contains("--name np1`", draft.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void NewPool_ClusterApiWithoutNames_NamesTheScaleSetAndAClusterPlaceholder()
    {
        var text = Remedies.NewPool(new Provisioner(PoolOwner.ClusterApiAzure, null, null, null), Pool, "Standard_D8s_v5");

        Assert.EndsWith("delete the old MachinePool (pool-a) of cluster <cluster> with `kubectl delete machinepool pool-a`.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NewPool_GiantSwarmWithoutNames_NamesTheScaleSetAndAClusterPlaceholder()
    {
        var text = Remedies.NewPool(new Provisioner(PoolOwner.GiantSwarm, null, null, null), Pool, "Standard_D8s_v5");

        Assert.Contains("--cluster-name <cluster> --organization", text, StringComparison.Ordinal);
        Assert.EndsWith("delete the old node pool (pool-a).", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NewPool_AksWithoutResourceGroupOnly_UsesThePlaceholderForItAlone()
    {
        var text = Remedies.NewPool(new Provisioner(PoolOwner.Aks, "prod-weu", "gpu", null), Pool, "Standard_D8s_v5");

        Assert.Contains("`az aks nodepool add --resource-group <cluster resource group> --cluster-name prod-weu --name <new pool>", text, StringComparison.Ordinal);
        Assert.Contains("`az aks nodepool delete --resource-group <cluster resource group> --cluster-name prod-weu --name gpu`", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RollOut_Aks_IsTheGenericWay()
    {
        Assert.EndsWith(
            "Or replace the nodes one at a time (cordon, drain, delete the instance; new instances get AN).",
            Remedies.RollOut(new Provisioner(PoolOwner.Aks, "c", "p", "rg"), Pool),
            StringComparison.Ordinal);
    }

    [Fact]
    public void NewPool_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("owner", () => Remedies.NewPool(null!, Pool, "Standard_D8s_v5"));
        Assert.Throws<ArgumentNullException>("pool", () => Remedies.NewPool(Provisioner.Unknown, null!, "Standard_D8s_v5"));
    }
}
