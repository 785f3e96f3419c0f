using System.Text.Json;

namespace AnFunctions.Infra.Tests;

/// <summary>The Function App's settings: identity-based connections, no secret or key, Key Vault references for the sinks.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class AppSettingsTests(CompiledInfra infra)
{
    // Markers of a secret or key written into a template: a storage key or SAS, a list*() call returning keys or
    // secrets, a secure parameter flowing into settings.
    private static readonly string[] SecretMarkers =
    [
        "AccountKey=", "SharedAccessSignature", "SharedAccessKey", "sig=", "listKeys(", "listKeys (", "listSecrets(",
        "listAccountSas(", "listServiceSas(", "listConnectionStrings(", "InstrumentationKey=",
    ];

    public static TheoryData<string> RequiredSettings => new()
    {
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "AZURE_CLIENT_ID",
        "Arm__ManagedIdentityClientId",
        "State__Store",
        "State__TableServiceUri",
        "AcceleratedNetworking__Subscriptions",
        "AcceleratedNetworking__DryRun",
        "Audit__Schedule",
    };

    [Theory]
    [MemberData(nameof(RequiredSettings))]
    public void AppSettings_RequiredSetting_IsPresent(string name)
    {
        Assert.True(Settings().ContainsKey(name), $"app setting {name} missing: {SettingsResource().Element}");
    }

    [Fact]
    public void AppSettings_HostStorage_UsesTheManagedIdentity()
    {
        var settings = Settings();

        Assert.Equal("'managedidentity'", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("parameters('storageAccountName')", settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("reference('identity').clientId", settings["AzureWebJobsStorage__clientId"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // no connection string
        Assert.Equal("'Table'", settings["State__Store"]);
        Assert.Equal("reference('storage').primaryEndpoints.table", settings["State__TableServiceUri"]);
    }

    [Fact]
    public void AppSettings_AzureCredential_IsTheUserAssignedIdentity()
    {
        var settings = Settings();

        Assert.Equal("reference('identity').clientId", settings["AZURE_CLIENT_ID"]);
        Assert.Equal("reference('identity').clientId", settings["Arm__ManagedIdentityClientId"]);
        Assert.Equal("format('ClientId={0};Authorization=AAD', reference('identity').clientId)", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void AppSettings_DryRun_DefaultsToTrue()
    {
        Assert.Equal("if(parameters('dryRun'), 'true', 'false')", Settings()["AcceleratedNetworking__DryRun"]);
        Assert.Equal("[parameters('dryRun')]", infra.Main.Module("api").ModuleParameter("dryRun").GetString());
        Assert.True(infra.Main.Root.GetProperty("parameters").GetProperty("dryRun").GetProperty("defaultValue").GetBoolean());
    }

    [Fact]
    public void AppSettings_Subscriptions_AreTheTargetSubscriptions()
    {
        Assert.Equal("join(parameters('targetSubscriptionIds'), ',')", Settings()["AcceleratedNetworking__Subscriptions"]);
        Assert.Equal("[variables('targets')]", infra.Main.Module("api").ModuleParameter("targetSubscriptionIds").GetString());
    }

    [Fact]
    public void AppSettings_AuditSource_IsTheParameterArmByDefault()
    {
        Assert.Equal("parameters('auditSource')", Settings()["Audit__Source"]);
    }

    [Fact]
    public void AppSettings_NoValue_HoldsASecretOrKey()
    {
        var text = SettingsResource().Element.ToString();

        Assert.All(SecretMarkers, marker => Assert.DoesNotContain(marker, text, StringComparison.OrdinalIgnoreCase));

        // Values come from the identity, the resources and six plain parameters (authClientId: a public client id;
        // auditSource: Arm or ResourceGraph, nothing else compiles): no way in for a secret value.
        var parameters = Settings().Values
            .SelectMany(value => System.Text.RegularExpressions.Regex.Matches(value, @"parameters\('(?<name>[^']+)'\)"))
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal);
        Assert.Subset(new HashSet<string>(["storageAccountName", "targetSubscriptionIds", "dryRun", "auditSchedule", "auditSource", "authClientId"], StringComparer.Ordinal), parameters);
    }

    [Fact]
    public void Templates_Anywhere_ListNoKeysOrSecrets()
    {
        foreach (var template in new[] { infra.Main, infra.EventSubscriptions })
        {
            Assert.All(SecretMarkers, marker => Assert.DoesNotContain(marker, template.Text, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain("secureString", template.Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("secureObject", template.Text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void AppSettings_AlertSinks_AreKeyVaultReferencesOnly()
    {
        var settings = SettingsResource();
        var expression = settings.Properties.GetString()!;
        Assert.EndsWith(", variables('alertSinkSettings'))]", expression, StringComparison.Ordinal);

        var sinkSettings = settings.Template.GetProperty("variables").GetProperty("alertSinkSettings").GetString()!;
        var toObject = ArmTemplate.CallArguments(sinkSettings, "toObject");
        Assert.Equal("parameters('alertSinks')", toObject[0]);
        Assert.StartsWith(
            "lambda('sink', format('@Microsoft.KeyVault(VaultName={0};SecretName={1})', parameters('keyVaultName'),",
            toObject[2],
            StringComparison.Ordinal);

        var secrets = settings.Template.GetProperty("variables").GetProperty("alertSinkSecrets");
        var mapped = secrets.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("setting").GetString());
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Webhook"] = "Alerts__Webhook__Url",
                ["Teams"] = "Alerts__Teams__Url",
                ["Slack"] = "Alerts__Slack__Url",
                ["PagerDuty"] = "Alerts__PagerDuty__RoutingKey",
            },
            mapped);
        Assert.DoesNotContain(Settings().Keys, key => key.StartsWith("Alerts__", StringComparison.Ordinal));
    }

    [Fact]
    public void FunctionApp_KeyVaultReferences_ResolveWithTheUserAssignedIdentity()
    {
        var site = infra.Main.Single("Microsoft.Web/sites");

        Assert.Equal("[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]", site.Property("keyVaultReferenceIdentity").GetString());
        Assert.Equal("UserAssigned", site.Element.GetProperty("identity").GetProperty("type").GetString());
    }

    private ArmResource SettingsResource() =>
        Assert.Single(infra.Main.Declared("Microsoft.Web/sites/config"), r => r.Name.Contains("'appsettings'", StringComparison.Ordinal));

    private IReadOnlyDictionary<string, string> Settings()
    {
        var properties = SettingsResource().Properties;
        Assert.Equal(JsonValueKind.String, properties.ValueKind);
        return ArmTemplate.CreateObjectPairs(properties.GetString()!);
    }
}
