using AnFunctions.Core.Findings;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.Infrastructure.Tests.State;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tests.Findings;

/// <summary>
/// The contract on Azurite. Every test gets a table of its own (a random prefix), deleted afterwards, so that tests and
/// parallel runs never see each other's rows.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableFindingStoreTests : FindingStoreContract, IAsyncLifetime
{
    private readonly TableServiceClient _service = new(AzuriteFixture.ConnectionString);
    private readonly TableFindingStore _store;

    public TableFindingStoreTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        _store = new TableFindingStore(_service, Options.Create(new StateOptions { TablePrefix = TableStateStoreTests.UniquePrefix() }));
    }

    protected override IFindingStore Store => _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _service.DeleteTableAsync(_store.TableName);
}
