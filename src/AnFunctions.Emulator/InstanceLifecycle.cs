using System.Globalization;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>
/// What happens to a scale set's instances, as Azure documents it: a model write reaches running instances according to
/// <c>upgradePolicy.mode</c> (Automatic: all at once; Rolling: in batches; Manual: not at all), a capacity change removes
/// the highest instance ids or adds instances on the latest model, and the instance actions (deallocate, manualupgrade,
/// start) follow the documented path for an Accelerated Networking change: a running VM cannot change it.
/// Instances protected from scale-set actions are never touched by upgrades or actions. Pure functions: the caller
/// holds the provider's lock and stores the result.
/// </summary>
internal static class InstanceLifecycle
{
    /// <summary>Uniform scale sets hold at most 1,000 VMs; more instances than that are never materialized.</summary>
    public const int MaxInstances = 1000;

    /// <summary>Azure's default <c>rollingUpgradePolicy.maxBatchInstancePercent</c>.</summary>
    public const int DefaultMaxBatchInstancePercent = 20;

    /// <summary>The parts of a scale set's model that decide what happens to its instances.</summary>
    public sealed record Model(IReadOnlyDictionary<string, bool> Nics, string UpgradeMode, int MaxBatchInstancePercent);

    /// <summary>The instances after a change, and the disruptions it caused (how many instances, why, and how many of the pool's nodes were down at once).</summary>
    public sealed record Outcome(ScaleSetInstance[] Instances, IReadOnlyList<(int Instances, string Cause, int NodesDown)> Disruptions);

    public static Model ModelOf(JsonObject resource)
    {
        var properties = ArmJson.ObjectProperty(resource, "properties");
        var nics = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        var configurations = ArmJson.Property(ArmJson.ObjectProperty(ArmJson.ObjectProperty(properties, "virtualMachineProfile"), "networkProfile"),
            "networkInterfaceConfigurations") as JsonArray;
        foreach (var nic in configurations?.OfType<JsonObject>() ?? [])
        {
            var name = ArmJson.StringProperty(nic, "name") ?? $"nic{nics.Count}";
            var an = ArmJson.Property(ArmJson.ObjectProperty(nic, "properties"), "enableAcceleratedNetworking") is JsonValue value
                     && value.TryGetValue<bool>(out var on) && on;
            nics[name] = an;
        }

        var policy = ArmJson.ObjectProperty(properties, "upgradePolicy");
        var mode = ArmJson.StringProperty(policy, "mode") ?? "Manual";
        var percent = ArmJson.Int64Property(ArmJson.ObjectProperty(policy, "rollingUpgradePolicy"), "maxBatchInstancePercent") is { } p and > 0 and <= 100
            ? (int)p
            : DefaultMaxBatchInstancePercent;
        return new Model(nics, mode, percent);
    }

    /// <summary>Instances of a scale set just created: <paramref name="capacity"/> of them, running the model.</summary>
    public static ScaleSetInstance[] Create(long? capacity, Model model) =>
        Resize([], capacity, model);

    /// <summary>Fills in what a caller of <see cref="ArmEmulator.SetInstances"/> left out: the applied model is the current one.</summary>
    public static ScaleSetInstance[] Materialize(IEnumerable<ScaleSetInstance> instances, Model model) =>
        instances.Select(i => i.AppliedAcceleratedNetworking is null ? i with { AppliedAcceleratedNetworking = Copy(model.Nics) } : i).ToArray();

    /// <summary>The instances after a write of the scale set: the model reaches them per upgrade policy, then the capacity applies.</summary>
    public static Outcome AfterWrite(ScaleSetInstance[] current, bool modelChanged, long? capacity, Model model)
    {
        var disruptions = new List<(int, string, int)>();
        var instances = current;
        if (modelChanged)
        {
            instances = model.UpgradeMode.ToUpperInvariant() switch
            {
                "AUTOMATIC" => Upgrade(current, model, batchSize: int.MaxValue, "automaticUpgrade", disruptions),
                "ROLLING" => Upgrade(current, model, BatchSize(current.Length, model.MaxBatchInstancePercent), "rollingUpgrade", disruptions),
                _ => current.Select(i => i with { LatestModelApplied = false }).ToArray(),
            };
        }

        return new Outcome(Resize(instances, capacity, model), disruptions);
    }

    /// <summary>One rolling-upgrade batch: <c>maxBatchInstancePercent</c> of the instances, rounded up, at least one.</summary>
    public static int BatchSize(int instances, int maxBatchInstancePercent) =>
        Math.Max(1, (int)Math.Ceiling(instances * maxBatchInstancePercent / 100.0));

