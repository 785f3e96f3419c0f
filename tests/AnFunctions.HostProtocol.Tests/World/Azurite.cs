using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace AnFunctions.HostProtocol.Tests.World;

/// <summary>
/// Azurite's Table and Queue services. When both listen on their usual ports (127.0.0.1:10002 and :10001, as under
/// <c>.ci/run</c> or a developer's own Azurite), they are used as they are: other runs may share them, so every test
/// uses tables and queue messages of its own. Otherwise this run starts its own pair from <c>tools/azurite</c> (after
/// <c>npm ci --prefix tools/azurite</c> when needed) on free ports and stops it at the end: a Table service alone on
/// 10002 may be another test assembly's, which stops it when that assembly ends.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    public const string Host = "127.0.0.1";
    public const int UsualTablePort = 10002;
    public const int UsualQueuePort = 10001;

    /// <summary>Azurite's well-known development account key.</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Azurite(int tablePort, int queuePort)
    {
        TablePort = tablePort;
        QueuePort = queuePort;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};"
                           + $"TableEndpoint=http://{Host}:{tablePort}/devstoreaccount1;QueueEndpoint=http://{Host}:{queuePort}/devstoreaccount1;";
    }

    public int TablePort { get; }

    public int QueuePort { get; }

    /// <summary>The development account with both endpoints.</summary>
    public string ConnectionString { get; }

    private const string StartHint =
        "npm ci --prefix tools/azurite --no-audit --no-fund, then tools/azurite/node_modules/.bin/azurite-table --tableHost 127.0.0.1 "
        + "--tablePort 10002 --inMemoryPersistence and tools/azurite/node_modules/.bin/azurite-queue --queueHost 127.0.0.1 "
        + "--queuePort 10001 --inMemoryPersistence (or run: bash .ci/run)";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private readonly List<Process> _started = [];
    private readonly StringBuilder _output = new();

    public static async Task<Azurite> StartAsync()
    {
        if (await IsListeningAsync(UsualTablePort).ConfigureAwait(false) && await IsListeningAsync(UsualQueuePort).ConfigureAwait(false))
        {
            return new Azurite(UsualTablePort, UsualQueuePort);
        }

        var azurite = new Azurite(FreePort(), FreePort());
        try
        {
            // Both at once: each takes seconds to listen on a busy machine.
            await azurite.InstallAsync().ConfigureAwait(false);
            await Task.WhenAll(
                azurite.StartServiceAsync("azurite-table", "--tableHost", "--tablePort", azurite.TablePort),
                azurite.StartServiceAsync("azurite-queue", "--queueHost", "--queuePort", azurite.QueuePort)).ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
        await install.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
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
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
            throw new InvalidOperationException($"The host-protocol tests need Azurite and '{fileName}' cannot be run ({e.Message}). Install Node.js 20+ and npm, then: {StartHint}", e);
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

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AnFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"AnFunctions.sln was not found above {AppContext.BaseDirectory}.");
    }
}
