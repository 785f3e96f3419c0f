namespace AnFunctions.Core.ScaleSets;

/// <summary>
/// Which VM size(s) a scale set runs, or a write asks for: the sizes of <c>properties.skuProfile.vmSizes</c> when it
/// lists any (a scale set of several sizes, whose <c>sku.name</c> is <c>Mix</c>), else <c>sku.name</c>. One rule for
/// the scale sets the app reads and the request bodies the Activity Log keeps.
/// </summary>
public static class VmSizeNames
{
    public const string Mix = "Mix";

    public static IReadOnlyList<string> Of(string? skuName, IEnumerable<string?>? profileSizes)
    {
        var sizes = (profileSizes ?? []).OfType<string>().Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (sizes.Count > 0)
        {
            return sizes;
        }

        return string.IsNullOrEmpty(skuName) || skuName.Equals(Mix, StringComparison.OrdinalIgnoreCase) ? [] : [skuName];
    }
}
