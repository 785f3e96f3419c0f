using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AnFunctions.Emulator;

/// <summary>How Resource Graph throttles a caller: a quota of queries per window, per user (principal).</summary>
public sealed record ResourceGraphQuota(int QueriesPerWindow, TimeSpan Window)
{
    /// <summary>Resource Graph's documented default: 15 queries per 5 seconds per user.</summary>
    public static ResourceGraphQuota AsDocumented { get; } = new(15, TimeSpan.FromSeconds(5));

    public static ResourceGraphQuota Unlimited { get; } = new(int.MaxValue, TimeSpan.FromSeconds(5));
}

/// <summary>
/// The emulator's Azure Resource Graph: answers the queries it understands over the scale sets the emulator holds, as
/// Resource Graph does (rows in <c>data</c> with <c>resultFormat</c> objectArray, at most 1,000 per page, a
/// <c>$skipToken</c> to the next, at most 1,000 subscriptions per request, a per-user quota with its headers). Its
/// index can be frozen to stand for Resource Graph's lag behind ARM: while frozen, queries see the scale sets as they
/// were when it was frozen.
/// </summary>
/// <remarks>
/// Understood query: <c>resources | where type =~ 'microsoft.compute/virtualmachinescalesets'</c>, optionally
/// followed by <c>| project</c> of top-level columns and <c>| order by id asc</c>. Anything else is answered 400
/// (<c>InvalidQuery</c>) naming what the emulator does not understand, so a change of the app's query shows here.
/// </remarks>
internal sealed partial class ResourceGraph
{
    public const int MaxSubscriptions = 1000;
    public const int MaxTop = 1000;
    public const int DefaultTop = 100;
    private static readonly string[] KnownColumns = ["id", "name", "type", "location", "tags", "sku", "zones", "properties", "kind", "identity", "plan", "subscriptionId", "resourceGroup", "tenantId"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset WindowStart, int Used)> _quota = new(StringComparer.Ordinal);
    private IReadOnlyList<(string Key, byte[] Json)>? _frozen;

    public ResourceGraphQuota Quota { get; set; } = ResourceGraphQuota.AsDocumented;

    public void Freeze(IReadOnlyList<(string Key, byte[] Json)> scaleSets)
    {
        lock (_gate)
        {
            _frozen = scaleSets;
        }
    }

    public void Thaw()
    {
        lock (_gate)
        {
            _frozen = null;
        }
    }

    /// <summary>Takes one query from the principal's quota: whether it is allowed, what remains, and when the window resets.</summary>
    public (bool Allowed, int Remaining, TimeSpan ResetsAfter) TakeQuota(string principal, DateTimeOffset now)
    {
        lock (_gate)
        {
            var quota = Quota;
            if (!_quota.TryGetValue(principal, out var state) || now - state.WindowStart >= quota.Window)
            {
                state = (now, 0);
            }

            var resetsAfter = quota.Window - (now - state.WindowStart);
            if (state.Used >= quota.QueriesPerWindow)
            {
                _quota[principal] = state;
                return (false, 0, resetsAfter);
            }

            state.Used++;
            _quota[principal] = state;
            return (true, quota.QueriesPerWindow == int.MaxValue ? int.MaxValue : quota.QueriesPerWindow - state.Used, resetsAfter);
        }
    }

    public ArmResponse Query(string? bodyText, Func<IReadOnlyList<(string Key, byte[] Json)>> live)
    {
        JsonObject body;
        try
        {
            body = bodyText is null ? new JsonObject() : JsonNode.Parse(bodyText) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            return ArmResponse.BadRequest("InvalidRequestContent", $"The request content is not a valid query request: {e.Message}");
        }

        var subscriptions = (body["subscriptions"] as JsonArray)?.Select(s => s?.GetValue<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.ToLowerInvariant()).ToHashSet();
        if (subscriptions is null || subscriptions.Count == 0)
        {
            // The app always names its subscriptions; a query of the whole tenant is not emulated.
            return ArmResponse.BadRequest("BadRequest", "The emulator needs the subscriptions to query (a tenant-wide query is not emulated).");
        }

        if (subscriptions.Count > MaxSubscriptions)
        {
            return ArmResponse.BadRequest("BadRequest", $"Please provide below info when asking for support: the number of subscriptions ({subscriptions.Count}) exceeds the limit of {MaxSubscriptions}.");
        }

        var query = body["query"]?.GetValue<string>() ?? string.Empty;
        if (!TryParseQuery(query, out var columns, out var problem))
        {
            return ArmResponse.BadRequest("InvalidQuery", $"Query is invalid for the emulator: {problem}");
        }

        var options = body["options"] as JsonObject;
        var top = options?["$top"]?.GetValue<int>() ?? DefaultTop;
        if (top is < 1 or > MaxTop)
        {
            return ArmResponse.BadRequest("InvalidQuery", $"$top must lie between 1 and {MaxTop}.");
        }

        var skip = 0;
        if (options?["$skipToken"]?.GetValue<string>() is { } token && !TryDecode(token, out skip))
        {
            return ArmResponse.BadRequest("InvalidSkipToken", "The $skipToken is not valid.");
        }

        IReadOnlyList<(string Key, byte[] Json)>? index;
        lock (_gate)
        {
            index = _frozen;
        }

        // In key (lower-case id) order, as "order by id asc"; only the page's rows are parsed.
        index ??= live();
        var rows = index.Where(s => subscriptions.Contains(SubscriptionOf(s.Key))).ToList();
        var page = rows.Skip(skip).Take(top).Select(s => Row(ArmJson.ParseObject(s.Json), columns)).ToList();
        var result = new JsonObject
        {
            ["totalRecords"] = rows.Count,
            ["count"] = page.Count,
            ["resultTruncated"] = "false",
        };
        if (skip + page.Count < rows.Count)
        {
            result["$skipToken"] = Encode(skip + page.Count);
        }

        result["data"] = new JsonArray(page.ToArray<JsonNode?>());
        result["facets"] = new JsonArray();
        return ArmResponse.Json(200, Encoding.UTF8.GetBytes(result.ToJsonString()));
    }

