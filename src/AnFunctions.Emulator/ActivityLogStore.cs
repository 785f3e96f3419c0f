using System.Globalization;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>The Activity Log: events kept as given, queried with ARM's <c>$filter</c> patterns. Thread-safe.</summary>
internal sealed class ActivityLogStore
{
    private readonly Lock _gate = new();
    private readonly List<Event> _events = [];

    private sealed record Event(
        byte[] Json, string SubscriptionId, string? CorrelationId, string? ResourceId, string? ResourceGroup,
        string? ResourceProvider, string? Status, string? Level, DateTimeOffset? Timestamp, long Sequence);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    public void Add(JsonObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var timestamp = ArmJson.StringProperty(entry, "eventTimestamp") is { } text
                        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : (DateTimeOffset?)null;
        var json = ArmJson.Serialize(entry);
        lock (_gate)
        {
            _events.Add(new Event(
                json,
                ArmJson.StringProperty(entry, "subscriptionId") ?? string.Empty,
                ArmJson.StringProperty(entry, "correlationId"),
                ArmJson.StringProperty(entry, "resourceId"),
                ArmJson.StringProperty(entry, "resourceGroupName"),
                ArmJson.StringProperty(ArmJson.ObjectProperty(entry, "resourceProviderName"), "value"),
                ArmJson.StringProperty(ArmJson.ObjectProperty(entry, "status"), "value"),
                ArmJson.StringProperty(entry, "level"),
                timestamp,
                _events.Count));
        }
    }

    public IReadOnlyList<JsonObject> All()
    {
        lock (_gate)
        {
            return _events.Select(e => ArmJson.ParseObject(e.Json)).ToArray();
        }
    }

    /// <summary>
    /// The events of <paramref name="subscriptionId"/> that match every clause, newest first. Like ARM, the filter
    /// must give a start time (<c>eventTimestamp ge '...'</c>).
    /// </summary>
    public bool TryQuery(string subscriptionId, IReadOnlyList<FilterClause> clauses, out List<byte[]> results, out string? error)
    {
        results = [];
        var predicates = new List<Func<Event, bool>>();
        var hasStart = false;
        foreach (var clause in clauses)
        {
            var predicate = ToPredicate(clause, ref hasStart, out error);
            if (predicate is null)
            {
                return false;
            }

            predicates.Add(predicate);
        }

        if (!hasStart)
        {
            error = "The $filter must specify a start time: eventTimestamp ge '<start time>'.";
            return false;
        }

        lock (_gate)
        {
            results = _events
                .Where(e => string.Equals(e.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase) && predicates.TrueForAll(p => p(e)))
                .OrderByDescending(e => e.Timestamp ?? DateTimeOffset.MinValue)
                .ThenByDescending(e => e.Sequence)
                .Select(e => e.Json)
                .ToList();
        }

        error = null;
        return true;
    }

    private static Func<Event, bool>? ToPredicate(FilterClause clause, ref bool hasStart, out string? error)
    {
        error = null;
        var field = clause.Field.ToUpperInvariant();
        var op = clause.Operator;
        var value = clause.Value;

        if (field == "EVENTTIMESTAMP")
        {
            if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var bound))
            {
                error = $"'{value}' is not a valid eventTimestamp.";
                return null;
            }

            switch (op)
            {
                case "ge":
                    hasStart = true;
                    return e => e.Timestamp >= bound;
                case "gt":
                    hasStart = true;
                    return e => e.Timestamp > bound;
                case "le":
                    return e => e.Timestamp <= bound;
                case "lt":
                    return e => e.Timestamp < bound;
                default:
                    error = $"The operator '{op}' is not supported for eventTimestamp.";
                    return null;
            }
        }

        if (op != "eq")
        {
            error = $"The operator '{op}' is not supported for '{clause.Field}'.";
            return null;
        }

        switch (field)
        {
            case "CORRELATIONID":
                return e => Same(e.CorrelationId, value);
            case "RESOURCEURI" or "RESOURCEID":
                return e => Same(e.ResourceId?.TrimEnd('/'), value.TrimEnd('/'));
            case "RESOURCEGROUPNAME":
                return e => Same(e.ResourceGroup, value);
            case "RESOURCEPROVIDER":
                return e => Same(e.ResourceProvider, value);
            case "STATUS":
                return e => Same(e.Status, value);
            case "LEVELS":
                var levels = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return e => levels.Any(l => Same(e.Level, l));
            case "EVENTCHANNELS":
                return _ => true;
            default:
                error = $"The field '{clause.Field}' is not supported in $filter.";
                return null;
        }
    }

    private static bool Same(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
