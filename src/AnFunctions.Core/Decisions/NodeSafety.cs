using System.Globalization;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Decisions;

/// <summary>
/// <c>AcceleratedNetworking:MaxUnavailable</c>: how many nodes of one pool the app may take down at once, as an instance
/// count (<c>1</c>) or a percentage of the pool's instances (<c>20%</c>, rounded down, as Kubernetes rounds
/// <c>maxUnavailable</c>: a percentage never allows more than the operator said).
/// </summary>
public readonly record struct MaxUnavailable(int Value, bool IsPercent)
{
    public static MaxUnavailable Default { get; } = new(1, IsPercent: false);

    public int InstancesOf(long instances) =>
        IsPercent ? (int)Math.Floor(Math.Max(0, instances) * Value / 100.0) : Value;

    public static bool TryParse(string? text, out MaxUnavailable value)
    {
        value = Default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var trimmed = text.Trim();
        var percent = trimmed.EndsWith('%');
        var number = percent ? trimmed[..^1].TrimEnd() : trimmed;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || (percent && parsed > 100) || parsed > 1000)
        {
            return false;
        }

        value = new MaxUnavailable(parsed, percent);
        return true;
    }

    public override string ToString() => IsPercent
        ? string.Create(CultureInfo.InvariantCulture, $"{Value}%")
        : Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The settings that bound what a write of the app may do to running nodes.</summary>
public sealed record NodeSafetyPolicy(MaxUnavailable MaxUnavailable, bool AllowAutomaticUpgrade)
{
    public static NodeSafetyPolicy Default { get; } = new(MaxUnavailable.Default, AllowAutomaticUpgrade: false);
}

/// <summary>What a model write would do to the pool's running nodes.</summary>
public enum NodeImpactKind
{
    /// <summary>No node runs (capacity 0, or every instance deallocated or protected): nothing to disrupt.</summary>
    NoRunningNodes,

    /// <summary>Manual (or no) upgrade policy: the model changes, running nodes keep their NICs until replaced or rolled out.</summary>
    ModelOnly,

    /// <summary>Rolling: the platform brings the nodes to the new model in batches.</summary>
    RollingUpgrade,

    /// <summary>Automatic: the platform may restart every node at the same time.</summary>
    AutomaticUpgrade,
}

/// <summary>
/// The safety gate's verdict: whether the write may go, what it does to the nodes (how many are down at once at most,
/// against the budget), and in words why. <see cref="RunningNodes"/> counts the nodes a write could touch (running and
/// not protected from scale-set actions).
/// </summary>
public sealed record NodeImpact(
    bool Allowed,
    NodeImpactKind Kind,
    UpgradePolicy UpgradePolicy,
    int Instances,
    int RunningNodes,
    int NodesDownAtOnce,
    int Budget,
    bool InstancesListed,
    string Explanation,
    DecisionReason? BlockedReason = null,
    string? Change = null);

/// <summary>
/// The safety gate of the new-pool rule, a pure function: a write of the model may go only when what it does to running
/// nodes stays within what the operator allowed (<c>MaxUnavailable</c>, <c>AllowAutomaticUpgrade</c>). Without an
/// instance listing it assumes every instance of the capacity runs (it never underestimates).
/// </summary>
public static class NodeSafetyGate
{
    public static NodeImpact Assess(ScaleSetSnapshot scaleSet, IReadOnlyList<PoolInstance>? instances, NodeSafetyPolicy safety)
    {
        ArgumentNullException.ThrowIfNull(scaleSet);
        ArgumentNullException.ThrowIfNull(safety);
        var policy = scaleSet.UpgradePolicy;
        var total = instances?.Count ?? (int)Math.Clamp(scaleSet.Capacity ?? 0, 0, int.MaxValue);
        var running = instances?.Count(i => i.IsUp && !i.ProtectedFromScaleSetActions) ?? total;
        var budget = safety.MaxUnavailable.InstancesOf(total);
        var listed = instances is not null;
        var counted = listed ? $"{running} of {total} instance(s) run" : $"capacity {total} (instances not listed: all assumed running)";

        if (running == 0)
        {
            return new NodeImpact(true, NodeImpactKind.NoRunningNodes, policy, total, 0, 0, budget, listed,
                $"no node runs yet ({counted}): nothing to disrupt; every instance created from now on gets AN");
        }

        switch (policy.Mode)
        {
            case UpgradeMode.Rolling:
            {
                var batch = Math.Min(policy.BatchSize(total), running);
                if (batch <= budget)
                {
                    return new NodeImpact(true, NodeImpactKind.RollingUpgrade, policy, total, running, batch, budget, listed,
                        $"upgrade policy {policy}: {counted}; Azure brings them to AN in batches of {batch}, within AcceleratedNetworking:MaxUnavailable {safety.MaxUnavailable} ({budget} node(s))");
                }

                var percent = budget * 100 / total; // total > 0: at least one node runs
                return new NodeImpact(false, NodeImpactKind.RollingUpgrade, policy, total, running, batch, budget, listed,
                    $"upgrade policy {policy}: {counted}; a rolling batch would take {batch} node(s) down at once, more than AcceleratedNetworking:MaxUnavailable {safety.MaxUnavailable} allows ({budget} node(s))",
                    DecisionReason.RollingBatchTooLarge,
                    budget == 0
                        ? $"raise AcceleratedNetworking:MaxUnavailable to at least {batch} (it allows no node down on a pool of {total})"
                        : $"set rollingUpgradePolicy.maxBatchInstancePercent to at most {percent} or raise AcceleratedNetworking:MaxUnavailable to at least {batch}");
            }

            case UpgradeMode.Automatic:
                if (!safety.AllowAutomaticUpgrade)
                {
                    return new NodeImpact(false, NodeImpactKind.AutomaticUpgrade, policy, total, running, running, budget, listed,
                        $"upgrade policy Automatic: {counted}, and Azure may restart all {running} of them at the same time to apply the new model; AcceleratedNetworking:AllowAutomaticUpgrade is off",
                        DecisionReason.AutomaticUpgradePolicy,
                        "set the pool's upgradePolicy.mode to Manual or Rolling (or AcceleratedNetworking:AllowAutomaticUpgrade to true, which still stays within MaxUnavailable)");
                }

                return running <= budget
                    ? new NodeImpact(true, NodeImpactKind.AutomaticUpgrade, policy, total, running, running, budget, listed,
                        $"upgrade policy Automatic: {counted}; Azure may restart all {running} at once, within AcceleratedNetworking:MaxUnavailable {safety.MaxUnavailable} ({budget} node(s)) and allowed by AcceleratedNetworking:AllowAutomaticUpgrade")
                    : new NodeImpact(false, NodeImpactKind.AutomaticUpgrade, policy, total, running, running, budget, listed,
                        $"upgrade policy Automatic: {counted}; Azure may restart all {running} at once, more than AcceleratedNetworking:MaxUnavailable {safety.MaxUnavailable} allows ({budget} node(s))",
                        DecisionReason.AutomaticUpgradePolicy,
                        $"set the pool's upgradePolicy.mode to Manual or Rolling, or raise AcceleratedNetworking:MaxUnavailable to at least {running}");

            default:
                return new NodeImpact(true, NodeImpactKind.ModelOnly, policy, total, running, 0, budget, listed,
                    $"upgrade policy {policy}: {counted}; the model gets AN and the running node(s) keep running without it until they are replaced or rolled out (an rollout): nothing is restarted");
        }
    }
}
