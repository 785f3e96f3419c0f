using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Infrastructure.Tests.Findings;

/// <summary>Findings and outbox entries for the tests, and field-by-field comparisons (records compare lists by reference).</summary>
internal static class FindingTestData
{
    /// <summary>Not UTC on purpose: stores give dates back in UTC.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 14, 9, 26, 53, TimeSpan.FromHours(2));

    public static ScaleSetId NewPool(string? subscription = null, string name = "vmss1") =>
        ScaleSetId.Create(subscription ?? Guid.NewGuid().ToString(), "rg-" + Guid.NewGuid().ToString("N")[..6], name);

    /// <summary>Every field set, with text that needs escaping in keys, JSON and OData.</summary>
    public static Finding Full(ScaleSetId pool, FindingKind kind = FindingKind.AcceleratedNetworkingLost) => new()
    {
        Id = Finding.IdFor(pool, kind),
        PoolId = pool,
        Kind = kind,
        Severity = FindingSeverity.Critical,
        Status = FindingStatus.Open,
        FirstSeen = T0.AddTicks(1_234_567),
        LastSeen = T0.AddHours(3).AddTicks(1),
        ResolvedAt = T0.AddHours(4),
        Message = "AN was turned off on 'nic-1' — \"quoted\", ünïcödé, emoji 😀,\nsecond line\tand a tab",
        Consequence = "Traffic of the pool's nodes goes through the host's virtual switch: higher latency & jitter.",
        Remedy = "Re-enable AN: az vmss update --set ...enableAcceleratedNetworking=true; then reimage. <b>not html</b>",
        Evidence = new FindingEvidence
        {
            PreviousSizes = ["Standard_D4s_v5", "Standard_D8s_v5"],
            CurrentSizes = ["Standard_D4s_v5"],
            AttemptedSizes = ["Standard_A1_v2"],
            AcceleratedNetworking = false,
            SizeSupport = "Standard_D4s_v5: AcceleratedNetworkingEnabled=True (2 vCPUs, 4 NICs)",
            EventIds = ["ev-1", "ev/2#?", "ev'3"],
            CorrelationId = "0f8fad5b-d9cb-469f-a165-70867728950e",
            ErrorCode = "VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss",
            ErrorMessage = "VM size Standard_A1_v2 is not permitted to enable AN. {\"json\": [1, 2]}",
            Cluster = "aks-prod-weu",
            Location = "westeurope",
            ActivityLogPending = true,
        },
        LastNotifiedAt = T0.AddHours(1).AddTicks(7),
    };

    /// <summary>Only the required fields.</summary>
    public static Finding Minimal(ScaleSetId pool, FindingKind kind = FindingKind.SizeChanged) => new()
    {
        Id = Finding.IdFor(pool, kind),
        PoolId = pool,
        Kind = kind,
        Severity = FindingSeverity.Info,
        Status = FindingStatus.Open,
        FirstSeen = T0,
        LastSeen = T0,
        Message = "m",
        Consequence = "c",
        Remedy = "r",
        Evidence = new FindingEvidence(),
    };

    public static AlertNotification Notification(Finding finding, DateTimeOffset createdAt, AlertAction action = AlertAction.Trigger) => new()
    {
        NotificationId = Guid.NewGuid().ToString("N"),
        Action = action,
        CreatedAt = createdAt,
        Finding = finding,
        PortalUrl = new Uri("https://portal.azure.com/#@tenant/resource" + finding.PoolId.Value + "/overview"),
    };

    /// <summary>A pending entry created and due at <paramref name="due"/> (default <see cref="T0"/>).</summary>
    public static OutboxEntry Entry(
        Finding finding, string sink = "webhook", DateTimeOffset? due = null, OutboxStatus status = OutboxStatus.Pending)
    {
        var at = due ?? T0;
        return new OutboxEntry
        {
            Id = OutboxEntry.NewId(at, sink),
            Sink = sink,
            Notification = Notification(finding, at),
            Status = status,
            NextAttemptAt = at,
        };
    }

