using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Findings;

/// <summary>
/// What the person paged should do, in the language of whoever owns the pool: <c>az aks nodepool</c> for AKS, a new
/// MachinePool for Cluster API, <c>kubectl gs</c> for Giant Swarm, plain steps otherwise. The rule behind every one:
/// AN is fixed at a pool's creation, so the fix is a new pool, then deleting the old one.
/// </summary>
public static class Remedies
{
    /// <summary>Replace the pool with a new one on <paramref name="size"/> (it gets AN at creation when the size supports it).</summary>
    public static string NewPool(Provisioner owner, ScaleSetId pool, string size)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(pool);
        return owner.Owner switch
        {
            PoolOwner.Aks =>
                $"AN cannot be changed on an existing pool, and AKS manages this one: add a node pool on {size} with " +
                $"`az aks nodepool add --resource-group {owner.ClusterResourceGroup ?? "<cluster resource group>"} --cluster-name {owner.Cluster ?? "<cluster>"} --name <new pool> --node-vm-size {size}` " +
                "(AKS enables AN where the size supports it); once its nodes are Ready, drain this pool and remove it with " +
                $"`az aks nodepool delete --resource-group {owner.ClusterResourceGroup ?? "<cluster resource group>"} --cluster-name {owner.Cluster ?? "<cluster>"} --name {owner.NodePool ?? "<this pool>"}`.",
            PoolOwner.ClusterApiAzure =>
                $"AN cannot be changed on an existing pool, and Cluster API manages this one: create a new MachinePool with an AzureMachinePool of vmSize {size}, " +
                "leaving networkInterfaces[].acceleratedNetworking unset so that CAPZ decides from the SKU; once its nodes are Ready, " +
                $"delete the old MachinePool ({owner.NodePool ?? pool.Name}) of cluster {owner.Cluster ?? "<cluster>"} with `kubectl delete machinepool {owner.NodePool ?? pool.Name}`.",
            PoolOwner.GiantSwarm =>
                $"AN cannot be changed on an existing pool, and Giant Swarm manages this one: create a new node pool on {size} with " +
                $"`kubectl gs template nodepool --provider capz --cluster-name {owner.Cluster ?? "<cluster>"} --organization <organization> --azure-vm-size {size}` and apply it; " +
                $"once its nodes are Ready, delete the old node pool ({owner.NodePool ?? pool.Name}).",
            _ =>
                $"AN cannot be changed on an existing pool. Create a new node pool on {size} (it gets AN at creation when its size supports it), " +
                "cordon and drain this pool's nodes, move the workloads, then delete this pool.",
        };
    }

    /// <summary>Bring running nodes onto a model that already has AN, without exceeding the disruption budget.</summary>
    public static string RollOut(Provisioner owner, ScaleSetId pool) =>
        $"Drain the nodes batch by batch and run `an rollout {pool.Value} --apply` (or POST /api/pools/rollout with \"dryRun\": false): " +
        "it deallocates each batch, brings it to the latest model and starts it again, never more than AcceleratedNetworking:MaxUnavailable at once. " +
        (owner.Owner switch
        {
            PoolOwner.ClusterApiAzure => "Or let Cluster API replace the machines (delete the Machines of this MachinePool one at a time).",
            PoolOwner.GiantSwarm => "Or let Giant Swarm replace the nodes (delete them one at a time; the node pool creates new ones with AN).",
            _ => "Or replace the nodes one at a time (cordon, drain, delete the instance; new instances get AN).",
        });
}
