using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Tests.Findings;

/// <summary>
/// <see cref="FindingJson"/>: the exact JSON the stores keep (names, enum names, nulls left out, computed values not
/// written, text as is), the round trip with read-only lists, unknown fields ignored, and what reading refuses. (The
/// adapters' suite covers more shapes; these run with Core's own tests.)
/// </summary>
public sealed class FindingJsonCoreTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 10, 0, 0, TimeSpan.FromHours(1));

    private static Finding Sample(FindingEvidence? evidence = null) => new()
    {
        Id = "fnd-0123456789abcdef01234567",
        PoolId = TestData.Id(),
        Kind = FindingKind.AcceleratedNetworkingLost,
        Severity = FindingSeverity.Critical,
        Status = FindingStatus.Open,
        FirstSeen = At,
        LastSeen = At.AddMinutes(5),
        Message = "AN lost on café <pool>",
        Consequence = "slower",
        Remedy = "new pool",
        Evidence = evidence ?? new FindingEvidence
        {
            PreviousSizes = ["Standard_D4s_v3"],
            CurrentSizes = ["Standard_B2s"],
            AttemptedSizes = ["Standard_B4ms"],
            EventIds = ["evt-1", "evt-2"],
            AcceleratedNetworking = false,
            ActivityLogPending = true,
            WriteAttempt = 2,
        },
    };

    private static AlertNotification Notification(Finding finding) => new()
    {
        NotificationId = "n-1",
        Action = AlertAction.Trigger,
        CreatedAt = At,
        Finding = finding,
        PortalUrl = new Uri("https://portal.azure.com/#@/resource/x/overview"),
    };

    [Fact]
    public void Serialize_Finding_ExactJson()
    {
        var json = FindingJson.Serialize(Sample());

        Assert.Equal(
            "{\"id\":\"fnd-0123456789abcdef01234567\",\"poolId\":\"" + TestData.Id().Value + "\",\"kind\":\"AcceleratedNetworkingLost\","
            + "\"severity\":\"Critical\",\"status\":\"Open\",\"firstSeen\":\"2026-11-25T10:00:00+01:00\",\"lastSeen\":\"2026-11-25T10:05:00+01:00\","
            + "\"message\":\"AN lost on café <pool>\",\"consequence\":\"slower\",\"remedy\":\"new pool\",\"evidence\":{\"previousSizes\":[\"Standard_D4s_v3\"],"
            + "\"currentSizes\":[\"Standard_B2s\"],\"attemptedSizes\":[\"Standard_B4ms\"],\"acceleratedNetworking\":false,\"eventIds\":[\"evt-1\",\"evt-2\"],"
            + "\"activityLogPending\":true,\"writeAttempt\":2}}",
            json);
    }

    [Fact]
    public void Serialize_EmptyEvidence_OnlyTheListsAndTheFlag()
    {
        Assert.Equal(
            "{\"previousSizes\":[],\"currentSizes\":[],\"attemptedSizes\":[],\"eventIds\":[],\"activityLogPending\":false}",
            FindingJson.Serialize(new FindingEvidence()));
    }

    [Fact]
    public void Serialize_Notification_NoDedupKeyOrSummaryAndTheFindingNested()
    {
        var node = JsonNode.Parse(FindingJson.Serialize(Notification(Sample())))!.AsObject();

        Assert.Equal(["notificationId", "action", "createdAt", "finding", "portalUrl"], node.Select(p => p.Key));
        Assert.Equal("Trigger", (string?)node["action"]);
        Assert.Equal("2026-11-25T10:00:00+01:00", (string?)node["createdAt"]);
        Assert.Equal(TestData.Id().Value, (string?)node["finding"]!["poolId"]);
        Assert.False(node["finding"]!.AsObject().ContainsKey("isOpen"));
    }

    [Fact]
    public void SerializeThenDeserialize_Finding_RoundTripsWithReadOnlyLists()
    {
        var finding = Sample() with { ResolvedAt = At.AddHours(1), LastNotifiedAt = At.AddHours(2), Version = "W/\"3\"", Status = FindingStatus.Resolved };

        var read = FindingJson.DeserializeFinding(FindingJson.Serialize(finding));

        Assert.Equal(FindingJson.Serialize(finding), FindingJson.Serialize(read));
        Assert.Equal(finding.PoolId, read.PoolId);
        Assert.Equal(At.AddHours(1), read.ResolvedAt);
        Assert.Equal(TimeSpan.FromHours(1), read.FirstSeen.Offset);
        Assert.False(read.IsOpen);
        AssertReadOnly(read.Evidence);
    }

    [Fact]
    public void SerializeThenDeserialize_Evidence_RoundTripsWithReadOnlyLists()
    {
        var evidence = Sample().Evidence;

        var read = FindingJson.DeserializeEvidence(FindingJson.Serialize(evidence));

        Assert.Equal(FindingJson.Serialize(evidence), FindingJson.Serialize(read));
        Assert.Equal(["evt-1", "evt-2"], read.EventIds);
        AssertReadOnly(read);
    }

    [Fact]
    public void SerializeThenDeserialize_Notification_RoundTripsWithReadOnlyLists()
    {
        var notification = Notification(Sample());

        var read = FindingJson.DeserializeNotification(FindingJson.Serialize(notification));

        Assert.Equal(FindingJson.Serialize(notification), FindingJson.Serialize(read));
        Assert.Equal(notification.DedupKey, read.DedupKey);
        Assert.Equal(notification.Summary, read.Summary);
        AssertReadOnly(read.Finding.Evidence);
    }

    [Fact]
    public void DeserializeFinding_UnknownAndComputedFields_Ignored()
    {
        var node = JsonNode.Parse(FindingJson.Serialize(Sample()))!.AsObject();
        node["isOpen"] = false;
        node["somethingNew"] = new JsonObject { ["x"] = 1 };
        node["evidence"]!["futureField"] = "y";

        var read = FindingJson.DeserializeFinding(node.ToJsonString());

        Assert.Equal(FindingJson.Serialize(Sample()), FindingJson.Serialize(read));
        Assert.True(read.IsOpen);
    }

    [Theory]
    [InlineData("message", "null")]
    [InlineData("kind", "3")]
    [InlineData("kind", "\"accelerated_networking_lost\"")]
    [InlineData("poolId", "\"/subscriptions/x\"")]
    [InlineData("poolId", "null")]
    [InlineData("evidence", "null")]
    public void DeserializeFinding_BadProperty_ThrowsJsonException(string property, string value)
    {
        var node = JsonNode.Parse(FindingJson.Serialize(Sample()))!.AsObject();
        node[property] = JsonNode.Parse(value);

        Assert.Throws<JsonException>(() => FindingJson.DeserializeFinding(node.ToJsonString()));
    }

    [Fact]
    public void DeserializeFinding_RequiredPropertyMissing_ThrowsJsonException()
    {
        var node = JsonNode.Parse(FindingJson.Serialize(Sample()))!.AsObject();
        node.Remove("remedy");

        Assert.Throws<JsonException>(() => FindingJson.DeserializeFinding(node.ToJsonString()));
    }

    [Fact]
    public void Deserialize_JsonNull_ThrowsNamingTheTypeExpected()
    {
        Assert.Equal("the JSON is null where a Finding was expected", Assert.Throws<JsonException>(() => FindingJson.DeserializeFinding("null")).Message);
        Assert.Equal("the JSON is null where a FindingEvidence was expected", Assert.Throws<JsonException>(() => FindingJson.DeserializeEvidence("null")).Message);
        Assert.Equal("the JSON is null where a AlertNotification was expected", Assert.Throws<JsonException>(() => FindingJson.DeserializeNotification("null")).Message);
    }

    [Fact]
    public void NullArguments_Throw()
    {
        Assert.Equal("finding", Assert.Throws<ArgumentNullException>(() => FindingJson.Serialize((Finding)null!)).ParamName);
        Assert.Equal("evidence", Assert.Throws<ArgumentNullException>(() => FindingJson.Serialize((FindingEvidence)null!)).ParamName);
        Assert.Equal("notification", Assert.Throws<ArgumentNullException>(() => FindingJson.Serialize((AlertNotification)null!)).ParamName);
        Assert.Equal("json", Assert.Throws<ArgumentNullException>(() => FindingJson.DeserializeFinding(null!)).ParamName);
        Assert.Equal("json", Assert.Throws<ArgumentNullException>(() => FindingJson.DeserializeEvidence(null!)).ParamName);
        Assert.Equal("json", Assert.Throws<ArgumentNullException>(() => FindingJson.DeserializeNotification(null!)).ParamName);
    }

    [Fact]
    public void Options_Always_ReadOnly() => Assert.True(FindingJson.Options.IsReadOnly);

    private static void AssertReadOnly(FindingEvidence evidence) =>
        Assert.All(new[] { evidence.PreviousSizes, evidence.CurrentSizes, evidence.AttemptedSizes, evidence.EventIds },
            list => Assert.True(((ICollection<string>)list).IsReadOnly));
}
