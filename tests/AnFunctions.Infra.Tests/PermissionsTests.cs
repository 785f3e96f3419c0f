using System.Text.Json;

namespace AnFunctions.Infra.Tests;

/// <summary>The custom role in every target subscription holds exactly infra/app/permissions.json, nothing more.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class PermissionsTests(CompiledInfra infra)
{
    private static readonly string PermissionsPath = Path.Combine(BicepCli.InfraDirectory, "app", "permissions.json");

    [Fact]
    public void CustomRole_Actions_EqualPermissionsJson()
    {
        var expected = PermissionsJsonActions();
        var actions = Strings(Role().Resolve(RolePermissions().GetProperty("actions")));

        Assert.Equal(expected.Order(StringComparer.Ordinal), actions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CustomRole_Permissions_HaveNoWildcardsDeletesOrDataActions()
    {
        var permissions = RolePermissions();
        var actions = Strings(Role().Resolve(permissions.GetProperty("actions")));

        Assert.DoesNotContain(actions, a => a.Contains('*', StringComparison.Ordinal));
        Assert.DoesNotContain(actions, a => a.EndsWith("/delete", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(Strings(permissions.GetProperty("dataActions")));
        Assert.Empty(Strings(permissions.GetProperty("notActions")));
        Assert.Empty(Strings(permissions.GetProperty("notDataActions")));
        Assert.Equal(1, Role().Property("permissions").GetArrayLength());
    }

    [Fact]
    public void CustomRole_AssignableScopes_IsTheTargetSubscription()
    {
        var scopes = Strings(Role().Property("assignableScopes"));

        Assert.Equal(["[subscription().id]"], scopes);
        Assert.Equal("CustomRole", Role().Property("type").GetString());
    }

    [Fact]
    public void CustomRole_Assignment_GrantsTheRoleToTheAppIdentityAtSubscriptionScope()
    {
        var access = infra.Main.Module("access");
        var assignment = Assert.Single(infra.Main.Declared("Microsoft.Authorization/roleAssignments"), r => r.Path == Role().Path);

        Assert.Contains("roleDefinitions", assignment.Property("roleDefinitionId").GetString(), StringComparison.Ordinal);
        Assert.Equal("[parameters('appPrincipalId')]", assignment.Properties.GetProperty("principalId").GetString());
        Assert.Equal("ServicePrincipal", assignment.Property("principalType").GetString());
        Assert.False(assignment.Element.TryGetProperty("scope", out _), "the assignment is made at the target subscription itself");
        Assert.Contains("subscriptionDeploymentTemplate", access.Properties.GetProperty("template").GetProperty("$schema").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PermissionsJson_EveryAction_IsExplainedInNotes()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PermissionsPath));
        var notes = document.RootElement.GetProperty("notes");
        var explained = notes.EnumerateObject().Select(p => p.Name).ToList();

        Assert.Equal(PermissionsJsonActions().Order(StringComparer.Ordinal), explained.Order(StringComparer.Ordinal));
        Assert.All(notes.EnumerateObject(), note => Assert.False(string.IsNullOrWhiteSpace(note.Value.GetString()), note.Name));
    }

    private ArmResource Role() => infra.Main.Single("Microsoft.Authorization/roleDefinitions");

    private JsonElement RolePermissions() => Role().Resolve(Role().Property("permissions")[0]);

    private static List<string> PermissionsJsonActions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PermissionsPath));
        return Strings(document.RootElement.GetProperty("actions"));
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
