using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AnFunctions.Infra.Tests;

/// <summary>azure.yaml, the parameters file, the postdeploy hook and the deploy docs agree with the templates.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class AzdTests(CompiledInfra infra)
{
    private static readonly string Root = BicepCli.RepositoryRoot;

    [Fact]
    public void Parameters_EveryValue_IsAnAzdPlaceholder()
    {
        foreach (var (name, value) in ParameterFileValues())
        {
            Assert.Equal(JsonValueKind.String, value.ValueKind);
            Assert.True(Placeholder().IsMatch(value.GetString()!), $"{name}: '{value}' is not an azd placeholder");
        }
    }

    [Fact]
    public void Parameters_Names_MatchMainParameters()
    {
        var declared = infra.Main.Root.GetProperty("parameters");
        var supplied = ParameterFileValues().Select(p => p.Name).ToList();

        Assert.All(supplied, name => Assert.True(declared.TryGetProperty(name, out _), $"main.bicep has no parameter {name}"));
        var required = declared.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)).Select(p => p.Name);
        Assert.All(required, name => Assert.Contains(name, supplied));
    }

    [Fact]
    public void AzureYaml_Service_IsTheFunctionProjectWithThePostdeployHook()
    {
        var yaml = File.ReadAllText(Path.Combine(Root, "azure.yaml"));

        Assert.Matches(@"(?m)^services:\s*\n\s+api:\s*\n\s+project: \./src/AnFunctions/?\s*\n\s+language: dotnet\s*\n\s+host: function\s*$", yaml);
        Assert.Matches(@"(?m)^\s+postdeploy:\s*$", yaml);
        Assert.Matches(@"(?m)^\s+run: \./scripts/post-up\.sh\s*$", yaml);
        Assert.True(File.Exists(Path.Combine(Root, "src", "AnFunctions", "AnFunctions.csproj")));
        Assert.True(File.Exists(Path.Combine(Root, "scripts", "post-up.sh")));
    }

    [Fact]
    public async Task PostUpHook_WithMainOutputs_DeploysEventSubscriptionsWithEveryParameter()
    {
        using var stub = new AzStub(exitCode: 0);
        var run = await RunHook(stub, MainOutputEnvironment());

        Assert.True(run.ExitCode == 0, run.Output);
        var arguments = Assert.Single(stub.Calls());
        Assert.Equal(["deployment", "sub", "create"], arguments.Take(3));
        Assert.Equal(
            Path.GetFullPath(Path.Combine(BicepCli.InfraDirectory, "event-subscriptions.bicep")),
            Path.GetFullPath(Option(arguments, "--template-file")));
        Assert.Equal("00000000-0000-0000-0000-0000000000aa", Option(arguments, "--subscription"));

        var passed = arguments.SkipWhile(a => a != "--parameters").Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal))
            .Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var declared = infra.EventSubscriptions.Root.GetProperty("parameters");
        Assert.All(passed.Keys, name => Assert.True(declared.TryGetProperty(name, out _), $"event-subscriptions.bicep has no parameter {name}"));
        var required = declared.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)).Select(p => p.Name);
        Assert.All(required, name => Assert.Contains(name, passed.Keys));
        Assert.Equal(
            ["00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb"],
            JsonSerializer.Deserialize<string[]>(passed["targetSubscriptionIds"])!);
    }

    [Fact]
    public async Task PostUpHook_WhenTheDeploymentKeepsFailing_RetriesThenFails()
    {
        using var stub = new AzStub(exitCode: 1);
        var environment = MainOutputEnvironment();
        environment["POST_UP_ATTEMPTS"] = "2";
        environment["POST_UP_RETRY_SECONDS"] = "0";

        var run = await RunHook(stub, environment);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, stub.Calls().Count);
    }

    [Fact]
    public async Task PostUpHook_WithoutProvisionOutputs_FailsBeforeCallingAzure()
    {
        using var stub = new AzStub(exitCode: 0);

        var run = await RunHook(stub, new Dictionary<string, string>());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("missing environment values", run.Output, StringComparison.Ordinal);
        Assert.Empty(stub.Calls());
    }

    [Fact]
    public void Readme_DeploySteps_MatchTheTemplates()
    {
        var readme = File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "README.md"));

        foreach (var variable in ParameterFileValues().Select(p => Placeholder().Match(p.Value.GetString()!).Groups["name"].Value)
                     .Where(v => v.StartsWith("AN_", StringComparison.Ordinal)))
        {
            Assert.Contains(variable, readme, StringComparison.Ordinal);
        }

        foreach (var text in new[] { "azd up", "az deployment sub create", "azd down", "app/permissions.json", "AcceleratedNetworking__DryRun", "scripts/post-up.sh", "event-subscriptions.bicep" })
        {
            Assert.Contains(text, readme, StringComparison.Ordinal);
        }
    }

    /// <summary>main.bicep's outputs, as azd hands them to hooks, plus the values azd always sets.</summary>
    private Dictionary<string, string> MainOutputEnvironment()
    {
        var sample = new Dictionary<string, string>
        {
            ["AZURE_LOCATION"] = "westeurope",
            ["AZURE_TENANT_ID"] = "00000000-0000-0000-0000-000000000001",
            ["AZURE_RESOURCE_GROUP"] = "rg-dev",
            ["AZURE_FUNCTION_APP_NAME"] = "func-an-abc",
            ["AZURE_KEY_VAULT_NAME"] = "kv-abc",
            ["AZURE_STORAGE_ACCOUNT_NAME"] = "stabc",
            ["EVENTGRID_TARGET_SUBSCRIPTION_IDS"] = "00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb",
            ["EVENTGRID_RESOURCE_GROUP"] = "rg-dev",
            ["EVENTGRID_SYSTEM_TOPIC_NAME"] = "evgst-an-abc",
            ["EVENTGRID_DEAD_LETTER_CONTAINER"] = "deadletter",
        };

        var outputs = infra.Main.Root.GetProperty("outputs").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(outputs.Order(StringComparer.Ordinal), sample.Keys.Order(StringComparer.Ordinal));

        sample["AZURE_ENV_NAME"] = "dev";
        sample["AZURE_SUBSCRIPTION_ID"] = "00000000-0000-0000-0000-0000000000aa";
        return sample;
    }

    private static async Task<(int ExitCode, string Output)> RunHook(AzStub stub, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Root, "scripts", "post-up.sh"));
        start.Environment.Clear(); // only what azd would hand over
        start.Environment["PATH"] = $"{stub.Directory}:/usr/bin:/bin";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string Option(IReadOnlyList<string> arguments, string name)
    {
        var index = arguments.ToList().IndexOf(name);
        Assert.True(index >= 0 && index + 1 < arguments.Count, $"{name} missing: {string.Join(' ', arguments)}");
        return arguments[index + 1];
    }

    private static List<(string Name, JsonElement Value)> ParameterFileValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "main.parameters.json")));
        return document.RootElement.GetProperty("parameters").EnumerateObject()
            .Select(p => (p.Name, p.Value.GetProperty("value").Clone()))
            .ToList();
    }

    [GeneratedRegex(@"^\$\{(?<name>[A-Z][A-Z0-9_]*)(=[^}]*)?\}$")]
    private static partial Regex Placeholder();

    /// <summary>A fake <c>az</c> on PATH that records each call's arguments (one per line) and exits with a fixed code.</summary>
    private sealed class AzStub : IDisposable
    {
        public AzStub(int exitCode)
        {
            Directory = Path.Combine(Path.GetTempPath(), $"az-stub-{Guid.NewGuid():N}");
            System.IO.Directory.CreateDirectory(Directory);
            var script = Path.Combine(Directory, "az");
            File.WriteAllText(
                script,
                $"#!/bin/sh\nn=$(ls \"{Directory}\" | grep -c '^call-' || true)\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"{Directory}/call-$n\"\nexit {exitCode}\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public string Directory { get; }

        public IReadOnlyList<IReadOnlyList<string>> Calls() =>
            System.IO.Directory.EnumerateFiles(Directory, "call-*").Order(StringComparer.Ordinal)
                .Select(file => (IReadOnlyList<string>)File.ReadAllLines(file))
                .ToList();

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
