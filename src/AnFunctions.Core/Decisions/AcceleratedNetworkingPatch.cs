using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Decisions;

/// <summary>
/// Builds the one write the app makes: a PATCH of the VM model's network profile alone. ARM replaces arrays on PATCH,
/// so every network interface configuration is sent back exactly as read, with only
/// <c>enableAcceleratedNetworking</c> set to true; nothing else in the scale set is part of the body.
/// </summary>
public static class AcceleratedNetworkingPatch
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static ScaleSetWrite Build(ScaleSetSnapshot scaleSet)
    {
        var configurations = JsonNode.Parse(scaleSet.RawNetworkInterfaceConfigurations) as JsonArray
            ?? throw new InvalidOperationException("the scale set's network interface configurations are not a JSON array");

        foreach (var configuration in configurations)
        {
            if (configuration is not JsonObject nic)
            {
                throw new InvalidOperationException("a network interface configuration is not a JSON object");
            }

            if (nic["properties"] is not JsonObject properties)
            {
                properties = new JsonObject();
                nic["properties"] = properties;
            }

            properties["enableAcceleratedNetworking"] = true;
        }

        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["virtualMachineProfile"] = new JsonObject
                {
                    ["networkProfile"] = new JsonObject
                    {
                        ["networkInterfaceConfigurations"] = configurations,
                    },
                },
            },
        };

        return new ScaleSetWrite(scaleSet.Id, "PATCH", body.ToJsonString(Compact), scaleSet.ETag);
    }
}
