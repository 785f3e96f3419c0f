using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>
/// The contract on Azurite. Every test gets tables of its own (a random prefix), deleted afterwards, so that tests and
/// parallel runs never see each other's rows.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStateStoreTests : StateStoreContract, IAsyncLifetime
{
    private readonly TableServiceClient _service = new(AzuriteFixture.ConnectionString);
    private readonly TableStateStore _store;

    public TableStateStoreTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        _store = new TableStateStore(_service, Options.Create(new StateOptions { TablePrefix = UniquePrefix() }));
    }

    protected override IStateStore Store => _store;

    internal static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var table in _store.TableNames)
        {
            await _service.DeleteTableAsync(table);
        }
    }
}
