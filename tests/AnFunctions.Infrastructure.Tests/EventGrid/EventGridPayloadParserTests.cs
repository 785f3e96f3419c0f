using AnFunctions.Core.Events;
using AnFunctions.Infrastructure.EventGrid;

namespace AnFunctions.Infrastructure.Tests.EventGrid;

public sealed class EventGridPayloadParserTests
{
    private readonly EventGridPayloadParser _parser = new();

    [Fact]
    public void Parse_EventGridSchemaSingleEvent_ReadsEveryField()
    {
        var result = _parser.Parse(EventPayloads.EventGrid());

        var e = Assert.Single(result.Events);
        Assert.Empty(result.Unreadable);
        Assert.Equal("0d6f1c2e-7a3b-4c5d-9e8f-1a2b3c4d5e6f", e.Id);
        Assert.Equal(ResourceEventKind.WriteSuccess, e.Kind);
        Assert.Equal(EventSchema.EventGrid, e.Schema);
        Assert.Equal(EventPayloads.ScaleSetId, e.ResourceUri);
        Assert.Equal("Microsoft.Compute/virtualMachineScaleSets/write", e.OperationName);
        Assert.Equal("7b2d9f40-1c3e-4a5b-8d6f-0e1f2a3b4c5d", e.CorrelationId);
        Assert.Equal(EventPayloads.Subscription, e.SubscriptionId);
        Assert.Equal("PUT", e.HttpMethod);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 1, TimeSpan.Zero).AddTicks(1234567), e.EventTime);
    }

    [Theory]
    [InlineData("specversion")]
    [InlineData("specVersion")]
    public void Parse_CloudEvent_ReadsEvenWithCamelCaseSpecVersion(string key)
    {
        var result = _parser.Parse(EventPayloads.CloudEvent(specVersionKey: key));

        var e = Assert.Single(result.Events);
        Assert.Equal(EventSchema.CloudEvents, e.Schema);
        Assert.Equal(ResourceEventKind.WriteSuccess, e.Kind);
        Assert.Equal(EventPayloads.ScaleSetId, e.ResourceUri);
    }

    [Theory]
    [InlineData("Microsoft.Resources.ResourceWriteSuccess", ResourceEventKind.WriteSuccess)]
    [InlineData("Microsoft.Resources.ResourceWriteFailure", ResourceEventKind.WriteFailure)]
    [InlineData("Microsoft.Resources.ResourceWriteCancel", ResourceEventKind.WriteCancel)]
    [InlineData("Microsoft.Resources.ResourceDeleteSuccess", ResourceEventKind.DeleteSuccess)]
    [InlineData("Microsoft.Resources.ResourceActionSuccess", ResourceEventKind.Other)]
    [InlineData("Microsoft.EventGrid.SubscriptionValidationEvent", ResourceEventKind.Other)]
    public void Parse_EventType_DecidesTheKind(string eventType, ResourceEventKind expected)
    {
        var e = Assert.Single(_parser.Parse(EventPayloads.EventGrid(eventType: eventType)).Events);

        Assert.Equal(expected, e.Kind);
    }

    [Fact]
    public void Parse_FailureWithStatusSucceeded_IsStillAFailure()
    {
        // Published samples carry "status": "Succeeded" on failure events: routing must follow the type.
        var e = Assert.Single(_parser.Parse(EventPayloads.EventGrid(eventType: "Microsoft.Resources.ResourceWriteFailure", status: "Succeeded")).Events);

        Assert.Equal(ResourceEventKind.WriteFailure, e.Kind);
    }

    [Fact]
    public void Parse_NoResourceUri_FallsBackToSubject()
    {
        var e = Assert.Single(_parser.Parse(EventPayloads.EventGrid(resourceUri: null)).Events);

        Assert.Equal(EventPayloads.ScaleSetId, e.ResourceUri);
    }

    [Fact]
    public void Parse_BatchOfMixedSchemas_ReadsAll()
    {
        var payload = $"[{EventPayloads.EventGrid()},{EventPayloads.CloudEvent()},{EventPayloads.EventGrid(id: "second")}]";

        var result = _parser.Parse(payload);

        Assert.Equal(3, result.Events.Count);
        Assert.Empty(result.Unreadable);
    }

    [Fact]
    public void Parse_BatchWithBadElements_KeepsTheGoodOnesAndReportsTheBad()
    {
        var payload = $$"""[{{EventPayloads.EventGrid()}}, 42, {"id":"no-type"}, {"id":"x","eventType":"Microsoft.Resources.ResourceWriteSuccess"}, {{EventPayloads.CloudEvent()}}]""";

        var result = _parser.Parse(payload);

        Assert.Equal(2, result.Events.Count);
        Assert.Equal(3, result.Unreadable.Count);
        Assert.Contains(result.Unreadable, u => u.EventId == "no-type");
        Assert.All(result.Unreadable, u => Assert.False(string.IsNullOrWhiteSpace(u.Reason)));
    }

    public static TheoryData<string, string> Garbage() => new()
    {
        { "", "empty" },
        { "   ", "empty" },
        { "not json", "not valid JSON" },
        { "{\"id\":", "not valid JSON" },
        { "[]", "empty array" },
        { "null", "not a JSON object" },
        { "\"text\"", "not a JSON object" },
        { "{}", "neither" },
        { new string('[', 200) + new string(']', 200), "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Parse_Garbage_NeverThrowsAndSaysWhy(string payload, string reason)
    {
        var result = _parser.Parse(payload);

        Assert.Empty(result.Events);
        var problem = Assert.Single(result.Unreadable);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OversizedDelivery_IsRefusedWithoutParsing()
    {
        var result = _parser.Parse(new string(' ', EventGridPayloadParser.MaxPayloadChars) + "{}");

        Assert.Contains("larger than", Assert.Single(result.Unreadable).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WriteEventWithoutResourceOrSubject_IsUnreadable()
    {
        var payload = """{"id":"e1","eventType":"Microsoft.Resources.ResourceWriteSuccess","subject":"","eventTime":"2026-11-25T10:00:00Z","dataVersion":"2","data":{"operationName":"Microsoft.Compute/virtualMachineScaleSets/write"}}""";

        var result = _parser.Parse(payload);

        Assert.Empty(result.Events);
        Assert.Equal("e1", Assert.Single(result.Unreadable).EventId);
    }

    [Theory]
    [InlineData("{\"id\":\"a\",\"\\uD83D\":1}")]
    [InlineData("[\"\\uD83D\\uD9CA5\"]")]
    public void Parse_EscapedLoneSurrogate_IsUnreadableNotAnException(string payload)
    {
        var result = _parser.Parse(payload);

        Assert.Empty(result.Events);
        Assert.Contains("not valid JSON", Assert.Single(result.Unreadable).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BatchWithOneEscapedLoneSurrogateValue_KeepsTheOtherEvents()
    {
        var payload = $"[{EventPayloads.EventGrid()}, {{\"id\":\"bad\",\"eventType\":\"\\uDCA5\"}}]";

        var result = _parser.Parse(payload);

        Assert.Single(result.Events);
        Assert.Contains("not valid JSON text", Assert.Single(result.Unreadable).Reason, StringComparison.Ordinal);
    }
}
