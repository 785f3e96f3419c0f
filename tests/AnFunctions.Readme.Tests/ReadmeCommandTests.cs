using System.Diagnostics;
using System.Text.Json;
using AnFunctions.Tests;

namespace AnFunctions.Readme.Tests;

/// <summary>
/// README's run command as a new user runs it: in a fresh <c>git clone</c> of this repository's committed HEAD
/// (uncommitted changes are not in it), with the NuGet cache already filled. Run twice, since the first run also
/// restores and builds and may print what later runs do not; standard output must be exactly one JSON document each
/// time. Slow (it builds the CLI in the clone): filter it out locally with <c>--filter Category!=ReadmeCommand</c>.
/// </summary>
[Trait("Category", "ReadmeCommand")]
public sealed class ReadmeCommandTests : IDisposable
{
    /// <summary>A guard against a hung build, not a performance bound.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(15);

    private readonly string _work = Path.Combine(Path.GetTempPath(), "an-readme-" + Guid.NewGuid().ToString("N")[..12]);

    private string Clone => Path.Combine(_work, "repo");

    [Fact]
    public async Task ReadmeRunCommand_FreshCloneRunTwice_PrintsExactlyOneJsonDocumentOnStdoutEachTime()
    {
        var command = ReadmeRunCommand();
        Assert.StartsWith("dotnet run --project src/AnFunctions.Cli -- simulate ", command, StringComparison.Ordinal);
        Directory.CreateDirectory(_work);
        var head = (await RunAsync("git", ["-C", RepoPaths.Root, "rev-parse", "HEAD"])).Trim();
        await RunAsync("git", ["clone", "--quiet", "--no-checkout", RepoPaths.Root, Clone]);
        await RunAsync("git", ["-C", Clone, "checkout", "--quiet", "--detach", head]);

        foreach (var run in new[] { "first run (restore and build)", "second run" })
        {
            var (exit, stdout, stderr) = await ShellAsync(command);

            Assert.True(exit == 0, $"{run}: exit {exit}\nstderr:\n{stderr}\nstdout:\n{stdout}");
            using var document = SingleJsonDocument(stdout, run);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("armWrites").ValueKind);
        }
    }

    /// <summary>The one line of the first <c>sh</c> block under README's "Run it" heading.</summary>
    private static string ReadmeRunCommand()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        var section = Array.FindIndex(lines, l => l.StartsWith("## Run it", StringComparison.Ordinal));
        Assert.True(section >= 0, "README.md has no '## Run it' section");
        var open = Array.FindIndex(lines, section, l => l.Trim() == "```sh");
        var close = Array.FindIndex(lines, open + 1, l => l.Trim() == "```");
        Assert.True(open > section && close == open + 2, "README's 'Run it' section must start with a one-line sh block");
        return lines[open + 1].Trim();
    }

    /// <summary>Parses all of <paramref name="stdout"/> as one JSON value: anything before or after it fails.</summary>
    private static JsonDocument SingleJsonDocument(string stdout, string run)
    {
        try
        {
            return JsonDocument.Parse(stdout);
        }
        catch (JsonException e)
        {
            var shown = stdout.Length > 4000 ? stdout[..4000] + "…" : stdout;
            Assert.Fail($"{run}: standard output is not exactly one JSON document ({e.Message}):\n{shown}");
            throw;
        }
    }

    /// <summary>
    /// Runs the command with <c>sh</c> in the clone, its output sent to files: build servers the command leaves behind
    /// may keep inherited handles open, so the test waits for the shell, not for the end of a pipe.
    /// </summary>
    private async Task<(int Exit, string Out, string Err)> ShellAsync(string command)
    {
        var stdout = Path.Combine(_work, "stdout.txt");
        var stderr = Path.Combine(_work, "stderr.txt");
        var start = new ProcessStartInfo("sh") { WorkingDirectory = Clone, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"{command} >'{stdout}' 2>'{stderr}'");
        Isolate(start);
        using var process = Process.Start(start)!;
        await WaitAsync(process);
        return (process.ExitCode, await File.ReadAllTextAsync(stdout), await File.ReadAllTextAsync(stderr));
    }

    private static async Task<string> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await WaitAsync(process);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: exit {process.ExitCode}\n{await error}");
        return await output;
    }

    private static async Task WaitAsync(Process process)
    {
        using var guard = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{process.StartInfo.FileName} did not finish within {Guard}");
        }
    }

    /// <summary>
    /// The user's environment, minus what <c>dotnet test</c> sets for its own MSBuild and test host, and without MSBuild
    /// nodes that outlive the command (each build starts its own and ends them).
    /// </summary>
    private static void Isolate(ProcessStartInfo start)
    {
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
