using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Findings;

/// <summary>The words of every finding: what happened, what it means for AN, and what the person paged should do.</summary>
public static class FindingTexts
{
    public static FindingDraft SizeChanged(ScaleSetSnapshot scaleSet, FindingEvidence evidence) => new(
        FindingKind.SizeChanged,
        FindingSeverity.Info,
        $"VM size of {scaleSet.Id.Name} changed from {Sizes(evidence.PreviousSizes)} to {Sizes(scaleSet.VmSizes)}",
        $"AN stays {OnOff(evidence.AcceleratedNetworking)}, which is consistent with {Sizes(scaleSet.VmSizes)}.",
        "Nothing to do for AN. Existing instances keep their old size until they are reimaged or replaced.",
        evidence);

    public static FindingDraft ResizedWithoutAn(ScaleSetSnapshot scaleSet, FindingEvidence evidence) => new(
        FindingKind.SizeChangedWithoutAcceleratedNetworking,
        FindingSeverity.Warning,
        $"{scaleSet.Id.Name} was resized from {Sizes(evidence.PreviousSizes)} to {Sizes(scaleSet.VmSizes)}, which supports AN, but the pool has AN off",
        "Changing the VM size does not turn AN on: this pool keeps running without Accelerated Networking (higher latency, jitter and CPU use).",
        Remedies.NewPool(scaleSet.Provisioner, scaleSet.Id, Sizes(scaleSet.VmSizes)),
        evidence);

    public static FindingDraft OnUnsupportedSize(ScaleSetSnapshot scaleSet, FindingEvidence evidence, bool resized) => new(
        FindingKind.AcceleratedNetworkingOnUnsupportedSize,
        FindingSeverity.Critical,
        resized
            ? $"{scaleSet.Id.Name} has AN on and was resized from {Sizes(evidence.PreviousSizes)} to {Sizes(scaleSet.VmSizes)}, which does not support AN"
            : $"{scaleSet.Id.Name} has AN on but runs {Sizes(scaleSet.VmSizes)}, which does not support AN in {scaleSet.Location}",
        "Instances cannot get this size with AN on: Azure refuses them (VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss), so scale-out and reimage fail.",
        $"Set the pool back to a size that supports AN, or replace it: {Remedies.NewPool(scaleSet.Provisioner, scaleSet.Id, Sizes(scaleSet.VmSizes))} (the new pool gets AN off when its size does not support it). Evidence: {evidence.SizeSupport}",
        evidence);

    public static FindingDraft Lost(ScaleSetSnapshot scaleSet, FindingEvidence evidence) => new(
        FindingKind.AcceleratedNetworkingLost,
        FindingSeverity.Critical,
        $"{scaleSet.Id.Name} had AN and no longer has it on every network interface configuration ({OffNics(scaleSet)})",
        "New and reimaged instances come up without Accelerated Networking. The app never turns AN off: someone or something changed the model.",
        $"Find who changed the model (Activity Log, correlation id in the evidence). The app does not re-enable AN on an existing pool: {Remedies.NewPool(scaleSet.Provisioner, scaleSet.Id, Sizes(scaleSet.VmSizes))}",
        evidence);

    public static FindingDraft AvailableButOff(ScaleSetSnapshot scaleSet, FindingEvidence evidence, FindingSeverity severity) => new(
        FindingKind.AcceleratedNetworkingAvailableButOff,
        severity,
        $"{scaleSet.Id.Name} runs {Sizes(scaleSet.VmSizes)}, which supports AN, but was created without it",
        "This pool runs without Accelerated Networking although its size supports it at no extra cost.",
        Remedies.NewPool(scaleSet.Provisioner, scaleSet.Id, Sizes(scaleSet.VmSizes)),
        evidence);

