using System.Text.Json.Nodes;
using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.EventGrid;

namespace AnFunctions.Tests.Conformance;

/// <summary>The public Event Grid samples under <c>tests/fixtures/eventgrid</c>, read by the app's parser and processor.</summary>
public sealed class EventGridFixtureConformanceTests
{
    private readonly EventGridPayloadParser _parser = new();

    /// <summary>Every file under <c>eventgrid/</c> is one delivery (an event or an array of events).</summary>
    private static IReadOnlyList<string> DeliveryFiles() => ConformanceFixtures.Files("eventgrid", "*.json");

    public static TheoryData<string> Deliveries() => new(DeliveryFiles());

    [Fact]
    public void Fixtures_EventGridFolder_HoldsEverySchema()
    {
        var files = DeliveryFiles();

        Assert.Contains(files, f => f.StartsWith("eventgrid/event-grid-schema/", StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith("eventgrid/cloud-events-schema/", StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith("eventgrid/resource-notifications/", StringComparison.Ordinal));
        Assert.Contains("eventgrid/subscription_validation_event.json", files);
    }

    [Theory]
    [MemberData(nameof(Deliveries))]
    public void Parse_EveryEventGridFixture_NoUnreadableElement(string file)
    {
        var payload = ConformanceFixtures.Read(file);
        var elements = JsonNode.Parse(payload) is JsonArray array ? array.Count : 1;

        var result = _parser.Parse(payload);

        Assert.True(result.Unreadable.Count == 0, $"{file}: {string.Join("; ", result.Unreadable.Select(u => u.Reason))}");
        Assert.Equal(elements, result.Events.Count);
        Assert.All(result.Events, e => Assert.False(string.IsNullOrWhiteSpace(e.Id)));
    }

    [Theory]
    [InlineData("eventgrid/event-grid-schema/resource_write_success.json", ResourceEventKind.WriteSuccess, EventSchema.EventGrid)]
    [InlineData("eventgrid/event-grid-schema/resource_write_failure.json", ResourceEventKind.WriteFailure, EventSchema.EventGrid)]
    [InlineData("eventgrid/event-grid-schema/resource_write_cancel.json", ResourceEventKind.WriteCancel, EventSchema.EventGrid)]
    [InlineData("eventgrid/event-grid-schema/resource_delete_success.json", ResourceEventKind.DeleteSuccess, EventSchema.EventGrid)]
    [InlineData("eventgrid/event-grid-schema/resource_action_success.json", ResourceEventKind.Other, EventSchema.EventGrid)]
    [InlineData("eventgrid/cloud-events-schema/resource_write_success.json", ResourceEventKind.WriteSuccess, EventSchema.CloudEvents)]
    [InlineData("eventgrid/cloud-events-schema/resource_write_failure.json", ResourceEventKind.WriteFailure, EventSchema.CloudEvents)]
    [InlineData("eventgrid/cloud-events-schema/resource_write_cancel.json", ResourceEventKind.WriteCancel, EventSchema.CloudEvents)]
    [InlineData("eventgrid/cloud-events-schema/resource_delete_success.json", ResourceEventKind.DeleteSuccess, EventSchema.CloudEvents)]
    [InlineData("eventgrid/cloud-events-schema/resource_action_success.json", ResourceEventKind.Other, EventSchema.CloudEvents)]
    [InlineData("eventgrid/resource-notifications/Resources_CreatedOrUpdated.json", ResourceEventKind.Other, EventSchema.EventGrid)]
    [InlineData("eventgrid/subscription_validation_event.json", ResourceEventKind.Other, EventSchema.EventGrid)]
    public void Parse_Fixture_KindFromTheEventType(string file, ResourceEventKind kind, EventSchema schema)
    {
        var json = ConformanceFixtures.ReadJson(file);
        var source = json is JsonArray array ? array[0]! : json;

        var e = Assert.Single(_parser.Parse(ConformanceFixtures.Read(file)).Events);

        Assert.Equal(kind, e.Kind);
        Assert.Equal(schema, e.Schema);
        Assert.Equal((source["eventType"] ?? source["type"])!.GetValue<string>(), e.EventType);
        if (kind != ResourceEventKind.Other)
        {
            Assert.Equal(source["data"]!["resourceUri"]!.GetValue<string>(), e.ResourceUri);
            Assert.Equal(source["data"]!["operationName"]!.GetValue<string>(), e.OperationName);
            Assert.Equal(source["data"]!["correlationId"]!.GetValue<string>(), e.CorrelationId);
        }
    }

    [Theory]
    [InlineData("eventgrid/event-grid-schema/resource_write_failure.json", ResourceEventKind.WriteFailure)]
    [InlineData("eventgrid/event-grid-schema/resource_write_cancel.json", ResourceEventKind.WriteCancel)]
    [InlineData("eventgrid/cloud-events-schema/resource_write_failure.json", ResourceEventKind.WriteFailure)]
    [InlineData("eventgrid/cloud-events-schema/resource_write_cancel.json", ResourceEventKind.WriteCancel)]
    public void Parse_FailureOrCancelSampleSayingSucceeded_KindIsNotTakenFromStatus(string file, ResourceEventKind kind)
    {
        var e = Assert.Single(_parser.Parse(ConformanceFixtures.Read(file)).Events);

        Assert.Equal("Succeeded", e.Status);
        Assert.Equal(kind, e.Kind);
    }

    [Theory]
    [InlineData("eventgrid/cloud-events-schema/resource_write_failure.json")]
    [InlineData("eventgrid/cloud-events-schema/resource_write_cancel.json")]
    [InlineData("eventgrid/cloud-events-schema/resource_delete_success.json")]
    public void Parse_CloudEventWithCamelCaseSpecVersion_Read(string file)
    {
        Assert.True(ConformanceFixtures.ReadJson(file).AsObject().ContainsKey("specVersion"), $"{file} no longer has the camelCase quirk");

        var e = Assert.Single(_parser.Parse(ConformanceFixtures.Read(file)).Events);

        Assert.Equal(EventSchema.CloudEvents, e.Schema);
    }

    [Fact]
    public void Parse_ValidationEvent_ReadAsOtherWithoutResource()
    {
        var e = Assert.Single(_parser.Parse(ConformanceFixtures.Read("eventgrid/subscription_validation_event.json")).Events);

        Assert.Equal("Microsoft.EventGrid.SubscriptionValidationEvent", e.EventType);
        Assert.Equal(ResourceEventKind.Other, e.Kind);
        Assert.Equal(string.Empty, e.ResourceUri);
    }

    /// <summary>The samples are about storage accounts and Event Hubs: the app acknowledges them without touching ARM.</summary>
    [Fact]
    public async Task ProcessAsync_EveryEventGridFixture_NothingToRetryNoArmCall()
    {
        await using var app = AppUnderTest.Create();
        var processor = app.Get<EventDeliveryProcessor>();

        foreach (var file in DeliveryFiles())
        {
            var result = await processor.ProcessAsync(ConformanceFixtures.Read(file), CancellationToken.None);

            Assert.All(result.Outcomes, o => Assert.True(
                o.Disposition is EventDisposition.Ignored or EventDisposition.Recorded or EventDisposition.Rejected,
                $"{file}: {o.EventId} {o.Disposition} {o.Detail}"));
        }

        Assert.Equal(0, app.Emulator.TotalCalls);
    }

    /// <summary>
    /// No public sample is about a scale set; PROVENANCE.md says how the shape is derived: the same event with the scale
    /// set's id as subject and resourceUri and the scale set write as operation. Both schemas reach the PATCH.
    /// </summary>
    [Theory]
    [InlineData("eventgrid/event-grid-schema/resource_write_success.json")]
    [InlineData("eventgrid/cloud-events-schema/resource_write_success.json")]
    public async Task ProcessAsync_WriteSuccessSampleDerivedForAScaleSet_EnablesAnOnTheNewPool(string file)
    {
        var now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        await using var app = AppUnderTest.Create(now: now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-from-sample");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-from-sample", "Standard_D4s_v5", now.AddMinutes(-3), an: false, nics: 2));
        var sample = ConformanceFixtures.ReadJson(file).AsObject();
        sample["subject"] = id;
        sample["data"]!["resourceUri"] = id;
        sample["data"]!["operationName"] = ScaleSetEventHandler.WriteOperation;
        sample["data"]!["subscriptionId"] = AppUnderTest.Subscription;

        var result = await app.Get<EventDeliveryProcessor>().ProcessAsync(sample.ToJsonString(), CancellationToken.None);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(EventDisposition.Handled, outcome.Disposition);
        var write = Assert.Single(app.Emulator.Writes);
        Assert.Equal("PATCH", write.Method);
        Assert.Equal(ScaleSetId.Parse(id), ScaleSetId.Parse(write.ResourceId));
        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet));
    }
}
