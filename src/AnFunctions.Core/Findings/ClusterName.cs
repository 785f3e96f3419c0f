namespace AnFunctions.Core.Findings;

/// <summary>The Kubernetes cluster a node pool belongs to, from the tags the common provisioners put on scale sets.</summary>
public static class ClusterName
{
    private static readonly string[] ValueTags =
    [
        "giantswarm.io/cluster",
        "aks-managed-cluster-name",
        "k8s-cluster",
        "kubernetes-cluster",
        "cluster",
    ];

    // Tags whose key carries the cluster name (Cluster API for Azure, the cloud provider): "<prefix><name>": "owned".
    private static readonly string[] KeyPrefixes =
    [
        "sigs.k8s.io_cluster-api-provider-azure_cluster_",
        "kubernetes.io_cluster_",
        "kubernetes.io-cluster-",
    ];

    public static string? From(IReadOnlyDictionary<string, string> tags)
    {
        foreach (var name in ValueTags)
        {
            var value = tags.FirstOrDefault(t => t.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        foreach (var (key, _) in tags)
        {
            var prefix = KeyPrefixes.FirstOrDefault(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase) && key.Length > p.Length);
            if (prefix is not null)
            {
                return key[prefix.Length..];
            }
        }

        return null;
    }
}
