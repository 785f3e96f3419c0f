using System.Text;
using System.Text.RegularExpressions;

namespace AnFunctions.HostProtocol.Tests.World;

/// <summary>
/// The deployed log-search alert rule (infra/app/alerts.bicep), read from the Bicep source, and a model of what it
/// sees: the <c>AppTraces</c> row of a FindingOpened log line, as the Functions host writes it for a line the worker sends
/// over the worker protocol (AlertRuleQuery.Relay.cs), and as the worker's own OpenTelemetry export writes it
/// (<see cref="Exported"/>; tests/AnFunctions.Tests links this file).
/// <para>
/// The model evaluates the small KQL subset the rule uses (<c>extend</c> with <c>coalesce</c>,
/// <c>tostring(Properties['…'])</c> and <c>extract(…, 1, Message)</c>; <c>where</c> with <c>==</c>/<c>=~</c> joined by
/// <c>and</c>) and refuses anything else, so that a change to the query that this model does not cover fails loudly
/// instead of passing unchecked.
/// </para>
/// </summary>
internal sealed partial class AlertRuleQuery
{
    private AlertRuleQuery(string eventName, string severity, string template)
    {
        EventName = eventName;
        Severity = severity;
        Template = template;
        Text = template.Replace("{0}", eventName, StringComparison.Ordinal).Replace("{1}", severity, StringComparison.Ordinal);
    }

    /// <summary>The event name the rule looks for (the default of <c>findingEventName</c>).</summary>
    public string EventName { get; }

    /// <summary>The severity that pages (the default of <c>findingSeverity</c>).</summary>
    public string Severity { get; }

    /// <summary>The query text before <c>format()</c>.</summary>
    public string Template { get; }

    /// <summary>The query as deployed.</summary>
    public string Text { get; }

    public static AlertRuleQuery FromBicep(string path)
    {
        var bicep = File.ReadAllText(path);
        string Match(Regex pattern, string what) =>
            pattern.Match(bicep) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"{path}: {what} not found");

        if (!bicep.Contains("query: format(criticalFindingsQuery, findingEventName, findingSeverity)", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path}: the rule no longer builds its query as format(criticalFindingsQuery, findingEventName, findingSeverity); update this model");
        }

