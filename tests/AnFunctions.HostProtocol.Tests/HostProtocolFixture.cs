using System.Collections.Concurrent;
using AnFunctions.HostProtocol.Tests.Host;
using AnFunctions.HostProtocol.Tests.World;

namespace AnFunctions.HostProtocol.Tests;

[CollectionDefinition(Name)]
public sealed class HostProtocolCollection : ICollectionFixture<HostProtocolFixture>
{
    public const string Name = "HostProtocol";
}

/// <summary>
/// What the host-protocol tests share: Azurite (tables and queues), the stand-in host's gRPC server, and deployments
/// that several tests read without changing each other's results (a worker start costs seconds; see <see cref="SharedAsync{T}"/>).
/// </summary>
public sealed class HostProtocolFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IAsyncDisposable>>> _shared = new(StringComparer.Ordinal);

    internal Azurite Azurite { get; private set; } = null!;

    internal StandInHost Host { get; private set; } = null!;

    /// <summary>
    /// One deployment with the production settings shape, shared by the tests that only add their own pools and
    /// deliver their own events (every assertion is about those pools).
    /// </summary>
    internal Task<HostedApp> SharedAppAsync() => SharedAsync("app", () => HostedApp.StartAsync(this));

    /// <summary>Creates the value once per test run (the first caller's factory wins) and disposes it at the end.</summary>
    internal async Task<T> SharedAsync<T>(string key, Func<Task<T>> create)
        where T : class, IAsyncDisposable =>
        (T)await _shared.GetOrAdd(key, _ => new Lazy<Task<IAsyncDisposable>>(async () => await create())).Value;

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync();
        Host = await StandInHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var shared in _shared.Values.Where(s => s.IsValueCreated))
        {
            try
            {
                await (await shared.Value).DisposeAsync();
            }
            catch (Exception) when (!shared.Value.IsCompletedSuccessfully)
            {
                // It never started; its test already failed with the reason.
            }
        }

        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }
    }
}
