namespace AnFunctions.Infra.Tests;

/// <summary><c>bicep build</c> and <c>bicep lint</c> of every file under infra/ (infra/bicepconfig.json applies).</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class BicepTests(CompiledInfra infra)
{
    [Fact]
    public void Build_EveryBicepFile_SucceedsWithoutDiagnostics()
    {
        // Warnings fail too: BCP081 (an API version bicep has no types for) is only a warning.
        Assert.True(infra.Build.ExitCode == 0 && infra.Build.Diagnostics.Count == 0, infra.Build.ToString());
    }

    [Fact]
    public void Lint_EveryBicepFile_HasNoDiagnostics()
    {
        Assert.True(infra.Lint.ExitCode == 0 && infra.Lint.Diagnostics.Count == 0, infra.Lint.ToString());
    }

    [Fact]
    public void Build_EveryBicepFile_ProducesArmJson()
    {
        Assert.NotEmpty(infra.BicepFiles);
        var missing = infra.BicepFiles.Where(file => infra.CompiledPath(file) is null).ToList();
        Assert.True(missing.Count == 0, $"not compiled: {string.Join(", ", missing)}\n{infra.Build}");
    }

    [Fact]
    public void Bicepconfig_ImportantRules_AreErrors()
    {
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "bicepconfig.json")));
        var rules = config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules");
        string[] important =
        [
            "no-hardcoded-env-urls", "secure-secrets-in-params", "outputs-should-not-contain-secrets",
            "use-secure-value-for-secure-inputs", "no-unused-params", "no-unused-vars", "prefer-interpolation",
            "use-stable-resource-identifiers", "protect-commandtoexecute-secrets", "adminusername-should-not-be-literal",
            "use-resource-symbol-reference", "no-unnecessary-dependson", "simplify-interpolation", "use-parent-property",
            "secure-parameter-default", "artifacts-parameters", "explicit-values-for-loc-params",
        ];

        foreach (var rule in important)
        {
            Assert.True(
                rules.TryGetProperty(rule, out var setting) && setting.GetProperty("level").GetString() == "error",
                $"bicepconfig.json: {rule} should be an error");
        }
    }

    [Fact]
    public void Modules_RegistryReferences_AreNotUsed()
    {
        // br: and ts: modules cannot be restored offline, and would deploy code this repository does not show.
        var registry = new System.Text.RegularExpressions.Regex(@"^\s*module\s+\w+\s+'(br|ts)[:/]", System.Text.RegularExpressions.RegexOptions.Multiline);
        var offenders = infra.BicepFiles
            .Where(file => registry.IsMatch(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, file))))
            .ToList();

        Assert.Empty(offenders);
    }
}
