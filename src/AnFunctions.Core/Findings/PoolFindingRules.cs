using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Findings;

/// <summary>What the rules look at for one pool observed in Azure (an event re-read, or the audit's listing).</summary>
/// <param name="Record">The pool as the app knew it before this observation; null for a pool seen for the first time.</param>
/// <param name="OpenFindings">The pool's findings that are open now (the rules keep or resolve them).</param>
public sealed record PoolObservation(
    ScaleSetSnapshot ScaleSet,
    PoolRecord? Record,
    AcceleratedNetworkingSupport Support,
    IReadOnlyList<Finding> OpenFindings,
    string? EventId,
    string? ClusterTag);

/// <summary>
/// The rules that turn an observed pool into findings, as a pure function. The seed's rule is the heart of them: a
/// pool's AN setting is fixed at creation, so a size change never turns AN on or off; the only fix is a new pool.
/// </summary>
public static class PoolFindingRules
{
    /// <summary>
    /// Kinds these rules speak for when a pool is observed as it is now. A blocked write of a new pool is among them:
    /// once the pool is existing (known, or out of its window) the rules here take over, and it resolves.
    /// </summary>
    public static readonly IReadOnlySet<FindingKind> ObservedKinds = new HashSet<FindingKind>
    {
        FindingKind.AcceleratedNetworkingWriteBlocked,
        FindingKind.SizeChanged,
        FindingKind.SizeChangedWithoutAcceleratedNetworking,
        FindingKind.AcceleratedNetworkingOnUnsupportedSize,
        FindingKind.AcceleratedNetworkingLost,
        FindingKind.AcceleratedNetworkingAvailableButOff,
        FindingKind.SizeChangeRefused,
        FindingKind.AcceleratedNetworkingWriteFailed,
    };

    public static FindingEvaluation Evaluate(PoolObservation observation, FindingSeverity availableButOffSeverity = FindingSeverity.Info)
    {
        var scaleSet = observation.ScaleSet;
        var record = observation.Record;
        var open = observation.OpenFindings.ToDictionary(f => f.Kind);
        var anAll = scaleSet.AcceleratedNetworkingOnAll;
        var anAny = scaleSet.AcceleratedNetworkingOnAny;
        var previous = record?.VmSizes ?? [];
        var sizeChanged = record is not null && !SameSizes(previous, scaleSet.VmSizes);
        var support = observation.Support;
        var drafts = new List<FindingDraft>();
        var evidence = new FindingEvidence
        {
            PreviousSizes = sizeChanged ? previous : open.TryGetValue(FindingKind.SizeChanged, out var changed) ? changed.Evidence.PreviousSizes : [],
            CurrentSizes = scaleSet.VmSizes,
            AcceleratedNetworking = anAll,
            SizeSupport = support.Describe(),
            EventIds = observation.EventId is null ? [] : [observation.EventId],
            Cluster = observation.ClusterTag,
            Location = scaleSet.Location,
        };

        // AN on a size that does not support it: instances cannot be (re)created on that size. Critical.
        if (anAny && support.Verdict == SupportVerdict.NotSupported)
        {
            drafts.Add(FindingTexts.OnUnsupportedSize(scaleSet, evidence, sizeChanged));
        }

        // Resized to a size that supports AN while the pool has AN off: the pool stays without AN.
        var withoutAn = !anAny && support.Verdict == SupportVerdict.Supported
            && (sizeChanged || open.ContainsKey(FindingKind.SizeChangedWithoutAcceleratedNetworking));
        if (withoutAn)
        {
            var previousSizes = sizeChanged ? previous : open[FindingKind.SizeChangedWithoutAcceleratedNetworking].Evidence.PreviousSizes;
            drafts.Add(FindingTexts.ResizedWithoutAn(scaleSet, evidence with { PreviousSizes = previousSizes }));
        }

        // A size change whose AN consequence is consistent: information, kept visible while the pool lives.
        if ((sizeChanged && drafts.Count == 0) || (!sizeChanged && open.ContainsKey(FindingKind.SizeChanged)))
        {
            var previousSizes = sizeChanged ? previous : open[FindingKind.SizeChanged].Evidence.PreviousSizes;
            drafts.Add(FindingTexts.SizeChanged(scaleSet, evidence with { PreviousSizes = previousSizes }));
        }

        // AN lost: the pool had it (at creation, or when last seen) and no longer has it on every NIC configuration.
        var hadAn = record is not null && (record.AcceleratedNetworking || record.AcceleratedNetworkingAtCreation == true);
        if (!anAll && (hadAn || open.ContainsKey(FindingKind.AcceleratedNetworkingLost)))
        {
            drafts.Add(FindingTexts.Lost(scaleSet, evidence));
        }

        // The app's own write failed: said until the pool has AN after all (someone fixed it) or is deleted.
        var writeFailed = open.TryGetValue(FindingKind.AcceleratedNetworkingWriteFailed, out var failedWrite) && !anAll;
        if (writeFailed)
        {
            drafts.Add(new FindingDraft(failedWrite!.Kind, failedWrite.Severity, failedWrite.Message, failedWrite.Consequence, failedWrite.Remedy, failedWrite.Evidence));
        }

        // Supports AN, created without it (and not because of a resize): capacity-planning information.
        if (!anAny && support.Verdict == SupportVerdict.Supported && !withoutAn && !hadAn && !writeFailed
            && !open.ContainsKey(FindingKind.AcceleratedNetworkingLost))
        {
            drafts.Add(FindingTexts.AvailableButOff(scaleSet, evidence, availableButOffSeverity));
        }

        // A refused resize holds until the pool runs the size that was attempted (or is deleted).
        if (open.TryGetValue(FindingKind.SizeChangeRefused, out var refused)
            && !(refused.Evidence.AttemptedSizes.Count > 0 && SameSizes(refused.Evidence.AttemptedSizes, scaleSet.VmSizes)))
        {
            drafts.Add(new FindingDraft(refused.Kind, refused.Severity, refused.Message, refused.Consequence, refused.Remedy, refused.Evidence));
        }

        return new FindingEvaluation(drafts, ObservedKinds);
    }

    public static bool SameSizes(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(b.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
}
