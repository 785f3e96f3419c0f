using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using static AnFunctions.Infrastructure.Tests.Findings.FindingTestData;

namespace AnFunctions.Infrastructure.Tests.Findings;

public sealed class FindingJsonTests
{
    private static readonly DateTimeOffset Utc = new(2026, 3, 14, 7, 26, 53, TimeSpan.Zero);

    [Fact]
    public void Serialize_Finding_CamelCaseNamesEnumNamesAndThePoolIdAsString()
    {
        var finding = Full(NewPool()) with { Version = "W/\"7\"" };

        var json = JsonNode.Parse(FindingJson.Serialize(finding))!.AsObject();

        Assert.Equal(finding.Id, (string?)json["id"]);
        Assert.Equal(finding.PoolId.Value, (string?)json["poolId"]);
        Assert.Equal("AcceleratedNetworkingLost", (string?)json["kind"]);
        Assert.Equal("Critical", (string?)json["severity"]);
        Assert.Equal("Open", (string?)json["status"]);
        Assert.Equal("2026-03-14T09:26:53.1234567+02:00", (string?)json["firstSeen"]);
        Assert.Equal("W/\"7\"", (string?)json["version"]);
        var evidence = json["evidence"]!.AsObject();
        Assert.Equal(["Standard_D4s_v5", "Standard_D8s_v5"], evidence["previousSizes"]!.AsArray().Select(n => (string?)n));
        Assert.False((bool)evidence["acceleratedNetworking"]!);
        Assert.True((bool)evidence["activityLogPending"]!);
        Assert.False(json.ContainsKey("isOpen"));
        Assert.False(json.ContainsKey("Id"));
    }

    [Fact]
    public void Serialize_NullFields_AreLeftOut()
    {
        var json = JsonNode.Parse(FindingJson.Serialize(Minimal(NewPool())))!.AsObject();

        Assert.False(json.ContainsKey("resolvedAt"));
        Assert.False(json.ContainsKey("lastNotifiedAt"));
        Assert.False(json.ContainsKey("version"));
        var evidence = json["evidence"]!.AsObject();
        Assert.False(evidence.ContainsKey("acceleratedNetworking"));
        Assert.False(evidence.ContainsKey("errorMessage"));
        Assert.Empty(evidence["eventIds"]!.AsArray());
    }

    [Fact]
    public void Serialize_NonAsciiText_IsWrittenAsIsExceptOutsideTheBasicPlane()
    {
        var json = FindingJson.Serialize(Full(NewPool()));

        Assert.Contains("ünïcödé, emoji \\uD83D\\uDE00", json, StringComparison.Ordinal);
        Assert.Contains("<b>not html</b>", json, StringComparison.Ordinal);
        Assert.Contains("\\n", json, StringComparison.Ordinal);
    }

    [Fact]
    public void DeserializeFinding_Serialized_RoundTripsEveryField()
    {
        var finding = Full(NewPool()) with
        {
            FirstSeen = Utc.AddTicks(1),
            LastSeen = Utc.AddHours(1),
            ResolvedAt = Utc.AddHours(2),
            LastNotifiedAt = Utc.AddHours(3),
            Version = "W/\"datetime'2026-03-14T07%3A26%3A53.1Z'\"",
        };

        var read = FindingJson.DeserializeFinding(FindingJson.Serialize(finding));

        AssertSameFinding(finding, read);
        Assert.Equal(finding.Version, read.Version);
        Assert.True(read.IsOpen);
    }

    [Fact]
    public void DeserializeFinding_DatesWithOffsets_KeepTheirOffsets()
    {
        var finding = Full(NewPool());

        var read = FindingJson.DeserializeFinding(FindingJson.Serialize(finding));

        Assert.Equal(finding.FirstSeen, read.FirstSeen);
        Assert.Equal(finding.FirstSeen.Offset, read.FirstSeen.Offset);
        Assert.Equal(finding.LastNotifiedAt, read.LastNotifiedAt);
    }

    [Fact]
    public void DeserializeFinding_OnlyRequiredFields_RoundTripsNullsAndEmptyLists()
    {
        var finding = Minimal(NewPool()) with { FirstSeen = Utc, LastSeen = Utc };

        var read = FindingJson.DeserializeFinding(FindingJson.Serialize(finding));

        AssertSameFinding(finding, read);
        Assert.Null(read.Version);
    }

    [Fact]
    public void DeserializeEvidence_Serialized_RoundTripsEveryFieldWithReadOnlyLists()
    {
        var evidence = Full(NewPool()).Evidence;

        var read = FindingJson.DeserializeEvidence(FindingJson.Serialize(evidence));

        AssertSameEvidence(evidence, read);
        Assert.All(new[] { read.PreviousSizes, read.CurrentSizes, read.AttemptedSizes, read.EventIds },
            list => Assert.True(((ICollection<string>)list).IsReadOnly));
    }

