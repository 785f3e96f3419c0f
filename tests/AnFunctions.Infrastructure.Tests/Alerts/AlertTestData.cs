using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>Findings and notifications for one pool, aks-pool1 in k8s-prod, resized from B2s to D4s_v5 with AN off.</summary>
internal static class AlertTestData
{
    public const string SubscriptionId = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
    public const string Remedy = "Enable accelerated networking on the pool: az vmss update -g k8s-prod -n aks-pool1 --set virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].enableAcceleratedNetworking=true, then upgrade the instances.";

    /// <summary>Text an attacker (or a creative Azure error) could put in a finding: markup of every format, and 5,000+ characters.</summary>
    public static readonly string Hostile =
        "<script>alert(1)</script> *bold* _italic_ ~strike~ `code` <@U123> <!channel> <https://evil.example|click> [click](https://evil.example) "
        + "\"quotes\" & 'single' \\ backslash\nline two\r\n- list item\n1. numbered\n# heading "
        + new string('x', 5000);

    public static readonly ScaleSetId Pool = ScaleSetId.Parse(
        $"/subscriptions/{SubscriptionId}/resourceGroups/k8s-prod/providers/Microsoft.Compute/virtualMachineScaleSets/aks-pool1");

    public static readonly DateTimeOffset FirstSeen = new(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LastSeen = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The portal deep link format: <c>https://portal.azure.com/#@/resource{resourceId}/overview</c>.</summary>
    public static Uri PortalUrl(ScaleSetId pool) => new($"https://portal.azure.com/#@/resource{pool.Value}/overview");

    public static Finding Finding(
        FindingSeverity severity = FindingSeverity.Warning,
        FindingKind kind = FindingKind.SizeChangedWithoutAcceleratedNetworking,
        string? message = null,
        string? consequence = null,
        string? remedy = null,
        string? cluster = "aks-prod-weu",
        string? errorCode = null,
        string? errorMessage = null,
        ScaleSetId? pool = null) => new()
        {
            Id = Core.Findings.Finding.IdFor(pool ?? Pool, kind),
            PoolId = pool ?? Pool,
            Kind = kind,
            Severity = severity,
            Status = FindingStatus.Open,
            FirstSeen = FirstSeen,
            LastSeen = LastSeen,
            Message = message ?? "aks-pool1 was resized from Standard_B2s to Standard_D4s_v5, which supports accelerated networking, but AN is off.",
            Consequence = consequence ?? "New nodes come up without accelerated networking: higher latency and CPU per packet.",
            Remedy = remedy ?? Remedy,
            Evidence = new FindingEvidence
            {
                PreviousSizes = ["Standard_B2s"],
                CurrentSizes = ["Standard_D4s_v5"],
                AttemptedSizes = ["Standard_D4s_v5"],
                AcceleratedNetworking = false,
                SizeSupport = "Standard_D4s_v5: AcceleratedNetworkingEnabled=True",
                EventIds = ["evt-1"],
                CorrelationId = "0a1b2c3d-0000-4000-8000-000000000001",
                ErrorCode = errorCode,
                ErrorMessage = errorMessage,
                Cluster = cluster,
                Location = "westeurope",
            },
        };

    public static AlertNotification Trigger(Finding? finding = null)
    {
        finding ??= Finding();
        return new AlertNotification
        {
            NotificationId = "ntf-0001",
            Action = AlertAction.Trigger,
            CreatedAt = LastSeen,
            Finding = finding,
            PortalUrl = PortalUrl(finding.PoolId),
        };
    }

    public static AlertNotification Resolve(Finding? finding = null)
    {
        var resolvedAt = LastSeen.AddHours(1);
        finding = (finding ?? Finding()) with { Status = FindingStatus.Resolved, ResolvedAt = resolvedAt, LastSeen = resolvedAt };
        return new AlertNotification
        {
            NotificationId = "ntf-0002",
            Action = AlertAction.Resolve,
            CreatedAt = resolvedAt,
            Finding = finding,
            PortalUrl = PortalUrl(finding.PoolId),
        };
    }

    public static AlertNotification HostileTrigger(FindingSeverity severity = FindingSeverity.Critical) => Trigger(Finding(
        severity,
        FindingKind.SizeChangeRefused,
        message: Hostile,
        consequence: Hostile,
        remedy: Hostile,
        cluster: Hostile,
        errorCode: "OperationNotAllowed<@U123>",
        errorMessage: Hostile));
}
