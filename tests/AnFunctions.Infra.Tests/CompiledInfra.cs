using System.Text.Json;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// Builds and lints every .bicep file under infra/ once per test run (both in parallel, with infra/bicepconfig.json),
/// and holds the compiled ARM JSON of the two entry points.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    private readonly string outputDirectory = Path.Combine(Path.GetTempPath(), $"anfunctions-infra-{Guid.NewGuid():N}");

    internal BicepRun Build { get; private set; } = null!;

    internal BicepRun Lint { get; private set; } = null!;

    /// <summary>The .bicep files under infra/, relative to it.</summary>
    internal IReadOnlyList<string> BicepFiles { get; private set; } = [];

    /// <summary>Compiled main.bicep: what <c>azd provision</c> deploys.</summary>
    internal ArmTemplate Main { get; private set; } = null!;

    /// <summary>Compiled event-subscriptions.bicep: what the postdeploy hook deploys.</summary>
    internal ArmTemplate EventSubscriptions { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        BicepFiles = Directory.EnumerateFiles(BicepCli.InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(BicepCli.InfraDirectory, path))
            .Order(StringComparer.Ordinal)
            .ToList();

        Directory.CreateDirectory(outputDirectory);
        var build = BicepCli.RunAsync(BicepCli.InfraDirectory, "build", "--pattern", "**/*.bicep", "--outdir", outputDirectory);
        var lint = BicepCli.RunAsync(BicepCli.InfraDirectory, "lint", "--pattern", "**/*.bicep");
        Build = await build;
        Lint = await lint;

        Main = Load("main.json");
        EventSubscriptions = Load("event-subscriptions.json");
    }

    /// <summary>The compiled JSON of an infra .bicep file (path relative to infra/), or null when it was not built.</summary>
    internal string? CompiledPath(string bicepFile)
    {
        var path = Path.Combine(outputDirectory, Path.ChangeExtension(bicepFile, ".json"));
        return File.Exists(path) ? path : null;
    }

    public Task DisposeAsync()
    {
        Main?.Dispose();
        EventSubscriptions?.Dispose();
        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }

    private ArmTemplate Load(string file)
    {
        var path = Path.Combine(outputDirectory, file);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{file} was not compiled.\n{Build}");
        }

        return new ArmTemplate(JsonDocument.Parse(File.ReadAllText(path)), File.ReadAllText(path));
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledInfraCollection : ICollectionFixture<CompiledInfra>
{
    public const string Name = "compiled infra";
}
