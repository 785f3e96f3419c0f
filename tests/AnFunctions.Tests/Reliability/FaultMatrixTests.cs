using AnFunctions.Core.Audit;
using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Reliability;

/// <summary>
/// Every ARM call the event path and the audit make, against every fault ARM can answer with: what the app does, and
/// that after the fault clears nothing is lost and nothing is written twice.
/// </summary>
public sealed class FaultMatrixTests
{
    private const string OtherSubscription = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The ARM timeout the app runs with here: a fault that delays past it is a timeout.</summary>
    private static readonly Dictionary<string, string?> Settings = new() { ["Arm:Timeout"] = "00:00:01" };

    public enum Fault
    {
        Throttled429,
        ServerError500,
        Unavailable503,
        Conflict409,
        Timeout,
        DroppedConnection,
        Forbidden403,
        BadRequest400,
    }

    private static FaultRule Rule(ArmCallKind kind, Fault fault) => fault switch
    {
        Fault.Throttled429 => new FaultRule { Kind = kind, Status = 429, ErrorCode = "TooManyRequests", RetryAfter = TimeSpan.FromSeconds(17) },
        Fault.ServerError500 => new FaultRule { Kind = kind, Status = 500, ErrorCode = "InternalServerError" },
        Fault.Unavailable503 => new FaultRule { Kind = kind, Status = 503, ErrorCode = "ServiceUnavailable", RetryAfter = TimeSpan.FromSeconds(5) },
        Fault.Conflict409 => new FaultRule { Kind = kind, Status = 409, ErrorCode = "OperationNotAllowed", ErrorMessage = "Another operation is in progress" },
        Fault.Timeout => new FaultRule { Kind = kind, Delay = TimeSpan.FromSeconds(5) },
        Fault.DroppedConnection => new FaultRule { Kind = kind, DropConnection = true },
        Fault.Forbidden403 => new FaultRule { Kind = kind, Status = 403, ErrorCode = "AuthorizationFailed" },
        _ => new FaultRule { Kind = kind, Status = 400, ErrorCode = "InvalidParameter" },
    };

    private static readonly ArmCallKind[] EventCalls = [ArmCallKind.GetScaleSet, ArmCallKind.ListSkus, ArmCallKind.PatchScaleSet, ArmCallKind.ActivityLog];
    private static readonly Fault[] Transient = [Fault.Throttled429, Fault.ServerError500, Fault.Unavailable503, Fault.Conflict409, Fault.Timeout, Fault.DroppedConnection];
    private static readonly Fault[] Terminal = [Fault.Forbidden403, Fault.BadRequest400];

    public static TheoryData<ArmCallKind, Fault> TransientEventFaults()
    {
        var data = new TheoryData<ArmCallKind, Fault>();
        foreach (var kind in EventCalls)
        {
            foreach (var fault in Transient)
            {
                data.Add(kind, fault);
            }
        }

        return data;
    }

    public static TheoryData<ArmCallKind, Fault> TerminalEventFaults()
    {
        var data = new TheoryData<ArmCallKind, Fault>();
        foreach (var kind in EventCalls)
        {
            foreach (var fault in Terminal)
            {
                data.Add(kind, fault);
            }
        }

        return data;
    }

    public static TheoryData<ArmCallKind, Fault> AuditFaults()
    {
        var data = new TheoryData<ArmCallKind, Fault>();
        foreach (var kind in new[] { ArmCallKind.ListScaleSets, ArmCallKind.ListSkus, ArmCallKind.ListInstances })
        {
            foreach (var fault in Transient.Concat(Terminal))
            {
                data.Add(kind, fault);
            }
        }

        return data;
    }

    /// <summary>A new pool on an AN-capable size; the event the call kind belongs to (a refused write for the Activity Log).</summary>
    private static (AppUnderTest App, string Id, string Payload) NewPool(ArmCallKind kind)
    {
        var app = AppUnderTest.Create(Settings, Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-fault");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-fault", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var payload = kind == ArmCallKind.ActivityLog
            ? Fleet.WriteEvent(id, "evt-1", type: "Microsoft.Resources.ResourceWriteFailure")
            : Fleet.WriteEvent(id, "evt-1");
        if (kind == ArmCallKind.ActivityLog)
        {
            app.Emulator.AddFailedWrite(id, "0f1e2d3c-4b5a-4968-8776-655443322110", new System.Text.Json.Nodes.JsonObject { ["sku"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "Standard_B2s" } },
                "SkuNotAvailable", "The requested size is not available", Now.AddSeconds(-2));
        }

        return (app, id, payload);
    }

    private static async Task<List<RejectedEvent>> RejectedAsync(IStateStore store)
    {
        var rejected = new List<RejectedEvent>();
        await foreach (var r in store.ListRejectedEventsAsync(CancellationToken.None))
        {
            rejected.Add(r);
        }

        return rejected;
    }

    [Theory]
    [MemberData(nameof(TransientEventFaults))]
    public async Task EventCall_TransientFault_RedeliveredThenConvergesToOneWrite(ArmCallKind kind, Fault fault)
    {
        var (app, id, payload) = NewPool(kind);
        await using var _ = app;
        var store = app.Get<IStateStore>();
        var rule = app.Emulator.AddFault(Rule(kind, fault));

        var retry = await Assert.ThrowsAsync<DeliveryRetryException>(() => app.Create<ScaleSetEventsFunction>().RunAsync(payload, CancellationToken.None));

        Assert.Equal("evt-1", Assert.Single(retry.Retries).EventId);
        Assert.Null(await store.GetProcessedEventAsync(ScaleSetId.Parse(id), "evt-1", CancellationToken.None));
        Assert.DoesNotContain(app.Emulator.Writes, w => w.Status == 200);
        Assert.Empty(await RejectedAsync(store));
        Assert.True(app.Emulator.Count(kind) >= 1, $"the fault on {kind} was never reached");

        // The fault clears; Event Grid redelivers the same event.
        app.Emulator.RemoveFault(rule);
        app.Time.Advance(TimeSpan.FromSeconds(30));
        await app.Create<ScaleSetEventsFunction>().RunAsync(payload, CancellationToken.None);
        await app.Create<ScaleSetEventsFunction>().RunAsync(payload, CancellationToken.None); // and once more, as Event Grid may

        Assert.NotNull(await store.GetProcessedEventAsync(ScaleSetId.Parse(id), "evt-1", CancellationToken.None));
        var succeeded = app.Emulator.Writes.Count(w => w.Status == 200);
        if (kind == ArmCallKind.ActivityLog)
        {
            Assert.Equal(0, succeeded); // a refused write is recorded, never written over
        }
        else
        {
            Assert.Equal(1, succeeded); // lost: 0, doubled: 0
            Assert.True((await store.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None))!.AcceleratedNetworking);
        }
    }

