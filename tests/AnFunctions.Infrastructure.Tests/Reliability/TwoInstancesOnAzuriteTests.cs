using System.Text.Json.Nodes;
using AnFunctions.Core;
using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Tests.State;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AnFunctions.Infrastructure.Tests.Reliability;

/// <summary>
/// Two app instances (each its own DI, caches, SDK clients and Table clients) share one Azurite and one ARM: Event
/// Grid's duplicate deliveries, concurrently, must produce exactly one ARM write. Concurrency control is the store's
/// conditional writes and ARM's If-Match, not an in-process lock.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TwoInstancesOnAzuriteTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Subscription = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var service = new TableServiceClient(AzuriteFixture.ConnectionString);
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(_prefix) >= 0 && t.Name.CompareTo(_prefix + "~") < 0))
        {
            await service.DeleteTableAsync(table.Name);
        }
    }

    [Fact]
    public async Task ThousandDeliveriesAcrossTwoInstancesOnOneAzurite_WriteExactlyOnce()
    {
        Assert.NotNull(azurite);
        var clock = new FakeTimeProvider(Now);
        var emulator = new ArmEmulator(clock) { RequestLogLimit = 0 };
        emulator.SetSkus([Sku("Standard_D4s_v5")]);
        var id = $"/subscriptions/{Subscription}/resourceGroups/k8s/providers/Microsoft.Compute/virtualMachineScaleSets/storm";
        emulator.PutScaleSet(ScaleSet(id));

        await using var first = Instance(emulator, clock);
        await using var second = Instance(emulator, clock);
        var processors = new[] { first.GetRequiredService<EventDeliveryProcessor>(), second.GetRequiredService<EventDeliveryProcessor>() };
        var payload = Event(id, "storm-azurite");

        var redeliveries = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            try
            {
                await processors[i % 2].ProcessAsync(payload, ct);
            }
            catch (DeliveryRetryException)
            {
                Interlocked.Increment(ref redeliveries);
            }
        });

        output.WriteLine($"deliveries 1000, PATCHes sent {emulator.Writes.Count} (refused with 412: {emulator.Writes.Count(w => w.Status == 412)}), " +
            $"redeliveries asked {redeliveries}, ARM GETs {emulator.Count(ArmCallKind.GetScaleSet)}");
        Assert.Single(emulator.Writes, w => w.Status == 200);
        Assert.All(emulator.Writes.Where(w => w.Status != 200), w => Assert.Equal(412, w.Status));
        var store = first.GetRequiredService<IStateStore>();
        var pool = await store.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.True(pool!.AcceleratedNetworking);
        Assert.True(pool.EnabledByApp);
        Assert.NotNull(await store.GetProcessedEventAsync("storm-azurite", CancellationToken.None));
    }

    private ServiceProvider Instance(ArmEmulator emulator, TimeProvider clock)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["State:Store"] = "Table",
            ["State:ConnectionString"] = AzuriteFixture.ConnectionString,
            ["State:TablePrefix"] = _prefix,
            ["Arm:Endpoint"] = ArmEmulator.BaseAddress,
            ["Arm:MaxRetries"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddAnFunctionsCore().AddAnFunctionsInfrastructure(configuration);
        services.AddSingleton(clock);
        services.AddSingleton<TokenCredential>(new Tests.Emulator.DummyTokenCredential());
        services.AddSingleton<HttpPipelineTransport>(new HttpClientTransport(new HttpClient(emulator.CreateHandler())));
        return services.BuildServiceProvider();
    }

    private static JsonObject Sku(string name) => new()
    {
        ["resourceType"] = "virtualMachines",
        ["name"] = name,
        ["locations"] = new JsonArray("westeurope"),
        ["capabilities"] = new JsonArray(new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = "True" }),
        ["restrictions"] = new JsonArray(),
    };

    private static JsonObject ScaleSet(string id) => new()
    {
        ["id"] = id,
        ["location"] = "westeurope",
        ["sku"] = new JsonObject { ["name"] = "Standard_D4s_v5", ["capacity"] = 3 },
        ["properties"] = new JsonObject
        {
            ["provisioningState"] = "Succeeded",
            ["timeCreated"] = Now.AddMinutes(-1).UtcDateTime.ToString("O"),
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

    private static string Event(string id, string eventId) => new JsonObject
    {
        ["id"] = eventId,
        ["subject"] = id,
        ["eventType"] = "Microsoft.Resources.ResourceWriteSuccess",
        ["eventTime"] = Now.UtcDateTime.ToString("O"),
        ["dataVersion"] = "2",
        ["data"] = new JsonObject { ["resourceUri"] = id, ["operationName"] = "Microsoft.Compute/virtualMachineScaleSets/write" },
    }.ToJsonString();
}
