using System.Globalization;
using System.Text.Json.Nodes;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.Reliability;

/// <summary>
/// One app instance for the Azurite reliability tests: the one emulated composition
/// (<see cref="EmulatedAzure.AddAnFunctionsOnEmulator"/>: the real Azure SDK against a shared <see cref="ArmEmulator"/>,
/// the given clock) with the Table stores on Azurite. Plus the ARM JSON they use.
/// </summary>
internal static class AzuriteApp
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static ServiceProvider Build(
        ArmEmulator emulator,
        VirtualClock clock,
        string connectionString,
        string? tablePrefix = null,
        TableServiceClient? tables = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["State:Store"] = "Table",
            ["State:ConnectionString"] = connectionString,
        };
        if (tablePrefix is not null)
        {
            values["State:TablePrefix"] = tablePrefix;
        }

        var services = new ServiceCollection();
        if (tables is not null)
        {
            services.AddSingleton(tables);
        }

        services.AddAnFunctionsOnEmulator(emulator, clock, values.Concat(settings ?? new Dictionary<string, string?>()));
        return services.BuildValidated();
    }

    public static JsonObject AnSku(string name = "Standard_D4s_v5") => new()
    {
        ["resourceType"] = "virtualMachines",
        ["name"] = name,
        ["locations"] = new JsonArray("westeurope"),
        ["capabilities"] = new JsonArray(new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = "True" }),
        ["restrictions"] = new JsonArray(),
    };

    /// <summary>A pool on an AN size with AN off, created <paramref name="age"/> before <see cref="Now"/> (default: a minute: new).</summary>
    public static JsonObject ScaleSet(string id, TimeSpan? age = null) => new()
    {
        ["id"] = id,
        ["location"] = "westeurope",
        ["sku"] = new JsonObject { ["name"] = "Standard_D4s_v5", ["capacity"] = 2 },
        ["properties"] = new JsonObject
        {
            ["provisioningState"] = "Succeeded",
            ["timeCreated"] = (Now - (age ?? TimeSpan.FromMinutes(1))).UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["virtualMachineProfile"] = new JsonObject
            {
                ["networkProfile"] = new JsonObject
                {
                    ["networkInterfaceConfigurations"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "nic0",
                        ["properties"] = new JsonObject { ["primary"] = true, ["enableAcceleratedNetworking"] = false },
                    }),
                },
            },
        },
    };

    public static string WriteEvent(string id, string eventId) => new JsonObject
    {
        ["id"] = eventId,
        ["subject"] = id,
        ["eventType"] = "Microsoft.Resources.ResourceWriteSuccess",
        ["eventTime"] = Now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["dataVersion"] = "2",
        ["data"] = new JsonObject { ["resourceUri"] = id, ["operationName"] = "Microsoft.Compute/virtualMachineScaleSets/write" },
    }.ToJsonString();
}
