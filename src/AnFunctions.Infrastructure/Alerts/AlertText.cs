using System.Globalization;
using System.Text;
using AnFunctions.Core.Findings;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// Wording shared by the sinks, and the escaping and truncation of text that comes from findings (pool names, Azure's
/// error messages): that text is never trusted as markup in any format.
/// </summary>
internal static class AlertText
{
    public const string Ellipsis = "…";

    public static string Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => "critical",
        FindingSeverity.Warning => "warning",
        _ => "info",
    };

    public static string KindTitle(FindingKind kind) => kind switch
    {
        FindingKind.SizeChanged => "VM size changed",
        FindingKind.SizeChangedWithoutAcceleratedNetworking => "Resized without accelerated networking",
        FindingKind.AcceleratedNetworkingOnUnsupportedSize => "Accelerated networking on an unsupported size",
        FindingKind.SizeChangeRefused => "Size change refused",
        FindingKind.AcceleratedNetworkingLost => "Accelerated networking lost",
        FindingKind.AcceleratedNetworkingAvailableButOff => "Accelerated networking available but off",
        FindingKind.InstancesNotOnLatestModel => "Instances not on the latest model",
        FindingKind.AcceleratedNetworkingWriteFailed => "Enabling accelerated networking failed",
        _ => kind.ToString(),
    };

    /// <summary>One line for a human: <c>WARNING: Resized without accelerated networking on aks-pool1</c>.</summary>
    public static string Title(Finding finding) =>
        $"{finding.Severity.ToString().ToUpperInvariant()}: {KindTitle(finding.Kind)} on {finding.PoolId.Name}";

    public static string ResolvedTitle(Finding finding) => $"Resolved: {KindTitle(finding.Kind)} on {finding.PoolId.Name}";

    public static string Sizes(IReadOnlyList<string> sizes) => sizes.Count == 0 ? "none" : string.Join(", ", sizes);

    public static string AcceleratedNetworking(bool? on) => on switch
    {
        true => "On",
        false => "Off",
        null => "Unknown",
    };

    public static string Error(FindingEvidence evidence) => (evidence.ErrorCode, evidence.ErrorMessage) switch
    {
        (null or "", null or "") => string.Empty,
        (null or "", var message) => message!,
        (var code, null or "") => code!,
        var (code, message) => $"{code}: {message}",
    };

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 in UTC with milliseconds, e.g. <c>2026-11-25T09:00:00.000Z</c>.</summary>
    public static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Plain text of at most <paramref name="max"/> UTF-16 units, cut on a text-element boundary (never inside a
    /// surrogate pair or a combining sequence) and ended with an ellipsis when cut.
    /// </summary>
    public static string Truncate(string text, int max) => Fit(text, max, static element => element);

    /// <summary>
    /// Text for a place that shows it exactly as given (an Adaptive Card <c>TextRun</c>, which reads no Markdown):
    /// nothing is escaped, so nothing extra can show. One line (each run of white space and control characters becomes
    /// one space), or with <paramref name="multiline"/> lines normalized to <c>\n</c>; at most <paramref name="max"/>
    /// characters.
    /// </summary>
    public static string Plain(string text, int max, bool multiline = false) => Truncate(multiline ? Lines(text) : OneLine(text), max);

    /// <summary>One line: each run of white space and control characters (line breaks included) becomes one space.</summary>
    public static string OneLine(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                if (!space)
                {
                    builder.Append(' ');
                    space = true;
                }

                continue;
            }

            builder.Append(c);
            space = false;
        }

        return builder.ToString().Trim();
    }

    /// <summary>Line breaks normalized to <c>\n</c>; tabs and other control characters become spaces.</summary>
    public static string Lines(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r')
            {
                builder.Append('\n');
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (c is '\n' or '\u2028' or '\u2029')
            {
                builder.Append('\n');
            }
            else
            {
                builder.Append(char.IsControl(c) ? ' ' : c);
            }
        }

        return builder.ToString().Trim();
    }

    /// <summary>
    /// Slack <c>mrkdwn</c> (and any Slack text object): <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> become entities, so
    /// text can neither mention (<c>&lt;@U123&gt;</c>, <c>&lt;!channel&gt;</c>) nor link (<c>&lt;url|text&gt;</c>).
    /// Slack has no escape for <c>*</c>, <c>_</c> or <c>~</c>; those may style text, but cannot link or ping.
    /// Result at most <paramref name="max"/> characters, never cut inside an entity.
    /// </summary>
    public static string Slack(string text, int max) => Fit(Lines(text), max, static element => element switch
    {
        "&" => "&amp;",
        "<" => "&lt;",
        ">" => "&gt;",
        _ => element,
    });

    /// <summary>Escapes text element by element and stops before <paramref name="max"/> would be passed, ending with an ellipsis.</summary>
    private static string Fit(string text, int max, Func<string, string> escape)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var pieces = new List<string>();
        var total = 0;
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            var piece = escape(enumerator.GetTextElement());
            pieces.Add(piece);
            total += piece.Length;
        }

        if (total <= max)
        {
            return string.Concat(pieces);
        }

        var builder = new StringBuilder(max);
        foreach (var piece in pieces)
        {
            if (builder.Length + piece.Length > max - Ellipsis.Length)
            {
                break;
            }

            builder.Append(piece);
        }

        return builder.Append(Ellipsis).ToString();
    }
}
