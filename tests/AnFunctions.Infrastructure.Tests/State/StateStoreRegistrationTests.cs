using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.InMemory.State;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace AnFunctions.Infrastructure.Tests.State;

public sealed class StateStoreRegistrationTests
{
    [Fact]
    public void AddTableStateStore_ConnectionString_ResolvesOneTableStoreOnThatAccount()
    {
        using var provider = Build(s => s.AddTableStateStore(), o => o.ConnectionString = AzuriteFixture.UsualConnectionString);

        var store = provider.GetRequiredService<IStateStore>();

        Assert.IsType<TableStateStore>(store);
        Assert.Same(store, provider.GetRequiredService<IStateStore>());
        var client = provider.GetRequiredService<TableServiceClient>();
        Assert.Equal("devstoreaccount1", client.AccountName);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", client.Uri.AbsoluteUri.TrimEnd('/'));
    }

    [Fact]
    public void AddTableStateStore_Prefix_NamesTheTables()
    {
        using var provider = Build(s => s.AddTableStateStore(), o =>
        {
            o.ConnectionString = AzuriteFixture.ConnectionString;
            o.TablePrefix = "prod";
        });

        var store = Assert.IsType<TableStateStore>(provider.GetRequiredService<IStateStore>());

        Assert.Equal(["prodPools", "prodEvents", "prodDecisions", "prodRejected"], store.TableNames);
    }

    [Fact]
    public void AddTableStateStore_ServiceUriAndCredential_UsesTheCredentialFromDi()
    {
        var credential = Substitute.For<TokenCredential>();
        using var provider = Build(
            s => s.AddSingleton(credential).AddTableStateStore(),
            o => o.TableServiceUri = new Uri("https://acct.table.core.windows.net"));

        Assert.IsType<TableStateStore>(provider.GetRequiredService<IStateStore>());
        Assert.Equal("acct", provider.GetRequiredService<TableServiceClient>().AccountName);
    }

    [Fact]
    public void AddTableStateStore_ServiceUriWithoutCredential_FailsSayingWhatIsMissing()
    {
        using var provider = Build(s => s.AddTableStateStore(), o => o.TableServiceUri = new Uri("https://acct.table.core.windows.net"));

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStateStore>());

        Assert.Contains("TokenCredential", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTableStateStore_NoConnectionSetting_FailsNamingTheSettings()
    {
        using var provider = Build(s => s.AddTableStateStore(), _ => { });

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStateStore>());

        Assert.Contains("State:ConnectionString", e.Message, StringComparison.Ordinal);
        Assert.Contains("State:TableServiceUri", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTableStateStore_ClientAlreadyRegistered_KeepsIt()
    {
        var own = new TableServiceClient(AzuriteFixture.ConnectionString);
        using var provider = Build(s => s.AddSingleton(own).AddTableStateStore(), _ => { });

        Assert.Same(own, provider.GetRequiredService<TableServiceClient>());
        Assert.IsType<TableStateStore>(provider.GetRequiredService<IStateStore>());
    }

    [Fact]
    public void AddInMemoryStateStore_Resolves_OneInMemoryStore()
    {
        using var provider = Build(s => s.AddInMemoryStateStore(), _ => { });

        var store = provider.GetRequiredService<IStateStore>();

        Assert.IsType<InMemoryStateStore>(store);
        Assert.Same(store, provider.GetRequiredService<IStateStore>());
    }

    [Fact]
    public void AddStateStores_BothCalled_TheLastWins()
    {
        using var inMemoryLast = Build(s => s.AddTableStateStore().AddInMemoryStateStore(), o => o.ConnectionString = AzuriteFixture.ConnectionString);
        using var tableLast = Build(s => s.AddInMemoryStateStore().AddTableStateStore(), o => o.ConnectionString = AzuriteFixture.ConnectionString);

        Assert.IsType<InMemoryStateStore>(Assert.Single(inMemoryLast.GetServices<IStateStore>()));
        Assert.IsType<TableStateStore>(Assert.Single(tableLast.GetServices<IStateStore>()));
    }

    private static ServiceProvider Build(Action<IServiceCollection> register, Action<StateOptions> configure)
    {
        var services = new ServiceCollection();
        services.Configure(configure);
        register(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
