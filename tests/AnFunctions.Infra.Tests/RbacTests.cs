using System.Text.RegularExpressions;

namespace AnFunctions.Infra.Tests;

/// <summary>Role assignments inside the app's resource group: data-plane roles on single resources, nothing broad.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class RbacTests(CompiledInfra infra)
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    [Fact]
    public void RoleAssignments_InTheAppResourceGroup_AreExactlyTheDataRolesTheAppNeeds()
    {
        var granted = infra.Main.Declared("Microsoft.Authorization/roleAssignments")
            .Where(r => r.Element.TryGetProperty("scope", out _))
            .SelectMany(r => RoleIds(r).Select(role => (Scope: ScopeType(r), Role: role, Principal: Principal(r))))
            .Order()
            .ToList();

        (string, string, string)[] expected =
        [
            ("Microsoft.Insights/components", MonitoringMetricsPublisher, "app"),
            ("Microsoft.KeyVault/vaults", KeyVaultSecretsOfficer, "deployer"),
            ("Microsoft.KeyVault/vaults", KeyVaultSecretsUser, "app"),
            ("Microsoft.Storage/storageAccounts", StorageBlobDataOwner, "app"),
            ("Microsoft.Storage/storageAccounts", StorageQueueDataContributor, "app"),
            ("Microsoft.Storage/storageAccounts", StorageTableDataContributor, "app"),
            ("Microsoft.Storage/storageAccounts/blobServices/containers", StorageBlobDataContributor, "eventgrid"),
        ];
        Assert.Equal(expected.Order(), granted);
    }

    [Fact]
    public void RoleAssignments_DeadLetter_IsScopedToTheDeadLetterContainer()
    {
        var deadLetter = Assert.Single(infra.Main.Declared("Microsoft.Authorization/roleAssignments"), r => r.SymbolicName == "eventGridDeadLetter");

        Assert.Contains("parameters('deadLetterContainerName')", deadLetter.Element.GetProperty("scope").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_Anywhere_GrantNoOwnerContributorOrUserAccessAdministrator()
    {
        string[] broad =
        [
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", // Owner
            "b24988ac-6180-42a0-ab88-20f7382dd24c", // Contributor
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", // User Access Administrator
            "17d1049b-9a84-46fb-8f53-869881c3d3ab", // Storage Account Contributor
            "00482a5a-887f-4fb3-b363-3b7fe8e74483", // Key Vault Administrator
        ];

        Assert.All(broad, role => Assert.DoesNotContain(role, infra.Main.Text, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void RoleAssignments_Names_AreDeterministicGuids()
    {
        Assert.All(
            infra.Main.Declared("Microsoft.Authorization/roleAssignments"),
            r => Assert.StartsWith("[guid(", r.Name, StringComparison.Ordinal));
        Assert.DoesNotContain("newGuid(", infra.Main.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("utcNow(", infra.Main.Text, StringComparison.Ordinal);
    }

    private static IEnumerable<string> RoleIds(ArmResource assignment)
    {
        var roles = assignment.Template.GetProperty("variables").GetProperty("roles");
        var argument = ArmTemplate.CallArguments(assignment.Property("roleDefinitionId").GetString()!, "subscriptionResourceId")[1];

        var single = RoleMember().Match(argument);
        if (single.Success)
        {
            return [roles.GetProperty(single.Groups["name"].Value).GetString()!];
        }

        // A loop over a variable list of role references.
        var list = ListElement().Match(argument);
        Assert.True(list.Success, $"unrecognised role reference {argument}");
        return assignment.Template.GetProperty("variables").GetProperty(list.Groups["list"].Value).EnumerateArray()
            .Select(e => roles.GetProperty(RoleMember().Match(e.GetString()!.Trim('[', ']')).Groups["name"].Value).GetString()!)
            .ToList();
    }

    private static string ScopeType(ArmResource assignment) =>
        ArmTemplate.Unquote(ArmTemplate.CallArguments(assignment.Element.GetProperty("scope").GetString()!, "resourceId")[0]);

    private static string Principal(ArmResource assignment) =>
        assignment.Properties.GetProperty("principalId").GetString() switch // as written, unresolved
        {
            "[reference('appIdentity').principalId]" => "app",
            "[parameters('deployerPrincipalId')]" => "deployer",
            var p when p!.Contains("'systemTopics[{0}]'", StringComparison.Ordinal) => "eventgrid", // the topic's identity
            var p => p!,
        };

    [GeneratedRegex(@"^variables\('roles'\)\.(?<name>\w+)$")]
    private static partial Regex RoleMember();

    [GeneratedRegex(@"^variables\('(?<list>\w+)'\)\[copyIndex\(\)\]$")]
    private static partial Regex ListElement();
}
