using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>
/// Builds Activity Log events in the shape of <c>Activity Logs - List</c> (api-version 2015-04-01,
/// <c>/subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values</c>).
/// </summary>
internal static class ActivityLogEventBuilder
{
    public const string DefaultCaller = "anfunctions-emulator@example.com";

    /// <summary>The <c>EndRequest</c> event of a write that ARM answered with an error.</summary>
    public static JsonObject FailedWrite(
        string resourceId,
        string correlationId,
        JsonNode? requestBody,
        string errorCode,
        string errorMessage,
        DateTimeOffset at,
        HttpStatusCode status,
        string? operationName = null,
        string? caller = null)
    {
        var id = ResourceIdParts.Parse(resourceId);
        var operation = operationName ?? $"{id.ResourceType}/write";
        var eventDataId = Guid.NewGuid().ToString();
        var statusName = Enum.IsDefined(status) ? status.ToString() : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var properties = new JsonObject
        {
            ["eventCategory"] = "Administrative",
            ["entity"] = resourceId,
            ["message"] = operation,
            ["hierarchy"] = string.Empty,
            ["statusCode"] = statusName,
            ["serviceRequestId"] = Guid.NewGuid().ToString(),
            ["statusMessage"] = ArmJson.ErrorText(errorCode, errorMessage),
        };
        if (requestBody is not null)
        {
            properties["requestbody"] = requestBody.ToJsonString();
        }

        return new JsonObject
        {
            ["authorization"] = new JsonObject { ["action"] = operation, ["scope"] = resourceId },
            ["caller"] = caller ?? DefaultCaller,
            ["channels"] = "Operation",
            ["claims"] = new JsonObject(),
            ["correlationId"] = correlationId,
            ["description"] = string.Empty,
            ["eventDataId"] = eventDataId,
            ["eventName"] = Localizable("EndRequest", "End request"),
            ["category"] = Localizable("Administrative"),
            ["eventTimestamp"] = ArmJson.UtcTimestamp(at),
            ["id"] = $"{resourceId}/events/{eventDataId}/ticks/{at.UtcTicks}",
            ["level"] = "Error",
            ["operationId"] = Guid.NewGuid().ToString(),
            ["operationName"] = Localizable(operation, LocalizedOperation(operation)),
            ["resourceGroupName"] = id.ResourceGroup,
            ["resourceProviderName"] = Localizable(id.ProviderNamespace),
            ["resourceType"] = Localizable(id.ResourceType),
            ["resourceId"] = resourceId,
            ["status"] = Localizable("Failed"),
            ["subStatus"] = Localizable(statusName, $"{SplitWords(statusName)} (HTTP Status Code: {(int)status})"),
            ["submissionTimestamp"] = ArmJson.UtcTimestamp(at),
            ["subscriptionId"] = id.SubscriptionId,
            ["tenantId"] = string.Empty,
            ["properties"] = properties,
            ["relatedEvents"] = new JsonArray(),
        };
    }

    private static JsonObject Localizable(string value, string? localized = null) =>
        new() { ["value"] = value, ["localizedValue"] = localized ?? value };

    private static string LocalizedOperation(string operation) => operation.ToUpperInvariant() switch
    {
        "MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/WRITE" => "Create or Update Virtual Machine Scale Set",
        "MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/DELETE" => "Delete Virtual Machine Scale Set",
        _ => operation,
    };

    private static string SplitWords(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(c);
        }

        return text.ToString();
    }
}

/// <summary>The parts of an ARM resource id that Activity Log events carry.</summary>
internal sealed record ResourceIdParts(string SubscriptionId, string ResourceGroup, string ProviderNamespace, string ResourceType)
{
    public static ResourceIdParts Parse(string resourceId)
    {
        var s = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string Segment(int i) => i < s.Length ? s[i] : string.Empty;

        var subscription = Segment(0).Equals("subscriptions", StringComparison.OrdinalIgnoreCase) ? Segment(1) : string.Empty;
        var resourceGroup = Segment(2).Equals("resourceGroups", StringComparison.OrdinalIgnoreCase) ? Segment(3) : string.Empty;
        var providers = Array.FindIndex(s, p => p.Equals("providers", StringComparison.OrdinalIgnoreCase));
        if (providers < 0 || providers + 1 >= s.Length)
        {
            return new ResourceIdParts(subscription, resourceGroup, string.Empty, string.Empty);
        }

        var ns = s[providers + 1];
        var type = new StringBuilder(ns);
        for (var i = providers + 2; i < s.Length; i += 2)
        {
            type.Append('/').Append(s[i]);
        }

        return new ResourceIdParts(subscription, resourceGroup, ns, type.ToString());
    }
}
