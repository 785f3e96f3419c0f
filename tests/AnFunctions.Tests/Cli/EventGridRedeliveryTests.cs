using System.Text.Json.Nodes;
using AnFunctions.Cli;
using AnFunctions.Cli.Simulation;

namespace AnFunctions.Tests.Cli;

/// <summary>Event Grid's retry schedule as <c>simulate</c> replays it, and the scenario steps that drive it.</summary>
public sealed class EventGridRedeliveryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NextAttempt_DocumentedDelays_ThenEvery12HoursUntil24Hours()
    {
        var due = new List<TimeSpan>();
        var at = T0;
        for (var attempt = 1; EventGridRetrySchedule.NextAttempt(attempt, T0, at) is { } next; attempt++)
        {
            due.Add(next - at);
            at = next;
        }

        Assert.Equal(
            [
                TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
                TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
            ],
            due);
        Assert.True(at - T0 <= EventGridRetrySchedule.TimeToLive);
    }

    [Fact]
    public void NextAttempt_ThirtiethAttemptFailed_DeadLetters()
    {
        Assert.Null(EventGridRetrySchedule.NextAttempt(30, T0, T0.AddMinutes(1)));
        Assert.NotNull(EventGridRetrySchedule.NextAttempt(29, T0, T0.AddMinutes(1)));
    }

    [Fact]
    public async Task Simulate_DeliveryThatNeverSucceeds_IsDeadLetteredAfter24HoursWithItsAttempts()
    {
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Scenarios, "throttled-patch.json")))!.AsObject();
        var steps = scenario["steps"]!.AsArray();
        // The scale set cannot be read at all: every attempt fails before any decision (a failing PATCH would stop
        // failing once the pool is out of its new-pool window: the redelivery then finds an existing pool).
        steps[0]!["azure"]!["fault"] = new JsonObject { ["call"] = "GetScaleSet", ["status"] = 503, ["times"] = 1000 };
        steps[2] = new JsonObject { ["at"] = "2026-11-26T12:00:00Z", ["tick"] = new JsonObject() };
        var path = Path.Combine(Path.GetTempPath(), $"dead-letter-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, scenario.ToJsonString());
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["simulate", path], stdout, stderr);

        File.Delete(path);
        Assert.True(exit == 0, stderr.ToString());
        var result = JsonNode.Parse(stdout.ToString())!;
        var dead = Assert.Single(result["deadLettered"]!.AsArray())!;
        Assert.Equal(11, dead["attempts"]!.GetValue<int>());
        Assert.Contains("503", dead["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(result["armWrites"]!.AsArray());
        Assert.Equal(11, result["events"]!.AsArray().Count);
        Assert.All(result["events"]!.AsArray(), e => Assert.Equal("RetryLater", e!["disposition"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"azure": {"fault": {"call": "resourceGraph", "status": 429}}}""", "steps[0].azure.fault.call", "unknown call kind 'resourceGraph' (expected one of GetScaleSet, PatchScaleSet, ListScaleSets, ListInstances, InstanceAction, ListSkus, ActivityLog, ResourceGraph)")]
    [InlineData("""{"azure": {"fault": {"call": "Patch", "status": 429}}}""", "steps[0].azure.fault.call", "unknown call kind")]
    [InlineData("""{"azure": {"fault": {"call": "PatchScaleSet", "status": 200}}}""", "steps[0].azure.fault.status", "from 400 to 599")]
    [InlineData("""{"azure": {"fault": {"call": "PatchScaleSet", "status": 429, "retryAfter": 5}}}""", "steps[0].azure.fault.retryAfter", "unknown field")]
    [InlineData("""{"azure": {"failNextOperation": {"resourceId": "/subscriptions/6d3f8b21-4c7a-4e19-a2b5-0f9e8d7c6b5a/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/x"}}}""", "steps[0].azure.failNextOperation", "error")]
    [InlineData("""{"tick": {"now": true}}""", "steps[0].tick", "empty object")]
    public void Parse_BadVersion2Step_NamesTheStepAndField(string step, string place, string problem)
    {
        var json = $$"""{"start": "2026-11-25T09:00:00Z", "steps": [{{step}}]}""";

        var failure = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json, "bad.json"));

        Assert.Equal(place, failure.Place);
        Assert.Contains(problem, failure.Problem, StringComparison.Ordinal);
    }
}
