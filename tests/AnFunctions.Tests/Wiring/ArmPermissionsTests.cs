using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Wiring;

/// <summary>
/// The custom role (infra/app/permissions.json) against what the app really does: every ARM request the app sends in
/// its flows (event, audit, refused write, rollout) is mapped to the RBAC action ARM checks for it, and the join
/// actions come from what a NIC configuration may reference (<see cref="LinkedAccess"/>). The role holds exactly those:
/// a call without its action fails in Azure with 403, an action without a call is privilege nobody needs.
/// </summary>
public sealed class ArmPermissionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static List<string> RoleActions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "app", "permissions.json")));
        return document.RootElement.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!).ToList();
    }

    /// <summary>The RBAC action ARM checks for a request, as the resource providers name their operations.</summary>
    private static IEnumerable<string> ActionsOf(string method, string pathAndQuery)
    {
        var split = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = (split < 0 ? pathAndQuery : pathAndQuery[..split]).Trim('/');
        var query = split < 0 ? string.Empty : Uri.UnescapeDataString(pathAndQuery[split..]);
        var s = path.Split('/');
        string Tail(int n) => string.Join('/', s[^n..]);

        if (s is ["subscriptions"] || (s.Length == 2 && s[0] == "subscriptions"))
        {
            yield return "Microsoft.Resources/subscriptions/read";
        }
        else if (method == "POST" && path.Equals("providers/Microsoft.ResourceGraph/resources", StringComparison.OrdinalIgnoreCase))
        {
            yield return "Microsoft.ResourceGraph/resources/read";
        }
        else if (path.EndsWith("/providers/Microsoft.Compute/skus", StringComparison.OrdinalIgnoreCase))
        {
            yield return "Microsoft.Compute/skus/read";
        }
        else if (path.EndsWith("/providers/Microsoft.Insights/eventtypes/management/values", StringComparison.OrdinalIgnoreCase))
        {
            yield return "Microsoft.Insights/eventtypes/values/read";
        }
        else if (s.Length >= 4 && s[^2].Equals("operations", StringComparison.OrdinalIgnoreCase) && s[^4].Equals("locations", StringComparison.OrdinalIgnoreCase))
        {
            yield return "Microsoft.Compute/locations/operations/read";
        }
        else if (s[^1].Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase))
        {
            yield return "Microsoft.Compute/virtualMachineScaleSets/read";
        }
        else if (s.Length >= 2 && s[^2].Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase))
        {
            yield return method == "GET" ? "Microsoft.Compute/virtualMachineScaleSets/read" : "Microsoft.Compute/virtualMachineScaleSets/write";
        }
        else if (Tail(3).StartsWith("virtualMachineScaleSets/", StringComparison.OrdinalIgnoreCase) && s[^1].Equals("virtualMachines", StringComparison.OrdinalIgnoreCase))
        {
            yield return "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read";
            if (query.Contains("$expand=instanceView", StringComparison.OrdinalIgnoreCase))
            {
                yield return "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/instanceView/read";
            }
        }
        else if (method == "POST" && s.Length >= 3 && s[^3].Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase))
        {
            yield return "Microsoft.Compute/virtualMachineScaleSets/" + s[^1].ToLowerInvariant() switch
            {
                "manualupgrade" => "manualUpgrade",
                var action => action,
            } + "/action";
        }
        else
        {
            throw new Xunit.Sdk.XunitException($"the app sent {method} {pathAndQuery}, which this test cannot map to an RBAC action: add it here and to infra/app/permissions.json");
        }
    }

    /// <summary>Every flow of the app that reaches ARM, against one emulator, with no subscription scope (so it lists them).</summary>
    private static async Task<HashSet<string>> ActionsTheAppUsesAsync()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        app.Emulator.PutScaleSet(Fleet.ScaleSet("new", "Standard_D4s_v5", Now.AddMinutes(-2), an: false));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("old", "Standard_D4s_v5", Now.AddDays(-3), an: false));
        var events = app.Create<ScaleSetEventsFunction>();

        await events.RunAsync(Fleet.WriteEvent(Fleet.Id("new"), "create"), CancellationToken.None);
        app.Emulator.AddFailedWrite(Fleet.Id("old"), "0f1e2d3c-4b5a-4968-8776-655443322110", JsonNode.Parse("""{"sku":{"name":"Standard_B2s"}}"""), "VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", "no", Now);
        await events.RunAsync(Fleet.WriteEvent(Fleet.Id("old"), "refused", type: "Microsoft.Resources.ResourceWriteFailure"), CancellationToken.None);
        await app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);
        var rollout = await app.Get<RolloutStarter>().StartAsync(ScaleSetId.Parse(Fleet.Id("new")), 1, dryRun: false, "test", CancellationToken.None);
        Assert.Equal(RolloutStatus.Succeeded, rollout.Rollout!.Status);

        // The audit from Resource Graph (Audit:Source), on an app of its own.
        await using var indexed = AppUnderTest.Create(new Dictionary<string, string?> { ["Audit:Source"] = "ResourceGraph" }, now: Now);
        indexed.Emulator.SetSkus(Fleet.StandardSkus());
        indexed.Emulator.PutScaleSet(Fleet.ScaleSet("old", "Standard_D4s_v5", Now.AddDays(-3), an: false));
        await indexed.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

        var log = app.Emulator.RequestLog.Concat(indexed.Emulator.RequestLog).ToList();
        var calls = log.Select(r => r.Kind.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string> { "GetScaleSet", "PatchScaleSet", "ListInstances", "ListSkus", "ActivityLog", "ListSubscriptions", "ListScaleSets", "InstanceAction", "PollOperation", "ResourceGraphQuery" }, calls);
        return log.SelectMany(r => ActionsOf(r.Method, r.PathAndQuery)).ToHashSet(StringComparer.Ordinal);
    }

    [Fact]
    public async Task Role_HoldsExactlyTheActionsOfTheCallsTheAppMakesAndTheJoinActionsItsPatchNeeds()
    {
        var used = await ActionsTheAppUsesAsync();

        var expected = used.Concat(LinkedAccess.JoinActions).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, RoleActions().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LinkedAccess_CoversEveryReferenceOfTheMaximumNicConfigurationOfArmsExamples()
    {
        // Azure's "maximum set" example of a scale set PATCH holds every field a NIC configuration can carry.
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "arm-examples", "VirtualMachineScaleSet_Update_MaximumSet_Gen.json")))!;
        var nics = example["parameters"]!["parameters"]!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        var references = new HashSet<string>(StringComparer.Ordinal);
        foreach (var nic in nics)
        {
            Collect(nic, string.Empty, references);
        }

        var known = LinkedAccess.NicReferences.Select(r => r.Path).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(references);
        Assert.All(references, path => Assert.True(known.Contains(path), $"a NIC configuration may reference something at '{path}': add it to LinkedAccess with its join action"));
        Assert.All(LinkedAccess.NicReferences, r => Assert.EndsWith("/action", r.JoinAction, StringComparison.Ordinal));
    }

    /// <summary>Paths (arrays as <c>[]</c>) of the objects that hold an <c>id</c>: a reference to another resource.</summary>
    private static void Collect(JsonNode? node, string path, HashSet<string> references)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.ContainsKey("id") && path.Length > 0)
                {
                    references.Add(path);
                }

                foreach (var (key, value) in obj)
                {
                    Collect(value, path.Length == 0 ? key : $"{path}.{key}", references);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, path + "[]", references);
                }

                break;
        }
    }
}
