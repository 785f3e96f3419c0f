using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AnFunctions.Infrastructure.Tests.State;

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>
/// Makes Azurite's Table endpoint available at 127.0.0.1:10002. When something already listens there (as under
/// <c>.ci/run</c>), it is used; otherwise <c>tools/azurite/node_modules/.bin/azurite-table</c> is started (after
/// <c>npm ci --prefix tools/azurite</c> when <c>node_modules</c> is missing) and stopped again at the end. Without
/// Node.js the tests fail with a message that says what to run: they never skip silently.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string Host = "127.0.0.1";
    public const int Port = 10002;

    /// <summary>Azurite's well-known development account, table endpoint only.</summary>
    public const string ConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        + "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private const string StartCommand =
        "npm ci --prefix tools/azurite --no-audit --no-fund && tools/azurite/node_modules/.bin/azurite-table "
        + "--tableHost 127.0.0.1 --tablePort 10002 --inMemoryPersistence --skipApiVersionCheck --loose";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>True when this fixture started Azurite (false when one was already listening).</summary>
    public bool StartedHere => _process is not null;

    public async Task InitializeAsync()
    {
        if (await IsListeningAsync().ConfigureAwait(false))
        {
            return;
        }

        var root = FindRepositoryRoot();
        var azuriteDir = Path.Combine(root, "tools", "azurite");
        var bin = Path.Combine(azuriteDir, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(bin))
        {
            await RunToEndAsync("npm", ["ci", "--prefix", azuriteDir, "--no-audit", "--no-fund"], root, InstallTimeout).ConfigureAwait(false);
        }

        _process = Start("node", [bin, "--tableHost", Host, "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose"], root);

        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"Azurite exited with code {_process.ExitCode} before its Table endpoint listened on {Host}:{Port}. Output:\n{Output()}\n"
                    + $"Start it by hand from the repository root: {StartCommand}");
            }

            if (await IsListeningAsync().ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        Stop();
        throw new InvalidOperationException(
            $"Azurite's Table endpoint did not listen on {Host}:{Port} within {StartTimeout.TotalSeconds:0} s. Output:\n{Output()}\n"
            + $"Start it by hand from the repository root: {StartCommand}");
    }

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private Process Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
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
            throw new InvalidOperationException(
                $"The Table store tests need Azurite on {Host}:{Port}; nothing listens there and '{fileName}' cannot be run ({e.Message}). "
                + $"Install Node.js 20+ and npm, then run from the repository root: {StartCommand} (or run: bash .ci/run)", e);
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

    private async Task RunToEndAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        using var process = Start(fileName, arguments, workingDirectory);
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}. Output:\n{Output()}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' failed with exit code {process.ExitCode}. Output:\n{Output()}\n"
                + $"Azurite is needed on {Host}:{Port}; run from the repository root: {StartCommand}");
        }
    }

    private static async Task<bool> IsListeningAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(Host, Port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AnFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"AnFunctions.sln was not found above {AppContext.BaseDirectory}; cannot locate tools/azurite to start Azurite. "
            + $"Start it by hand: {StartCommand}");
    }
}
