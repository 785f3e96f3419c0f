using System.Text.Json;
using AnFunctions.Api.Auth;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// App Service authentication for people (Microsoft Entra ID), as compiled: on when an app registration is given,
/// 401 for unauthenticated calls, Event Grid's webhook let through, and the app told to check roles; the app roles of
/// the registration are the ones the app checks.
/// </summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class AuthTests(CompiledInfra infra)
{
    private ArmResource AuthSettings() =>
        Assert.Single(infra.Main.Declared("Microsoft.Web/sites/config"), r => r.Name.Contains("'authsettingsV2'", StringComparison.Ordinal));

    [Fact]
    public void AuthSettings_AppRegistrationGiven_RequireEntraIdAndReturn401()
    {
        var auth = AuthSettings();

        Assert.Equal("[not(empty(parameters('authClientId')))]", auth.Element.GetProperty("condition").GetString());
        Assert.True(auth.Property("platform.enabled").GetBoolean());
        Assert.True(auth.Property("globalValidation.requireAuthentication").GetBoolean());
        Assert.Equal("Return401", auth.Property("globalValidation.unauthenticatedClientAction").GetString());
        Assert.True(auth.Property("identityProviders.azureActiveDirectory.enabled").GetBoolean());
        // Resolved through the module: main.bicep passes its apiClientId.
        Assert.Equal("[parameters('apiClientId')]", auth.Property("identityProviders.azureActiveDirectory.registration.clientId").GetString());
        Assert.Equal(
            "[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, parameters('authTenantId'))]",
            auth.Property("identityProviders.azureActiveDirectory.registration.openIdIssuer").GetString());
        Assert.Equal(
            ["[format('api://{0}', parameters('authClientId'))]", "[parameters('authClientId')]"],
            auth.Property("identityProviders.azureActiveDirectory.validation.allowedAudiences").EnumerateArray().Select(a => a.GetString()));
        Assert.True(auth.Property("httpSettings.requireHttps").GetBoolean());
        Assert.False(auth.Property("login.tokenStore.enabled").GetBoolean());
    }

    [Fact]
    public void AuthSettings_ExcludedPaths_AreExactlyTheEventGridWebhook()
    {
        var excluded = AuthSettings().Property("globalValidation.excludedPaths").EnumerateArray()
            .Select(p => AuthSettings().Resolve(p).GetString())
            .ToList();

        // The host's Event Grid extension endpoint (Event Grid carries the system key, never an Entra ID token).
        Assert.Equal(["/runtime/webhooks/eventgrid"], excluded);
    }

    [Fact]
    public void AppSettings_AuthEnabled_FollowsTheAppRegistration()
    {
        var settings = Assert.Single(infra.Main.Declared("Microsoft.Web/sites/config"), r => r.Name.Contains("'appsettings'", StringComparison.Ordinal));
        var pairs = ArmTemplate.CreateObjectPairs(settings.Properties.GetString()!);
        var key = $"{ApiAuthOptions.Section}__{nameof(ApiAuthOptions.Enabled)}";

        Assert.Equal("if(empty(parameters('authClientId')), 'false', 'true')", pairs[key]);
    }

    [Fact]
    public void Main_ApiClientId_ReachesTheAppAndAzd()
    {
        Assert.Equal("[parameters('apiClientId')]", infra.Main.Module("api").ModuleParameter("authClientId").GetString());
        Assert.Equal(string.Empty, infra.Main.Root.GetProperty("parameters").GetProperty("apiClientId").GetProperty("defaultValue").GetString());
        using var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "main.parameters.json")));
        Assert.Equal("${AN_API_CLIENT_ID}", parameters.RootElement.GetProperty("parameters").GetProperty("apiClientId").GetProperty("value").GetString());
    }

    [Fact]
    public void AppRoles_File_DefinesExactlyTheRolesTheAppChecks()
    {
        using var roles = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "app", "app-roles.json")));

        var values = roles.RootElement.EnumerateArray().Select(r => r.GetProperty("value").GetString()).Order(StringComparer.Ordinal);

        Assert.Equal(new[] { ApiRoles.Value(ApiRole.Operator), ApiRoles.Value(ApiRole.Reader) }.Order(StringComparer.Ordinal), values);
        Assert.All(roles.RootElement.EnumerateArray(), r =>
        {
            Assert.True(Guid.TryParse(r.GetProperty("id").GetString(), out _));
            Assert.True(r.GetProperty("isEnabled").GetBoolean());
            Assert.Contains("User", r.GetProperty("allowedMemberTypes").EnumerateArray().Select(t => t.GetString()));
        });
    }
}
