using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Tests.Findings;

public sealed class ClusterNameTests
{
    public static TheoryData<Dictionary<string, string>, string?> Tags() => new()
    {
        { new() { ["giantswarm.io/cluster"] = "x1y2z" }, "x1y2z" },
        { new() { ["aks-managed-cluster-name"] = "prod-weu" }, "prod-weu" },
        { new() { ["K8S-Cluster"] = "test" }, "test" },
        { new() { ["kubernetes-cluster"] = "kube-1" }, "kube-1" },
        { new() { ["Cluster"] = "dev-1" }, "dev-1" },
        { new() { ["cluster"] = "dev-2", ["kubernetes-cluster"] = "kube-2" }, "kube-2" },
        { new() { ["sigs.k8s.io_cluster-api-provider-azure_cluster_capz-1"] = "owned" }, "capz-1" },
        { new() { ["kubernetes.io_cluster_legacy"] = "owned" }, "legacy" },
        { new() { ["kubernetes.io_cluster_"] = "owned" }, null },
        { new() { ["cluster"] = " " }, null },
        { new() { ["team"] = "payments" }, null },
        { new(), null },
    };

    [Theory]
    [MemberData(nameof(Tags))]
    public void From_ProvisionerTags_FindsTheCluster(Dictionary<string, string> tags, string? expected)
    {
        Assert.Equal(expected, ClusterName.From(tags));
    }
}
