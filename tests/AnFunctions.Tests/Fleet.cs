using System.Text.Json.Nodes;

namespace AnFunctions.Tests;

/// <summary>ARM JSON for the tests' emulated fleet (written for these tests, shaped like ARM's GET responses).</summary>
internal static class Fleet
{
    public static string Id(string name, string subscription = AppUnderTest.Subscription) =>
        $"/subscriptions/{subscription}/resourceGroups/k8s-test/providers/Microsoft.Compute/virtualMachineScaleSets/{name}";

    public static JsonObject ScaleSet(string name, string size, DateTimeOffset created, bool? an = false, string subscription = AppUnderTest.Subscription, int nics = 1, JsonObject? tags = null)
    {
        var configurations = new JsonArray();
        for (var i = 0; i < nics; i++)
        {
            var properties = new JsonObject
            {
                ["primary"] = i == 0,
                ["enableIPForwarding"] = true,
                ["auxiliaryMode"] = "None",
                ["ipConfigurations"] = new JsonArray(new JsonObject
                {
                    ["name"] = $"ipconfig{i}",
                    ["properties"] = new JsonObject
                    {
                        ["subnet"] = new JsonObject { ["id"] = $"/subscriptions/{subscription}/resourceGroups/k8s-test/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes" },
                    },
                }),
            };
            if (an is { } value)
            {
                properties["enableAcceleratedNetworking"] = value;
            }

            configurations.Add(new JsonObject { ["name"] = $"{name}-nic{i}", ["properties"] = properties });
        }

        return new JsonObject
        {
            ["id"] = Id(name, subscription),
            ["name"] = name,
            ["type"] = "Microsoft.Compute/virtualMachineScaleSets",
            ["location"] = "westeurope",
            ["tags"] = tags ?? new JsonObject { ["k8s-cluster"] = "test" },
            ["sku"] = new JsonObject { ["name"] = size, ["tier"] = "Standard", ["capacity"] = 3 },
            ["properties"] = new JsonObject
            {
                ["orchestrationMode"] = "Uniform",
                ["upgradePolicy"] = new JsonObject { ["mode"] = "Manual" },
                ["provisioningState"] = "Succeeded",
                ["timeCreated"] = created.UtcDateTime.ToString("O"),
                ["virtualMachineProfile"] = new JsonObject
                {
                    ["networkProfile"] = new JsonObject { ["networkInterfaceConfigurations"] = configurations },
                },
            },
        };
    }

    public static JsonObject Sku(string name, bool an, string location = "westeurope", string? restriction = null)
    {
        var sku = new JsonObject
        {
            ["resourceType"] = "virtualMachines",
            ["name"] = name,
            ["tier"] = "Standard",
            ["locations"] = new JsonArray(location),
            ["capabilities"] = new JsonArray(
                new JsonObject { ["name"] = "vCPUs", ["value"] = "4" },
                new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = an ? "True" : "False" }),
            ["restrictions"] = new JsonArray(),
        };
        if (restriction is not null)
        {
            sku["restrictions"]!.AsArray().Add(new JsonObject
            {
                ["type"] = "Location",
                ["values"] = new JsonArray(location),
                ["restrictionInfo"] = new JsonObject { ["locations"] = new JsonArray(location) },
                ["reasonCode"] = restriction,
            });
        }

        return sku;
    }

    public static JsonObject[] StandardSkus() =>
    [
        Sku("Standard_D4s_v5", an: true),
        Sku("Standard_D8s_v5", an: true),
        Sku("Standard_B2s", an: false),
    ];

    public static string WriteEvent(string resourceId, string eventId, string type = "Microsoft.Resources.ResourceWriteSuccess", string operation = "Microsoft.Compute/virtualMachineScaleSets/write") =>
        new JsonObject
        {
            ["id"] = eventId,
            ["topic"] = "/subscriptions/" + AppUnderTest.Subscription,
            ["subject"] = resourceId,
            ["eventType"] = type,
            ["eventTime"] = "2026-11-25T09:59:58Z",
            ["dataVersion"] = "2",
            ["metadataVersion"] = "1",
            ["data"] = new JsonObject
            {
                ["resourceUri"] = resourceId,
                ["operationName"] = operation,
                ["status"] = "Succeeded",
                ["correlationId"] = "0f1e2d3c-4b5a-4968-8776-655443322110",
                ["subscriptionId"] = AppUnderTest.Subscription,
            },
        }.ToJsonString();
}
