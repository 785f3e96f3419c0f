using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Findings;

/// <summary>
/// The JSON form of <see cref="Finding"/>, <see cref="FindingEvidence"/> and <see cref="AlertNotification"/>: what the
/// Table store keeps and what reports print. Property names are camelCase; enums are strings (their C# names, as in
/// the Table columns; numbers are refused); a <see cref="ScaleSetId"/> is its <see cref="ScaleSetId.Value"/>; dates
/// are ISO 8601 with their offset; null values are left out. Values computed from others (<see cref="Finding.IsOpen"/>,
/// <see cref="AlertNotification.DedupKey"/>, <see cref="AlertNotification.Summary"/>) are not written: a reader computes
/// them again. Reading is strict: a missing required property, a null where none is allowed, an unknown enum name or
/// an invalid scale set id is a <see cref="JsonException"/>; unknown properties are ignored. Lists come back read-only.
/// </summary>
/// <remarks>
/// Non-ASCII text of the Basic Multilingual Plane (accents, most scripts) is written as is, not as <c>\uXXXX</c>, so its
/// JSON is about as long as the text; control characters and characters outside that plane (emoji) are still escaped,
/// which the stores' limits (<c>FindingLimits</c>, on the adapters' side) allow for. The output is not meant to be
/// embedded in HTML without encoding.
/// </remarks>
public static class FindingJson
{
    /// <summary>The options behind every method of this class (read-only), for callers that nest these types in documents of their own.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return JsonSerializer.Serialize(finding, Options);
    }

    public static string Serialize(FindingEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return JsonSerializer.Serialize(evidence, Options);
    }

    public static string Serialize(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return JsonSerializer.Serialize(notification, Options);
    }

    public static Finding DeserializeFinding(string json) => Freeze(Deserialize<Finding>(json));

    public static FindingEvidence DeserializeEvidence(string json) => Freeze(Deserialize<FindingEvidence>(json));

    public static AlertNotification DeserializeNotification(string json)
    {
        var notification = Deserialize<AlertNotification>(json);
        return notification with { Finding = Freeze(notification.Finding) };
    }

    private static T Deserialize<T>(string json)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<T>(json, Options)
            ?? throw new JsonException($"the JSON is null where a {typeof(T).Name} was expected");
    }

    private static Finding Freeze(Finding finding) => finding with { Evidence = Freeze(finding.Evidence) };

    private static FindingEvidence Freeze(FindingEvidence evidence) => evidence with
    {
        PreviousSizes = Array.AsReadOnly(evidence.PreviousSizes.ToArray()),
        CurrentSizes = Array.AsReadOnly(evidence.CurrentSizes.ToArray()),
        AttemptedSizes = Array.AsReadOnly(evidence.AttemptedSizes.ToArray()),
        EventIds = Array.AsReadOnly(evidence.EventIds.ToArray()),
    };

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            IgnoreReadOnlyProperties = true,
            RespectNullableAnnotations = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.Converters.Add(new ScaleSetIdJsonConverter());
        options.MakeReadOnly();
        return options;
    }
}
