using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Findings;

/// <summary>The words of every finding: what happened, what it means for AN, and what the person paged should do.</summary>
public static class FindingTexts
{
    private const string NewPoolRemedy =
        "AN cannot be changed on an existing pool. Create a new node pool on {0} (it gets AN at creation when its size supports it), " +
        "cordon and drain this pool's nodes, move the workloads, then delete this pool.";

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
        string.Format(System.Globalization.CultureInfo.InvariantCulture, NewPoolRemedy, Sizes(scaleSet.VmSizes)),
        evidence);

    public static FindingDraft OnUnsupportedSize(ScaleSetSnapshot scaleSet, FindingEvidence evidence, bool resized) => new(
        FindingKind.AcceleratedNetworkingOnUnsupportedSize,
        FindingSeverity.Critical,
        resized
            ? $"{scaleSet.Id.Name} has AN on and was resized from {Sizes(evidence.PreviousSizes)} to {Sizes(scaleSet.VmSizes)}, which does not support AN"
            : $"{scaleSet.Id.Name} has AN on but runs {Sizes(scaleSet.VmSizes)}, which does not support AN in {scaleSet.Location}",
        "Instances cannot get this size with AN on: Azure refuses them (VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss), so scale-out and reimage fail.",
        $"Set the pool back to a size that supports AN, or create a new node pool on the size you need (AN off if it does not support it), move the workloads and delete this pool. Evidence: {evidence.SizeSupport}",
        evidence);

    public static FindingDraft Lost(ScaleSetSnapshot scaleSet, FindingEvidence evidence) => new(
        FindingKind.AcceleratedNetworkingLost,
        FindingSeverity.Critical,
        $"{scaleSet.Id.Name} had AN and no longer has it on every network interface configuration ({OffNics(scaleSet)})",
        "New and reimaged instances come up without Accelerated Networking. The app never turns AN off: someone or something changed the model.",
        "Find who changed the model (Activity Log, correlation id in the evidence). AN cannot be re-enabled on an existing pool by this app: create a new node pool on the same size, move the workloads, then delete this pool.",
        evidence);

    public static FindingDraft AvailableButOff(ScaleSetSnapshot scaleSet, FindingEvidence evidence, FindingSeverity severity) => new(
        FindingKind.AcceleratedNetworkingAvailableButOff,
        severity,
        $"{scaleSet.Id.Name} runs {Sizes(scaleSet.VmSizes)}, which supports AN, but was created without it",
        "This pool runs without Accelerated Networking although its size supports it at no extra cost.",
        string.Format(System.Globalization.CultureInfo.InvariantCulture, NewPoolRemedy, Sizes(scaleSet.VmSizes)),
        evidence);

    public static FindingDraft Refused(ScaleSetId pool, IReadOnlyList<string> current, bool? acceleratedNetworking, FindingEvidence evidence, bool anIncompatible)
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
                ? $"Create a new node pool on {attempted} (it gets AN at creation when the size supports it), move the workloads, then delete this pool."
                : "Read the error and retry the change once its cause is fixed; a size change never changes AN: if the new size should have AN, use a new pool instead.",
            evidence);
    }

    public static string Sizes(IReadOnlyList<string> sizes) => sizes.Count == 0 ? "(unknown size)" : string.Join(" + ", sizes);

    private static string OnOff(bool? on) => on switch { true => "on", false => "off", null => "unknown" };

    private static string OffNics(ScaleSetSnapshot scaleSet) =>
        "off on " + string.Join(", ", scaleSet.NetworkInterfaces.Where(n => !n.AcceleratedNetworkingOn).Select(n => n.Name));
}
