using System.Text.Json.Nodes;

namespace AnFunctions.Tests.Wiring;

/// <summary>
/// What the CLI and the HTTP API library are built from, read from their build's <c>.deps.json</c> (every project and
/// package they pull in, transitively): neither contains the Functions host or a Functions worker package, so building
/// <c>an</c> never builds the host (whose generated extension project prints restore warnings on standard output).
/// And the boundary of Core: no Azure SDK, no project of ours, no adapter (in-memory stores, storage limits, State
/// settings); the in-memory adapters themselves need nothing but Core.
/// </summary>
public sealed class ProjectDependencyTests
{
    /// <summary>
    /// Storage limits and settings only the adapters apply; <c>PruneLimits</c> is not one (it is the retention
    /// pruner's budget per run, which Core decides and hands to every <c>IPrunableStore</c>).
    /// </summary>
    private static readonly string[] AdapterOnlyTypes = ["StateLimits", "FindingLimits", "StateOptions", "StateStoreKind"];

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

    [Fact]
    public void Core_Types_AreDomainOnly_NoInMemoryAdapterNorStorageLimits()
    {
        // Core holds ports, decisions and domain types: the in-memory adapters and the Table Storage limits live in
        // AnFunctions.InMemory, the State settings in Infrastructure.
        var core = typeof(global::AnFunctions.Core.Decisions.PoolReconciler).Assembly;
        var names = core.GetTypes().Where(t => !t.IsNested && t.Namespace?.StartsWith("AnFunctions", StringComparison.Ordinal) == true).Select(t => t.Name).ToList();

        Assert.Contains("IStateStore", names); // not vacuous: Core's own types are read
        Assert.DoesNotContain(names, n => n.StartsWith("InMemory", StringComparison.Ordinal));
        Assert.Empty(names.Intersect(AdapterOnlyTypes));
        Assert.DoesNotContain(names, n => n.EndsWith("Limits", StringComparison.Ordinal) && n != "PruneLimits");
    }

    [Fact]
    public void Core_References_NoProjectOfOurs()
    {
        var referenced = typeof(global::AnFunctions.Core.Decisions.PoolReconciler).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(referenced, name => name.StartsWith("AnFunctions", StringComparison.Ordinal));
    }

    [Fact]
    public void InMemory_Dependencies_AreCoreWithoutAzureSdk()
    {
        // The in-memory adapters serve Core.Tests, which must stay free of the Azure SDK too.
        var inMemory = typeof(global::AnFunctions.InMemory.State.InMemoryStateStore).Assembly;
        var referenced = inMemory.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Equal("AnFunctions.InMemory", inMemory.GetName().Name);
        Assert.Contains("AnFunctions.Core", referenced);
        Assert.DoesNotContain(referenced, name => name.StartsWith("Azure", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Microsoft.Azure", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(referenced, name => name.StartsWith("AnFunctions.", StringComparison.Ordinal) && name != "AnFunctions.Core");
    }
}
