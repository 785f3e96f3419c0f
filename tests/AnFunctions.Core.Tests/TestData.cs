using System.Text.Json.Nodes;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Tests;

/// <summary>Builders for the Core's records, with values that read like a real fleet.</summary>
internal static class TestData
{
    public const string Subscription = "3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60";
    public const string OtherSubscription = "9b1d4c3a-0000-4e0a-9c55-7d2e8a1b4c61";
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static ScaleSetId Id(string name = "nodepool-a1b2c", string subscription = Subscription) =>
        ScaleSetId.Create(subscription, "cluster-x1y2z", name);

    public static ScaleSetSnapshot ScaleSet(
        string size = "Standard_D4s_v3",
        bool? an = false,
        TimeSpan? age = null,
        bool timeCreatedKnown = true,
        IReadOnlyDictionary<string, string>? tags = null,
        string provisioningState = "Succeeded",
        IReadOnlyList<string>? sizes = null,
        int nicCount = 1,
        string subscription = Subscription,
        long capacity = 3,
        UpgradePolicy? upgradePolicy = null,
        string resourceGroup = "cluster-x1y2z",
        string name = "nodepool-a1b2c")
    {
        var nics = Enumerable.Range(0, nicCount).Select(i => new NetworkInterfaceConfiguration($"nic{i}", i == 0, an)).ToList();
        var raw = new JsonArray(nics.Select(n =>
        {
            var properties = new JsonObject
            {
                ["primary"] = n.Primary,
                ["enableIPForwarding"] = true,
                ["ipConfigurations"] = new JsonArray(new JsonObject
                {
                    ["name"] = "ipconfig0",
                    ["properties"] = new JsonObject { ["subnet"] = new JsonObject { ["id"] = $"/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s" } },
                }),
            };
            if (an is { } value)
            {
                properties["enableAcceleratedNetworking"] = value;
            }

            return (JsonNode)new JsonObject { ["name"] = n.Name, ["properties"] = properties };
        }).ToArray()).ToJsonString();
        return new ScaleSetSnapshot
        {
            Id = ScaleSetId.Create(subscription, resourceGroup, name),
            Location = "westeurope",
            SkuName = sizes is null ? size : "Mix",
            VmSizes = sizes ?? [size],
            Capacity = capacity,
            UpgradePolicy = upgradePolicy ?? UpgradePolicy.Absent,
            TimeCreated = timeCreatedKnown ? Now - (age ?? TimeSpan.FromMinutes(1)) : null,
            Tags = tags ?? new Dictionary<string, string>(),
            NetworkInterfaces = nics,
            ProvisioningState = provisioningState,
            ETag = "\"1\"",
            RawNetworkInterfaceConfigurations = raw,
        };
    }

    public static VmSizeCatalog Catalog(params VmSizeCapability[] sizes) =>
        new(Subscription, "westeurope", Now.AddHours(-1), sizes.Length > 0 ? sizes : DefaultSizes);

    public static readonly VmSizeCapability[] DefaultSizes =
    [
        new("Standard_D4s_v3", AcceleratedNetworkingCapable: true, Available: true),
        new("Standard_D8s_v3", AcceleratedNetworkingCapable: true, Available: true),
        new("Standard_B2s", AcceleratedNetworkingCapable: false, Available: true),
        new("Standard_E4s_v5", AcceleratedNetworkingCapable: true, Available: false, "NotAvailableForSubscription"),
    ];

    public static PoolRecord Record(ScaleSetSnapshot scaleSet) => new()
    {
        Id = scaleSet.Id,
        Location = scaleSet.Location,
        VmSizes = scaleSet.VmSizes,
        AcceleratedNetworking = scaleSet.AcceleratedNetworkingOnAll,
        FirstSeen = Now.AddDays(-3),
        LastSeen = Now.AddDays(-1),
        TimeCreated = scaleSet.TimeCreated,
        Version = "v1",
    };

    /// <summary>The open finding a draft becomes, of <paramref name="pool"/> (default <see cref="Id"/>), first and last seen <see cref="Now"/>.</summary>
    public static Finding OpenFinding(FindingDraft draft, ScaleSetId? pool = null)
    {
        var id = pool ?? Id();
        return new Finding
        {
            Id = Finding.IdFor(id, draft.Kind),
            PoolId = id,
            Kind = draft.Kind,
            Severity = draft.Severity,
            Status = FindingStatus.Open,
            FirstSeen = Now,
            LastSeen = Now,
            Message = draft.Message,
            Consequence = draft.Consequence,
            Remedy = draft.Remedy,
            Evidence = draft.Evidence,
        };
    }

    public static DecisionPolicy Policy(RunMode mode = RunMode.Apply, string? onlySubscription = null, NodeSafetyPolicy? safety = null) =>
        new(TimeSpan.FromMinutes(30), "an-automation", mode, s => onlySubscription is null || s == onlySubscription, safety);

    /// <summary><paramref name="running"/> running nodes, then <paramref name="deallocated"/> deallocated ones, then <paramref name="protectedRunning"/> running but protected ones.</summary>
    public static IReadOnlyList<PoolInstance> Instances(int running, int deallocated = 0, int protectedRunning = 0, bool an = false) =>
        Enumerable.Range(0, running).Select(i => new PoolInstance($"{i}", PowerState.Running, true, an, false))
            .Concat(Enumerable.Range(running, deallocated).Select(i => new PoolInstance($"{i}", PowerState.Deallocated, true, an, false)))
            .Concat(Enumerable.Range(running + deallocated, protectedRunning).Select(i => new PoolInstance($"{i}", PowerState.Running, true, an, true)))
            .ToList();
}
