using System.Text.Json;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Infrastructure.Compute;

/// <summary>
/// Reads one instance of <c>GET .../virtualMachineScaleSets/{name}/virtualMachines?$expand=instanceView</c> from ARM's
/// raw JSON: the power state (<c>instanceView.statuses[].code</c> <c>PowerState/...</c>), <c>latestModelApplied</c>,
/// AN per NIC as applied to the VM (<c>networkProfileConfiguration</c>) and <c>protectionPolicy</c>. Only these fields
/// are read, so a field the SDK 1.2.0 would not understand elsewhere in the VM cannot make an instance unreadable.
/// </summary>
public static class InstanceConverter
{
    public static PoolInstance ToInstance(JsonElement vm)
    {
        var instanceId = vm.TryGetProperty("instanceId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()!
            : vm.TryGetProperty("name", out var name) && name.GetString() is { } n && n.LastIndexOf('_') is var cut and >= 0 ? n[(cut + 1)..] : string.Empty;
        var properties = vm.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        return new PoolInstance(
            instanceId,
            PowerStateOf(properties),
            Bool(properties, "latestModelApplied") ?? true,
            AcceleratedNetworking(properties),
            properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("protectionPolicy", out var protection)
                && Bool(protection, "protectFromScaleSetActions") == true);
    }

    private static PowerState PowerStateOf(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty("instanceView", out var view)
            || !view.TryGetProperty("statuses", out var statuses) || statuses.ValueKind != JsonValueKind.Array)
        {
            return PowerState.Unknown;
        }

        foreach (var status in statuses.EnumerateArray())
        {
            if (status.TryGetProperty("code", out var code) && code.GetString() is { } text
                && text.StartsWith("PowerState/", StringComparison.OrdinalIgnoreCase))
            {
                return text["PowerState/".Length..].ToLowerInvariant() switch
                {
                    "running" => PowerState.Running,
                    "starting" => PowerState.Starting,
                    "stopping" => PowerState.Stopping,
                    "stopped" => PowerState.Stopped,
                    "deallocating" => PowerState.Deallocating,
                    "deallocated" => PowerState.Deallocated,
                    _ => PowerState.Unknown,
                };
            }
        }

        return PowerState.Unknown;
    }

    /// <summary>True when every applied NIC configuration has AN on; false when one has it off; null when ARM lists none.</summary>
    private static bool? AcceleratedNetworking(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty("networkProfileConfiguration", out var profile)
            || !profile.TryGetProperty("networkInterfaceConfigurations", out var nics) || nics.ValueKind != JsonValueKind.Array
            || nics.GetArrayLength() == 0)
        {
            return null;
        }

        return nics.EnumerateArray().All(nic => nic.TryGetProperty("properties", out var nicProperties) && Bool(nicProperties, "enableAcceleratedNetworking") == true);
    }

    private static bool? Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;
}