    /// <summary>
    /// Applies an instance action. Returns an error answer (and changes nothing) when the request is not valid; otherwise
    /// the new instances and the disruptions.
    /// </summary>
    public static (Outcome? Outcome, ArmResponse? Error) Act(string action, ScaleSetInstance[] current, JsonObject? body, Model model)
    {
        IReadOnlySet<string>? wanted = null;
        if (ArmJson.Property(body, "instanceIds") is JsonArray ids)
        {
            wanted = ids.Select(n => n?.ToString()).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
            var unknown = wanted.Where(w => current.All(i => !string.Equals(i.InstanceId, w, StringComparison.OrdinalIgnoreCase))).ToList();
            if (unknown.Count > 0)
            {
                return (null, ArmResponse.BadRequest("InvalidParameter", $"The instance ids '{string.Join(", ", unknown)}' are not valid for the VM scale set."));
            }
        }
        else if (action == "manualupgrade")
        {
            return (null, ArmResponse.BadRequest("InvalidParameter", "Required parameter 'instanceIds' is missing (null)."));
        }

        bool Targeted(ScaleSetInstance i) => (wanted is null || wanted.Contains(i.InstanceId)) && !i.ProtectFromScaleSetActions;
        var disruptions = new List<(int, string, int)>();
        switch (action)
        {
            case "deallocate":
            {
                var stopped = current.Count(i => Targeted(i) && i.IsRunning);
                // A node this takes down stays down by a disruption until started; one already deallocated keeps what it was.
                var after = current.Select(i => Targeted(i)
                    ? i with { PowerState = ScaleSetInstance.Deallocated, DownByDisruption = i.DownByDisruption || i.IsRunning }
                    : i).ToArray();
                AddDisruption(disruptions, stopped, "deallocate", StillDown(after));
                return (new Outcome(after, disruptions), null);
            }

            case "start":
                // Deallocate and start of an instance are one disruption, counted when it went down; it ends here.
                return (new Outcome(current.Select(i => Targeted(i) ? i with { PowerState = ScaleSetInstance.Running, DownByDisruption = false } : i).ToArray(), disruptions), null);

            case "manualupgrade":
            {
                var blocked = current.Where(i => Targeted(i) && !i.LatestModelApplied && i.IsRunning && ChangesAcceleratedNetworking(i, model)).Select(i => i.InstanceId).ToList();
                if (blocked.Count > 0)
                {
                    return (null, ArmResponse.Error(409, "OperationNotAllowed",
                        $"Accelerated Networking cannot be changed on a running virtual machine: deallocate instance(s) {string.Join(", ", blocked)} first, then upgrade them to the latest model."));
                }

                var upgraded = current.Count(i => Targeted(i) && !i.LatestModelApplied && i.IsRunning);
                AddDisruption(disruptions, upgraded, "manualUpgrade", upgraded + StillDown(current));
                return (new Outcome(current.Select(i => Targeted(i) && !i.LatestModelApplied
                    ? i with { LatestModelApplied = true, AppliedAcceleratedNetworking = Copy(model.Nics) }
                    : i).ToArray(), disruptions), null);
            }

            default:
                return (new Outcome(current, disruptions), null);
        }
    }

    /// <summary>True when bringing the instance to the model would change AN on one of its network interfaces.</summary>
    public static bool ChangesAcceleratedNetworking(ScaleSetInstance instance, Model model) =>
        model.Nics.Any(nic => (instance.AppliedAcceleratedNetworking?.GetValueOrDefault(nic.Key) ?? false) != nic.Value);

    private static ScaleSetInstance[] Upgrade(ScaleSetInstance[] current, Model model, int batchSize, string cause, List<(int, string, int)> disruptions)
    {
        var running = current.Count(i => !i.ProtectFromScaleSetActions && i.IsRunning);
        var stillDown = StillDown(current);
        for (var done = 0; done < running; done += batchSize)
        {
            // One batch after the other: each batch is back before the next goes down.
            var batch = Math.Min(batchSize, running - done);
            AddDisruption(disruptions, batch, cause, batch + stillDown);
        }

        return current.Select(i => i.ProtectFromScaleSetActions
            ? i with { LatestModelApplied = false }
            : i with { LatestModelApplied = true, AppliedAcceleratedNetworking = Copy(model.Nics) }).ToArray();
    }

    private static ScaleSetInstance[] Resize(ScaleSetInstance[] current, long? capacity, Model model)
    {
        if (capacity is not { } wanted)
        {
            return current;
        }

        var target = (int)Math.Clamp(wanted, 0, MaxInstances);
        if (current.Length > target)
        {
            return [.. current.OrderBy(i => NumericId(i.InstanceId)).Take(target)];
        }

        var instances = current.ToList();
        var next = instances.Count == 0 ? 0 : instances.Max(i => NumericId(i.InstanceId)) + 1;
        while (instances.Count < target)
        {
            instances.Add(new ScaleSetInstance((next++).ToString(CultureInfo.InvariantCulture)) { AppliedAcceleratedNetworking = Copy(model.Nics) });
        }

        return [.. instances];
    }

    private static void AddDisruption(List<(int, string, int)> disruptions, int instances, string cause, int nodesDown)
    {
        if (instances > 0)
        {
            disruptions.Add((instances, cause, nodesDown));
        }
    }

    /// <summary>Nodes an earlier disruption deallocated and nobody has started again.</summary>
    private static int StillDown(IEnumerable<ScaleSetInstance> instances) => instances.Count(i => i.DownByDisruption && !i.IsRunning);

    private static Dictionary<string, bool> Copy(IReadOnlyDictionary<string, bool> nics) => new(nics, StringComparer.OrdinalIgnoreCase);

    private static long NumericId(string instanceId) =>
        long.TryParse(instanceId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1;
}
