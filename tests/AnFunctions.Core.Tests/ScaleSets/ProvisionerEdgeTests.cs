using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.ScaleSets;

/// <summary>
/// <see cref="Provisioner.From"/> at its edges: AKS's node resource group (<c>MC_rg_cluster_region</c>) in any case and
/// in shapes it cannot split, tags winning over the group, AKS's scale set names, and the other owners' fallbacks.
/// </summary>
public sealed class ProvisionerEdgeTests
{
    private static readonly Dictionary<string, string> NoTags = [];

    [Theory]
    [InlineData("MC_rg_cluster_westeurope", "rg", "cluster")]
    [InlineData("mc_team-rg_prod-1_northeurope", "team-rg", "prod-1")]
    [InlineData("Mc_A_B_C", "A", "B")]
    [InlineData("MC___", "", "")]
    [InlineData("MC_rg_cluster", null, null)]
    [InlineData("MC_rg", null, null)]
    [InlineData("MC_", null, null)]
    [InlineData("MC_a_b_c_d", null, null)]
    public void From_AksNodeResourceGroup_AksWithTheNamesWhenItSplitsInFour(string group, string? resourceGroup, string? cluster)
    {
        var provisioner = Provisioner.From(NoTags, group, "vmss");

        Assert.Equal(new Provisioner(PoolOwner.Aks, cluster, null, resourceGroup), provisioner);
        Assert.True(provisioner.ForbidsDirectWrites);
    }

    [Theory]
    [InlineData("MC")]
    [InlineData("MCrg_cluster_x_y")]
    [InlineData("xMC_rg_cluster_westeurope")]
    [InlineData("rg_MC_cluster_westeurope")]
    [InlineData("")]
    public void From_NotAnAksNodeResourceGroupNorTags_Unknown(string group)
    {
        var provisioner = Provisioner.From(NoTags, group, "aks-user-1-vmss");

        Assert.Same(Provisioner.Unknown, provisioner);
        Assert.Equal(new Provisioner(PoolOwner.Unknown, null, null, null), provisioner);
        Assert.False(provisioner.ForbidsDirectWrites);
    }

    [Fact]
    public void From_AksTagsAndNodeResourceGroup_TagsWinInAnyCase()
    {
        var tags = new Dictionary<string, string>
        {
            ["AKS-MANAGED-CLUSTER-NAME"] = "from-tag",
            ["aks-managed-cluster-rg"] = "rg-from-tag",
            ["aks-managed-poolname"] = "pool-from-tag",
        };

        var provisioner = Provisioner.From(tags, "MC_rg_cluster_westeurope", "aks-user-1-vmss");

        Assert.Equal(new Provisioner(PoolOwner.Aks, "from-tag", "pool-from-tag", "rg-from-tag"), provisioner);
    }

    [Fact]
    public void From_AksTagsWithEmptyValues_FallBackToTheGroupAndName()
    {
        var tags = new Dictionary<string, string> { ["aks-managed-cluster-name"] = "", ["aks-managed-cluster-rg"] = "", ["aks-managed-poolName"] = "" };

        var provisioner = Provisioner.From(tags, "MC_rg_cluster_westeurope", "aks-user-1-vmss");

        Assert.Equal(new Provisioner(PoolOwner.Aks, "cluster", "user", "rg"), provisioner);
    }

    [Theory]
    [InlineData("aks-user-12345678-vmss", "user")]
    [InlineData("AKS-user-1-VMSS", "user")]
    [InlineData("aks-gpu-a100-12345678-vmss", "gpu-a100")]
    [InlineData("aks--1-vmss", "")]
    [InlineData("aks-user-vmss", null)]
    [InlineData("aks-user-1-vms", null)]
    [InlineData("aksx-user-1-vmss", null)]
    [InlineData("k8s-user-1-vmss", null)]
    [InlineData("vmss", null)]
    public void From_AksWithoutPoolTag_PoolFromTheScaleSetName(string scaleSet, string? pool)
    {
        var tags = new Dictionary<string, string> { ["aks-managed-orchestrator"] = "Kubernetes:1.31.2" };

        var provisioner = Provisioner.From(tags, "custom-nodes", scaleSet);

        Assert.Equal(new Provisioner(PoolOwner.Aks, null, pool, null), provisioner);
    }

    [Fact]
    public void From_GiantSwarmWithoutMachinePool_NodePoolTag()
    {
        var tags = new Dictionary<string, string> { ["GiantSwarm.io/Cluster"] = "gs-1", ["giantswarm.io/node-pool"] = "np-b" };

        Assert.Equal(new Provisioner(PoolOwner.GiantSwarm, "gs-1", "np-b", null), Provisioner.From(tags, "rg", "vmss"));
    }

    [Fact]
    public void From_GiantSwarmWithBothPoolTags_MachinePoolFirst()
    {
        var tags = new Dictionary<string, string> { ["giantswarm.io/node-pool"] = "np-b", ["giantswarm.io/machine-pool"] = "mp-a" };

        Assert.Equal(new Provisioner(PoolOwner.GiantSwarm, null, "mp-a", null), Provisioner.From(tags, "rg", "vmss"));
    }

    [Theory]
    [InlineData("sigs.k8s.io_cluster-api-provider-azure_cluster_capz-1", "capz-1")]
    [InlineData("SIGS.K8S.IO_cluster-api-provider-azure_CLUSTER_capz-2", "capz-2")]
    [InlineData("sigs.k8s.io_cluster-api-provider-azure_cluster_", null)]
    [InlineData("sigs.k8s.io_cluster-api-provider-azure_role", null)]
    public void From_CapzTags_ClusterFromTheClusterKeysSuffix(string key, string? cluster)
    {
        var tags = new Dictionary<string, string> { [key] = "owned" };

        Assert.Equal(new Provisioner(PoolOwner.ClusterApiAzure, cluster, "capz-mp-0", null), Provisioner.From(tags, "rg", "capz-mp-0"));
    }

    [Fact]
    public void From_NoTags_Throws() =>
        Assert.Equal("tags", Assert.Throws<ArgumentNullException>(() => Provisioner.From(null!, "rg", "vmss")).ParamName);

    [Fact]
    public void TagPrefixes_Always_TheOwnersOwn()
    {
        Assert.Equal("aks-managed-", Provisioner.AksTagPrefix);
        Assert.Equal("sigs.k8s.io_cluster-api-provider-azure_", Provisioner.CapzTagPrefix);
        Assert.Equal("giantswarm.io/", Provisioner.GiantSwarmTagPrefix);
    }
}
