using System.Text.Json.Nodes;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Arm;
using AnFunctions.Core.Options;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tests.Compute;

/// <summary>The app's <see cref="ArmConnection"/> over an <see cref="ArmEmulator"/>: dummy credential, in-memory transport, no retries.</summary>
internal static class EmulatorConnection
{
    public static ArmConnection Create(ArmEmulator emulator, TimeSpan? timeout = null) =>
        new(EmulatorCredential.Instance,
            new HttpClientTransport(new HttpClient(emulator.CreateHandler())),
            Options.Create(new ArmOptions
            {
                Endpoint = ArmEmulator.BaseUri,
                MaxRetries = 0,
                Timeout = timeout ?? TimeSpan.FromSeconds(30),
            }));
}

/// <summary>
/// ARM JSON written for the adapter tests, shaped like ARM's GET answers for api-version 2024-11-01 (fields the SDK
/// 1.2.0 does not model included on purpose).
/// </summary>
internal static class ComputeTestData
{
    public const string Subscription = "5d8e2f1a-9c3b-4a7e-b6d2-0f4c8a1e3b97";
    public const string OtherSubscription = "c2a7e9d4-1b6f-4e3a-8d5c-7f0b2e9a4c61";
    public const string ResourceGroup = "mc_prod_k8s_westeurope";
    public const string TimeCreated = "2026-10-02T07:41:19.5066667+00:00";

    public static string Id(string name, string resourceGroup = ResourceGroup, string subscription = Subscription) =>
        $"/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}";

    private static string Subnet(string subscription, string resourceGroup) =>
        $"/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet-nodes/subnets/snet-nodes";

    /// <summary>
    /// A Uniform scale set with two NIC configurations: the primary with AN on and the newer fields
    /// (<c>auxiliaryMode</c>, <c>auxiliarySku</c>, <c>disableTcpStateTracking</c>), the secondary without the
    /// <c>enableAcceleratedNetworking</c> key. <paramref name="marker"/> goes into a NIC field so that two scale sets'
    /// NIC arrays differ.
    /// </summary>
    public static JsonObject Uniform(
        string name,
        string resourceGroup = ResourceGroup,
        string subscription = Subscription,
        string size = "Standard_D8as_v5",
        int capacity = 4,
        string? marker = null)
    {
        var subnet = Subnet(subscription, resourceGroup);
        return JsonNode.Parse($$"""
        {
          "id": "{{Id(name, resourceGroup, subscription)}}",
          "name": "{{name}}",
          "type": "Microsoft.Compute/virtualMachineScaleSets",
          "location": "westeurope",
          "tags": { "aks-managed-poolName": "{{name}}", "Environment": "prod" },
          "sku": { "name": "{{size}}", "tier": "Standard", "capacity": {{capacity}} },
          "etag": "\"3\"",
          "properties": {
            "singlePlacementGroup": false,
            "orchestrationMode": "Uniform",
            "upgradePolicy": { "mode": "Manual" },
            "provisioningState": "Succeeded",
            "overprovision": false,
            "uniqueId": "9e4b7c21-6a3d-4f58-a0e2-5b8c1d7f3a64",
            "timeCreated": "{{TimeCreated}}",
            "virtualMachineProfile": {
              "osProfile": { "computerNamePrefix": "{{name}}-", "adminUsername": "azureuser" },
              "storageProfile": {
                "osDisk": { "createOption": "FromImage", "caching": "ReadOnly", "diffDiskSettings": { "option": "Local", "placement": "ResourceDisk" }, "managedDisk": { "storageAccountType": "Standard_LRS" }, "diskSizeGB": 128 },
                "imageReference": { "id": "/subscriptions/{{subscription}}/resourceGroups/images/providers/Microsoft.Compute/galleries/nodes/images/ubuntu2404/versions/2026.10.01" }
              },
              "networkProfile": {
                "networkInterfaceConfigurations": [
                  {
                    "name": "{{name}}-nic-0",
                    "properties": {
                      "primary": true,
                      "enableAcceleratedNetworking": true,
                      "disableTcpStateTracking": true,
                      "auxiliaryMode": "AcceleratedConnections",
                      "auxiliarySku": "A2",
                      "enableIPForwarding": true,
                      "dnsSettings": { "dnsServers": [] },
                      "deleteOption": "Delete",
                      "ipConfigurations": [
                        {
                          "name": "ipconfig1",
                          "properties": {
                            "primary": true,
                            "privateIPAddressVersion": "IPv4",
                            "subnet": { "id": "{{subnet}}" },
                            "loadBalancerBackendAddressPools": [ { "id": "/subscriptions/{{subscription}}/resourceGroups/{{resourceGroup}}/providers/Microsoft.Network/loadBalancers/kubernetes/backendAddressPools/kubernetes" } ]
                          }
                        }
                      ]
                    }
                  },
                  {
                    "name": "{{name}}-nic-1",
                    "properties": {
                      "primary": false,
                      "disableTcpStateTracking": false,
                      "auxiliaryMode": "None",
                      "auxiliarySku": "None",
                      "enableFpga": false,
                      "description": "{{marker ?? name}}",
                      "ipConfigurations": [
                        { "name": "ipconfig2", "properties": { "privateIPAddressVersion": "IPv4", "subnet": { "id": "{{subnet}}" } } }
                      ]
                    }
                  }
                ]
              },
              "timeCreated": "2026-10-02T07:41:19.4910000+00:00"
            }
          }
        }
        """)!.AsObject();
    }

