using System.Text.Json.Nodes;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Conformance;

/// <summary>
/// The public scale set examples (tests/fixtures/arm-examples) as a new user's fleet: every one of them, as published,
/// in one subscription, beside one scale set the app cannot read. The audit completes and reports every other pool;
/// an example seeded as a new pool goes through the event path to a decision, not to a rejection.
/// </summary>
public sealed class AuditConformanceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Every scale set of every example's responses, each under a name of its own in one subscription.</summary>
    private static List<JsonObject> EveryExampleScaleSet()
    {
        var scaleSets = new List<JsonObject>();
        var fileNumber = 0;
        foreach (var file in ConformanceFixtures.Files("arm-examples", "VirtualMachineScaleSet_*.json", SearchOption.TopDirectoryOnly))
        {
            fileNumber++;
            if (ConformanceFixtures.ReadJson(file)["responses"] is not JsonObject responses)
            {
                continue;
            }

            foreach (var (status, response) in responses)
            {
                var body = response?["body"];
                var items = body?["value"] is JsonArray values ? values.ToList() : [body];
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is JsonObject item && item["id"]?.GetValue<string>()?.Contains("/virtualMachineScaleSets/", StringComparison.OrdinalIgnoreCase) == true)
                    {
                        var copy = item.DeepClone().AsObject();
                        // Scale set names are short (64 characters at most): the file's number, the status, the position.
                        var name = $"example-{fileNumber}-{status}-{i}";
                        copy["id"] = Fleet.Id(name);
                        copy["name"] = name;
                        scaleSets.Add(copy);
                    }
                }
            }
        }

        return scaleSets;
    }

    [Fact]
    public async Task Audit_EveryPublicExampleAndOneUnreadableScaleSet_CompletesAndReportsEveryOtherPool()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.PageSize = 5;
        var examples = EveryExampleScaleSet();
        foreach (var example in examples)
        {
            app.Emulator.PutScaleSet(example);
        }

        var unreadable = Fleet.ScaleSet("pool-unreadable", "Standard_D4s_v5", Now.AddDays(-2));
        unreadable["properties"]!["timeCreated"] = "last tuesday";
        app.Emulator.PutScaleSet(unreadable);

        var run = await app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

        Assert.True(examples.Count >= 10, $"{examples.Count} example scale sets");
        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal(examples.Count + 1, run.PoolsSeen);
        Assert.Equal(examples.Count, run.PoolsRecorded);
        var error = Assert.Single(run.Errors);
        Assert.StartsWith(Fleet.Id("pool-unreadable"), error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("properties.timeCreated 'last tuesday' is not a date", error, StringComparison.Ordinal);
        var recorded = new List<PoolRecord>();
        await foreach (var pool in app.Get<IStateStore>().ListPoolsAsync(AppUnderTest.Subscription, CancellationToken.None))
        {
            recorded.Add(pool);
        }

        Assert.Equal(examples.Select(e => e["id"]!.GetValue<string>()).Order(StringComparer.OrdinalIgnoreCase),
            recorded.Select(p => p.Id.Value).Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain(recorded, p => p.Id.Name == "pool-unreadable");
    }

    [Fact]
    public async Task Audit_APoolBecomesUnreadable_ItsRecordIsNotClosedAsIfItWereGone()
    {
        await using var app = AppUnderTest.Create(now: Now);
        var id = Fleet.Id("pool-known");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-known", "Standard_D4s_v5", Now.AddDays(-2)));
        await app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);
        app.Emulator.ModifyScaleSet(id, s => s["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = "sometimes");

        var run = await app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

        Assert.Equal(0, run.PoolsClosed);
        Assert.Contains("enableAcceleratedNetworking is 'sometimes', not true or false", Assert.Single(run.Errors), StringComparison.Ordinal);
        Assert.Equal(PoolStatus.Active, (await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Event_CustomImageExampleAsANewPool_DecidedFromItsJsonWaitsWhileCreatingThenWritesItsNicAsPublished()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus([Fleet.Sku("Standard_D1_v2", an: true, location: "westus")]);
        var example = ConformanceFixtures.ReadJson("arm-examples/VirtualMachineScaleSet_Create_CustomImageFromAnUnmanagedGeneralizedOsImage.json")["responses"]!["201"]!["body"]!.DeepClone().AsObject();
        var id = Fleet.Id("pool-custom-image");
        example["id"] = id;
        example["properties"]!["timeCreated"] = Now.AddMinutes(-1).ToString("O");
        app.Emulator.PutScaleSet(example.DeepClone().AsObject());
        var function = app.Create<ScaleSetEventsFunction>();

        // Still Creating, as published: ARM refuses writes to it; the app does not try, and asks Event Grid to come back.
        await Assert.ThrowsAsync<Core.Events.DeliveryRetryException>(() => function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None));
        example["properties"]!["provisioningState"] = "Succeeded";
        app.Emulator.PutScaleSet(example.DeepClone().AsObject());
        app.Time.Advance(TimeSpan.FromSeconds(10));
        await function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);

        var write = Assert.Single(app.Emulator.Writes);
        Assert.Equal(200, write.Status);
        var nic = Assert.Single(write.Body!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray())!;
        var published = example["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!.DeepClone().AsObject();
        published["properties"]!["enableAcceleratedNetworking"] = true;
        Assert.True(JsonNode.DeepEquals(published, nic), nic.ToJsonString());
        var decisions = await app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(id), 10, CancellationToken.None);
        Assert.Equal([DecisionReason.NewPoolEnabled, DecisionReason.ProvisioningInProgress], decisions.Select(d => d.Reason));
    }
}
