using System.Text.Json.Nodes;

namespace AnFunctions.Infrastructure.Tests.Emulator;

/// <summary>ARM JSON written for these tests, modelled on the shapes of real ARM answers.</summary>
internal static class EmulatorTestData
{
    public const string SubscriptionId = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
    public const string OtherSubscriptionId = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
    public const string ResourceGroup = "rg-pools";

    public static string ScaleSetId(string name, string resourceGroup = ResourceGroup, string subscriptionId = SubscriptionId) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}";

    /// <summary>A Uniform scale set with two NIC configurations: the primary with AN on, the secondary with AN off.</summary>
    public static JsonObject UniformScaleSet(
        string name,
        string resourceGroup = ResourceGroup,
        string subscriptionId = SubscriptionId,
        string location = "westeurope",
        string size = "Standard_D4s_v5",
        int capacity = 3,
        bool primaryAcceleratedNetworking = true,
        bool secondaryAcceleratedNetworking = false)
    {
        var id = ScaleSetId(name, resourceGroup, subscriptionId);
        var subnet = $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet-pools/subnets/snet-{name}";
        return JsonNode.Parse($$"""
        {
          "name": "{{name}}",
          "id": "{{id}}",
          "type": "Microsoft.Compute/virtualMachineScaleSets",
          "location": "{{location}}",
          "tags": { "owner": "team-pools", "costCenter": "4711" },
          "sku": { "name": "{{size}}", "tier": "Standard", "capacity": {{capacity}} },
          "etag": "\"7\"",
          "properties": {
            "singlePlacementGroup": false,
            "orchestrationMode": "Uniform",
            "upgradePolicy": { "mode": "Manual" },
            "virtualMachineProfile": {
              "osProfile": {
                "computerNamePrefix": "{{name}}",
                "adminUsername": "azureuser",
                "linuxConfiguration": { "disablePasswordAuthentication": true }
              },
              "storageProfile": {
                "osDisk": { "createOption": "FromImage", "caching": "ReadWrite", "managedDisk": { "storageAccountType": "Premium_LRS" }, "diskSizeGB": 30 },
                "imageReference": { "publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest" },
                "dataDisks": []
              },
              "networkProfile": {
                "networkInterfaceConfigurations": [
                  {
                    "name": "nic-primary",
                    "properties": {
                      "primary": true,
                      "enableAcceleratedNetworking": {{Json(primaryAcceleratedNetworking)}},
                      "disableTcpStateTracking": false,
                      "enableIPForwarding": false,
                      "ipConfigurations": [
                        { "name": "ipconfig1", "properties": { "primary": true, "subnet": { "id": "{{subnet}}" }, "privateIPAddressVersion": "IPv4" } }
                      ]
                    }
                  },
                  {
                    "name": "nic-secondary",
                    "properties": {
                      "primary": false,
                      "enableAcceleratedNetworking": {{Json(secondaryAcceleratedNetworking)}},
                      "enableIPForwarding": false,
                      "ipConfigurations": [
                        { "name": "ipconfig2", "properties": { "subnet": { "id": "{{subnet}}" }, "privateIPAddressVersion": "IPv4" } }
                      ]
                    }
                  }
                ]
              },
              "timeCreated": "2024-03-11T08:15:02.1234567+00:00"
            },
            "provisioningState": "Succeeded",
            "overprovision": false,
            "doNotRunExtensionsOnOverprovisionedVMs": false,
            "uniqueId": "3b9f1a7e-2c4d-4e5f-8a6b-7c8d9e0f1a2b",
            "platformFaultDomainCount": 1,
            "timeCreated": "2024-03-11T08:15:01.7654321+00:00"
          }
        }
        """)!.AsObject();
    }

    /// <summary>A <c>Microsoft.Compute/skus</c> entry for a VM size, optionally restricted in one location.</summary>
    public static JsonObject VmSku(string name, string location, bool acceleratedNetworking, int vcpus, string? restrictedReason = null)
    {
        var restrictions = restrictedReason is null
            ? "[]"
            : $$"""[ { "type": "Location", "values": [ "{{location}}" ], "restrictionInfo": { "locations": [ "{{location}}" ] }, "reasonCode": "{{restrictedReason}}" } ]""";
        return JsonNode.Parse($$"""
        {
          "resourceType": "virtualMachines",
          "name": "{{name}}",
          "tier": "Standard",
          "size": "{{name.Replace("Standard_", string.Empty, StringComparison.Ordinal)}}",
          "family": "standardDSv5Family",
          "locations": [ "{{location}}" ],
          "locationInfo": [ { "location": "{{location}}", "zones": [ "1", "2", "3" ], "zoneDetails": [] } ],
          "capabilities": [
            { "name": "vCPUs", "value": "{{vcpus}}" },
            { "name": "MemoryGB", "value": "{{vcpus * 4}}" },
            { "name": "MaxNetworkInterfaces", "value": "{{Math.Max(2, vcpus / 2)}}" },
            { "name": "AcceleratedNetworkingEnabled", "value": "{{(acceleratedNetworking ? "True" : "False")}}" }
          ],
          "restrictions": {{restrictions}}
        }
        """)!.AsObject();
    }

    private static string Json(bool value) => value ? "true" : "false";
}
