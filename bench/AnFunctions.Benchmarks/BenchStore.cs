using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using AnFunctions.LocalStorage;
using Azure.Data.Tables;

namespace AnFunctions.Benchmarks;

/// <summary>Where the benchmarked app keeps its state: in process memory, or in Table Storage on a local Azurite.</summary>
internal sealed record BenchStore(string Kind, string? ConnectionString = null, string? TablePrefix = null, TimeSpan TableLatency = default)
{
    public static BenchStore InMemory { get; } = new("memory");

    public bool IsTable => Kind == "table";

    public string Describe() => IsTable
        ? string.Create(CultureInfo.InvariantCulture, $"Table Storage (Azurite, +{TableLatency.TotalMilliseconds:F0} ms per round trip)")
        : "in memory";

    /// <summary>A Table store on Azurite with tables of its own (a fresh prefix), each round trip delayed by <paramref name="latency"/>.</summary>
    public static BenchStore Table(BenchAzurite azurite, TimeSpan latency) =>
        new("table", azurite.ConnectionString, "bench" + Guid.NewGuid().ToString("N")[..10], latency);

    /// <summary>Drops the tables this store created (Azurite keeps everything in memory).</summary>
    public async Task DropTablesAsync()
    {
        if (!IsTable)
        {
            return;
        }

        var service = new TableServiceClient(ConnectionString);
        var names = new List<string>();
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(TablePrefix) >= 0 && t.Name.CompareTo(TablePrefix + "~") < 0).ConfigureAwait(false))
        {
            names.Add(table.Name);
        }

        foreach (var name in names)
        {
            await service.DeleteTableAsync(name).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// A stand-in for a remote store: every Table round trip (each try) waits <paramref name="latency"/> before it is sent,
/// as a real storage account's network round trip would. Added to the app's Table client through
/// <c>TableServiceClientFactory.PolicyKey</c>, so the app's own pipeline (and its round-trip meter) is unchanged.
/// </summary>
internal sealed class LatencyPolicy(TimeSpan latency) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Thread.Sleep(latency);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await Task.Delay(latency, message.CancellationToken).ConfigureAwait(false);
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }
}

/// <summary>
/// Azurite's Table endpoint on 127.0.0.1:<c>port</c> (<see cref="LocalAzurite.UseOrStartTableAsync"/>): used when
/// something listens there, else started from <c>tools/azurite</c> and stopped again when disposed.
/// </summary>
internal sealed class BenchAzurite : IAsyncDisposable
{
    private readonly LocalAzurite _azurite;

    private BenchAzurite(LocalAzurite azurite) => _azurite = azurite;

    public string ConnectionString => _azurite.ConnectionString;

    public bool StartedHere => _azurite.StartedHere;

    public static async Task<BenchAzurite> StartAsync(int port, TextWriter log)
    {
        var azurite = new BenchAzurite(await LocalAzurite.UseOrStartTableAsync(port).ConfigureAwait(false));
        if (azurite.StartedHere)
        {
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"started Azurite on {LocalAzurite.Host}:{port}")).ConfigureAwait(false);
        }

        return azurite;
    }

    /// <summary>Azurite's resident memory (MB) when this bench started it; null otherwise.</summary>
    public double? WorkingSetMb() => _azurite.WorkingSetMb();

    public ValueTask DisposeAsync() => _azurite.DisposeAsync();
}
