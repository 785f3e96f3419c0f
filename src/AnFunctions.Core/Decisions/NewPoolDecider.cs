using System.Globalization;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Decisions;

/// <summary>
/// The new-pool rule, as a pure function: a pool gets AN at creation when its size supports it; after creation its
/// AN setting is never touched. Returns an explicit "nothing to do" with its reason when no write is due.
/// </summary>
public static class NewPoolDecider
{
    private static readonly string[] BusyStates = ["Creating", "Updating", "Deleting", "Migrating"];

    public static PoolDecision Decide(DecisionInput input)
    {
        var scaleSet = input.ScaleSet;
        var policy = input.Policy;

        if (!policy.IsInScope(scaleSet.Id.SubscriptionId))
        {
            return Skip(DecisionReason.OutOfScope, $"subscription {scaleSet.Id.SubscriptionId} is not in AcceleratedNetworking:Subscriptions", isNew: false);
        }

        if (string.Equals(scaleSet.Tag(policy.OptOutTag), "disabled", StringComparison.OrdinalIgnoreCase))
        {
            return Skip(DecisionReason.OptedOut, $"tag {policy.OptOutTag}=disabled opts this scale set out of automation", isNew: false);
        }

        if (scaleSet.Provisioner.ForbidsDirectWrites)
        {
            var isNew = input.Record is null && scaleSet.TimeCreated is { } at && input.Now - at <= policy.NewPoolWindow;
            return Skip(DecisionReason.AksManaged,
                "AKS manages this scale set (aks-managed-* tags or its MC_ node resource group): AKS does not support direct changes to the scale sets it manages and decides AN for its node pools itself, so the app never writes to it",
                isNew);
        }

        if (input.Record is { } record)
        {
            return Skip(DecisionReason.ExistingPoolKnown,
                $"existing pool, known since {Format(record.FirstSeen)}: its AN setting is never changed after creation", isNew: false);
        }

        if (scaleSet.TimeCreated is not { } created)
        {
            return Skip(DecisionReason.CreationTimeUnknown,
                "ARM did not report properties.timeCreated: the pool cannot be shown to be new, so it is treated as existing", isNew: false);
        }

        var age = input.Now - created;
        if (age > policy.NewPoolWindow)
        {
            return Skip(DecisionReason.ExistingPoolOutsideWindow,
                $"existing pool: created {Format(created)}, {FormatAge(age)} before now, outside the new-pool window of {policy.NewPoolWindow}", isNew: false);
        }

        if (scaleSet.NetworkInterfaces.Count == 0)
        {
            return Skip(DecisionReason.NoNetworkInterfaces, "the VM model has no network interface configuration", isNew: true);
        }

        if (scaleSet.AcceleratedNetworkingOnAll)
        {
            return new PoolDecision(DecisionOutcome.NoChange, DecisionReason.AlreadyEnabled,
                "new pool; AN is already on for every network interface configuration", IsNewPool: true, Write: null);
        }

        switch (input.Support.Verdict)
        {
            case SupportVerdict.Unknown:
                return Skip(DecisionReason.SizeUnknown,
                    $"new pool; AN support of its size cannot be established in {scaleSet.Location}: {input.Support.Describe()}", isNew: true);
            case SupportVerdict.NotSupported:
                return Skip(DecisionReason.SizeNotSupported,
                    $"new pool; its size does not support AN in {scaleSet.Location}: {input.Support.Describe()}", isNew: true);
        }

        if (scaleSet.ProvisioningState is { } state && BusyStates.Contains(state, StringComparer.OrdinalIgnoreCase))
        {
            return new PoolDecision(DecisionOutcome.Retry, DecisionReason.ProvisioningInProgress,
                $"new pool that needs AN, but ARM reports provisioningState {state}: try again when it settles", IsNewPool: true, Write: null);
        }

        var off = string.Join(", ", scaleSet.NetworkInterfaces.Where(n => !n.AcceleratedNetworkingOn).Select(n => n.Name));
        var nodes = NodeSafetyGate.Assess(scaleSet, input.Instances, policy.NodeSafety);
        if (!nodes.Allowed)
        {
            return new PoolDecision(DecisionOutcome.Skip, nodes.BlockedReason!.Value,
                $"new pool on an AN-capable size with AN off ({off}), not written: {nodes.Explanation}. To let the app enable AN: {nodes.Change}",
                IsNewPool: true, Write: null, nodes);
        }

        var write = AcceleratedNetworkingPatch.Build(scaleSet);
        return !policy.Mode.WritesToArm()
            ? new PoolDecision(DecisionOutcome.WouldEnableAcceleratedNetworking, DecisionReason.DryRun,
                $"new pool on an AN-capable size with AN off ({off}); dry-run: the PATCH is planned, not sent; {nodes.Explanation}", IsNewPool: true, write, nodes)
            : new PoolDecision(DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled,
                $"new pool on an AN-capable size with AN off ({off}): enable AN on every network interface configuration; {nodes.Explanation}", IsNewPool: true, write, nodes);
    }

    private static PoolDecision Skip(DecisionReason reason, string explanation, bool isNew) =>
        new(DecisionOutcome.Skip, reason, explanation, isNew, Write: null);

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string FormatAge(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays}d{age.Hours}h" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h{age.Minutes}m" : $"{(int)age.TotalMinutes}m{age.Seconds}s";
}
