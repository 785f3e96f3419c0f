using System.Globalization;
using System.Text.Json.Nodes;

namespace AnFunctions.Benchmarks;

/// <summary>The benchmark's emulated Azure: node pools spread over two subscriptions and two regions, their SKUs, and their events.</summary>
internal static class BenchFleet
{
    public static readonly string[] Subscriptions = ["6c1d8e2f-3a4b-4c5d-8e9f-0a1b2c3d4e01", "6c1d8e2f-3a4b-4c5d-8e9f-0a1b2c3d4e02"];
    public static readonly string[] Regions = ["westeurope", "eastus"];
    public const string Size = "Standard_D4s_v5";

    public static string Subscription(int pool) => Subscriptions[pool % Subscriptions.Length];

    public static string Region(int pool) => Regions[pool / Subscriptions.Length % Regions.Length];

    public static string Id(int pool) => string.Create(CultureInfo.InvariantCulture,
        $"/subscriptions/{Subscription(pool)}/resourceGroups/rg-nodes-{Region(pool)}/providers/Microsoft.Compute/virtualMachineScaleSets/pool{pool:D6}");

    /// <summary>A new node pool (created a minute ago) on an AN-capable size with AN off on both NIC configurations.</summary>
    public static JsonObject ScaleSet(int pool, DateTimeOffset now)
    {
        var id = Id(pool);
        var subnet = string.Create(CultureInfo.InvariantCulture,
            $"/subscriptions/{Subscription(pool)}/resourceGroups/rg-nodes-{Region(pool)}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes");
        var nics = new JsonArray();
        for (var i = 0; i < 2; i++)
        {
            nics.Add(new JsonObject
            {
                ["name"] = string.Create(CultureInfo.InvariantCulture, $"pool{pool:D6}-nic{i}"),
                ["properties"] = new JsonObject
                {
                    ["primary"] = i == 0,
                    ["enableAcceleratedNetworking"] = false,
                    ["enableIPForwarding"] = true,
                    ["auxiliaryMode"] = "None",
                    ["ipConfigurations"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "ipconfig1",
                        ["properties"] = new JsonObject { ["primary"] = true, ["subnet"] = new JsonObject { ["id"] = subnet } },
                    }),
                },
            });
        }

        return new JsonObject
        {
            ["id"] = id,
            ["name"] = string.Create(CultureInfo.InvariantCulture, $"pool{pool:D6}"),
            ["type"] = "Microsoft.Compute/virtualMachineScaleSets",
            ["location"] = Region(pool),
            ["tags"] = new JsonObject { ["cluster"] = "bench" },
            ["sku"] = new JsonObject { ["name"] = Size, ["tier"] = "Standard", ["capacity"] = 3 },
            ["properties"] = new JsonObject
            {
                ["orchestrationMode"] = "Uniform",
                ["upgradePolicy"] = new JsonObject { ["mode"] = "Manual" },
                ["provisioningState"] = "Succeeded",
                ["timeCreated"] = now.AddMinutes(-1).UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["virtualMachineProfile"] = new JsonObject
                {
                    ["networkProfile"] = new JsonObject { ["networkInterfaceConfigurations"] = nics },
                },
            },
        };
    }

    /// <summary>The region's SKU list: the pools' size, capable and unrestricted, among a few others.</summary>
    public static IEnumerable<JsonObject> Skus() =>
        from region in Regions
        from sku in new[] { (Name: Size, An: true), (Name: "Standard_D8s_v5", An: true), (Name: "Standard_B2s", An: false) }
        select new JsonObject
        {
            ["resourceType"] = "virtualMachines",
            ["name"] = sku.Name,
            ["tier"] = "Standard",
            ["locations"] = new JsonArray(region),
            ["capabilities"] = new JsonArray(
                new JsonObject { ["name"] = "vCPUs", ["value"] = "4" },
                new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = sku.An ? "True" : "False" }),
            ["restrictions"] = new JsonArray(),
        };

    /// <summary>ARM's write-success event for the pool, as Event Grid delivers it (Event Grid schema, one event).</summary>
    public static string CreationEvent(int pool, DateTimeOffset now)
    {
        var id = Id(pool);
        return new JsonObject
        {
            ["id"] = string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{pool:D12}"),
            ["topic"] = "/subscriptions/" + Subscription(pool),
            ["subject"] = id,
            ["eventType"] = "Microsoft.Resources.ResourceWriteSuccess",
            ["eventTime"] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["dataVersion"] = "2",
            ["metadataVersion"] = "1",
            ["data"] = new JsonObject
            {
                ["resourceProvider"] = "Microsoft.Compute",
                ["resourceUri"] = id,
                ["operationName"] = "Microsoft.Compute/virtualMachineScaleSets/write",
                ["status"] = "Succeeded",
                ["correlationId"] = string.Create(CultureInfo.InvariantCulture, $"11111111-2222-4333-8444-{pool:D12}"),
                ["subscriptionId"] = Subscription(pool),
                ["tenantId"] = "72f988bf-0000-4000-8000-2d7cd011db47",
            },
        }.ToJsonString();
    }
}