        return new AlertRuleQuery(
            Match(EventNameParam(), "param findingEventName"),
            Match(SeverityParam(), "param findingSeverity"),
            Match(QueryVariable(), "var criticalFindingsQuery"));
    }

    /// <summary>
    /// The <c>AppTraces</c> row for a log line the worker exports itself (deployed: OpenTelemetry with the Azure Monitor
    /// exporter; the worker declares <c>WorkerOpenTelemetryEnabled</c> and the host stops relaying its logs): the
    /// exporter's <c>LogsHelper</c> (Azure/azure-sdk-for-net) writes the log's structured state as properties (without
    /// <c>{OriginalFormat}</c>), adds <c>CategoryName</c> and, for a named event id, <c>EventName</c>, and the formatted
    /// message as <c>Message</c>.
    /// </summary>
    public static TraceRow Exported(string category, string? eventName, IEnumerable<KeyValuePair<string, object?>> state, string message)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["CategoryName"] = category };
        foreach (var (key, value) in state)
        {
            if (key != "{OriginalFormat}" && value is not null)
            {
                properties[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }

        if (!string.IsNullOrEmpty(eventName))
        {
            properties["EventName"] = eventName;
        }

        return new TraceRow(properties, message);
    }

    /// <summary>True when the query returns this row.</summary>
    public bool Matches(TraceRow row)
    {
        var lines = Text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != "AppTraces")
        {
            throw new NotSupportedException($"The query does not start with AppTraces: {Text}");
        }

        var columns = new Dictionary<string, string>(StringComparer.Ordinal) { ["Message"] = row.Message };
        foreach (var line in lines.Skip(1))
        {
            if (Extend().Match(line) is { Success: true } extend)
            {
                columns[extend.Groups[1].Value] = Evaluate(extend.Groups[2].Value.Trim(), row, columns);
            }
            else if (line.StartsWith("| where ", StringComparison.Ordinal))
            {
                foreach (var condition in line["| where ".Length..].Split(" and ", StringSplitOptions.TrimEntries))
                {
                    if (!Holds(condition, columns))
                    {
                        return false;
                    }
                }
            }
            else
            {
                throw new NotSupportedException($"This model does not know the query step '{line}': extend the model to check it.");
            }
        }

        return true;
    }

    private static string Evaluate(string expression, TraceRow row, Dictionary<string, string> columns)
    {
        if (Call().Match(expression) is { Success: true } call)
        {
            var arguments = SplitArguments(call.Groups[2].Value);
            switch (call.Groups[1].Value)
            {
                case "coalesce":
                    // For strings, KQL's coalesce returns the first value that is neither null nor empty.
                    return arguments.Select(a => Evaluate(a, row, columns)).FirstOrDefault(v => v.Length > 0) ?? string.Empty;
                case "tostring" when PropertyReference().Match(arguments.Single()) is { Success: true } property:
                    return row.Properties.GetValueOrDefault(property.Groups[1].Value, string.Empty);
                case "extract" when arguments.Count == 3 && arguments[1] == "1":
                    var pattern = StringLiteral(arguments[0]);
                    var source = Evaluate(arguments[2], row, columns);
                    return Regex.Match(source, pattern, RegexOptions.CultureInvariant) is { Success: true } m ? m.Groups[1].Value : string.Empty;
            }
        }
        else if (columns.TryGetValue(expression, out var value))
        {
            return value;
        }

        throw new NotSupportedException($"This model does not know the expression '{expression}': extend the model to check it.");
    }

    private static bool Holds(string condition, Dictionary<string, string> columns)
    {
        if (Comparison().Match(condition) is not { Success: true } comparison)
        {
            throw new NotSupportedException($"This model does not know the condition '{condition}': extend the model to check it.");
        }

        var column = columns.GetValueOrDefault(comparison.Groups[1].Value)
                     ?? throw new NotSupportedException($"The condition reads '{comparison.Groups[1].Value}', which no step defines.");
        var expected = comparison.Groups[3].Value;
        return comparison.Groups[2].Value == "=="
            ? string.Equals(column, expected, StringComparison.Ordinal)
            : string.Equals(column, expected, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Top-level comma-separated arguments (commas inside parentheses or string literals do not split).</summary>
    private static List<string> SplitArguments(string text)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        char? quote = null;
        foreach (var c in text)
        {
            if (quote is { } q)
            {
                quote = c == q ? null : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        arguments.Add(current.ToString().Trim());
        return arguments;
    }

    /// <summary>A KQL string literal: <c>'…'</c>, <c>"…"</c>, or verbatim <c>@'…'</c>/<c>@"…"</c> (no escapes in this model).</summary>
    private static string StringLiteral(string literal)
    {
        var text = literal.StartsWith('@') ? literal[1..] : literal;
        if (text.Length < 2 || text[0] != text[^1] || text[0] is not ('\'' or '"'))
        {
            throw new NotSupportedException($"Not a string literal this model reads: {literal}");
        }

        if (!literal.StartsWith('@') && text.Contains('\\', StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Escapes in non-verbatim KQL strings are not modelled: {literal}");
        }

        return text[1..^1];
    }

    [GeneratedRegex(@"param\s+findingEventName\s+string\s*=\s*'([^']*)'")]
    private static partial Regex EventNameParam();

    [GeneratedRegex(@"param\s+findingSeverity\s+string\s*=\s*'([^']*)'")]
    private static partial Regex SeverityParam();

    [GeneratedRegex(@"var\s+criticalFindingsQuery\s*=\s*'''(.*?)'''", RegexOptions.Singleline)]
    private static partial Regex QueryVariable();

    [GeneratedRegex(@"^\|\s*extend\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$")]
    private static partial Regex Extend();

    [GeneratedRegex(@"^([a-z_]+)\((.*)\)$", RegexOptions.Singleline)]
    private static partial Regex Call();

    [GeneratedRegex(@"^Properties\['([^']+)'\]$")]
    private static partial Regex PropertyReference();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)\s*(==|=~)\s*'([^']*)'$")]
    private static partial Regex Comparison();
}

/// <summary>One <c>AppTraces</c> row as far as the alert rule reads it: <c>Properties</c> (customDimensions) and <c>Message</c>.</summary>
internal sealed record TraceRow(IReadOnlyDictionary<string, string> Properties, string Message);
