using System.Text.Json;
using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;

namespace AnFunctions.Core.Findings;

/// <summary>What is known of a write Azure refused or cancelled on a pool.</summary>
public sealed record RefusedWrite(
    ScaleSetId PoolId,
    ScaleSetSnapshot? Current,
    FailedOperation? Operation,
    string? CorrelationId,
    string EventId,
    string Verb);

/// <summary>
/// Decides whether a refused write was an attempted size change and how it bears on AN, as a pure function. With no
/// Activity Log entry yet (it lags) the finding is raised with what is known and marked pending.
/// </summary>
public static class RefusedWriteAssessment
{
    public const string AnSizeErrorCode = "VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss";

    /// <returns>The finding to hold open, or null when the refused write was not a size change.</returns>
    public static FindingDraft? Assess(RefusedWrite refused, VmSizeCatalog? catalog)
    {
        var current = refused.Current?.VmSizes ?? [];
        var an = refused.Current?.AcceleratedNetworkingOnAll;
        var evidence = new FindingEvidence
        {
            CurrentSizes = current,
            PreviousSizes = current,
            AcceleratedNetworking = an,
            EventIds = [refused.EventId],
            CorrelationId = refused.CorrelationId,
            Cluster = refused.Current is null ? null : ClusterName.From(refused.Current.Tags),
            Location = refused.Current?.Location,
        };

        if (refused.Operation is not { } operation)
        {
            return FindingTexts.Refused(refused.PoolId, current, an, evidence with { ActivityLogPending = true }, anIncompatible: false);
        }

        var attempted = AttemptedSizes(operation.RequestBody);
        var anError = string.Equals(operation.ErrorCode, AnSizeErrorCode, StringComparison.OrdinalIgnoreCase);
        var sizeAttempt = attempted.Count > 0 && !PoolFindingRules.SameSizes(attempted, current);
        if (!sizeAttempt && !anError)
        {
            return null;
        }

        var support = catalog is null || attempted.Count == 0 ? null : AcceleratedNetworkingSupport.Evaluate(attempted, catalog);
        var anIncompatible = anError || (support?.Verdict == SupportVerdict.NotSupported && refused.Current?.AcceleratedNetworkingOnAny == true);
        return FindingTexts.Refused(refused.PoolId, current, an, evidence with
        {
            AttemptedSizes = attempted,
            ErrorCode = operation.ErrorCode,
            ErrorMessage = operation.ErrorMessage,
            SizeSupport = support?.Describe(),
        }, anIncompatible, refused.Current?.Provisioner);
    }

    /// <summary>The size(s) a request body asked for: <c>sku.name</c>, or every <c>properties.skuProfile.vmSizes[].name</c>.</summary>
    public static IReadOnlyList<string> AttemptedSizes(string? requestBody)
    {
        if (string.IsNullOrWhiteSpace(requestBody))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(requestBody);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            var profileSizes = root.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
                && properties.TryGetProperty("skuProfile", out var profile) && profile.ValueKind == JsonValueKind.Object
                && profile.TryGetProperty("vmSizes", out var sizes) && sizes.ValueKind == JsonValueKind.Array
                    ? sizes.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null).ToList()
                    : null;
            var skuName = root.TryGetProperty("sku", out var sku) && sku.ValueKind == JsonValueKind.Object
                && sku.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                    ? name.GetString()
                    : null;
            return ScaleSets.VmSizeNames.Of(skuName, profileSizes);
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
