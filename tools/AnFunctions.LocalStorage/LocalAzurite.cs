using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AnFunctions.LocalStorage;

/// <summary>The Azurite services a caller needs.</summary>
[Flags]
public enum AzuriteServices
{
    Table = 1,
    Queue = 2,
}

/// <summary>
/// Azurite for the tests and the bench, from <c>tools/azurite</c> (installed with <c>npm ci --prefix tools/azurite</c>
/// when missing). <see cref="UseOrStartAsync"/> uses what already listens on the usual ports (as under <c>.ci/run</c>,
/// or a developer's own Azurite: shared, so every caller uses tables and queues of its own), and otherwise starts a
/// private Azurite on free ports, which only this instance uses and stops: a run never stops an Azurite that another
/// run found listening and still uses. Without Node.js the caller gets a message that says what to run.
/// </summary>
public sealed class LocalAzurite : IAsyncDisposable
{
    public const string Host = "127.0.0.1";
    public const int UsualTablePort = 10002;
    public const int UsualQueuePort = 10001;

    /// <summary>Azurite's well-known development account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>How to start it by hand, for error messages.</summary>
    public const string StartHint =
        "npm ci --prefix tools/azurite --no-audit --no-fund, then tools/azurite/node_modules/.bin/azurite-table --tableHost 127.0.0.1 "
        + "--tablePort 10002 --inMemoryPersistence and tools/azurite/node_modules/.bin/azurite-queue --queueHost 127.0.0.1 "
        + "--queuePort 10001 --inMemoryPersistence (or run: bash .ci/run)";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private readonly List<Process> _started = [];
    private readonly StringBuilder _output = new();

    private LocalAzurite(int? tablePort, int? queuePort)
    {
        TablePort = tablePort;
        QueuePort = queuePort;
        var endpoints = new StringBuilder();
        if (tablePort is { } table)
        {
            endpoints.Append(CultureInfo.InvariantCulture, $"TableEndpoint=http://{Host}:{table}/devstoreaccount1;");
        }

        if (queuePort is { } queue)
        {
            endpoints.Append(CultureInfo.InvariantCulture, $"QueueEndpoint=http://{Host}:{queue}/devstoreaccount1;");
        }

        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};{endpoints}";
    }

    public int? TablePort { get; }

    public int? QueuePort { get; }

    /// <summary>The development account with the endpoints of the services asked for.</summary>
    public string ConnectionString { get; }

    /// <summary>True when this instance started Azurite (and stops it when disposed).</summary>
    public bool StartedHere => _started.Count > 0;

    /// <summary>
    /// The services asked for on their usual ports when all of them listen there; otherwise a private Azurite with
    /// them on free ports.
    /// </summary>
    public static async Task<LocalAzurite> UseOrStartAsync(AzuriteServices services)
    {
        var table = services.HasFlag(AzuriteServices.Table);
        var queue = services.HasFlag(AzuriteServices.Queue);
        if ((!table || await IsListeningAsync(UsualTablePort).ConfigureAwait(false)) && (!queue || await IsListeningAsync(UsualQueuePort).ConfigureAwait(false)))
        {
            return new LocalAzurite(table ? UsualTablePort : null, queue ? UsualQueuePort : null);
        }

        return await StartAsync(table ? FreePort() : null, queue ? FreePort() : null).ConfigureAwait(false);
    }

    /// <summary>
    /// The Table service on <paramref name="port"/>: used when something listens there, else started there (and stopped
    /// when disposed). For a caller that needs a fixed port (the bench's <c>--azurite-port</c>).
    /// </summary>
    public static async Task<LocalAzurite> UseOrStartTableAsync(int port) =>
        await IsListeningAsync(port).ConfigureAwait(false)
            ? new LocalAzurite(port, null)
            : await StartAsync(port, null).ConfigureAwait(false);

    /// <summary>Azurite's resident memory (MB) when this instance started it (the Table service); null otherwise.</summary>
    public double? WorkingSetMb()
    {
        if (_started.Count == 0 || _started[0] is not { HasExited: false } process)
        {
            return null;
        }

        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var process in _started)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        _started.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>The repository's root (the folder holding <c>AnFunctions.sln</c>), above the working directory or the binaries.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AnFunctions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"AnFunctions.sln was not found above {AppContext.BaseDirectory} or the working directory; cannot locate tools/azurite. Start Azurite by hand: {StartHint}");
    }

    private static async Task<LocalAzurite> StartAsync(int? tablePort, int? queuePort)
    {
        var azurite = new LocalAzurite(tablePort, queuePort);
        try
        {
            await azurite.InstallAsync().ConfigureAwait(false);
            var starts = new List<Task>();
            if (tablePort is { } table)
            {
                starts.Add(azurite.StartServiceAsync("azurite-table", "--tableHost", "--tablePort", table));
            }

            if (queuePort is { } queue)
            {
                starts.Add(azurite.StartServiceAsync("azurite-queue", "--queueHost", "--queuePort", queue));
            }

            // Side by side: each takes seconds to listen on a busy machine.
            await Task.WhenAll(starts).ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task InstallAsync()
    {
        var root = RepositoryRoot();
        var azuriteDir = Path.Combine(root, "tools", "azurite");
        if (File.Exists(Path.Combine(azuriteDir, "node_modules", ".bin", "azurite-table"))
            && File.Exists(Path.Combine(azuriteDir, "node_modules", ".bin", "azurite-queue")))
        {
            return;
        }

        using var install = Start("npm", ["ci", "--prefix", azuriteDir, "--no-audit", "--no-fund"], root);
        using var cancel = new CancellationTokenSource(InstallTimeout);
        try
        {
            await install.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            install.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"npm ci --prefix tools/azurite did not finish within {InstallTimeout}. Output:\n{Output()}\nStart Azurite by hand: {StartHint}");
        }

        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci --prefix tools/azurite failed with exit code {install.ExitCode}. Output:\n{Output()}\nStart Azurite by hand: {StartHint}");
        }
    }

    private async Task StartServiceAsync(string bin, string hostOption, string portOption, int port)
    {
        var root = RepositoryRoot();
        var path = Path.Combine(root, "tools", "azurite", "node_modules", ".bin", bin);
        var process = Start("node", [path, hostOption, Host, portOption, port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose"], root);
        lock (_started)
        {
            _started.Add(process);
        }

        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < StartTimeout)
        {
            if (await IsListeningAsync(port).ConfigureAwait(false))
            {
                return;
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{bin} exited with code {process.ExitCode} before listening on {Host}:{port}. Output:\n{Output()}\nStart Azurite by hand: {StartHint}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"{bin} did not listen on {Host}:{port} within {StartTimeout.TotalSeconds:0} s. Output:\n{Output()}\nStart Azurite by hand: {StartHint}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"'{fileName}' did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Azurite is needed and '{fileName}' cannot be run ({e.Message}). Install Node.js 20+ and npm, then: {StartHint}", e);
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
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
}
