using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;
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
/// Azurite's Table endpoint on 127.0.0.1:<c>port</c>: used when something listens there (as the tests do), else
/// <c>tools/azurite/node_modules/.bin/azurite-table</c> is started (after <c>npm ci --prefix tools/azurite</c> when it is
/// missing) and stopped again when disposed.
/// </summary>
internal sealed class BenchAzurite : IAsyncDisposable
{
    private const string Host = "127.0.0.1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private Process? _process;

    private BenchAzurite(int port) => Port = port;

    public int Port { get; }

    public bool StartedHere => _process is not null;

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://{Host}:{Port}/devstoreaccount1;");

    public static async Task<BenchAzurite> StartAsync(int port, TextWriter log)
    {
        var azurite = new BenchAzurite(port);
        if (await IsListeningAsync(port).ConfigureAwait(false))
        {
            return azurite;
        }

        var root = RepositoryRoot();
        var dir = Path.Combine(root, "tools", "azurite");
        var bin = Path.Combine(dir, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(bin))
        {
            await log.WriteLineAsync($"installing Azurite: npm ci --prefix {dir}").ConfigureAwait(false);
            using var npm = Process.Start(new ProcessStartInfo("npm", ["ci", "--prefix", dir, "--no-audit", "--no-fund"]) { WorkingDirectory = root })
                ?? throw new InvalidOperationException("npm did not start: install Node.js 20+ and npm");
            await npm.WaitForExitAsync().ConfigureAwait(false);
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci --prefix {dir} failed with exit code {npm.ExitCode}");
            }
        }

        var info = new ProcessStartInfo("node", [bin, "--tableHost", Host, "--tablePort", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        azurite._process = Process.Start(info) ?? throw new InvalidOperationException("node did not start: install Node.js 20+");
        azurite._process.OutputDataReceived += (_, _) => { };
        azurite._process.ErrorDataReceived += (_, _) => { };
        azurite._process.BeginOutputReadLine();
        azurite._process.BeginErrorReadLine();
        for (var i = 0; i < 600 && !await IsListeningAsync(port).ConfigureAwait(false); i++)
        {
            if (azurite._process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {azurite._process.ExitCode} before listening on {Host}:{port}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"started Azurite (pid {azurite._process.Id}) on {Host}:{port}")).ConfigureAwait(false);
        return azurite;
    }

    /// <summary>Azurite's resident memory (MB) when this bench started it; null otherwise.</summary>
    public double? WorkingSetMb()
    {
        if (_process is not { HasExited: false } process)
        {
            return null;
        }

        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
            _process = null;
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(Host, port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AnFunctions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("AnFunctions.sln was not found above the working directory: run the bench from the repository");
    }
}
