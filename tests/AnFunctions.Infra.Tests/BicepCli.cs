using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AnFunctions.Infra.Tests;

/// <summary>The bicep CLI that restore put into the NuGet cache (PackageDownload in the project file).</summary>
internal static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string InfraDirectory { get; } = Path.Combine(RepositoryRoot, "infra");

    public static string Version { get; } = Metadata("BicepVersion");

    /// <summary>The path of the bicep binary, made executable if the package extraction lost the bit.</summary>
    public static string Locate()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            throw new PlatformNotSupportedException("The infra tests use the linux-x64 bicep package (Azure.Bicep.CommandLine.linux-x64).");
        }

        var roots = new[]
            {
                Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
                Metadata("NuGetPackageRoot"),
                Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            }
            .Where(root => !string.IsNullOrWhiteSpace(root))
            .Select(root => Path.Combine(root!, "azure.bicep.commandline.linux-x64", Version, "tools", "bicep"))
            .ToList();

        var path = roots.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"bicep {Version} not found; run 'dotnet restore' on the test project. Looked in: {string.Join(", ", roots)}");

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }

        return path;
    }

    /// <summary>Runs bicep in <paramref name="workingDirectory"/> and returns its exit code and combined output.</summary>
    public static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Locate())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        using var cancellation = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation.Token);
        var stderr = process.StandardError.ReadToEndAsync(cancellation.Token);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}");
        }

        var output = (await stdout) + (await stderr);
        return new BicepRun(string.Join(' ', arguments), process.ExitCode, output, stopwatch.Elapsed);
    }

    /// <summary>Diagnostic lines: <c>path(line,col) : Error|Warning|Info code: message</c>.</summary>
    [GeneratedRegex(@"^.+\(\d+,\d+\) : (Error|Warning|Info) .+$", RegexOptions.Multiline)]
    public static partial Regex DiagnosticLine();

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing (see the project file)");
}

internal sealed record BicepRun(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public IReadOnlyList<string> Diagnostics =>
        BicepCli.DiagnosticLine().Matches(Output).Select(m => m.Value.Trim()).ToList();

    public override string ToString() => $"bicep {Command} (exit {ExitCode}, {Elapsed.TotalSeconds:F1} s):\n{Output}";
}
