using System.Text.Json;
using AnFunctions.Core.ScaleSets;
using Azure.ResourceManager.Compute;

namespace AnFunctions.Infrastructure.Compute;

/// <summary>
/// Converts the SDK's <see cref="VirtualMachineScaleSetData"/> to the Core's <see cref="ScaleSetSnapshot"/>. Fields the
/// SDK 1.2.0 does not model (the ETag, <c>skuProfile</c>, NIC configuration fields of newer api-versions) are read from
/// the raw ARM JSON of the same response, so nothing ARM sent is lost.
/// </summary>
public static class ScaleSetConverter
{
    public static ScaleSetSnapshot ToSnapshot(VirtualMachineScaleSetData data, JsonElement raw, string? etagHeader = null)
    {
        var id = ScaleSetId.Parse(data.Id.ToString());
        var skuName = data.Sku?.Name ?? string.Empty;
        var nics = data.VirtualMachineProfile?.NetworkProfile?.NetworkInterfaceConfigurations
            .Select(n => new NetworkInterfaceConfiguration(n.Name, n.Primary ?? false, n.EnableAcceleratedNetworking))
            .ToList() ?? [];

        return new ScaleSetSnapshot
        {
            Id = id,
            Location = data.Location.Name,
            SkuName = skuName,
            VmSizes = VmSizes(skuName, raw),
            Capacity = data.Sku?.Capacity,
            TimeCreated = data.TimeCreated,
            Tags = new Dictionary<string, string>(data.Tags, StringComparer.OrdinalIgnoreCase),
            NetworkInterfaces = nics,
            ProvisioningState = data.ProvisioningState,
            OrchestrationMode = data.OrchestrationMode?.ToString(),
            UpgradePolicy = UpgradePolicyOf(raw),
            ETag = etagHeader ?? RawString(raw, "etag"),
            RawNetworkInterfaceConfigurations = RawNics(raw),
        };
    }

    /// <summary><c>sku.name</c>, or for a scale set with a <c>skuProfile</c> every size it lists.</summary>
    private static IReadOnlyList<string> VmSizes(string skuName, JsonElement raw)
    {
        if (TryGet(raw, out var vmSizes, "properties", "skuProfile", "vmSizes") && vmSizes.ValueKind == JsonValueKind.Array)
        {
            var sizes = vmSizes.EnumerateArray()
                .Select(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("name", out var n) ? n.GetString() : null)
                .OfType<string>()
                .Where(s => s.Length > 0)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (sizes.Count > 0)
            {
                return sizes;
            }
        }

        return skuName.Length == 0 || skuName.Equals("Mix", StringComparison.OrdinalIgnoreCase) ? [] : [skuName];
    }

    /// <summary><c>properties.upgradePolicy</c> from the raw JSON: mode, and the rolling batch size when Rolling.</summary>
    private static UpgradePolicy UpgradePolicyOf(JsonElement raw)
    {
        if (!TryGet(raw, out var policy, "properties", "upgradePolicy") || policy.ValueKind != JsonValueKind.Object
            || !TryGet(policy, out var mode, "mode") || mode.ValueKind != JsonValueKind.String)
        {
            return UpgradePolicy.Absent;
        }

        var percent = TryGet(policy, out var value, "rollingUpgradePolicy", "maxBatchInstancePercent") && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out var p) && p is > 0 and <= 100
            ? p
            : UpgradePolicy.DefaultMaxBatchInstancePercent;
        return Enum.TryParse<UpgradeMode>(mode.GetString(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? new UpgradePolicy(parsed, percent)
            // An upgrade mode this app does not know: treated as Automatic, the one that disrupts most.
            : new UpgradePolicy(UpgradeMode.Automatic, percent);
    }

    private static string RawNics(JsonElement raw) =>
        TryGet(raw, out var nics, "properties", "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations")
        && nics.ValueKind == JsonValueKind.Array
            ? nics.GetRawText()
            : "[]";

    private static string? RawString(JsonElement raw, string name) =>
        raw.ValueKind == JsonValueKind.Object && raw.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool TryGet(JsonElement element, out JsonElement found, params string[] path)
    {
        found = element;
        foreach (var name in path)
        {
            if (found.ValueKind != JsonValueKind.Object || !TryGetPropertyIgnoreCase(found, name, out found))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryGetPropertyIgnoreCase(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
