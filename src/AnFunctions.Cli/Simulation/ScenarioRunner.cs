using System.Text.Json.Nodes;
using System.Text.Json;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Cli.Simulation;

/// <summary>
/// Replays a scenario through the same handlers the Functions run, against the ARM emulator and the in-memory store,
/// on the scenario's clock, and reports what the app did.
/// </summary>
internal static class ScenarioRunner
{
    public static async Task<SimulationResult> RunAsync(Scenario scenario, string file, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        // The scenario's clock: the app's waits (for its write's operation, before a retry) move it forward at once.
        var time = new VirtualClock(scenario.Start);
        var emulator = new ArmEmulator(time);
        emulator.SetSkus(scenario.Skus.Select(s => s.DeepClone().AsObject()));
        foreach (var scaleSet in scenario.ScaleSets)
        {
            emulator.PutScaleSet(scaleSet.DeepClone().AsObject());
        }

        ServiceProvider services;
        try
        {
            services = SimulatedApp.Build(emulator, time, scenario.Settings, loggerFactory);
        }
        catch (Exception e) when (SimulatedApp.SettingsFailures(e) is { } failures)
        {
            throw new ScenarioException(file, "settings", string.Join("; ", failures));
        }

        await using (services.ConfigureAwait(false))
        {
            var processor = services.GetRequiredService<EventDeliveryProcessor>();
            var audit = services.GetRequiredService<FleetAudit>();
            var pump = services.GetRequiredService<AlertPump>();
            var events = new List<EventView>();
            var http = new List<HttpView>();
            var deadLettered = new List<DeadLetterView>();
            var redeliveries = new PriorityQueue<Redelivery, (DateTimeOffset Due, long Order)>();
            long order = 0;
            var dispatcher = new HttpDispatcher(services);

            // One delivery of a batch as the Event Grid function gets it: a delivery with events that must come again
            // fails the invocation, and Event Grid delivers the whole batch again on its schedule (handled events are
            // duplicates by then), or dead-letters it.
            async Task DeliverAsync(int stepIndex, string payload, int attempt, DateTimeOffset firstAt)
            {
                // An attempt is listed at the moment Event Grid made it; the app's own waits (for its write's operation)
                // move the clock on while it handles it, and the next attempt is due after the failed one ended.
                var deliveredAt = time.GetUtcNow();
                var result = await processor.ProcessWithoutThrowingAsync(payload, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                events.AddRange(result.Outcomes.Select(o => new EventView(stepIndex, o.EventId, o.Disposition.ToString(), o.Detail, attempt, deliveredAt)));
                if (!result.HasRetries)
                {
                    return;
                }

                if (EventGridRetrySchedule.NextAttempt(attempt, firstAt, now) is { } due)
                {
                    redeliveries.Enqueue(new Redelivery(stepIndex, payload, attempt + 1, firstAt), (due, order++));
                }
                else
                {
                    deadLettered.AddRange(result.Outcomes.Where(o => o.Disposition == EventDisposition.RetryLater)
                        .Select(o => new DeadLetterView(o.EventId, attempt, o.Detail)));
                }
            }

            // Redeliveries due before an instant run first, at their own times, each followed by the alert timer.
            async Task RedeliverUntilAsync(DateTimeOffset until)
            {
                while (redeliveries.TryPeek(out var next, out var key) && key.Due <= until)
                {
                    redeliveries.Dequeue();
                    if (key.Due > time.GetUtcNow())
                    {
                        time.SetUtcNow(key.Due);
                    }

                    await DeliverAsync(next.Step, next.Payload, next.Attempt, next.FirstAt).ConfigureAwait(false);
                    await pump.RunAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var step in scenario.Steps)
            {
                var target = step.At ?? time.GetUtcNow().AddSeconds(1);
                await RedeliverUntilAsync(target).ConfigureAwait(false);
                if (target > time.GetUtcNow())
                {
                    time.SetUtcNow(target);
                }

                switch (step)
                {
                    case AzurePutStep put:
                        emulator.PutScaleSet(WithCreationTime(put.ScaleSet.DeepClone().AsObject(), emulator, time.GetUtcNow()));
                        break;
                    case AzureDeleteStep delete:
                        emulator.DeleteScaleSet(delete.ResourceId);
                        break;
                    case AzureFailedWriteStep failed:
                        emulator.AddFailedWrite(failed.ResourceId, failed.CorrelationId, failed.RequestBody, failed.ErrorCode, failed.ErrorMessage, time.GetUtcNow());
                        break;
                    case AzureFaultStep fault:
                        emulator.FailNext(fault.Call, fault.Status, fault.ErrorCode ?? DefaultCode(fault.Status), fault.Times, fault.RetryAfter);
                        break;
                    case AzureFailNextOperationStep failNext:
                        emulator.FailNextOperation(failNext.ResourceId, failNext.ErrorCode, failNext.ErrorMessage);
                        break;
                    case EventStep delivery:
                        await DeliverAsync(step.Index, delivery.Payload, attempt: 1, firstAt: time.GetUtcNow()).ConfigureAwait(false);
                        break;
                    case TickStep:
                        break;
                    case AuditStep:
                        await audit.RunAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case HttpStep call:
                        var exchange = await dispatcher.SendAsync(call.Method, call.Path, call.Body, cancellationToken).ConfigureAwait(false);
                        http.Add(new HttpView(step.Index, exchange.Method, exchange.Path, exchange.Status, exchange.Body));
                        break;
                }

                // The DeliverAlerts timer runs every minute; in a simulation it runs after every step.
                await pump.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            var store = services.GetRequiredService<IStateStore>();
            return new SimulationResult(
                scenario.Name,
                emulator.Writes.Select(w => new ArmWriteView(w.Method, w.ResourceId, w.Body?.DeepClone(), w.Status)).ToList(),
                await FindingsAsync(services.GetRequiredService<IFindingStore>(), cancellationToken).ConfigureAwait(false),
                services.GetRequiredService<RecordingAlertSink>().Delivered
                    .Select(n => new AlertView(n.Finding.Id, n.Action == AlertAction.Trigger ? "trigger" : "resolve", Lower(n.Finding.Severity), n.Finding.Kind.ToString(), n.Finding.PoolId.Value, n.CreatedAt))
                    .ToList(),
                Pools(emulator),
                await DecisionsAsync(store, emulator, cancellationToken).ConfigureAwait(false),
                events,
                emulator.Counts.Where(c => c.Value > 0).ToDictionary(c => c.Key.ToString(), c => c.Value),
                http,
                emulator.Disruptions.Select(d => new DisruptionView(d.ResourceId, d.At, d.Instances, d.Cause, d.NodesDown)).ToList(),
                deadLettered);
        }
    }

    private static async Task<List<FindingView>> FindingsAsync(IFindingStore store, CancellationToken cancellationToken)
    {
        var findings = new List<FindingView>();
        await foreach (var f in store.ListAsync(new FindingQuery(), cancellationToken).ConfigureAwait(false))
        {
            findings.Add(new FindingView(
                f.Id, f.PoolId.Value, f.Kind.ToString(), Lower(f.Severity), f.Status == FindingStatus.Open ? "open" : "resolved",
                f.Message, f.Consequence, f.Remedy, f.FirstSeen, f.LastSeen, f.ResolvedAt, JsonSerializer.SerializeToNode(f.Evidence, EvidenceJson)));
        }

        return findings.OrderBy(f => f.FirstSeen).ThenBy(f => f.Id, StringComparer.Ordinal).ToList();
    }

    private static readonly JsonSerializerOptions EvidenceJson = new(JsonSerializerDefaults.Web);

    private static string Lower(FindingSeverity severity) => severity.ToString().ToLowerInvariant();

    /// <summary>ARM stamps <c>timeCreated</c> when a scale set is created and keeps it when it is replaced.</summary>
    private static JsonObject WithCreationTime(JsonObject scaleSet, ArmEmulator emulator, DateTimeOffset now)
    {
        if (scaleSet["properties"] is not JsonObject properties)
        {
            properties = new JsonObject();
            scaleSet["properties"] = properties;
        }

        if (properties["timeCreated"] is null)
        {
            var existing = emulator.GetScaleSet(scaleSet["id"]!.GetValue<string>())?["properties"]?["timeCreated"];
            properties["timeCreated"] = existing?.DeepClone() ?? JsonValue.Create(now.UtcDateTime.ToString("O"));
        }

        return scaleSet;
    }

    private static List<PoolView> Pools(ArmEmulator emulator) =>
        emulator.ScaleSets
            .Select(s =>
            {
                var id = s["id"]!.GetValue<string>();
                var nics = s["properties"]?["virtualMachineProfile"]?["networkProfile"]?["networkInterfaceConfigurations"] as JsonArray ?? [];
                var an = nics.Count > 0 && nics.All(n => n?["properties"]?["enableAcceleratedNetworking"] is JsonValue v && v.TryGetValue<bool>(out var on) && on);
                var mode = s["properties"]?["upgradePolicy"]?["mode"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : "Manual";
                var instances = emulator.GetInstances(id) ?? [];
                return new PoolView(id, s["sku"]?["name"]?.GetValue<string>() ?? string.Empty, an, mode, new InstancesView(
                    instances.Count,
                    instances.Count(i => i.IsRunning),
                    instances.Count(i => i.AcceleratedNetworking),
                    instances.Count(i => i.LatestModelApplied)));
            })
            .OrderBy(p => p.ResourceId, StringComparer.OrdinalIgnoreCase)
            .ToList();

    private static string DefaultCode(int status) => status switch
    {
        409 => "Conflict",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "InjectedFault",
    };

    /// <summary>A delivery Event Grid will make again.</summary>
    private sealed record Redelivery(int Step, string Payload, int Attempt, DateTimeOffset FirstAt);

    private static async Task<List<DecisionView>> DecisionsAsync(IStateStore store, ArmEmulator emulator, CancellationToken cancellationToken)
    {
        var ids = new HashSet<ScaleSetId>();
        await foreach (var pool in store.ListPoolsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            ids.Add(pool.Id);
        }

        foreach (var scaleSet in emulator.ScaleSets)
        {
            if (ScaleSetId.TryParse(scaleSet["id"]?.GetValue<string>(), out var id, out _))
            {
                ids.Add(id);
            }
        }

        var decisions = new List<DecisionRecord>();
        foreach (var id in ids)
        {
            decisions.AddRange(await store.GetDecisionsAsync(id, 1000, cancellationToken).ConfigureAwait(false));
        }

        return decisions
            .OrderBy(d => d.At)
            .ThenBy(d => d.PoolId.Key, StringComparer.Ordinal)
            .Select(d => new DecisionView(d.At, d.PoolId.Value, d.Trigger, d.EventId, d.Outcome.ToString(), d.Reason.ToString(), d.Explanation))
            .ToList();
    }
}