    [Fact]
    public void DeserializeEvidence_EmptyObject_GivesEmptyListsAndNulls()
    {
        var read = FindingJson.DeserializeEvidence("{}");

        AssertSameEvidence(new FindingEvidence(), read);
    }

    [Fact]
    public void DeserializeNotification_Serialized_RoundTripsEveryField()
    {
        var finding = Full(NewPool()) with { FirstSeen = Utc, LastSeen = Utc, ResolvedAt = Utc, LastNotifiedAt = Utc };
        var notification = Notification(finding, Utc.AddTicks(5), AlertAction.Resolve);

        var json = FindingJson.Serialize(notification);
        var read = FindingJson.DeserializeNotification(json);

        AssertSameNotification(notification, read);
        Assert.Equal(notification.DedupKey, read.DedupKey);
        Assert.Equal(notification.Summary, read.Summary);
        Assert.True(((ICollection<string>)read.Finding.Evidence.EventIds).IsReadOnly);
        var node = JsonNode.Parse(json)!.AsObject();
        Assert.Equal("Resolve", (string?)node["action"]);
        Assert.Equal(notification.PortalUrl.OriginalString, (string?)node["portalUrl"]);
        Assert.Equal(finding.PoolId.Value, (string?)node["finding"]!["poolId"]);
        Assert.False(node.ContainsKey("dedupKey"));
        Assert.False(node.ContainsKey("summary"));
    }

    [Theory]
    [InlineData("message", null, "missing required")]
    [InlineData("message", "null", "null for a non-nullable string")]
    [InlineData("kind", "3", "an enum as a number")]
    [InlineData("kind", "\"NoSuchKind\"", "an unknown enum name")]
    [InlineData("poolId", "\"/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/x\"", "an invalid scale set id")]
    [InlineData("poolId", "42", "a scale set id that is not a string")]
    [InlineData("evidence", "null", "null evidence")]
    [InlineData("firstSeen", "\"yesterday\"", "an unreadable date")]
    public void DeserializeFinding_InvalidProperty_ThrowsJsonException(string property, string? value, string because)
    {
        var json = JsonNode.Parse(FindingJson.Serialize(Full(NewPool())))!.AsObject();
        if (value is null)
        {
            json.Remove(property);
        }
        else
        {
            json[property] = JsonNode.Parse(value);
        }

        Assert.True(Throws(json.ToJsonString()), because);
    }

    [Fact]
    public void DeserializeFinding_EnumNameInOtherCase_IsRead()
    {
        // System.Text.Json reads enum names case-insensitively; numbers and unknown names are still refused (above).
        var json = JsonNode.Parse(FindingJson.Serialize(Full(NewPool())))!.AsObject();
        json["severity"] = "warning";

        Assert.Equal(FindingSeverity.Warning, FindingJson.DeserializeFinding(json.ToJsonString()).Severity);
    }

    [Fact]
    public void DeserializeFinding_InvalidScaleSetId_SaysWhyWithTheFormatExceptionInside()
    {
        var json = JsonNode.Parse(FindingJson.Serialize(Full(NewPool())))!.AsObject();
        json["poolId"] = "/subscriptions/x/resourceGroups/rg";

        var e = Assert.Throws<JsonException>(() => FindingJson.DeserializeFinding(json.ToJsonString()));

        Assert.IsType<FormatException>(e.InnerException);
        Assert.Contains("not a virtual machine scale set id", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void DeserializeFinding_NotAnObject_ThrowsJsonException(string json)
    {
        Assert.Throws<JsonException>(() => FindingJson.DeserializeFinding(json));
    }

    [Fact]
    public void DeserializeFinding_UnknownPropertiesAndComputedOnes_AreIgnored()
    {
        var finding = Full(NewPool()) with { FirstSeen = Utc, LastSeen = Utc, ResolvedAt = Utc, LastNotifiedAt = Utc };
        var json = JsonNode.Parse(FindingJson.Serialize(finding))!.AsObject();
        json["addedLater"] = new JsonObject { ["x"] = 1 };
        json["isOpen"] = false;

        var read = FindingJson.DeserializeFinding(json.ToJsonString());

        AssertSameFinding(finding, read);
        Assert.True(read.IsOpen);
    }

    [Fact]
    public void Options_AreReadOnlyAndWriteAScaleSetIdAsItsValue()
    {
        var pool = NewPool();

        Assert.True(FindingJson.Options.IsReadOnly);
        Assert.Equal($"\"{pool.Value}\"", JsonSerializer.Serialize(pool, FindingJson.Options));
        Assert.Equal(pool, JsonSerializer.Deserialize<AnFunctions.Core.ScaleSets.ScaleSetId>($"\"{pool.Value.ToUpperInvariant()}\"", FindingJson.Options));
    }

    private static bool Throws(string json)
    {
        try
        {
            FindingJson.DeserializeFinding(json);
            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    }
}
