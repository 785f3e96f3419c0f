using System.Text.Json;
using AnFunctions.Core.Rollouts;
using static AnFunctions.Core.Tests.Rollouts.RolloutHarness;

namespace AnFunctions.Core.Tests.Rollouts;

/// <summary>The rollout record: its id, JSON, queue message and the in-progress refusal's text.</summary>
public sealed class RolloutRecordTests
{
    private const string ValidId = "rollout-20261125T100000Z-0123abcd";

    [Theory]
    [InlineData(RolloutStatus.Queued, false)]
    [InlineData(RolloutStatus.Running, false)]
    [InlineData(RolloutStatus.Succeeded, true)]
    [InlineData(RolloutStatus.Failed, true)]
    public void IsFinished_EachStatus_OnlySucceededAndFailed(RolloutStatus status, bool finished) =>
        Assert.Equal(finished, (new RolloutHarness().Rollout() with { Status = status }).IsFinished);

    [Fact]
    public void NewId_AnyOffset_UtcTimeThenEightHexDigitsAndValid()
    {
        var at = new DateTimeOffset(2026, 11, 25, 12, 30, 5, TimeSpan.FromHours(2));

        var first = Rollout.NewId(at);
        var second = Rollout.NewId(at);

        Assert.Matches("^rollout-20261125T103005Z-[0-9a-f]{8}$", first);
        Assert.True(Rollout.IsValidId(first));
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData(ValidId, true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("rollout-20261125T100000Z-0123abc", false)]
    [InlineData("rollout-20261125T100000Z-0123abcde", false)]
    [InlineData("rollout-20261125T100000Z-0123ABCD", false)]
    [InlineData("rollout-20261125T100000Z-0123abcg", false)]
    [InlineData("rollout-2026112xT100000Z-0123abcd", false)]
    [InlineData("Rollout-20261125T100000Z-0123abcd", false)]
    [InlineData("xrollout-20261125T100000Z-0123abc", false)]
    [InlineData("rollout-20261125T100000Z-0123abcd\n", false)]
    public void IsValidId_Shapes_OnlyTheNewIdShape(string? value, bool valid) => Assert.Equal(valid, Rollout.IsValidId(value));

    [Fact]
    public void Serialize_Rollout_CamelCaseEnumsPoolIdAsTextWithoutVersionOrIsFinished()
    {
        var rollout = new RolloutHarness().Rollout(Batch(0, ["0", "1"], running: ["0"]) with { Step = BatchStep.Deallocated }) with
        {
            Status = RolloutStatus.Running,
            Skipped = [new SkippedInstance("2", "protected")],
            Version = "W/\"7\"",
        };

        var json = RolloutJson.Serialize(rollout);

        Assert.Contains("\"rolloutId\":\"rollout-20261125T100000Z-0123abcd\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"poolId\":\"{TestData.Id().Value}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"running\"", json, StringComparison.Ordinal);
        Assert.Contains("\"step\":\"deallocated\"", json, StringComparison.Ordinal);
        Assert.Contains("\"version\":null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("W/", json, StringComparison.Ordinal);
        Assert.DoesNotContain("isFinished", json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("W/\"7\"", rollout.Version);
    }

    [Fact]
    public void Deserialize_SerializedRollout_SameRolloutWithTheGivenVersion()
    {
        var rollout = new RolloutHarness().Rollout(Batch(0, ["0"]) with { Step = BatchStep.Done, StartedAt = TestData.Now, FinishedAt = TestData.Now.AddMinutes(3), Error = "e" }) with
        {
            Status = RolloutStatus.Failed,
            StartedAt = TestData.Now,
            EndedAt = TestData.Now.AddMinutes(4),
            Error = "batch 0 failed",
            TransientFailures = 2,
            LastTransientError = "503",
            Skipped = [new SkippedInstance("2", "protected")],
        };

        var back = RolloutJson.Deserialize(RolloutJson.Serialize(rollout), "W/\"9\"");

        Assert.Equal("W/\"9\"", back.Version);
        Assert.Equal(TestData.Id(), back.PoolId);
        Assert.Equal(RolloutJson.Serialize(rollout), RolloutJson.Serialize(back));
        Assert.Equal(rollout.Batches[0] with { InstanceIds = back.Batches[0].InstanceIds, Running = back.Batches[0].Running }, back.Batches[0]);
        Assert.Equal(rollout.Skipped, back.Skipped);
        Assert.True(back.IsFinished);
    }

    [Fact]
    public void Deserialize_JsonNull_ThrowsSayingSo()
    {
        var thrown = Assert.Throws<JsonException>(() => RolloutJson.Deserialize("null", "v1"));

        Assert.Equal("a rollout record is JSON null", thrown.Message);
    }

    [Fact]
    public void Message_ToJson_OnlyTheIdUnderRolloutIdOnTheRolloutsQueue()
    {
        Assert.Equal("{\"rolloutId\":\"" + ValidId + "\"}", new RolloutMessage(ValidId).ToJson());
        Assert.Equal("rollouts", RolloutMessage.QueueName);
    }

    [Fact]
    public void TryParse_ItsOwnJson_TheMessage() =>
        Assert.Equal(new RolloutMessage(ValidId), RolloutMessage.TryParse(new RolloutMessage(ValidId).ToJson()));

    [Fact]
    public void TryParse_Exactly4096Characters_ParsedAndOneMoreNot()
    {
        var json = new RolloutMessage(ValidId).ToJson();
        var at = json + new string(' ', 4096 - json.Length);

        Assert.Equal(new RolloutMessage(ValidId), RolloutMessage.TryParse(at));
        Assert.Null(RolloutMessage.TryParse(at + " "));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("{\"rolloutId\":\"audit-20261125T100000Z-0123abcd\"}")]
    [InlineData("{\"runId\":\"rollout-20261125T100000Z-0123abcd\"}")]
    public void TryParse_NotARolloutMessage_Null(string? json) => Assert.Null(RolloutMessage.TryParse(json));

    [Fact]
    public void InProgressException_OfARollout_NamesThePoolTheRolloutAndItsStatus()
    {
        var active = new RolloutHarness().Rollout() with { Status = RolloutStatus.Running };

        var e = new RolloutInProgressException(active);

        Assert.Equal($"pool {TestData.Id().Value} already has rollout {ValidId} (Running)", e.Message);
        Assert.Same(active, e.Active);
        Assert.Equal("the pool already has a rollout in progress", new RolloutInProgressException().Message);
        Assert.Null(new RolloutInProgressException().Active);
    }
}