    private static string SubscriptionOf(string key) => key.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];

    /// <summary>A row as Resource Graph gives it: the columns asked for, <c>type</c> in lower case, the extra columns it adds.</summary>
    private static JsonObject Row(JsonObject scaleSet, IReadOnlyList<string>? columns)
    {
        var id = scaleSet["id"]!.GetValue<string>();
        var segments = id.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var all = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase)
        {
            ["id"] = id,
            ["name"] = scaleSet["name"]?.DeepClone(),
            ["type"] = scaleSet["type"]?.GetValue<string>().ToLowerInvariant(),
            ["location"] = scaleSet["location"]?.DeepClone(),
            ["tags"] = scaleSet["tags"]?.DeepClone(),
            ["sku"] = scaleSet["sku"]?.DeepClone(),
            ["zones"] = scaleSet["zones"]?.DeepClone(),
            ["properties"] = scaleSet["properties"]?.DeepClone(),
            ["kind"] = string.Empty,
            ["identity"] = scaleSet["identity"]?.DeepClone(),
            ["plan"] = scaleSet["plan"]?.DeepClone(),
            ["subscriptionId"] = segments[1],
            ["resourceGroup"] = segments[3].ToLowerInvariant(),
            ["tenantId"] = "00000000-0000-0000-0000-000000000000",
        };
        var row = new JsonObject();
        foreach (var column in columns ?? KnownColumns)
        {
            row[column] = all[column];
        }

        return row;
    }

    internal static bool TryParseQuery(string query, out IReadOnlyList<string>? columns, out string problem)
    {
        columns = null;
        problem = string.Empty;
        var parts = query.Split('|').Select(p => Whitespace().Replace(p.Trim(), " ")).ToArray();
        if (parts.Length < 2 || !parts[0].Equals("resources", StringComparison.OrdinalIgnoreCase))
        {
            problem = "it must start with the resources table";
            return false;
        }

        if (!TypeFilter().IsMatch(parts[1]))
        {
            problem = $"the emulator answers only \"where type =~ 'microsoft.compute/virtualmachinescalesets'\", not \"{parts[1]}\"";
            return false;
        }

        foreach (var part in parts.Skip(2))
        {
            if (part.StartsWith("project ", StringComparison.OrdinalIgnoreCase))
            {
                var names = part["project ".Length..].Split(',').Select(c => c.Trim()).ToList();
                var unknown = names.FirstOrDefault(n => !KnownColumns.Contains(n, StringComparer.OrdinalIgnoreCase));
                if (unknown is not null)
                {
                    problem = $"project of \"{unknown}\": the emulator projects top-level columns only ({string.Join(", ", KnownColumns)})";
                    return false;
                }

                columns = names;
            }
            else if (!OrderById().IsMatch(part))
            {
                problem = $"\"{part}\" is not understood (project of columns and order by id asc are)";
                return false;
            }
        }

        return true;
    }

    private static string Encode(int offset) => ArmEmulatorHandler.EncodeToken("rg:" + offset.ToString(CultureInfo.InvariantCulture));

    private static bool TryDecode(string token, out int offset)
    {
        offset = 0;
        return ArmEmulatorHandler.TryDecodeToken(token, out var text) && text is not null && text.StartsWith("rg:", StringComparison.Ordinal)
            && int.TryParse(text[3..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^where type =~ '(microsoft\.compute/virtualmachinescalesets)'$", RegexOptions.IgnoreCase)]
    private static partial Regex TypeFilter();

    [GeneratedRegex(@"^order by id( asc)?$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderById();
}
