using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.ScaleSets;

public sealed class ProvisionerTests
{
    public sealed record Case(string Name, Dictionary<string, string> Tags, string ResourceGroup, string ScaleSet, PoolOwner Owner, string? Cluster, string? NodePool, string? ClusterResourceGroup)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() =>
    [
        new("AKS tags", new() { ["aks-managed-poolName"] = "gpu", ["aks-managed-orchestrator"] = "Kubernetes:1.31.2" }, "MC_k8s-prod_prod-weu_westeurope", "aks-gpu-12345678-vmss",
            PoolOwner.Aks, "prod-weu", "gpu", "k8s-prod"),
        new("AKS tag keys in another case", new() { ["AKS-Managed-PoolName"] = "sys" }, "custom-nodes", "aks-sys-1-vmss", PoolOwner.Aks, null, "sys", null),
        new("AKS by its default node resource group only", new(), "MC_rg_cluster_westeurope", "aks-user-87654321-vmss", PoolOwner.Aks, "cluster", "user", "rg"),
        new("AKS node resource group with underscores in names: names left unknown", new(), "MC_my_rg_my_cluster_westeurope", "vmss1", PoolOwner.Aks, null, null, null),
        new("Cluster API", new() { ["sigs.k8s.io_cluster-api-provider-azure_cluster_capz-prod"] = "owned", ["sigs.k8s.io_cluster-api-provider-azure_role"] = "node" }, "capz-prod", "capz-prod-mp-0",
            PoolOwner.ClusterApiAzure, "capz-prod", "capz-prod-mp-0", null),
        new("Giant Swarm (with CAPZ tags too: Giant Swarm wins)", new() { ["giantswarm.io/cluster"] = "gs-7x2k", ["giantswarm.io/machine-pool"] = "np-a", ["sigs.k8s.io_cluster-api-provider-azure_cluster_gs-7x2k"] = "owned" }, "gs-7x2k", "gs-7x2k-np-a",
            PoolOwner.GiantSwarm, "gs-7x2k", "np-a", null),
        new("unknown", new() { ["owner"] = "team" }, "rg-pools", "vmss-a", PoolOwner.Unknown, null, null, null),
        new("a tag value mentioning AKS is not an AKS tag", new() { ["notes"] = "aks-managed-looking" }, "rg", "vmss", PoolOwner.Unknown, null, null, null),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void From_TagsAndResourceGroup_RecognisesTheOwnerAndItsNames(Case c)
    {
        var provisioner = Provisioner.From(c.Tags, c.ResourceGroup, c.ScaleSet);

        Assert.Equal(c.Owner, provisioner.Owner);
        Assert.Equal(c.Cluster, provisioner.Cluster);
        Assert.Equal(c.NodePool, provisioner.NodePool);
        Assert.Equal(c.ClusterResourceGroup, provisioner.ClusterResourceGroup);
        Assert.Equal(c.Owner == PoolOwner.Aks, provisioner.ForbidsDirectWrites);
    }
}
