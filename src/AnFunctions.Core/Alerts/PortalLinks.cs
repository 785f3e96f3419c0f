using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Alerts;

public static class PortalLinks
{
    /// <summary>The scale set's overview blade in the Azure portal.</summary>
    public static Uri For(ScaleSetId id) => new($"https://portal.azure.com/#@/resource{id.Value}/overview");
}