    /// <summary>An entry with every field set.</summary>
    public static OutboxEntry FullEntry(Finding finding, string sink, DateTimeOffset createdAt) => Entry(finding, sink, createdAt) with
    {
        Notification = Notification(finding, createdAt.AddTicks(3), AlertAction.Resolve),
        Status = OutboxStatus.Failed,
        Attempts = 7,
        NextAttemptAt = createdAt.AddMinutes(5).AddTicks(9),
        DeliveredAt = createdAt.AddMinutes(1),
        LastError = "400 Bad Request: {\"error\":\"invalid_payload\"} — ünïcödé",
    };

    public static void AssertSameFinding(Finding expected, Finding actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.PoolId.Value, actual.PoolId.Value);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Severity, actual.Severity);
        Assert.Equal(expected.Status, actual.Status);
        AssertSameInstant(expected.FirstSeen, actual.FirstSeen);
        AssertSameInstant(expected.LastSeen, actual.LastSeen);
        AssertSameInstant(expected.ResolvedAt, actual.ResolvedAt);
        AssertSameInstant(expected.LastNotifiedAt, actual.LastNotifiedAt);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.Consequence, actual.Consequence);
        Assert.Equal(expected.Remedy, actual.Remedy);
        AssertSameEvidence(expected.Evidence, actual.Evidence);
    }

    public static void AssertSameEvidence(FindingEvidence expected, FindingEvidence actual)
    {
        Assert.Equal(expected.PreviousSizes, actual.PreviousSizes);
        Assert.Equal(expected.CurrentSizes, actual.CurrentSizes);
        Assert.Equal(expected.AttemptedSizes, actual.AttemptedSizes);
        Assert.Equal(expected.AcceleratedNetworking, actual.AcceleratedNetworking);
        Assert.Equal(expected.SizeSupport, actual.SizeSupport);
        Assert.Equal(expected.EventIds, actual.EventIds);
        Assert.Equal(expected.CorrelationId, actual.CorrelationId);
        Assert.Equal(expected.ErrorCode, actual.ErrorCode);
        Assert.Equal(expected.ErrorMessage, actual.ErrorMessage);
        Assert.Equal(expected.Cluster, actual.Cluster);
        Assert.Equal(expected.Location, actual.Location);
        Assert.Equal(expected.ActivityLogPending, actual.ActivityLogPending);
    }

    public static void AssertSameEntry(OutboxEntry expected, OutboxEntry actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Sink, actual.Sink);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Attempts, actual.Attempts);
        AssertSameInstant(expected.NextAttemptAt, actual.NextAttemptAt);
        AssertSameInstant(expected.DeliveredAt, actual.DeliveredAt);
        Assert.Equal(expected.LastError, actual.LastError);
        AssertSameNotification(expected.Notification, actual.Notification);
    }

    public static void AssertSameNotification(AlertNotification expected, AlertNotification actual)
    {
        Assert.Equal(expected.NotificationId, actual.NotificationId);
        Assert.Equal(expected.Action, actual.Action);
        AssertSameInstant(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.PortalUrl, actual.PortalUrl);
        AssertSameFinding(expected.Finding, actual.Finding);
    }

    /// <summary>The same instant, given back in UTC.</summary>
    public static void AssertSameInstant(DateTimeOffset? expected, DateTimeOffset? actual)
    {
        Assert.Equal(expected?.UtcTicks, actual?.UtcTicks);
        if (actual is { } value)
        {
            Assert.Equal(TimeSpan.Zero, value.Offset);
        }
    }

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Awaits every task; each outcome is its result or its exception.</summary>
    public static async Task<List<(T? Result, Exception? Error)>> SettleAsync<T>(IEnumerable<Task<T>> tasks)
        where T : class
    {
        var outcomes = new List<(T?, Exception?)>();
        foreach (var task in tasks)
        {
            try
            {
                outcomes.Add((await task, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                outcomes.Add((null, e));
            }
        }

        return outcomes;
    }
}
