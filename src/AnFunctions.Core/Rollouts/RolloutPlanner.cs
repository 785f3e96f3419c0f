using System.Globalization;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Rollouts;

/// <summary>Why a rollout is refused before anything is touched.</summary>
public enum RolloutRefusal
{
    /// <summary>AKS manages the pool: the app never acts on its scale sets.</summary>
    AksManaged,

    /// <summary>The pool's model does not have AN on every NIC configuration: there is nothing to roll out.</summary>
    ModelWithoutAcceleratedNetworking,

    /// <summary>The pool's size does not support AN in its region (or it cannot be established).</summary>
    SizeNotSupported,

    /// <summary>The batch size is below 1 or takes more nodes down at once than MaxUnavailable allows.</summary>
    BatchTooLarge,

    /// <summary>The pool carries the opt-out tag: the app never acts on it.</summary>
    OptedOut,
}

/// <summary>
/// What a rollout would do: the batches (instance ids, which of them run now), the instances it leaves alone and why,
/// and how many nodes are down at once at most. Or why it is refused.
/// </summary>
public sealed record RolloutPlan(
    ScaleSetId PoolId,
    int BatchSize,
    int MaxUnavailable,
    IReadOnlyList<RolloutBatch> Batches,
    IReadOnlyList<SkippedInstance> Skipped,
    RolloutRefusal? Refusal,
    string Explanation)
{
    public bool IsRefused => Refusal is not null;

    public bool NothingToDo => !IsRefused && Batches.Count == 0;

    /// <summary>The most nodes this plan takes down at the same time.</summary>
    public int NodesDownAtOnce => Batches.Count == 0 ? 0 : Batches.Max(b => b.Running.Count);
}

/// <summary>
/// Plans a rollout as a pure function: which running instances of a pool whose model has AN still run without it, in
/// batches of at most <c>MaxUnavailable</c>, each to go through deallocate, manualupgrade and start.
/// </summary>
public static class RolloutPlanner
{
    public static RolloutPlan Plan(ScaleSetSnapshot scaleSet, IReadOnlyList<PoolInstance> instances, AcceleratedNetworkingSupport support, int batchSize, NodeSafetyPolicy safety, string optOutTag)
    {
        ArgumentNullException.ThrowIfNull(scaleSet);
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(support);
        ArgumentNullException.ThrowIfNull(safety);
        var budget = safety.MaxUnavailable.InstancesOf(instances.Count);
        RolloutPlan Refuse(RolloutRefusal refusal, string why) => new(scaleSet.Id, batchSize, budget, [], [], refusal, why);

        if (scaleSet.Provisioner.ForbidsDirectWrites)
        {
            return Refuse(RolloutRefusal.AksManaged, "AKS manages this pool: the app never acts on the scale sets AKS manages; roll the nodes with AKS (az aks nodepool upgrade, or a new node pool)");
        }

        if (string.Equals(scaleSet.Tag(optOutTag), "disabled", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(RolloutRefusal.OptedOut, $"tag {optOutTag}=disabled opts this pool out of automation");
        }

        if (!scaleSet.AcceleratedNetworkingOnAll)
        {
            return Refuse(RolloutRefusal.ModelWithoutAcceleratedNetworking,
                "the pool's model does not have AN on every network interface configuration: a rollout would bring the nodes to a model without AN; the app enables AN on models of new pools only");
        }

        if (!support.IsSupported)
        {
            return Refuse(RolloutRefusal.SizeNotSupported, $"the pool's size does not support AN in {scaleSet.Location}: {support.Describe()}");
        }

        if (batchSize < 1 || batchSize > budget)
        {
            return Refuse(RolloutRefusal.BatchTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"a batch of {batchSize} node(s) is not allowed: AcceleratedNetworking:MaxUnavailable {safety.MaxUnavailable} allows {budget} of this pool's {instances.Count} node(s) down at once"));
        }

        var skipped = new List<SkippedInstance>();
        var candidates = new List<PoolInstance>();
        foreach (var instance in instances.OrderBy(i => NumericId(i.InstanceId)).ThenBy(i => i.InstanceId, StringComparer.Ordinal))
        {
            if (instance.AcceleratedNetworking == true)
            {
                continue;
            }

            if (instance.ProtectedFromScaleSetActions)
            {
                skipped.Add(new SkippedInstance(instance.InstanceId, "protected from scale-set actions: never touched"));
            }
            else if (instance.PowerState is PowerState.Starting or PowerState.Stopping or PowerState.Deallocating)
            {
                skipped.Add(new SkippedInstance(instance.InstanceId, $"power state {instance.PowerState}: changing, left alone"));
            }
            else
            {
                candidates.Add(instance);
            }
        }

        var batches = candidates
            .Chunk(batchSize)
            .Select((chunk, index) => new RolloutBatch(index, chunk.Select(i => i.InstanceId).ToList(), chunk.Where(i => i.IsUp).Select(i => i.InstanceId).ToList()))
            .ToList();
        var explanation = batches.Count == 0
            ? $"nothing to do: every node that may be touched runs with AN ({instances.Count} instance(s), {skipped.Count} left alone)"
            : string.Create(CultureInfo.InvariantCulture,
                $"{candidates.Count} node(s) without AN in {batches.Count} batch(es) of at most {batchSize}: each batch is deallocated, brought to the latest model (AN) and started again before the next; at most {batches.Max(b => b.Running.Count)} node(s) down at once, within MaxUnavailable {safety.MaxUnavailable} ({budget})");
        return new RolloutPlan(scaleSet.Id, batchSize, budget, batches, skipped, null, explanation);
    }

    private static long NumericId(string id) => long.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
}
