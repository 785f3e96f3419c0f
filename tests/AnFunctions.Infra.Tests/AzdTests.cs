using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// azure.yaml, the parameters file, the postdeploy hooks (scripts/post-up.sh, and post-up.ps1 for Windows, run here
/// with the PowerShell of the repository's dotnet tool manifest) and the deploy docs agree with the templates.
/// </summary>
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

    public static TheoryData<string> Hooks() => new(HookScripts.Keys);

    [Fact]
    public void AzureYaml_Service_IsTheFunctionProjectWithAPostdeployHookPerPlatform()
    {
        var yaml = File.ReadAllText(Path.Combine(Root, "azure.yaml"));

        Assert.Matches(@"(?m)^services:\s*\n\s+api:\s*\n\s+project: \./src/AnFunctions/?\s*\n\s+language: dotnet\s*\n\s+host: function\s*$", yaml);
        Assert.Matches(@"(?m)^\s+postdeploy:\s*$", yaml);
        Assert.Matches(@"(?m)^\s+posix:\s*\n\s+shell: sh\s*\n\s+run: \./scripts/post-up\.sh\s*\n\s+interactive: true\s*\n\s+continueOnError: false\s*$", yaml);
        Assert.Matches(@"(?m)^\s+windows:\s*\n\s+shell: pwsh\s*\n\s+run: \./scripts/post-up\.ps1\s*\n\s+interactive: true\s*\n\s+continueOnError: false\s*$", yaml);
        Assert.True(File.Exists(Path.Combine(Root, "src", "AnFunctions", "AnFunctions.csproj")));
        Assert.All(HookScripts.Values, script => Assert.True(File.Exists(Path.Combine(Root, "scripts", script)), script));
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public async Task PostUpHook_WithMainOutputs_DeploysEventSubscriptionsWithEveryParameter(string hook)
    {
        using var stub = new AzStub(exitCode: 0);
        var environment = MainOutputEnvironment();

        var run = await RunHook(hook, stub, environment);

        Assert.True(run.ExitCode == 0, run.Output);
        var call = Assert.Single(stub.Calls());
        Assert.Equal(["deployment", "sub", "create"], call.Words);
        Assert.Equal(
            Path.GetFullPath(Path.Combine(BicepCli.InfraDirectory, "event-subscriptions.bicep")),
            Path.GetFullPath(call.Options["--template-file"]!));
        Assert.Equal("00000000-0000-0000-0000-0000000000aa", call.Options["--subscription"]);
        Assert.Equal("westeurope", call.Options["--location"]);
        Assert.Equal("an-event-subscriptions-dev", call.Options["--name"]);

        var declared = infra.EventSubscriptions.Root.GetProperty("parameters");
        Assert.All(call.Parameters.Keys, name => Assert.True(declared.TryGetProperty(name, out _), $"event-subscriptions.bicep has no parameter {name}"));
        var required = declared.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)).Select(p => p.Name);
        Assert.All(required, name => Assert.Contains(name, call.Parameters.Keys));
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(environment["EVENTGRID_SYSTEM_TOPICS"]), call.Parameters["systemTopics"]),
            $"systemTopics: {call.Parameters["systemTopics"]?.ToJsonString()}");
        Assert.Equal("rg-dev", (string?)call.Parameters["resourceGroupName"]);
        Assert.Equal("func-an-abc", (string?)call.Parameters["functionAppName"]);
    }

    /// <summary>The Windows hook is a translation of the POSIX one: for the same outputs, the same az call and parameters.</summary>
    [Fact]
    public async Task PostUpHooks_SameOutputs_SendTheSameDeployment()
    {
        var calls = new Dictionary<string, AzCall>();
        foreach (var hook in HookScripts.Keys)
        {
            using var stub = new AzStub(exitCode: 0);
            var run = await RunHook(hook, stub, MainOutputEnvironment());
            Assert.True(run.ExitCode == 0, $"{hook}: {run.Output}");
            calls[hook] = Assert.Single(stub.Calls());
        }

        var (sh, pwsh) = (calls["sh"], calls["pwsh"]);
        Assert.Equal(sh.Words, pwsh.Words);
        static IEnumerable<KeyValuePair<string, string?>> Plain(AzCall call) =>
            call.Options.Where(o => o.Key is not "--template-file" and not "--parameters").OrderBy(o => o.Key, StringComparer.Ordinal);
        Assert.Equal(Plain(sh), Plain(pwsh));
        Assert.Equal(Path.GetFullPath(sh.Options["--template-file"]!), Path.GetFullPath(pwsh.Options["--template-file"]!));
        Assert.Equal(sh.Parameters.Keys.Order(StringComparer.Ordinal), pwsh.Parameters.Keys.Order(StringComparer.Ordinal));
        Assert.All(sh.Parameters, p => Assert.True(
            JsonNode.DeepEquals(p.Value, pwsh.Parameters[p.Key]),
            $"{p.Key}: sh {p.Value?.ToJsonString()}, pwsh {pwsh.Parameters[p.Key]?.ToJsonString()}"));
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public async Task PostUpHook_WhenTheDeploymentKeepsFailing_RetriesThenFails(string hook)
    {
        using var stub = new AzStub(exitCode: 1);
        var environment = MainOutputEnvironment();
        environment["POST_UP_ATTEMPTS"] = "2";
        environment["POST_UP_RETRY_SECONDS"] = "0";

        var run = await RunHook(hook, stub, environment);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, stub.Calls().Count);
        Assert.Contains($"re-run ./scripts/{HookScripts[hook]}", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public async Task PostUpHook_WithoutProvisionOutputs_FailsBeforeCallingAzure(string hook)
    {
        using var stub = new AzStub(exitCode: 0);

        var run = await RunHook(hook, stub, new Dictionary<string, string>());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("missing environment values", run.Output, StringComparison.Ordinal);
        Assert.Contains("EVENTGRID_SYSTEM_TOPICS", run.Output, StringComparison.Ordinal);
        Assert.Empty(stub.Calls());
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public async Task PostUpHook_WithoutAzureCli_FailsNamingIt(string hook)
    {
        using var stub = new AzStub(exitCode: 0, installed: false);

        var run = await RunHook(hook, stub, MainOutputEnvironment());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'az' is not installed", run.Output, StringComparison.Ordinal);
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

        foreach (var text in new[] { "azd up", "az deployment sub create", "azd down", "app/permissions.json", "AcceleratedNetworking__DryRun", "scripts/post-up.sh", "scripts/post-up.ps1", "event-subscriptions.bicep", "existingSystemTopics", "AN_EXISTING_SYSTEM_TOPICS" })
        {
            Assert.Contains(text, readme, StringComparison.Ordinal);
        }
    }

    /// <summary>The hook scripts azure.yaml runs, by the shell that runs them.</summary>
    private static readonly Dictionary<string, string> HookScripts = new(StringComparer.Ordinal)
    {
        ["sh"] = "post-up.sh",
        ["pwsh"] = "post-up.ps1",
    };

    /// <summary>
    /// main.bicep's outputs, as azd hands them to hooks (arrays as JSON), plus the values azd always sets. The system
    /// topics are main.bicep's own output, evaluated for two targets, one of them reusing an existing topic.
    /// </summary>
    private Dictionary<string, string> MainOutputEnvironment()
    {
        var main = ArmEvaluator.For(infra.Main.Text, "00000000-0000-0000-0000-0000000000aa", new Dictionary<string, JsonNode?>
        {
            ["environmentName"] = "dev",
            ["location"] = "westeurope",
            ["targetSubscriptionIds"] = new JsonArray("00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb"),
            ["existingSystemTopics"] = new JsonArray(
                new JsonObject { ["subscriptionId"] = "00000000-0000-0000-0000-0000000000bb", ["resourceGroupName"] = "rg-events", ["name"] = "subscription-events" }),
        });
        var sample = new Dictionary<string, string>
        {
            ["AZURE_LOCATION"] = "westeurope",
            ["AZURE_TENANT_ID"] = "00000000-0000-0000-0000-000000000001",
            ["AZURE_RESOURCE_GROUP"] = "rg-dev",
            ["AZURE_FUNCTION_APP_NAME"] = "func-an-abc",
            ["AZURE_KEY_VAULT_NAME"] = "kv-abc",
            ["AZURE_STORAGE_ACCOUNT_NAME"] = "stabc",
            ["EVENTGRID_SYSTEM_TOPICS"] = main.Output("EVENTGRID_SYSTEM_TOPICS")!.ToJsonString(),
            ["EVENTGRID_DEAD_LETTER_CONTAINER"] = "deadletter",
        };

        var outputs = infra.Main.Root.GetProperty("outputs").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(outputs.Order(StringComparer.Ordinal), sample.Keys.Order(StringComparer.Ordinal));

        sample["AZURE_ENV_NAME"] = "dev";
        sample["AZURE_SUBSCRIPTION_ID"] = "00000000-0000-0000-0000-0000000000aa";
        return sample;
    }

    /// <summary>Runs a hook as azd would: with the azd environment only (plus what <c>dotnet tool run</c> needs to start PowerShell).</summary>
    private static async Task<(int ExitCode, string Output)> RunHook(string hook, AzStub stub, IDictionary<string, string> environment)
    {
        var script = Path.Combine(Root, "scripts", HookScripts[hook]);
        ProcessStartInfo start;
        if (hook == "sh")
        {
            start = new ProcessStartInfo("/bin/sh") { ArgumentList = { script } };
        }
        else
        {
            await PowerShell.Restored;
            start = new ProcessStartInfo(PowerShell.Dotnet) { ArgumentList = { "tool", "run", "pwsh", "-NoProfile", "-NonInteractive", "-File", script } };
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = Root;
        start.Environment.Clear(); // only what azd would hand over
        start.Environment["PATH"] = stub.Installed ? $"{stub.Directory}:/usr/bin:/bin" : stub.Directory;
        if (hook == "pwsh")
        {
            foreach (var name in new[] { "HOME", "DOTNET_ROOT", "NUGET_PACKAGES" })
            {
                if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                {
                    start.Environment[name] = value;
                }
            }

            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout + await stderr);
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

    /// <summary>
    /// One call of <c>az</c>: its leading words, its options (value, or null for a flag) and the deployment parameters,
    /// from <c>name=value</c> arguments (a JSON array or object read as JSON, as az does) or from an <c>@file</c>.
    /// </summary>
    private sealed record AzCall(IReadOnlyList<string> Words, IReadOnlyDictionary<string, string?> Options, IReadOnlyDictionary<string, JsonNode?> Parameters)
    {
        public static AzCall Parse(IReadOnlyList<string> arguments, Func<string, string> readFile)
        {
            var words = arguments.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
            var options = new Dictionary<string, string?>(StringComparer.Ordinal);
            var parameters = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            for (var i = words.Count; i < arguments.Count; i++)
            {
                var option = arguments[i];
                var values = arguments.Skip(i + 1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
                i += values.Count;
                Assert.True(options.TryAdd(option, values.Count == 0 ? null : string.Join(' ', values)), $"{option} given twice");
                if (option != "--parameters")
                {
                    continue;
                }

                foreach (var value in values)
                {
                    if (value.StartsWith('@'))
                    {
                        foreach (var (name, parameter) in JsonNode.Parse(readFile(value[1..]))!["parameters"]!.AsObject())
                        {
                            parameters.Add(name, parameter!["value"]?.DeepClone());
                        }
                    }
                    else
                    {
                        var pair = value.Split('=', 2);
                        parameters.Add(pair[0], pair[1].TrimStart() is ['[' or '{', ..] ? JsonNode.Parse(pair[1]) : JsonValue.Create(pair[1]));
                    }
                }
            }

            return new AzCall(words, options, parameters);
        }
    }

    /// <summary>
    /// A fake <c>az</c> on PATH that records each call's arguments (one per line) and a copy of any <c>@file</c> it is
    /// given (the hooks delete theirs), and exits with a fixed code. Not installed: PATH holds only an empty folder.
    /// </summary>
    private sealed class AzStub : IDisposable
    {
        private readonly string records = Path.Combine(Path.GetTempPath(), $"az-calls-{Guid.NewGuid():N}");

        public AzStub(int exitCode, bool installed = true)
        {
            Installed = installed;
            Directory = Path.Combine(Path.GetTempPath(), $"az-stub-{Guid.NewGuid():N}");
            System.IO.Directory.CreateDirectory(Directory);
            System.IO.Directory.CreateDirectory(records);
            if (!installed)
            {
                return;
            }

            var script = Path.Combine(Directory, "az");
            File.WriteAllText(
                script,
                $$"""
                #!/bin/sh
                n=$(ls "{{records}}" | grep -c '^call-' || true)
                for a in "$@"; do
                  printf '%s\n' "$a"
                  case "$a" in @*) cp "${a#@}" "{{records}}/file-$n" ;; esac
                done > "{{records}}/call-$n"
                exit {{exitCode}}

                """);
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public bool Installed { get; }

        public string Directory { get; }

        public IReadOnlyList<AzCall> Calls() =>
            System.IO.Directory.EnumerateFiles(records, "call-*").Order(StringComparer.Ordinal)
                .Select(file => AzCall.Parse(
                    File.ReadAllLines(file),
                    _ => File.ReadAllText(Path.Combine(records, "file-" + Path.GetFileName(file)["call-".Length..]))))
                .ToList();

        public void Dispose()
        {
            System.IO.Directory.Delete(Directory, recursive: true);
            System.IO.Directory.Delete(records, recursive: true);
        }
    }

    /// <summary>PowerShell 7 from the repository's dotnet tool manifest (dotnet-tools.json), restored once per run.</summary>
    private static class PowerShell
    {
        public static readonly string Dotnet = FindDotnet();

        public static readonly Task Restored = RestoreAsync();

        private static string FindDotnet() =>
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
                ? host
                : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                    .Select(dir => Path.Combine(dir, "dotnet"))
                    .FirstOrDefault(File.Exists)
                  ?? throw new InvalidOperationException("dotnet was not found on PATH");

        private static async Task RestoreAsync()
        {
            var start = new ProcessStartInfo(Dotnet)
            {
                ArgumentList = { "tool", "restore" },
                WorkingDirectory = Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet tool restore failed ({process.ExitCode}): {await stdout}{await stderr}");
            }
        }
    }
}
