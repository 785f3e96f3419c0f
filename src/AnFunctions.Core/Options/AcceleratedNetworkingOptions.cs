using System.ComponentModel.DataAnnotations;

namespace AnFunctions.Core.Options;

/// <summary>Settings of section <c>AcceleratedNetworking</c>.</summary>
public sealed class AcceleratedNetworkingOptions : IValidatableObject
{
    public const string Section = "AcceleratedNetworking";

    /// <summary>A scale set created less than this long before the event is handled is a new pool.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "AcceleratedNetworking:NewPoolWindow must lie between 00:01:00 and 1.00:00:00")]
    public TimeSpan NewPoolWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a subscription+region SKU list is reused.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "AcceleratedNetworking:SkuCacheTtl must lie between 00:01:00 and 7.00:00:00")]
    public TimeSpan SkuCacheTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A scale set with this tag set to <c>disabled</c> is never written to.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "AcceleratedNetworking:OptOutTag must not be empty")]
    [RegularExpression("^[^<>%&\\\\?/]{1,512}$", ErrorMessage = "AcceleratedNetworking:OptOutTag is not a valid Azure tag name")]
    public string OptOutTag { get; set; } = "an-automation";

    /// <summary>Subscriptions in scope, comma- or semicolon-separated GUIDs; empty means every subscription.</summary>
    public string? Subscriptions { get; set; }

    /// <summary>When true, decisions are made and recorded but nothing is written to ARM.</summary>
    public bool DryRun { get; set; }

    /// <summary>
    /// Severity of the finding for a pool whose size supports AN but that was created without it (information for
    /// capacity planning by default; raise it to page on it).
    /// </summary>
    public Findings.FindingSeverity AvailableButOffSeverity { get; set; } = Findings.FindingSeverity.Info;

    /// <summary>
    /// How many nodes of one pool a write of the app may take down at once: an instance count (<c>1</c>, the default)
    /// or a percentage of the pool's instances (<c>20%</c>, rounded down). Bounds the rolling batch and the automatic
    /// upgrade a model write causes, and every batch of a rollout.
    /// </summary>
    public string? MaxUnavailable { get; set; } = "1";

    /// <summary>
    /// Whether the app may enable AN on a new pool with upgrade policy Automatic and running nodes (Azure may restart
    /// them all at once): off by default; even when on, only within <see cref="MaxUnavailable"/>.
    /// </summary>
    public bool AllowAutomaticUpgrade { get; set; }

    /// <summary>
    /// Whether the app itself starts a rollout (deallocate, upgrade, start, in batches within MaxUnavailable) for a pool
    /// it has just enabled AN on whose running nodes kept their old NICs. Off by default: the app cannot cordon and drain
    /// Kubernetes nodes, so it would take nodes down under running workloads.
    /// </summary>
    public bool RolloutNewPools { get; set; }

    /// <summary>The bounds on what a write may do to running nodes, parsed.</summary>
    public Decisions.NodeSafetyPolicy NodeSafety =>
        new(Decisions.MaxUnavailable.TryParse(MaxUnavailable, out var max) ? max : Decisions.MaxUnavailable.Default, AllowAutomaticUpgrade);

    /// <summary>The parsed <see cref="Subscriptions"/>, lower-cased; empty means all.</summary>
    public IReadOnlySet<string> SubscriptionScope => ParseSubscriptions(Subscriptions, out _);

    public bool IsInScope(string subscriptionId)
    {
        var scope = SubscriptionScope;
        return scope.Count == 0 || scope.Contains(subscriptionId.ToLowerInvariant());
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Decisions.MaxUnavailable.TryParse(MaxUnavailable, out _))
        {
            yield return new ValidationResult(
                "AcceleratedNetworking:MaxUnavailable must be an instance count (0 to 1000, e.g. 1) or a percentage (0% to 100%, e.g. 20%)",
                [nameof(MaxUnavailable)]);
        }

        ParseSubscriptions(Subscriptions, out var invalid);
        if (invalid.Count > 0)
        {
            yield return new ValidationResult(
                $"AcceleratedNetworking:Subscriptions must list subscription ids (GUIDs) separated by commas; not a GUID: {string.Join(", ", invalid.Select(v => $"'{v}'"))}",
                [nameof(Subscriptions)]);
        }
    }

    private static HashSet<string> ParseSubscriptions(string? value, out List<string> invalid)
    {
        invalid = [];
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(value))
        {
            return set;
        }

        foreach (var part in value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Guid.TryParseExact(part, "D", out var guid))
            {
                set.Add(guid.ToString("D"));
            }
            else
            {
                invalid.Add(part.Length > 64 ? part[..64] : part);
            }
        }

        return set;
    }
}
