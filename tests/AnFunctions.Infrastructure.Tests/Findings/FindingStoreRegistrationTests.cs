using AnFunctions.Core.Findings;
using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.Infrastructure.Tests.State;
using AnFunctions.InMemory.Findings;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.Findings;

public sealed class FindingStoreRegistrationTests
{
    [Fact]
    public void AddTableFindingStore_ConnectionString_ResolvesOneTableStoreNamedByThePrefix()
    {
        using var provider = Build(s => s.AddTableFindingStore(), o =>
        {
            o.ConnectionString = AzuriteFixture.ConnectionString;
            o.TablePrefix = "prod";
        });

        var store = Assert.IsType<TableFindingStore>(provider.GetRequiredService<IFindingStore>());

        Assert.Same(store, provider.GetRequiredService<IFindingStore>());
        Assert.Equal("prodFindings", store.TableName);
        Assert.Equal("devstoreaccount1", provider.GetRequiredService<TableServiceClient>().AccountName);
    }

    [Fact]
    public void AddTableFindingStore_WithTheTableStateStore_BothShareOneTableServiceClient()
    {
        using var provider = Build(s => s.AddTableStateStore().AddTableFindingStore(), o => o.ConnectionString = AzuriteFixture.ConnectionString);

        Assert.IsType<TableStateStore>(provider.GetRequiredService<IStateStore>());
        Assert.IsType<TableFindingStore>(provider.GetRequiredService<IFindingStore>());
        Assert.Single(provider.GetServices<TableServiceClient>());
    }

    [Fact]
    public void AddTableFindingStore_ClientAlreadyRegistered_KeepsIt()
    {
        var own = new TableServiceClient(AzuriteFixture.ConnectionString);
        using var provider = Build(s => s.AddSingleton(own).AddTableFindingStore(), _ => { });

        Assert.IsType<TableFindingStore>(provider.GetRequiredService<IFindingStore>());
        Assert.Same(own, Assert.Single(provider.GetServices<TableServiceClient>()));
    }

    [Fact]
    public void AddTableFindingStore_NoConnectionSetting_FailsNamingTheSettings()
    {
        using var provider = Build(s => s.AddTableFindingStore(), _ => { });

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IFindingStore>());

        Assert.Contains("State:ConnectionString", e.Message, StringComparison.Ordinal);
        Assert.Contains("State:TableServiceUri", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddInMemoryFindingStore_Resolves_OneInMemoryStore()
    {
        using var provider = Build(s => s.AddInMemoryFindingStore(), _ => { });

        var store = provider.GetRequiredService<IFindingStore>();

        Assert.IsType<InMemoryFindingStore>(store);
        Assert.Same(store, provider.GetRequiredService<IFindingStore>());
    }

    [Fact]
    public void AddFindingStores_BothCalled_TheLastWins()
    {
        using var inMemoryLast = Build(s => s.AddTableFindingStore().AddInMemoryFindingStore(), o => o.ConnectionString = AzuriteFixture.ConnectionString);
        using var tableLast = Build(s => s.AddInMemoryFindingStore().AddTableFindingStore(), o => o.ConnectionString = AzuriteFixture.ConnectionString);

        Assert.IsType<InMemoryFindingStore>(Assert.Single(inMemoryLast.GetServices<IFindingStore>()));
        Assert.IsType<TableFindingStore>(Assert.Single(tableLast.GetServices<IFindingStore>()));
    }

    private static ServiceProvider Build(Action<IServiceCollection> register, Action<StateOptions> configure)
    {
        var services = new ServiceCollection();
        services.Configure(configure);
        register(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
