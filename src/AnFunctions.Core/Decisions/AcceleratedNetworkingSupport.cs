using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;

namespace AnFunctions.Core.Decisions;

public enum SupportVerdict
{
    Supported,
    NotSupported,

    /// <summary>At least one size is missing from the region's SKU list: the app cannot tell.</summary>
    Unknown,
}

/// <summary>Whether a scale set's size(s) support AN in its region, with the evidence per size.</summary>
public sealed record AcceleratedNetworkingSupport(SupportVerdict Verdict, IReadOnlyList<SizeSupport> Sizes, DateTimeOffset? CatalogReadAt)
{
    public bool IsSupported => Verdict == SupportVerdict.Supported;

    /// <summary>
    /// A scale set supports AN when every size it runs does (a <c>skuProfile</c> mix supports it only if all do).
    /// Any unknown size makes the verdict unknown unless another size already rules AN out.
    /// </summary>
    public static AcceleratedNetworkingSupport Evaluate(ScaleSetSnapshot scaleSet, VmSizeCatalog catalog) =>
        Evaluate(scaleSet.VmSizes, catalog);

    public static AcceleratedNetworkingSupport Evaluate(IReadOnlyList<string> vmSizes, VmSizeCatalog catalog)
    {
        var sizes = vmSizes.Select(size => SizeSupport.From(size, catalog.Find(size))).ToList();
        var verdict = sizes.Count == 0 ? SupportVerdict.Unknown
            : sizes.Any(s => s.Verdict == SupportVerdict.NotSupported) ? SupportVerdict.NotSupported
            : sizes.Any(s => s.Verdict == SupportVerdict.Unknown) ? SupportVerdict.Unknown
            : SupportVerdict.Supported;
        return new AcceleratedNetworkingSupport(verdict, sizes, catalog.ReadAt);
    }

    public string Describe() => string.Join("; ", Sizes.Select(s => s.Describe()));
}

public sealed record SizeSupport(string VmSize, SupportVerdict Verdict, string Evidence)
{
    public static SizeSupport From(string vmSize, VmSizeCapability? capability) => capability switch
    {
        null => new(vmSize, SupportVerdict.Unknown, "not in the region's SKU list"),
        { AcceleratedNetworkingCapable: false } => new(vmSize, SupportVerdict.NotSupported, "SKU capability AcceleratedNetworkingEnabled is not True"),
        { Available: false } => new(vmSize, SupportVerdict.NotSupported, $"restricted in the region for the subscription ({capability.RestrictionReason ?? "restriction"})"),
        _ => new(vmSize, SupportVerdict.Supported, "SKU capability AcceleratedNetworkingEnabled=True, no restriction"),
    };

    public string Describe() => $"{VmSize}: {Evidence}";
}