    [Fact]
    public async Task PatchScaleSet_PreconditionFailed_ReReadsAndWritesOnceWithinTheSameDelivery()
    {
        var (app, id, payload) = NewPool(ArmCallKind.PatchScaleSet);
        await using var _ = app;
        app.Emulator.FailNext(ArmCallKind.PatchScaleSet, 412, "PreconditionFailed");

        await app.Create<ScaleSetEventsFunction>().RunAsync(payload, CancellationToken.None);

        Assert.Equal([412, 200], app.Emulator.Writes.Select(w => w.Status));
        Assert.Equal(2, app.Emulator.Count(ArmCallKind.GetScaleSet));
        var store = app.Get<IStateStore>();
        Assert.NotNull(await store.GetProcessedEventAsync(ScaleSetId.Parse(id), "evt-1", CancellationToken.None));
        Assert.True((await store.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None))!.AcceleratedNetworking);
    }

    [Theory]
    [MemberData(nameof(TerminalEventFaults))]
    public async Task EventCall_TerminalFault_AcknowledgedAndKeptAsRejectedWithoutWrites(ArmCallKind kind, Fault fault)
    {
        var (app, id, payload) = NewPool(kind);
        await using var __ = app;
        var store = app.Get<IStateStore>();
        app.Emulator.AddFault(Rule(kind, fault));

        await app.Create<ScaleSetEventsFunction>().RunAsync(payload, CancellationToken.None);

        Assert.True(app.Emulator.Count(kind) >= 1, $"the fault on {kind} was never reached");
        Assert.DoesNotContain(app.Emulator.Writes, w => w.Status == 200);
        Assert.NotNull(await store.GetProcessedEventAsync(ScaleSetId.Parse(id), "evt-1", CancellationToken.None));
        var kept = Assert.Single(await RejectedAsync(store));
        Assert.Equal("evt-1", kept.EventId);
        Assert.Contains(((int)(fault == Fault.Forbidden403 ? 403 : 400)).ToString(System.Globalization.CultureInfo.InvariantCulture), kept.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AuditFaults))]
    public async Task AuditCall_FaultInOneSubscription_CompletesWithErrorsForThatSubscriptionOnly(ArmCallKind kind, Fault fault)
    {
        await using var app = AppUnderTest.Create(Settings, Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var healthy = Fleet.Id("healthy", OtherSubscription);
        var faulty = Fleet.Id("faulty");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("healthy", "Standard_D4s_v5", Now.AddMinutes(-1), subscription: OtherSubscription));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("faulty", "Standard_D4s_v5", Now.AddMinutes(-1)));
        if (kind == ArmCallKind.ListInstances)
        {
            // Instances are listed only for pools the app enabled AN on whose instances still run the old model.
            foreach (var name in new[] { "healthy", "faulty" })
            {
                var pool = name == "healthy" ? healthy : faulty;
                await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(pool, "create-" + name), CancellationToken.None);
            }

            app.Time.Advance(TimeSpan.FromMinutes(10));
        }

        app.Emulator.ResetCounts();
        var path = "/subscriptions/" + AppUnderTest.Subscription;
        app.Emulator.AddFault(Rule(kind, fault) is var r
            ? new FaultRule
            {
                Kind = r.Kind,
                Status = r.Status,
                ErrorCode = r.ErrorCode,
                RetryAfter = r.RetryAfter,
                Delay = r.Delay,
                DropConnection = r.DropConnection,
                When = c => c.Path.StartsWith(path, StringComparison.OrdinalIgnoreCase),
            }
            : null!);

        var run = await app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

        Assert.True(app.Emulator.Count(kind) >= 1, $"the fault on {kind} was never reached");
        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.NotEmpty(run.Errors);
        Assert.All(run.Errors, e => Assert.Contains(AppUnderTest.Subscription, e, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(run.Errors, e => e.Contains(OtherSubscription, StringComparison.OrdinalIgnoreCase));
        var other = Assert.Single(run.Subscriptions, s => s.SubscriptionId == OtherSubscription);
        Assert.Null(other.Error);
        Assert.Equal(1, other.Pools);
        Assert.NotNull(await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(healthy), CancellationToken.None));
    }
}
