using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AnFunctions.HostProtocol.Tests.Host;

/// <summary>
/// The worker process, launched as the Functions host launches a .NET isolated worker: <c>dotnet AnFunctions.dll</c>
/// from the app's build output with the host's four arguments and environment, app settings as environment variables.
/// Standard output and error are kept (the tail of them) for failure messages.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    /// <summary>Variables of the test process that could change the app under test: they are not inherited.</summary>
    private static readonly string[] NotInheritedPrefixes =
    [
        "AcceleratedNetworking__", "Alerts__", "Audit__", "State__", "Arm__", "AzureWebJobs", "AzureFunctionsJobHost",
        "FUNCTIONS_", "AZURE_", "IDENTITY_", "MSI_", "IMDS_", "APPLICATIONINSIGHTS_", "ASPNETCORE_", "DOTNET_ENVIRONMENT",
        "SSL_CERT_",
    ];

    private const int MaxOutputChars = 200_000;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, string home)
    {
        _process = process;
        Home = home;
    }

    public string Home { get; }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the process has exited and its output is read to the end.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Standard output and error as received (interleaved, one line each).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="appDirectory">The build output holding <c>AnFunctions.dll</c>, <c>functions.metadata</c> and <c>host.json</c>.</param>
    /// <param name="hostUri">The stand-in host's gRPC endpoint.</param>
    /// <param name="environment">App settings (<c>Section__Key</c>) and other variables; a null value removes a variable.</param>
    public static WorkerProcess Start(string appDirectory, Uri hostUri, string workerId, IReadOnlyDictionary<string, string?> environment)
    {
        var home = Directory.CreateTempSubdirectory("anfunctions-worker-home-").FullName;
        var info = new ProcessStartInfo(DotnetExecutable())
        {
            WorkingDirectory = appDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[]
                 {
                     Path.Combine(appDirectory, "AnFunctions.dll"),
                     "--functions-uri", hostUri.ToString(),
                     "--functions-worker-id", workerId,
                     "--functions-request-id", Guid.NewGuid().ToString(),
                     "--functions-grpc-max-message-length", int.MaxValue.ToString(CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.ToList())
        {
            if (NotInheritedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                info.Environment.Remove(name);
            }
        }

        // What the host gives every .NET isolated worker.
        info.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        info.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        info.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        // A scratch HOME: the ASP.NET Core HTTP proxy keeps data-protection keys under ~/.aspnet.
        info.Environment["HOME"] = home;
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, home);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"'{info.FileName}' did not start");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = worker.WatchAsync();
        return worker;
    }

    /// <summary>Waits for the exit; null when the process still runs after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(Exited, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == Exited ? await Exited.ConfigureAwait(false) : null;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            // The exit code and the last output are taken before the process object goes.
            _exited.Task.Wait(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left behind is harmless.
        }
    }

    /// <summary>Completes <see cref="Exited"/> once the process has exited and its output is read to the end.</summary>
    private async Task WatchAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _exited.TrySetResult(_process.ExitCode);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < MaxOutputChars)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>The <c>dotnet</c> that runs these tests (the SDK sets <c>DOTNET_HOST_PATH</c>), else the one on PATH.</summary>
    private static string DotnetExecutable() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
}
