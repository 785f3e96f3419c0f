using System.Text.Json.Nodes;

namespace AnFunctions.HostProtocol.Tests.World;

/// <summary>ARM JSON for the emulated subscription (written for these tests, shaped like ARM's GET and list responses).</summary>
internal static class Arm
{
    public const string AnSize = "Standard_D4s_v5";
    public const string NoAnSize = "Standard_B2s";
    public const string Location = "westeurope";
    public const string ResourceGroup = "k8s-hostproto";

    public static string ScaleSetId(string subscription, string name) =>
        $"/subscriptions/{subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}";

    /// <summary>A Uniform scale set with one NIC configuration, three instances, created at <paramref name="created"/>.</summary>
    public static JsonObject ScaleSet(string subscription, string name, string size, DateTimeOffset created, bool acceleratedNetworking)
    {
        var nic = new JsonObject
        {
            ["name"] = $"{name}-nic0",
            ["properties"] = new JsonObject
            {
                ["primary"] = true,
                ["enableAcceleratedNetworking"] = acceleratedNetworking,
                ["enableIPForwarding"] = true,
                ["ipConfigurations"] = new JsonArray(new JsonObject
                {
                    ["name"] = "ipconfig0",
                    ["properties"] = new JsonObject
                    {
                        ["subnet"] = new JsonObject
                        {
                            ["id"] = $"/subscriptions/{subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes",
                        },
                    },
                }),
            },
        };
        return new JsonObject
        {
            ["id"] = ScaleSetId(subscription, name),
            ["name"] = name,
            ["type"] = "Microsoft.Compute/virtualMachineScaleSets",
            ["location"] = Location,
            ["tags"] = new JsonObject { ["k8s-cluster"] = "hostproto" },
            ["sku"] = new JsonObject { ["name"] = size, ["tier"] = "Standard", ["capacity"] = 3 },
            ["properties"] = new JsonObject
            {
                ["orchestrationMode"] = "Uniform",
                ["upgradePolicy"] = new JsonObject { ["mode"] = "Manual" },
                ["provisioningState"] = "Succeeded",
                ["timeCreated"] = created.UtcDateTime.ToString("O"),
                ["virtualMachineProfile"] = new JsonObject
                {
                    ["networkProfile"] = new JsonObject { ["networkInterfaceConfigurations"] = new JsonArray(nic) },
                },
            },
        };
    }

    public static JsonObject[] Skus() => [Sku(AnSize, an: true), Sku(NoAnSize, an: false)];

    private static JsonObject Sku(string name, bool an) => new()
    {
        ["resourceType"] = "virtualMachines",
        ["name"] = name,
        ["tier"] = "Standard",
        ["locations"] = new JsonArray(Location),
        ["capabilities"] = new JsonArray(
            new JsonObject { ["name"] = "vCPUs", ["value"] = "4" },
            new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = an ? "True" : "False" }),
        ["restrictions"] = new JsonArray(),
    };

    /// <summary>True when every NIC configuration of the scale set's model has AN on.</summary>
    public static bool HasAcceleratedNetworking(JsonObject scaleSet) =>
        scaleSet["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray()
            .All(n => n!["properties"]!["enableAcceleratedNetworking"]?.GetValue<bool>() == true);

    public static void SetAcceleratedNetworking(JsonObject scaleSet, bool value)
    {
        foreach (var nic in scaleSet["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray())
        {
            nic!["properties"]!["enableAcceleratedNetworking"] = value;
        }
    }
}

/// <summary>Event Grid deliveries of ARM's scale set write events, in both schemas.</summary>
internal static class Events
{
    public const string WriteSuccess = "Microsoft.Resources.ResourceWriteSuccess";
    public const string WriteOperation = "Microsoft.Compute/virtualMachineScaleSets/write";

    /// <summary>One scale set write event as Event Grid delivers it in <paramref name="schema"/>.</summary>
    public static JsonObject Write(EventSchema schema, string subscription, string resourceId, string eventId)
    {
        var data = new JsonObject
        {
            ["resourceProvider"] = "Microsoft.Compute",
            ["resourceUri"] = resourceId,
            ["operationName"] = WriteOperation,
            ["status"] = "Succeeded",
            ["subscriptionId"] = subscription,
            ["tenantId"] = "72f988bf-86f1-41af-91ab-2d7cd011db47",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["authorization"] = new JsonObject { ["scope"] = resourceId, ["action"] = WriteOperation },
        };
        var time = DateTimeOffset.UtcNow.UtcDateTime.ToString("O");
        return schema == EventSchema.EventGrid
            ? new JsonObject
            {
                ["id"] = eventId,
                ["topic"] = $"/subscriptions/{subscription}",
                ["subject"] = resourceId,
                ["eventType"] = WriteSuccess,
                ["eventTime"] = time,
                ["data"] = data,
                ["dataVersion"] = "2",
                ["metadataVersion"] = "1",
            }
            : new JsonObject
            {
                ["specversion"] = "1.0",
                ["id"] = eventId,
                ["source"] = $"/subscriptions/{subscription}",
                ["subject"] = resourceId,
                ["type"] = WriteSuccess,
                ["time"] = time,
                ["datacontenttype"] = "application/json",
                ["data"] = data,
            };
    }
}

/// <summary>The two schemas an Event Grid subscription can deliver in.</summary>
public enum EventSchema
{
    EventGrid,
    CloudEvents,
}

/// <summary>How the host hands the payload of a string-bound trigger to the worker.</summary>
public enum PayloadEncoding
{
    /// <summary><c>TypedData.string</c>.</summary>
    String,

    /// <summary><c>TypedData.json</c>.</summary>
    Json,
}
