namespace AnFunctions.Infra.Tests;

/// <summary>Storage, Function App, Key Vault and monitoring settings that keep the deployment locked down.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class ResourceSecurityTests(CompiledInfra infra)
{
    [Fact]
    public void Storage_Account_AllowsOnlyEntraIdOverTls12Https()
    {
        var storage = infra.Main.Single("Microsoft.Storage/storageAccounts");

        Assert.False(storage.Property("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.Property("allowBlobPublicAccess").GetBoolean());
        Assert.True(storage.Property("supportsHttpsTrafficOnly").GetBoolean());
        Assert.True(storage.Property("defaultToOAuthAuthentication").GetBoolean());
        Assert.Equal("TLS1_2", storage.Property("minimumTlsVersion").GetString());
    }

    [Fact]
    public void Storage_BlobService_KeepsVersionsAndDeletedBlobs()
    {
        var blobService = infra.Main.Single("Microsoft.Storage/storageAccounts/blobServices");

        Assert.True(blobService.Property("isVersioningEnabled").GetBoolean());
        Assert.True(blobService.Property("deleteRetentionPolicy.enabled").GetBoolean());
        Assert.True(blobService.Property("containerDeleteRetentionPolicy.enabled").GetBoolean());
    }

    [Fact]
    public void Storage_Containers_AreDeadLetterAndDeploymentOnlyAndPrivate()
    {
        var containers = infra.Main.Declared("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal(2, containers.Count);
        Assert.All(containers, c => Assert.Equal("None", c.Property("publicAccess").GetString()));
        Assert.Equal("deadletter", infra.Main.Root.GetProperty("variables").GetProperty("deadLetterContainerName").GetString());
    }

    [Fact]
    public void FunctionApp_Site_IsHttpsOnlyTls12WithoutFtpsOrRemoteDebugging()
    {
        var site = infra.Main.Single("Microsoft.Web/sites");

        Assert.True(site.Property("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.Property("siteConfig.minTlsVersion").GetString());
        Assert.Equal("1.2", site.Property("siteConfig.scmMinTlsVersion").GetString());
        Assert.Equal("Disabled", site.Property("siteConfig.ftpsState").GetString());
        Assert.False(site.Property("siteConfig.remoteDebuggingEnabled").GetBoolean());
    }

    [Fact]
    public void FunctionApp_BasicPublishingCredentials_AreDisabled()
    {
        var policies = infra.Main.Declared("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal(["ftp", "scm"], policies.Select(p => ArmTemplate.CallArguments(p.Name, "format")[^1].Trim('\'')).Order(StringComparer.Ordinal));
        Assert.All(policies, p => Assert.False(p.Property("allow").GetBoolean()));
    }

    [Fact]
    public void FunctionApp_Hosting_IsFlexConsumptionDotnetIsolated10()
    {
        var plan = infra.Main.Single("Microsoft.Web/serverfarms");
        var site = infra.Main.Single("Microsoft.Web/sites");

        Assert.Equal("FC1", plan.Element.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.Element.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("functionapp,linux", site.Element.GetProperty("kind").GetString());
        Assert.Equal("dotnet-isolated", site.Property("functionAppConfig.runtime.name").GetString());
        Assert.Equal("10.0", site.Property("functionAppConfig.runtime.version").GetString());
        Assert.Equal("UserAssignedIdentity", site.Property("functionAppConfig.deployment.storage.authentication.type").GetString());
    }

    [Fact]
    public void FunctionApp_Tags_NameTheAzdService()
    {
        var site = infra.Main.Single("Microsoft.Web/sites");

        Assert.Contains("'azd-service-name'", site.Element.GetProperty("tags").GetString(), StringComparison.Ordinal);
        Assert.Equal("api", infra.Main.Module("api").ModuleParameter("serviceName").GetString());
    }

    [Fact]
    public void KeyVault_Vault_UsesRbacWithPurgeProtection()
    {
        var vault = infra.Main.Single("Microsoft.KeyVault/vaults");

        Assert.True(vault.Property("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.Property("enablePurgeProtection").GetBoolean());
        Assert.True(vault.Property("enableSoftDelete").GetBoolean());
        Assert.False(vault.Element.GetProperty("properties").TryGetProperty("accessPolicies", out _));
    }

    [Fact]
    public void Monitoring_ApplicationInsights_AcceptsOnlyEntraIdTelemetry()
    {
        var component = infra.Main.Single("Microsoft.Insights/components");
        var workspace = infra.Main.Single("Microsoft.OperationalInsights/workspaces");

        Assert.True(component.Property("DisableLocalAuth").GetBoolean());
        Assert.StartsWith("[resourceId('Microsoft.OperationalInsights/workspaces'", component.Property("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
        Assert.True(workspace.Property("features.disableLocalAuth").GetBoolean());
    }
}
