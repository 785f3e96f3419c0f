using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AnFunctions.Cli;
using AnFunctions.Cli.Simulation;

namespace AnFunctions.Tests.Cli;

/// <summary>
/// docs/SCENARIOS.md is the users' only description of the scenario format: every step kind the loader accepts and
/// every field the result carries must have its row there, so that the format cannot grow without its documentation.
/// </summary>
public sealed partial class ScenarioDocsTests
{
    private static readonly string[] Lines = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "SCENARIOS.md")).ReplaceLineEndings("\n").Split('\n');

    /// <summary>
    /// The lines of a section: from its heading (the first one after <paramref name="after"/>, when given) to the next
    /// heading of the same or a higher level; lines inside code fences are never headings.
    /// </summary>
    private static List<string> Section(string heading, string? after = null)
    {
        var from = after is null ? 0 : Array.IndexOf(Lines, after);
        Assert.True(from >= 0, $"docs/SCENARIOS.md has no section '{after}'");
        var start = Array.IndexOf(Lines, heading, from);
        Assert.True(start >= 0, $"docs/SCENARIOS.md has no section '{heading}'{(after is null ? string.Empty : $" under '{after}'")}");
        var level = heading.TakeWhile(c => c == '#').Count();
        var section = new List<string> { heading };
        var fenced = false;
        foreach (var line in Lines.Skip(start + 1))
        {
            fenced ^= line.StartsWith("```", StringComparison.Ordinal);
            if (!fenced && Heading().Match(line) is { Success: true } h && h.Groups[1].Value.Length <= level)
            {
                break;
            }

            section.Add(line);
        }

        return section;
    }

    /// <summary>The backquoted names in the first cell of a section's table rows (e.g. <c>| `firstSeen`, `lastSeen` |</c>).</summary>
    private static HashSet<string> RowNames(List<string> section) =>
        section
            .Where(line => line.StartsWith("| ", StringComparison.Ordinal))
            .Select(line => line.Split('|')[1])
            .SelectMany(cell => Quoted().Matches(cell).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<(string Name, Type Type)> JsonProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name, p.PropertyType));

    [Fact]
    public async Task ScenarioDoc_EveryStepKindTheLoaderAccepts_HasARow()
    {
        var file = Path.Combine(Path.GetTempPath(), $"steps-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"start": "2026-11-25T10:00:00Z", "steps": [{"no-such-step": {}}]}""");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            Assert.Equal(2, await CliApp.RunAsync(["simulate", file], stdout, stderr));
        }
        finally
        {
            File.Delete(file);
        }

        // The loader names the step kinds it accepts: "must have exactly one of azure, event, ... (plus an optional at)".
        var accepted = AcceptedSteps().Match(stderr.ToString());
        Assert.True(accepted.Success, stderr.ToString());
        var steps = Section("## Steps");
        foreach (var kind in accepted.Groups[1].Value.Split(", "))
        {
            Assert.True(steps.Any(line => line.StartsWith($"| [`{{\"{kind}\":", StringComparison.Ordinal)), $"docs/SCENARIOS.md, Steps: no row for the step '{kind}'");
            Assert.True(steps.Any(line => line.StartsWith($"### `{kind}", StringComparison.Ordinal)), $"docs/SCENARIOS.md, Steps: no section for the step '{kind}'");
        }
    }

    [Fact]
    public void ScenarioDoc_EveryResultField_HasARowAndItsItemsFieldsARow()
    {
        var topLevel = RowNames(Section("## The result"));
        var missing = new List<string>();
        foreach (var (name, type) in JsonProperties(typeof(SimulationResult)))
        {
            if (!topLevel.Contains(name))
            {
                missing.Add($"result field '{name}'");
            }

            var item = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : null;
            if (item is null)
            {
                continue;
            }

            var rows = RowNames(Section($"### `{name}`", after: "## The result"));
            missing.AddRange(JsonProperties(item).Where(p => !rows.Contains(p.Name)).Select(p => $"'{name}[].{p.Name}'"));
        }

        Assert.True(missing.Count == 0, "docs/SCENARIOS.md does not describe: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"^(#{1,6}) ")]
    private static partial Regex Heading();

    [GeneratedRegex("`([A-Za-z][A-Za-z0-9]*)`")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"must have exactly one of ([a-z, ]+) \(plus")]
    private static partial Regex AcceptedSteps();
}
