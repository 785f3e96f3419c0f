using System.Globalization;
using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Events;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Retention;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.Infrastructure.Tests.Reliability;
using AnFunctions.Infrastructure.Tests.State;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit.Abstractions;

namespace AnFunctions.Infrastructure.Tests.Retention;

/// <summary>
/// A month of a small fleet's life on Azurite, on a virtual clock, with the app's real Core and Table stores: every day
/// events (and their redeliveries), a malformed event, four audits, one pool losing AN and one getting it back (a
/// finding opened and one resolved, both alerted), and the <c>PruneStorage</c> run every six hours. After the longest
/// retention period, the rows of every table stay flat.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MonthOnAzuriteTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Subscription = "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e";
    private const int Days = 30;
    private const int Pools = 6;
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Short periods so that a month holds several of them; the longest (decisions) is 5 days.</summary>
    private static readonly Dictionary<string, string?> Retention = new()
    {
        ["Retention:ProcessedEventsHours"] = "48",
        ["Retention:DecisionsDays"] = "5",
        ["Retention:RejectedEventsDays"] = "3",
        ["Retention:ResolvedFindingsDays"] = "2",
        ["Retention:AuditRunsDays"] = "3",
        ["Retention:DeliveredAlertsDays"] = "4",
    };

    private const int SteadyFromDay = 5 + 2;

    private readonly string _prefix = TableStateStoreTests.UniquePrefix();
    private readonly TableServiceClient _service = new(AzuriteFixture.ConnectionString);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => AzuriteFixture.DropTablesAsync(_prefix);

    [Fact]
    public async Task AMonthOfEventsAndAudits_RowCountsPerTableStayFlatAfterTheRetentionPeriods()
    {
        Assert.NotNull(azurite);
        var clock = new VirtualClock(Start);
        var emulator = new ArmEmulator(clock) { RequestLogLimit = 0, Throttling = ArmThrottling.Off };
        emulator.SetSkus([AzuriteApp.AnSku()]);
        var ids = Enumerable.Range(0, Pools).Select(i => $"/subscriptions/{Subscription}/resourceGroups/k8s/providers/Microsoft.Compute/virtualMachineScaleSets/pool{i}").ToList();
        foreach (var id in ids)
        {
            emulator.PutScaleSet(ScaleSet(id, an: true));
        }

        var sink = new AcceptingSink();
        await using var app = Build(emulator, clock, sink);
        var events = app.GetRequiredService<EventDeliveryProcessor>();
        var audit = app.GetRequiredService<FleetAudit>();
        var alerts = app.GetRequiredService<AlertPump>();
        var pruner = app.GetRequiredService<StoragePruner>();

        var daily = new List<Dictionary<string, int>>();
        var written = 0;
        for (var day = 0; day < Days; day++)
        {
            var dayStart = Start.AddDays(day);
            for (var quarter = 0; quarter < 4; quarter++)
            {
                AdvanceTo(clock, dayStart.AddHours(6 * quarter + 1));
                if (quarter == 0)
                {
                    // One pool loses AN (a finding opens), the one that lost it yesterday gets it back (it resolves).
                    emulator.PutScaleSet(ScaleSet(ids[day % Pools], an: false));
                    emulator.PutScaleSet(ScaleSet(ids[(day + Pools - 1) % Pools], an: true));
                }

                foreach (var (id, i) in ids.Select((id, i) => (id, i)))
                {
                    var eventId = string.Create(CultureInfo.InvariantCulture, $"d{day}-q{quarter}-p{i}");
                    await DeliverAsync(events, WriteEvent(id, eventId, clock.GetUtcNow()));
                    await DeliverAsync(events, WriteEvent(id, eventId, clock.GetUtcNow())); // Event Grid's redelivery
                    written++;
                }

                await DeliverAsync(events, $"{{\"id\":\"bad-{day}-{quarter}\",\"eventType\":\"Microsoft.Resources.ResourceWriteSuccess\"}}");
                await audit.RunAsync(new AuditRequest("timer"), CancellationToken.None);
                await alerts.RunAsync(CancellationToken.None);
                AdvanceTo(clock, dayStart.AddHours(6 * quarter + 5));
                await alerts.RunAsync(CancellationToken.None);
                await pruner.RunAsync(CancellationToken.None);
            }

            daily.Add(await CountAsync());
            output.WriteLine($"day {day + 1,2}: " + string.Join(", ", daily[^1].Select(c => $"{c.Key} {c.Value}")));
        }

        output.WriteLine($"events delivered {written} (each twice), alerts delivered {sink.Count}");
        var steady = daily[SteadyFromDay];
        foreach (var (table, count) in steady)
        {
            var series = daily.Skip(SteadyFromDay).Select(d => d[table]).ToList();
            Assert.True(series.All(c => c == count), $"{table} is not flat from day {SteadyFromDay + 1}: {string.Join(", ", series)}");
        }

        // Each kind of row was written all month long and is bounded by its retention, not by the month.
        Assert.Equal(Pools * 4 * 2, steady["ProcessedEvents"]);
        Assert.InRange(steady["Decisions"], 1, written - 1);
        Assert.Equal(4 * 3, steady["RejectedEvents"]);
        Assert.Equal(4 * 3, steady["AuditRuns"]);
        Assert.InRange(steady["ResolvedFindings"], 1, Pools - 1);
        Assert.Equal(1, steady["OpenFindings"]);
        Assert.InRange(steady["DeliveredAlerts"], 1, sink.Count - 1);
        Assert.Equal(0, steady["UndeliveredAlerts"]);
        Assert.Equal(Pools, steady["Pools"]);
        Assert.True(sink.Count >= 2 * (Days - 1), $"alerts delivered: {sink.Count}");
    }

    private async Task<Dictionary<string, int>> CountAsync()
    {
        // The pools table holds the pool records, their decisions ('$d|') and the marks of handled events ('$e|');
        // the events and decisions tables, marks whose subject names no pool and decisions of the former layout.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["Pools"] = 0,
            ["ProcessedEvents"] = await CountAsync(TableStateStore.EventsTableSuffix),
            ["Decisions"] = await CountAsync(TableStateStore.DecisionsTableSuffix),
            ["RejectedEvents"] = await CountAsync(TableStateStore.RejectedTableSuffix),
            ["AuditRuns"] = await CountAsync(TableAuditRunStore.TableSuffix),
            ["OpenFindings"] = 0,
            ["ResolvedFindings"] = 0,
            ["DeliveredAlerts"] = 0,
            ["UndeliveredAlerts"] = 0,
        };
        await foreach (var row in _service.GetTableClient(_prefix + TableStateStore.PoolsTableSuffix).QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            var key = row.RowKey.StartsWith(TableKeys.ProcessedRowPrefix, StringComparison.Ordinal) ? "ProcessedEvents"
                : row.RowKey.StartsWith(TableKeys.PoolDecisionRowPrefix, StringComparison.Ordinal) ? "Decisions"
                : "Pools";
            counts[key]++;
        }

        await foreach (var row in _service.GetTableClient(_prefix + TableFindingStore.TableSuffix).QueryAsync<TableEntity>(select: ["RowKey", "Status"]))
        {
            var kind = row.RowKey.StartsWith("finding~", StringComparison.Ordinal) || row.RowKey.StartsWith("finding|", StringComparison.Ordinal) ? "finding"
                : row.RowKey.StartsWith("outbox~", StringComparison.Ordinal) || row.RowKey.StartsWith("outbox|", StringComparison.Ordinal) ? "outbox"
                : "other";
            var key = (kind, row.GetString("Status")) switch
            {
                ("finding", nameof(FindingStatus.Open)) => "OpenFindings",
                ("finding", _) => "ResolvedFindings",
                ("outbox", nameof(OutboxStatus.Delivered)) => "DeliveredAlerts",
                ("outbox", _) => "UndeliveredAlerts",
                _ => "OtherFindingsTableRows",
            };
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    private async Task<int> CountAsync(string suffix)
    {
        var count = 0;
        await foreach (var page in _service.GetTableClient(_prefix + suffix).QueryAsync<TableEntity>(select: ["PartitionKey"]).AsPages())
        {
            count += page.Values.Count;
        }

        return count;
    }

    /// <summary>The app's own waits move the virtual clock too: never back.</summary>
    private static void AdvanceTo(VirtualClock clock, DateTimeOffset at)
    {
        if (at > clock.GetUtcNow())
        {
            clock.SetUtcNow(at);
        }
    }

    private static async Task DeliverAsync(EventDeliveryProcessor events, string payload)
    {
        try
        {
            await events.ProcessAsync(payload, CancellationToken.None);
        }
        catch (DeliveryRetryException)
        {
            // Would be redelivered by Event Grid; the next quarter's events come anyway.
        }
    }

    private ServiceProvider Build(ArmEmulator emulator, VirtualClock clock, IAlertSink sink)
    {
        var values = new Dictionary<string, string?>(Retention)
        {
            ["State:Store"] = "Table",
            ["State:ConnectionString"] = AzuriteFixture.ConnectionString,
            ["State:TablePrefix"] = _prefix,
        };
        var services = new ServiceCollection();
        services.AddAnFunctionsOnEmulator(emulator, clock, values);
        services.RemoveAll<IEnumerable<IAlertSink>>();
        services.AddSingleton<IEnumerable<IAlertSink>>([sink]);
        return services.BuildValidated();
    }

    /// <summary>A pool created long before the month (an existing pool: the app records it, never writes to it).</summary>
    private static JsonObject ScaleSet(string id, bool an)
    {
        var vmss = AzuriteApp.ScaleSet(id, TimeSpan.FromDays(365));
        vmss["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = an;
        return vmss;
    }

    private static string WriteEvent(string id, string eventId, DateTimeOffset at) => new JsonObject
    {
        ["id"] = eventId,
        ["subject"] = id,
        ["eventType"] = "Microsoft.Resources.ResourceWriteSuccess",
        ["eventTime"] = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["dataVersion"] = "2",
        ["data"] = new JsonObject { ["resourceUri"] = id, ["operationName"] = "Microsoft.Compute/virtualMachineScaleSets/write" },
    }.ToJsonString();

    private sealed class AcceptingSink : IAlertSink
    {
        private int _count;

        public string Name => "webhook";

        public int Count => Volatile.Read(ref _count);

        public bool Accepts(AlertNotification notification) => true;

        public Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