    public static FindingDraft Refused(ScaleSetId pool, IReadOnlyList<string> current, bool? acceleratedNetworking, FindingEvidence evidence, bool anIncompatible, Provisioner? owner = null)
    {
        var attempted = evidence.AttemptedSizes.Count > 0 ? Sizes(evidence.AttemptedSizes) : "an unknown size";
        var error = evidence.ErrorCode is null ? "no error details yet (the Activity Log lags; a later lookup completes this finding)" : $"{evidence.ErrorCode}: {evidence.ErrorMessage}";
        return new FindingDraft(
            FindingKind.SizeChangeRefused,
            anIncompatible ? FindingSeverity.Warning : FindingSeverity.Info,
            $"A change of {pool.Name} to {attempted} was refused by Azure ({error})",
            anIncompatible
                ? $"The pool keeps {Sizes(current)} with AN {OnOff(acceleratedNetworking)}; {attempted} cannot run with the pool's AN setting, and AN cannot be changed on an existing pool."
                : $"The pool keeps {Sizes(current)} with AN {OnOff(acceleratedNetworking)}.",
            anIncompatible
                ? Remedies.NewPool(owner ?? Provisioner.Unknown, pool, attempted)
                : "Read the error and retry the change once its cause is fixed; a size change never changes AN: if the new size should have AN, use a new pool instead.",
            evidence);
    }

    /// <summary>A new pool that needs AN was not written: what it would have done to the nodes, and what to change.</summary>
    public static FindingDraft WriteBlocked(ScaleSetSnapshot scaleSet, Decisions.NodeImpact nodes, TimeSpan newPoolWindow, FindingEvidence evidence) => new(
        FindingKind.AcceleratedNetworkingWriteBlocked,
        FindingSeverity.Warning,
        $"AN was not enabled on the new pool {scaleSet.Id.Name}: {nodes.Explanation}",
        "The pool runs without Accelerated Networking although its size supports it; once it is no longer new, only a new pool can get AN.",
        $"To let the app enable AN: {nodes.Change}, then reconcile the pool while it is new (POST /api/pools/reconcile or `an reconcile {scaleSet.Id.Value}`, within the new-pool window of {newPoolWindow}). " +
        $"After that: {Remedies.NewPool(scaleSet.Provisioner, scaleSet.Id, Sizes(scaleSet.VmSizes))}",
        evidence);

    /// <summary>The model has AN; some nodes still run without it (a mixed pool).</summary>
    public static FindingDraft NodesWithoutAn(ScaleSetId pool, Provisioner owner, InstanceCounts nodes, FindingSeverity severity, FindingEvidence evidence) => new(
        FindingKind.NodesWithoutAcceleratedNetworking,
        severity,
        $"{nodes.WithoutAcceleratedNetworking} of {nodes.Total} node(s) of {pool.Name} run without AN",
        "The pool's model has AN, but these nodes were running when it was enabled and keep their old NICs (a VM changes AN only while deallocated): the pool is mixed until they are rolled out or replaced.",
        Remedies.RollOut(owner, pool),
        evidence);

    /// <summary>
    /// The app's write enabling AN on a new pool failed and will not be tried again: after ARM accepted it (the
    /// operation failed), or refused outright, or it never took effect.
    /// </summary>
    public static FindingDraft WriteFailed(ScaleSetSnapshot scaleSet, string what, FindingEvidence evidence) => new(
        FindingKind.AcceleratedNetworkingWriteFailed,
        FindingSeverity.Warning,
        $"Enabling AN on the new pool {scaleSet.Id.Name} failed: {what}",
        "The pool runs without Accelerated Networking although its size supports it, and the app will not try again: once a pool is no longer new, only a new pool can get AN.",
        $"Read the error ({evidence.ErrorCode ?? "none given"}) and fix its cause (permissions to join the subnets and load balancer pools the NICs use, quota, a policy). Then, while the pool is still new, reconcile it again (POST /api/pools/reconcile or `an reconcile {scaleSet.Id.Value}`); later: {Remedies.NewPool(scaleSet.Provisioner, scaleSet.Id, Sizes(scaleSet.VmSizes))}",
        evidence);

    public static string Sizes(IReadOnlyList<string> sizes) => sizes.Count == 0 ? "(unknown size)" : string.Join(" + ", sizes);

    private static string OnOff(bool? on) => on switch { true => "on", false => "off", null => "unknown" };

    private static string OffNics(ScaleSetSnapshot scaleSet) =>
        "off on " + string.Join(", ", scaleSet.NetworkInterfaces.Where(n => !n.AcceleratedNetworkingOn).Select(n => n.Name));
}
