namespace AnFunctions.Emulator;

/// <summary>The part of the ARM surface a request path addresses.</summary>
internal enum RouteTarget
{
    Unknown,
    ScaleSet,
    ScaleSetList,
    Instances,
    ScaleSetAction,
    Skus,
    OperationStatus,
    ActivityLog,
    Subscriptions,
    ResourceGraph,
}

/// <summary>A request path matched against the ARM surface the emulator serves (case-insensitively, as ARM does).</summary>
internal sealed class ArmRoute
{
    internal const string ComputeNamespace = "Microsoft.Compute";
    internal const string ScaleSetType = "virtualMachineScaleSets";
    internal const string ScaleSetResourceType = ComputeNamespace + "/" + ScaleSetType;

    private static readonly HashSet<string> KnownActions = new(StringComparer.OrdinalIgnoreCase)
    {
        "manualupgrade", "deallocate", "start", "powerOff", "restart", "reimage", "reimageall", "redeploy",
    };

    private ArmRoute(RouteTarget target, string path, string? subscriptionId = null, string? resourceGroup = null,
        string? scaleSetName = null, string? action = null, string? operationId = null, string? providerNamespace = null)
    {
        Target = target;
        Path = path;
        SubscriptionId = subscriptionId;
        ResourceGroup = resourceGroup;
        ScaleSetName = scaleSetName;
        Action = action;
        OperationId = operationId;
        ProviderNamespace = providerNamespace;
        if (scaleSetName is not null)
        {
            ScaleSetId = BuildScaleSetId(subscriptionId!, resourceGroup!, scaleSetName);
        }
    }

    public RouteTarget Target { get; }

    /// <summary>The path as requested (unescaped), without a trailing slash.</summary>
    public string Path { get; }

    public string? SubscriptionId { get; }
    public string? ResourceGroup { get; }
    public string? ScaleSetName { get; }

    /// <summary>The scale set's id in ARM's spelling of the fixed segments, with the variable parts as requested.</summary>
    public string? ScaleSetId { get; }

    public string? Action { get; }
    public string? OperationId { get; }

    /// <summary>The provider namespace of an unknown path, when it has one.</summary>
    public string? ProviderNamespace { get; }

    public static string BuildScaleSetId(string subscriptionId, string resourceGroup, string name) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/{ScaleSetResourceType}/{name}";

    /// <summary>The kind of call this route is for the given method (<see cref="ArmCallKind.Other"/> if not allowed).</summary>
    public ArmCallKind KindFor(string method) => (Target, method) switch
    {
        (RouteTarget.ScaleSet, "GET") => ArmCallKind.GetScaleSet,
        (RouteTarget.ScaleSet, "PUT") => ArmCallKind.PutScaleSet,
        (RouteTarget.ScaleSet, "PATCH") => ArmCallKind.PatchScaleSet,
        (RouteTarget.ScaleSet, "DELETE") => ArmCallKind.DeleteScaleSet,
        (RouteTarget.ScaleSetList, "GET") => ArmCallKind.ListScaleSets,
        (RouteTarget.Instances, "GET") => ArmCallKind.ListInstances,
        (RouteTarget.ScaleSetAction, "POST") => ArmCallKind.InstanceAction,
        (RouteTarget.Skus, "GET") => ArmCallKind.ListSkus,
        (RouteTarget.OperationStatus, "GET") => ArmCallKind.PollOperation,
        (RouteTarget.ActivityLog, "GET") => ArmCallKind.ActivityLog,
        (RouteTarget.Subscriptions, "GET") => ArmCallKind.ListSubscriptions,
        (RouteTarget.ResourceGraph, "POST") => ArmCallKind.ResourceGraphQuery,
        _ => ArmCallKind.Other,
    };

    /// <summary>Matches an unescaped request path.</summary>
    public static ArmRoute Parse(string path)
    {
        var trimmed = path.TrimEnd('/');
        var s = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (s.Length == 1 && Is(s[0], "subscriptions"))
        {
            return new ArmRoute(RouteTarget.Subscriptions, trimmed);
        }

        if (s.Length == 3 && Is(s[0], "providers") && Is(s[1], "Microsoft.ResourceGraph") && Is(s[2], "resources"))
        {
            return new ArmRoute(RouteTarget.ResourceGraph, trimmed);
        }

        if (s.Length < 2 || !Is(s[0], "subscriptions"))
        {
            return new ArmRoute(RouteTarget.Unknown, trimmed);
        }

        var subscription = s[1];

        // /subscriptions/{s}/providers/{ns}/...
        if (s.Length >= 4 && Is(s[2], "providers"))
        {
            var ns = s[3];
            if (Is(ns, ComputeNamespace))
            {
                if (s.Length == 5 && Is(s[4], ScaleSetType))
                {
                    return new ArmRoute(RouteTarget.ScaleSetList, trimmed, subscription);
                }

                if (s.Length == 5 && Is(s[4], "skus"))
                {
                    return new ArmRoute(RouteTarget.Skus, trimmed, subscription);
                }

                if (s.Length == 8 && Is(s[4], "locations") && Is(s[6], "operations"))
                {
                    return new ArmRoute(RouteTarget.OperationStatus, trimmed, subscription, operationId: s[7]);
                }
            }
            else if (Is(ns, "Microsoft.Insights") && s.Length == 7
                     && Is(s[4], "eventtypes") && Is(s[5], "management") && Is(s[6], "values"))
            {
                return new ArmRoute(RouteTarget.ActivityLog, trimmed, subscription);
            }

            return new ArmRoute(RouteTarget.Unknown, trimmed, subscription, providerNamespace: ns);
        }

        // /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/...
        if (s.Length >= 6 && Is(s[2], "resourceGroups") && Is(s[4], "providers"))
        {
            var resourceGroup = s[3];
            var ns = s[5];
            if (Is(ns, ComputeNamespace) && s.Length >= 7 && Is(s[6], ScaleSetType))
            {
                switch (s.Length)
                {
                    case 7:
                        return new ArmRoute(RouteTarget.ScaleSetList, trimmed, subscription, resourceGroup);
                    case 8:
                        return new ArmRoute(RouteTarget.ScaleSet, trimmed, subscription, resourceGroup, s[7]);
                    case 9 when Is(s[8], "virtualMachines"):
                        return new ArmRoute(RouteTarget.Instances, trimmed, subscription, resourceGroup, s[7]);
                    case 9 when KnownActions.Contains(s[8]):
                        return new ArmRoute(RouteTarget.ScaleSetAction, trimmed, subscription, resourceGroup, s[7], action: s[8].ToLowerInvariant());
                }
            }

            return new ArmRoute(RouteTarget.Unknown, trimmed, subscription, resourceGroup, providerNamespace: ns);
        }

        return new ArmRoute(RouteTarget.Unknown, trimmed, subscription);
    }

    private static bool Is(string segment, string expected) =>
        string.Equals(segment, expected, StringComparison.OrdinalIgnoreCase);
}
