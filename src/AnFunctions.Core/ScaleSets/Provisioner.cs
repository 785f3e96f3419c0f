namespace AnFunctions.Core.ScaleSets;

/// <summary>Who created a scale set and keeps managing it: the owner's tools are the ones a remedy must name.</summary>
public enum PoolOwner
{
    Unknown,

    /// <summary>Azure Kubernetes Service: tags <c>aks-managed-*</c>, node resource group <c>MC_*</c> by default.</summary>
    Aks,

    /// <summary>Cluster API Provider Azure: tags <c>sigs.k8s.io_cluster-api-provider-azure_*</c>.</summary>
    ClusterApiAzure,

    /// <summary>Giant Swarm: tags <c>giantswarm.io/*</c> (its clusters may carry CAPZ tags too; Giant Swarm's tools come first).</summary>
    GiantSwarm,
}

/// <summary>The owner of a scale set and the names its tools need (cluster, node pool), when the tags tell them.</summary>
public sealed record Provisioner(PoolOwner Owner, string? Cluster, string? NodePool, string? ClusterResourceGroup)
{
    public const string AksTagPrefix = "aks-managed-";
    public const string CapzTagPrefix = "sigs.k8s.io_cluster-api-provider-azure_";
    public const string GiantSwarmTagPrefix = "giantswarm.io/";

    public static Provisioner Unknown { get; } = new(PoolOwner.Unknown, null, null, null);

    /// <summary>AKS does not support direct changes to the scale sets it manages: the app never writes to them.</summary>
    public bool ForbidsDirectWrites => Owner == PoolOwner.Aks;

    public static Provisioner From(IReadOnlyDictionary<string, string> tags, string resourceGroup, string scaleSetName)
    {
        ArgumentNullException.ThrowIfNull(tags);
        string? Tag(string name) => tags.FirstOrDefault(t => t.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } v ? v : null;
        bool AnyKey(string prefix) => tags.Keys.Any(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
        string? KeySuffix(string prefix) => tags.Keys.FirstOrDefault(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && k.Length > prefix.Length)?[prefix.Length..];

        var nodeResourceGroup = AksNodeResourceGroup.TryParse(resourceGroup);
        if (AnyKey(AksTagPrefix) || nodeResourceGroup is not null)
        {
            return new Provisioner(PoolOwner.Aks,
                Tag("aks-managed-cluster-name") ?? nodeResourceGroup?.Cluster,
                Tag("aks-managed-poolName") ?? AksPoolFromScaleSetName(scaleSetName),
                Tag("aks-managed-cluster-rg") ?? nodeResourceGroup?.ResourceGroup);
        }

        if (AnyKey(GiantSwarmTagPrefix))
        {
            return new Provisioner(PoolOwner.GiantSwarm, Tag("giantswarm.io/cluster"), Tag("giantswarm.io/machine-pool") ?? Tag("giantswarm.io/node-pool"), null);
        }

        if (AnyKey(CapzTagPrefix))
        {
            return new Provisioner(PoolOwner.ClusterApiAzure, KeySuffix(CapzTagPrefix + "cluster_"), scaleSetName, null);
        }

        return Unknown;
    }

    /// <summary>AKS names a node pool's scale set <c>aks-{pool}-{number}-vmss</c>.</summary>
    private static string? AksPoolFromScaleSetName(string name)
    {
        var parts = name.Split('-');
        return parts.Length >= 4 && parts[0].Equals("aks", StringComparison.OrdinalIgnoreCase) && parts[^1].Equals("vmss", StringComparison.OrdinalIgnoreCase)
            ? string.Join('-', parts[1..^2])
            : null;
    }

    /// <summary>AKS's default node resource group: <c>MC_{resource group}_{cluster}_{location}</c>.</summary>
    private sealed record AksNodeResourceGroup(string? ResourceGroup, string? Cluster)
    {
        public static AksNodeResourceGroup? TryParse(string resourceGroup)
        {
            if (!resourceGroup.StartsWith("MC_", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            // Names may contain underscores: with more than four parts the split is ambiguous, so the names stay
            // unknown rather than guessed (the group still says AKS).
            var parts = resourceGroup.Split('_');
            return parts.Length == 4 ? new AksNodeResourceGroup(parts[1], parts[2]) : new AksNodeResourceGroup(null, null);
        }
    }
}
