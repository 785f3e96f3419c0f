using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using AnFunctions.Cli;

namespace AnFunctions.Tests.Report;

/// <summary>
/// The fleet report as people see it: <c>an report --html</c> on the fleet of <c>scenarios/fleet-report.json</c>,
/// rendered by headless Chromium (Debian's <c>chromium</c>; <c>.ci/run</c> installs it when missing). The page must
/// load nothing, log no console error or policy violation, and show the coverage figure.
/// </summary>
public sealed partial class ReportInChromiumTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("an-report-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Report_RenderedInChromium_ShowsTheCoverageWithoutScriptErrors()
    {
        var page = Path.Combine(_directory, "fleet.html");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["report", "--html", page, "--emulator", Path.Combine(RepoPaths.Scenarios, "fleet-report.json")], stdout, stderr));

        var screenshot = Path.Combine(_directory, "fleet.png");
        var shot = await ChromiumAsync($"--screenshot={screenshot}", "--window-size=1280,1900", new Uri(page).AbsoluteUri);
        var dom = await ChromiumAsync("--dump-dom", new Uri(page).AbsoluteUri);

        // The screenshot: a PNG of the window's size.
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 20_000, $"screenshot of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(1280, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(1900, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));

        // What the browser built: the coverage figure (7 of 10 pools), the cards, the tables.
        Assert.Matches(CoverageFigure(), dom.Output);
        Assert.Contains("7 of 10 active pools in scope", dom.Output, StringComparison.Ordinal);
        Assert.Contains("pool-gpu", dom.Output, StringComparison.Ordinal);
        Assert.Contains("AcceleratedNetworkingOnUnsupportedSize", dom.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", dom.Output, StringComparison.OrdinalIgnoreCase);

        // No console message (errors included) and nothing the page's policy refused.
        foreach (var run in new[] { shot, dom })
        {
            Assert.DoesNotMatch(ConsoleOrRefusal(), run.Error);
        }
    }

    private sealed record ChromiumRun(string Output, string Error);

    private async Task<ChromiumRun> ChromiumAsync(params string[] arguments)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: apt-get install -y chromium (.ci/run installs it).");
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                     $"--user-data-dir={Path.Combine(_directory, "profile-" + Guid.NewGuid().ToString("N"))}",
                 }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium {string.Join(' ', arguments)} did not finish within 2 minutes");
        }

        var run = new ChromiumRun(await output, await error);
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {run.Error}");
        return run;
    }

    [GeneratedRegex("""<p class="figure" id="coverage" data-coverage="70%">70%</p>""")]
    private static partial Regex CoverageFigure();

    [GeneratedRegex(@"CONSOLE|Uncaught|Refused to|Content Security Policy", RegexOptions.IgnoreCase)]
    private static partial Regex ConsoleOrRefusal();
}
