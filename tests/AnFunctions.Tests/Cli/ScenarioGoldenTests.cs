using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AnFunctions.Cli;

namespace AnFunctions.Tests.Cli;

/// <summary>
/// Every scenario's whole <c>simulate</c> result is pinned in tests/AnFunctions.Tests/Golden: a refactoring that changes
/// what the app does in any scenario fails here, and an intended change shows as a diff of the golden file in review.
/// Regenerate after an intended change with <c>ANFUNCTIONS_UPDATE_GOLDEN=1 dotnet test --filter ScenarioGoldenTests</c>
/// and read the diff before committing it.
/// </summary>
public sealed partial class ScenarioGoldenTests
{
    private static string GoldenDirectory => Path.Combine(RepoPaths.Root, "tests", "AnFunctions.Tests", "Golden");

    public static TheoryData<string> Scenarios() =>
        new(Directory.EnumerateFiles(RepoPaths.Scenarios, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Simulate_Scenario_GivesThePinnedResult(string scenario)
    {
        var actual = await SimulateAsync(scenario);
        var golden = Path.Combine(GoldenDirectory, scenario + ".json");
        if (Environment.GetEnvironmentVariable("ANFUNCTIONS_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(golden, actual);
        }

        Assert.True(File.Exists(golden), $"no golden result for {scenario}: run with ANFUNCTIONS_UPDATE_GOLDEN=1 and review the new file");
        var expected = (await File.ReadAllTextAsync(golden)).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Golden_EveryFileHasItsScenario()
    {
        var scenarios = Directory.EnumerateFiles(RepoPaths.Scenarios, "*.json").Select(Path.GetFileName).ToHashSet();

        Assert.All(Directory.EnumerateFiles(GoldenDirectory, "*.json"), f => Assert.Contains(Path.GetFileName(f), scenarios));
    }

    /// <summary>The result, indented, with the ids the app generates at random (audit runs, rollouts) replaced by a placeholder.</summary>
    private static async Task<string> SimulateAsync(string scenario)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["simulate", Path.Combine(RepoPaths.Scenarios, scenario + ".json")], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        var indented = JsonNode.Parse(stdout.ToString())!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        return GeneratedId().Replace(indented, m => m.Groups[1].Value + "-<id>").ReplaceLineEndings("\n");
    }

    [GeneratedRegex("(audit-[0-9]{8}T[0-9]{6}Z|rollout-[0-9]{8}T[0-9]{6}Z)-[0-9a-f]{8}")]
    private static partial Regex GeneratedId();
}
