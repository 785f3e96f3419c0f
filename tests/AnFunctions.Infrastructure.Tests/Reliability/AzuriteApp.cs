using System.Globalization;
using System.Text.Json.Nodes;
using AnFunctions.Core;
using AnFunctions.Emulator;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.Reliability;

/// <summary>
/// One app instance for the Azurite reliability tests: the app's real Core and Infrastructure with the Table stores,
/// the real Azure SDK against a shared <see cref="ArmEmulator"/>, and the given clock. Plus the ARM JSON they use.
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
        var values = new Dictionary<string, string?>
        {
            ["State:Store"] = "Table",
            ["State:ConnectionString"] = connectionString,
            ["Arm:Endpoint"] = ArmEmulator.BaseAddress,
            ["Arm:MaxRetries"] = "0",
        };
        if (tablePrefix is not null)
        {
            values["State:TablePrefix"] = tablePrefix;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        if (tables is not null)
        {
            services.AddSingleton(tables);
        }

        services.AddAnFunctionsCore().AddAnFunctionsInfrastructure(configuration);
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<TokenCredential>(new Tests.Emulator.DummyTokenCredential());
        services.AddSingleton<HttpPipelineTransport>(new HttpClientTransport(new HttpClient(emulator.CreateHandler())));
        return services.BuildServiceProvider();
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
