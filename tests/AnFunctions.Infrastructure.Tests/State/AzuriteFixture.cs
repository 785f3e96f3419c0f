using AnFunctions.LocalStorage;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tests.State;

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>
/// Azurite's Table endpoint for the tests of <see cref="AzuriteCollection"/>, through <see cref="LocalAzurite"/>: the
/// one listening on 127.0.0.1:10002 when there is one (as under <c>.ci/run</c>), otherwise a private one on a free
/// port, started from <c>tools/azurite</c> and stopped at the end (never one that another run found and still uses).
/// Without Node.js the tests fail with a message that says what to run: they never skip silently.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The development account on the usual port, for tests that never reach it (registration, a refused port).</summary>
    public const string UsualConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        + "AccountKey=" + LocalAzurite.AccountKey + ";"
        + "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private static string? s_connectionString;
    private LocalAzurite? _azurite;

    /// <summary>The Table endpoint of the collection's Azurite once it started; the usual one before.</summary>
    public static string ConnectionString => Volatile.Read(ref s_connectionString) ?? UsualConnectionString;

    /// <summary>True when this fixture started Azurite (false when one was already listening).</summary>
    public bool StartedHere => _azurite?.StartedHere ?? false;

    /// <summary>Deletes every table whose name starts with <paramref name="prefix"/> (a test's own tables).</summary>
    public static async Task DropTablesAsync(string prefix)
    {
        var service = new TableServiceClient(ConnectionString);
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(prefix) >= 0 && t.Name.CompareTo(prefix + "~") < 0))
        {
            await service.DeleteTableAsync(table.Name);
        }
    }

    public async Task InitializeAsync()
    {
        _azurite = await LocalAzurite.UseOrStartAsync(AzuriteServices.Table).ConfigureAwait(false);
        Volatile.Write(ref s_connectionString, _azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
        }
    }
}
