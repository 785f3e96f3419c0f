using System.Text.Json.Nodes;

namespace AnFunctions.Tests.Wiring;

/// <summary>
/// What the CLI and the HTTP API library are built from, read from their build's <c>.deps.json</c> (every project and
/// package they pull in, transitively): neither contains the Functions host or a Functions worker package, so building
/// <c>an</c> never builds the host (whose generated extension project prints restore warnings on standard output).
/// </summary>
public sealed class ProjectDependencyTests
{
    private static List<string> Libraries(string project, string assembly)
    {
        var path = Path.Combine(RepoPaths.Root, "src", project, "bin", RepoPaths.Configuration, "net10.0", assembly + ".deps.json");
        return JsonNode.Parse(File.ReadAllText(path))!["libraries"]!.AsObject().Select(l => l.Key).ToList();
    }

    [Theory]
    [InlineData("AnFunctions.Cli", "an")]
    [InlineData("AnFunctions.Api", "AnFunctions.Api")]
    public void Build_Dependencies_HaveNeitherTheFunctionsHostNorTheWorker(string project, string assembly)
    {
        var libraries = Libraries(project, assembly);

        Assert.Contains(libraries, l => l.StartsWith("AnFunctions.Core/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("AnFunctions/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.Azure.Functions.", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Cli_Dependencies_IncludeTheApiLibrary()
    {
        Assert.Contains(Libraries("AnFunctions.Cli", "an"), l => l.StartsWith("AnFunctions.Api/", StringComparison.Ordinal));
    }

    [Fact]
    public void Core_Dependencies_HaveNoAzureSdk()
    {
        // The domain decides from plain types; the adapters (Infrastructure) translate Azure's.
        var referenced = typeof(global::AnFunctions.Core.Decisions.PoolReconciler).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(referenced, name => name.StartsWith("Azure", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Microsoft.Azure", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("AnFunctions.Core", typeof(global::AnFunctions.Core.Decisions.PoolReconciler).Assembly.GetName().Name, StringComparison.Ordinal);
    }
}