    /// <summary>A Flexible scale set running an instance mix: <c>sku.name</c> <c>Mix</c> and three sizes in <c>skuProfile</c>.</summary>
    public static JsonObject FlexibleMix(string name) => JsonNode.Parse($$"""
        {
          "id": "{{Id(name)}}",
          "name": "{{name}}",
          "type": "Microsoft.Compute/virtualMachineScaleSets",
          "location": "westeurope",
          "sku": { "name": "Mix", "capacity": 6 },
          "properties": {
            "orchestrationMode": "Flexible",
            "platformFaultDomainCount": 1,
            "singlePlacementGroup": false,
            "provisioningState": "Succeeded",
            "timeCreated": "{{TimeCreated}}",
            "skuProfile": {
              "vmSizes": [ { "name": "Standard_D4s_v5" }, { "name": "Standard_D4as_v5" }, { "name": "Standard_E4s_v5", "rank": 2 } ],
              "allocationStrategy": "Prioritized"
            },
            "priorityMixPolicy": { "baseRegularPriorityCount": 2, "regularPriorityPercentageAboveBase": 50 },
            "virtualMachineProfile": {
              "priority": "Spot",
              "evictionPolicy": "Delete",
              "networkProfile": {
                "networkApiVersion": "2022-11-01",
                "networkInterfaceConfigurations": [
                  {
                    "name": "{{name}}-nic",
                    "properties": {
                      "primary": true,
                      "enableAcceleratedNetworking": false,
                      "ipConfigurations": [ { "name": "ipconfig", "properties": { "primary": true, "subnet": { "id": "{{Subnet(Subscription, ResourceGroup)}}" } } } ]
                    }
                  }
                ]
              }
            }
          }
        }
        """)!.AsObject();

    /// <summary>A scale set without <c>properties.timeCreated</c> (as ARM answers api-versions before 2021-11-01).</summary>
    public static JsonObject WithoutTimeCreated(string name)
    {
        var vmss = Uniform(name);
        var properties = vmss["properties"]!.AsObject();
        properties.Remove("timeCreated");
        properties["virtualMachineProfile"]!.AsObject().Remove("timeCreated");
        return vmss;
    }

    public static JsonArray Nics(JsonObject vmss) =>
        vmss["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();

    /// <summary>
    /// A <c>Microsoft.Compute/skus</c> entry. <paramref name="acceleratedNetworking"/> is the capability's value as
    /// ARM spells it, or null to leave the capability out.
    /// </summary>
    public static JsonObject Sku(string name, string location, string? acceleratedNetworking, params JsonObject[] restrictions)
    {
        var capabilities = new JsonArray(
            new JsonObject { ["name"] = "vCPUs", ["value"] = "4" },
            new JsonObject { ["name"] = "MemoryGB", ["value"] = "16" },
            new JsonObject { ["name"] = "MaxNetworkInterfaces", ["value"] = "2" });
        if (acceleratedNetworking is not null)
        {
            capabilities.Add(new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = acceleratedNetworking });
        }

        return new JsonObject
        {
            ["resourceType"] = "virtualMachines",
            ["name"] = name,
            ["tier"] = "Standard",
            ["size"] = name.Replace("Standard_", string.Empty, StringComparison.Ordinal),
            ["family"] = "standardDSv5Family",
            ["locations"] = new JsonArray(location),
            ["locationInfo"] = new JsonArray(new JsonObject { ["location"] = location, ["zones"] = new JsonArray("1", "2", "3") }),
            ["capabilities"] = capabilities,
            ["restrictions"] = new JsonArray(restrictions.Select(r => (JsonNode)r).ToArray()),
        };
    }

    public static JsonObject LocationRestriction(string location, string reasonCode = "NotAvailableForSubscription") => new()
    {
        ["type"] = "Location",
        ["values"] = new JsonArray(location),
        ["restrictionInfo"] = new JsonObject { ["locations"] = new JsonArray(location) },
        ["reasonCode"] = reasonCode,
    };

    public static JsonObject ZoneRestriction(string location, params string[] zones) => new()
    {
        ["type"] = "Zone",
        ["values"] = new JsonArray(location),
        ["restrictionInfo"] = new JsonObject
        {
            ["locations"] = new JsonArray(location),
            ["zones"] = new JsonArray(zones.Select(z => (JsonNode)JsonValue.Create(z)).ToArray()),
        },
        ["reasonCode"] = "NotAvailableForSubscription",
    };
}
