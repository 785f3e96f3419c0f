using AnFunctions.Cli.Simulation;

namespace AnFunctions.Tests.Cli;

public sealed class ScenarioSettingsTests
{
    [Theory]
    [InlineData("AcceleratedNetworking:DryRun")]
    [InlineData("AcceleratedNetworking__DryRun")]
    [InlineData("acceleratednetworking__dryrun")]
    public void Parse_SettingWithColonsOrDoubleUnderscores_IsKeptAsTheKeyConfigurationReads(string key)
    {
        var json = """{"start":"2026-11-25T10:00:00Z","settings":{"KEY":true}}""".Replace("KEY", key, StringComparison.Ordinal);

        var scenario = ScenarioLoader.Parse(json, "s.json");

        // Configuration built from a dictionary reads Section:Key only: an environment-style key must arrive that way.
        Assert.Equal("true", scenario.Settings["AcceleratedNetworking:DryRun"]);
        Assert.DoesNotContain(scenario.Settings.Keys, k => k.Contains("__", StringComparison.Ordinal));
    }
}
