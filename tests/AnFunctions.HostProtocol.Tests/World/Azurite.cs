using AnFunctions.LocalStorage;

namespace AnFunctions.HostProtocol.Tests.World;

/// <summary>
/// Azurite's Table and Queue services, through <see cref="LocalAzurite"/>: the pair on their usual ports when both
/// listen there (as under <c>.ci/run</c> or a developer's own Azurite: shared with other runs, so every test uses
/// tables and queue messages of its own), otherwise a private pair on free ports, stopped at the end. A Table service
/// alone on 10002 may be another test assembly's: it is not enough.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    private readonly LocalAzurite _azurite;

    private Azurite(LocalAzurite azurite) => _azurite = azurite;

    public int TablePort => _azurite.TablePort!.Value;

    public int QueuePort => _azurite.QueuePort!.Value;

    /// <summary>The development account with both endpoints.</summary>
    public string ConnectionString => _azurite.ConnectionString;

    public static async Task<Azurite> StartAsync() =>
        new(await LocalAzurite.UseOrStartAsync(AzuriteServices.Table | AzuriteServices.Queue).ConfigureAwait(false));

    public ValueTask DisposeAsync() => _azurite.DisposeAsync();

    internal static string RepositoryRoot() => LocalAzurite.RepositoryRoot();
}
