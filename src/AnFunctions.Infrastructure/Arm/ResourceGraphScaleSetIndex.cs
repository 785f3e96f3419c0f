using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Compute;
using Azure;
using Azure.Core;

namespace AnFunctions.Infrastructure.Arm;

/// <summary>
/// The fleet's scale sets from Azure Resource Graph (<c>POST /providers/Microsoft.ResourceGraph/resources</c>,
/// api-version 2022-10-01), sent over the app's ARM pipeline because the Resource Graph SDK package is not available
/// here: one query for up to 1,000 subscriptions, pages of 1,000 rows followed by <c>$skipToken</c>. Each row holds the
/// columns of a scale set the decision reads (ARM's shape, so <see cref="ScaleSetConverter"/> reads it as it reads
/// ARM's answer); one the app cannot read is named, with the reason. Resource Graph throttles per user (a quota of
/// queries per window, <c>x-ms-user-quota-resets-after</c>): a throttled page waits for the window to reset, a few times.
/// </summary>
public sealed class ResourceGraphScaleSetIndex(ArmConnection arm, TimeProvider time) : IScaleSetIndex
{
    public const string ApiVersion = "2022-10-01";

    /// <summary>Resource Graph takes at most this many subscriptions in one request.</summary>
    public const int MaxSubscriptionsPerQuery = 1000;

    /// <summary>Rows per page: Resource Graph's maximum.</summary>
    public const int PageSize = 1000;

    /// <summary>How often one throttled page is asked again after Resource Graph's quota window resets.</summary>
    public const int MaxThrottledRetries = 3;

    /// <summary>The longest quota window waited for; a longer one fails the query (the audit then lists from ARM).</summary>
    public static readonly TimeSpan MaxQuotaWait = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The query: the scale sets, only the columns the decision reads (identity, location, sku, tags, zones and the
    /// properties that hold the network profile, upgrade policy, sizes, time created and state), in a stable order so
    /// that the pages of one query do not overlap.
    /// </summary>
    public const string Query =
        "resources | where type =~ 'microsoft.compute/virtualmachinescalesets' | project id, name, type, location, tags, sku, zones, properties | order by id asc";

    private const int MaxPages = 1000;

    public async IAsyncEnumerable<ScaleSetListItem> ListAsync(IReadOnlyList<string> subscriptionIds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in subscriptionIds.Distinct(StringComparer.OrdinalIgnoreCase).Chunk(MaxSubscriptionsPerQuery))
        {
            string? skipToken = null;
            for (var page = 1; ; page++)
            {
                if (page > MaxPages)
                {
                    throw new ArmRequestException(0, "TooManyPages", $"query Resource Graph: more than {MaxPages} pages", null);
                }

                var (items, next) = await PageAsync(chunk, skipToken, page, cancellationToken).ConfigureAwait(false);
                foreach (var item in items)
                {
                    yield return item;
                }

                if (next is null)
                {
                    break;
                }

                skipToken = next;
            }
        }
    }

    private async Task<(List<ScaleSetListItem> Items, string? SkipToken)> PageAsync(string[] subscriptions, string? skipToken, int page, CancellationToken cancellationToken)
    {
        var what = $"query Resource Graph for the scale sets of {subscriptions.Length} subscription(s), page {page}";
        for (var throttled = 0; ; throttled++)
        {
            using var request = arm.Pipeline.CreateRequest();
            request.Method = RequestMethod.Post;
            request.Uri.Reset(arm.UriFor("/providers/Microsoft.ResourceGraph/resources", ApiVersion));
            request.Headers.Add("Accept", "application/json");
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(Body(subscriptions, skipToken));
            var response = await ArmErrors.Call(what,
                async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (response.Status == 429 && throttled < MaxThrottledRetries && QuotaResetsAfter(response) is { } wait && wait <= MaxQuotaWait)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.Status != 200)
            {
                throw ArmErrors.From(response, what);
            }

            return Read(response, what);
        }
    }

    private static byte[] Body(string[] subscriptions, string? skipToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("subscriptions");
            foreach (var subscription in subscriptions)
            {
                json.WriteStringValue(subscription);
            }

            json.WriteEndArray();
            json.WriteString("query", Query);
            json.WriteStartObject("options");
            json.WriteNumber("$top", PageSize);
            if (skipToken is not null)
            {
                json.WriteString("$skipToken", skipToken);
            }

            json.WriteString("resultFormat", "objectArray");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static (List<ScaleSetListItem> Items, string? SkipToken) Read(Response response, string what)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(response.Content);
        }
        catch (JsonException e)
        {
            throw new ArmRequestException(ArmScaleSetClient.UnreadableStatus, "UnreadableResponse", $"{what}: Resource Graph's answer is not JSON", null, e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                throw new ArmRequestException(ArmScaleSetClient.UnreadableStatus, "UnreadableResponse", $"{what}: the answer has no data array of rows (resultFormat objectArray)", null);
            }

            var items = new List<ScaleSetListItem>();
            var index = 0;
            foreach (var row in data.EnumerateArray())
            {
                try
                {
                    items.Add(ScaleSetListItem.Read(ScaleSetConverter.ToSnapshot(row)));
                }
                catch (ScaleSetFormatException e)
                {
                    items.Add(ScaleSetListItem.Unreadable(ScaleSetConverter.IdOf(row) ?? $"(row {index} of {what})", e.Message));
                }

                index++;
            }

            var next = root.TryGetProperty("$skipToken", out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } t ? t : null;
            return (items, next);
        }
    }

    /// <summary>Resource Graph's <c>x-ms-user-quota-resets-after</c> (<c>hh:mm:ss</c>), else <c>Retry-After</c>.</summary>
    internal static TimeSpan? QuotaResetsAfter(Response response) =>
        response.Headers.TryGetValue("x-ms-user-quota-resets-after", out var value)
        && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var resets) && resets >= TimeSpan.Zero
            ? resets
            : ArmRetryPolicy.RetryAfter(response);
}
