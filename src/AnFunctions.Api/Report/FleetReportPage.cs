using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Fleet;

namespace AnFunctions.Api.Report;

/// <summary>
/// Renders a <see cref="FleetReport"/> as one self-contained HTML page: inline CSS and SVG, no script, font, image
/// or stylesheet from anywhere (its Content-Security-Policy allows none). Every text from the stores (pool and cluster
/// names, finding messages, Azure's error text, remedies) is untrusted and HTML-encoded.
/// </summary>
public static class FleetReportPage
{
    /// <summary>The page's policy, in its own &lt;meta&gt;: no script at all, inline styles only, nothing fetched.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    /// <summary>The same policy as the HTTP header <c>GET /api/report</c> sends, plus what only a header can say (no framing).</summary>
    public const string ContentSecurityPolicyHeader = ContentSecurityPolicy + "; frame-ancestors 'none'";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(FleetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(16 * 1024);
        var totals = report.Totals;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>AnFunctions: Accelerated Networking across the fleet</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");

        html.Append("<header><h1>Accelerated Networking across the fleet</h1><p class=\"meta\">Generated ")
            .Append(Time(report.GeneratedAt)).Append(" · scope: ")
            .Append(report.Scope.Count == 0 ? "every subscription" : E(string.Join(", ", report.Scope)))
            .Append("</p></header>\n");

        // At a glance.
        html.Append("<section class=\"glance\">")
            .Append("<div class=\"donut\">").Append(Donut(totals.CoveragePercent)).Append("</div>")
            .Append("<div><p class=\"figure\" id=\"coverage\" data-coverage=\"").Append(Percent(totals.CoveragePercent)).Append("\">")
            .Append(Percent(totals.CoveragePercent)).Append("</p><p class=\"caption\">of pools have AN on their model: ")
            .Append(totals.WithAcceleratedNetworking).Append(" of ").Append(totals.Pools).Append(" active pools in scope</p></div>")
            .Append("<ul class=\"cards\">")
            .Append(Card("eligible-without-an", totals.EligibleWithoutAcceleratedNetworking, "eligible pools without AN", totals.EligibleWithoutAcceleratedNetworking > 0 ? "warn" : "ok"))
            .Append(Card("nodes-without-an", totals.NodesWithoutAcceleratedNetworking, "nodes without AN (in listed pools)", totals.NodesWithoutAcceleratedNetworking > 0 ? "warn" : "ok"))
            .Append(Card("mixed-pools", report.MixedPools.Count, "mixed pools", report.MixedPools.Count > 0 ? "warn" : "ok"))
            .Append(Card("open-findings", report.OpenFindingsTotal, "open findings", report.OpenFindingsByKind.Any(c => c.Severity == FindingSeverity.Critical) ? "crit" : report.OpenFindingsTotal > 0 ? "warn" : "ok"))
            .Append("</ul></section>\n");

        Coverage(html, "Coverage per subscription", "subscription", report.BySubscription);
        Coverage(html, "Coverage per cluster", "cluster", report.ByCluster);
        Coverage(html, "Coverage per region", "region", report.ByRegion);

        html.Append("<section><h2>Mixed pools: AN on the model, nodes still without it</h2>");
        if (report.MixedPools.Count == 0)
        {
            html.Append("<p class=\"empty\">None: every listed node runs as its model says.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>Pool</th><th>Cluster</th><th>Region</th><th class=\"n\">Nodes</th><th class=\"n\">Running</th><th class=\"n\">With AN</th><th class=\"n\">Without AN</th><th>Listed</th></tr></thead><tbody>");
            foreach (var pool in report.MixedPools)
            {
                html.Append("<tr><td title=\"").Append(E(pool.ResourceId)).Append("\">").Append(E(pool.Name)).Append("</td><td>").Append(E(pool.Cluster))
                    .Append("</td><td>").Append(E(pool.Location)).Append("</td><td class=\"n\">").Append(pool.Nodes).Append("</td><td class=\"n\">").Append(pool.Running)
                    .Append("</td><td class=\"n\">").Append(pool.WithAcceleratedNetworking).Append("</td><td class=\"n warn\">").Append(pool.WithoutAcceleratedNetworking)
                    .Append("</td><td>").Append(pool.CheckedAt is { } at ? Time(at) : "never").Append("</td></tr>");
            }

            html.Append("</tbody></table><p class=\"note\">Running nodes get AN only through a rollout (deallocate, bring to the latest model, start): <code>an rollout</code> or <code>POST /api/pools/rollout</code>.</p>");
        }

        html.Append("</section>\n<section><h2>Open findings by kind</h2>");
        if (report.OpenFindingsByKind.Count == 0)
        {
            html.Append("<p class=\"empty\">No open finding.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>Severity</th><th>Kind</th><th class=\"n\">Open</th><th>Remedy</th></tr></thead><tbody>");
            foreach (var count in report.OpenFindingsByKind)
            {
                html.Append("<tr><td>").Append(Severity(count.Severity)).Append("</td><td>").Append(E(count.Kind.ToString())).Append("</td><td class=\"n\">")
                    .Append(count.Count).Append("</td><td>").Append(E(count.Remedy)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
            html.Append("<h3>Open findings</h3><table class=\"findings\"><thead><tr><th>Severity</th><th>Pool</th><th>Cluster</th><th>What happened</th><th>Remedy</th><th>Since</th></tr></thead><tbody>");
            foreach (var finding in report.OpenFindings)
            {
                html.Append("<tr><td>").Append(Severity(finding.Severity)).Append("</td><td title=\"").Append(E(finding.ResourceId)).Append("\">").Append(E(finding.PoolName))
                    .Append("<br><span class=\"kind\">").Append(E(finding.Kind.ToString())).Append("</span></td><td>").Append(E(finding.Cluster)).Append("</td><td>")
                    .Append(E(finding.Message)).Append("</td><td>").Append(E(finding.Remedy)).Append("</td><td>").Append(Time(finding.FirstSeen)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
            if (report.OpenFindingsTotal > report.OpenFindings.Count)
            {
                html.Append("<p class=\"note\">The ").Append(report.OpenFindings.Count).Append(" most severe of ").Append(report.OpenFindingsTotal)
                    .Append(" open findings; all of them: <code>GET /api/findings?status=open</code>.</p>");
            }
        }

        html.Append("</section>\n<section><h2>Last audits</h2>");
        if (report.LastAudits.Count == 0)
        {
            html.Append("<p class=\"empty\">No audit has run yet.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>Run</th><th>Trigger</th><th>Started</th><th class=\"n\">Duration</th><th>Status</th><th class=\"n\">Pools</th><th class=\"n\">ARM calls</th><th class=\"n\">Opened</th><th class=\"n\">Resolved</th><th class=\"n\">Errors</th></tr></thead><tbody>");
            foreach (var run in report.LastAudits)
            {
                html.Append("<tr><td><code>").Append(E(run.RunId)).Append("</code></td><td>").Append(E(run.Trigger)).Append(run.DryRun ? " (dry-run)" : string.Empty)
                    .Append("</td><td>").Append(Time(run.Started)).Append("</td><td class=\"n\">").Append(run.Ended is { } ended ? Duration(ended - run.Started) : "running")
                    .Append("</td><td>").Append(Status(run.Status)).Append("</td><td class=\"n\">").Append(run.PoolsSeen).Append("</td><td class=\"n\" title=\"")
                    .Append(E(string.Join(", ", run.ArmCalls.Select(c => $"{c.Key} {c.Value}")))).Append("\">").Append(run.ArmCalls.Values.Sum())
                    .Append("</td><td class=\"n\">").Append(run.FindingsOpenedCount).Append("</td><td class=\"n\">").Append(run.FindingsResolvedCount)
                    .Append("</td><td class=\"n\">").Append(run.Errors.Count).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</section>\n<footer>AnFunctions fleet report · coverage counts active pools whose model has AN on every NIC configuration; ")
            .Append("eligible means an open finding says the pool's size supports AN; nodes are counted for pools whose instances the app listed.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Coverage(StringBuilder html, string title, string what, IReadOnlyList<CoverageRow> rows)
    {
        html.Append("<section><h2>").Append(E(title)).Append("</h2>");
        if (rows.Count == 0)
        {
            html.Append("<p class=\"empty\">No pool recorded yet.</p></section>\n");
            return;
        }

        html.Append("<table class=\"coverage\"><thead><tr><th>").Append(E(what)).Append("</th><th>AN coverage</th><th class=\"n\">Pools</th><th class=\"n\">With AN</th><th class=\"n\">Eligible without AN</th><th class=\"n\">Nodes without AN</th></tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr><td>").Append(E(row.Key)).Append("</td><td>").Append(Bar(row.CoveragePercent)).Append(' ').Append(Percent(row.CoveragePercent))
                .Append("</td><td class=\"n\">").Append(row.Pools).Append("</td><td class=\"n\">").Append(row.WithAcceleratedNetworking)
                .Append("</td><td class=\"n").Append(row.EligibleWithoutAcceleratedNetworking > 0 ? " warn" : string.Empty).Append("\">").Append(row.EligibleWithoutAcceleratedNetworking)
                .Append("</td><td class=\"n").Append(row.NodesWithoutAcceleratedNetworking > 0 ? " warn" : string.Empty).Append("\">").Append(row.NodesWithoutAcceleratedNetworking).Append("</td></tr>");
        }

        html.Append("</tbody></table></section>\n");
    }

    private static string Card(string id, int value, string label, string tone) =>
        $"<li class=\"card {tone}\" id=\"{id}\"><span class=\"value\">{value.ToString(Invariant)}</span><span class=\"label\">{E(label)}</span></li>";

    private static string Donut(double percent)
    {
        const double radius = 42;
        var circumference = 2 * Math.PI * radius;
        var filled = circumference * Math.Clamp(percent, 0, 100) / 100;
        return string.Create(Invariant,
            $"<svg width=\"120\" height=\"120\" viewBox=\"0 0 120 120\" role=\"img\" aria-label=\"AN coverage {Percent(percent)}\"><circle cx=\"60\" cy=\"60\" r=\"{radius}\" fill=\"none\" stroke=\"#e3e7ee\" stroke-width=\"16\"/><circle cx=\"60\" cy=\"60\" r=\"{radius}\" fill=\"none\" stroke=\"#1f7a4d\" stroke-width=\"16\" stroke-dasharray=\"{filled:0.##} {circumference:0.##}\" transform=\"rotate(-90 60 60)\"/></svg>");
    }

    private static string Bar(double percent) => string.Create(Invariant,
        $"<svg class=\"bar\" width=\"120\" height=\"10\" viewBox=\"0 0 120 10\" aria-hidden=\"true\"><rect width=\"120\" height=\"10\" rx=\"3\" fill=\"#e3e7ee\"/><rect width=\"{1.2 * Math.Clamp(percent, 0, 100):0.##}\" height=\"10\" rx=\"3\" fill=\"#1f7a4d\"/></svg>");

    private static string Severity(FindingSeverity severity) =>
        $"<span class=\"sev {severity.ToString().ToLowerInvariant()}\">{severity.ToString().ToLowerInvariant()}</span>";

    private static string Status(AuditRunStatus status) =>
        $"<span class=\"status {(status is AuditRunStatus.Completed ? "ok" : status is AuditRunStatus.Failed or AuditRunStatus.CompletedWithErrors ? "crit" : "warn")}\">{E(status.ToString())}</span>";

    private static string Percent(double value) => value.ToString("0", Invariant) + "%";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant);

    private static string Duration(TimeSpan span) =>
        span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" : span.TotalSeconds.ToString("0.0", Invariant) + " s";

    private static string E(string? text) => Encoder.Encode(text ?? string.Empty);

    private const string Css = """
        :root { color-scheme: light; --ok: #1f7a4d; --warn: #a35a00; --crit: #b3261e; --muted: #5b6472; --line: #dde2ea; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1c2430; background: #fff; }
        h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 18px 0 6px; }
        .meta, .caption, .note, .empty, footer { color: var(--muted); }
        .glance { display: flex; align-items: center; gap: 24px; padding: 16px 20px; border: 1px solid var(--line); border-radius: 10px; margin-top: 16px; flex-wrap: wrap; }
        .figure { font-size: 44px; font-weight: 700; margin: 0; color: var(--ok); }
        .caption { margin: 0; max-width: 260px; }
        .cards { list-style: none; display: flex; gap: 12px; margin: 0 0 0 auto; padding: 0; flex-wrap: wrap; }
        .card { border: 1px solid var(--line); border-left: 4px solid var(--ok); border-radius: 8px; padding: 8px 12px; min-width: 130px; }
        .card.warn { border-left-color: var(--warn); } .card.crit { border-left-color: var(--crit); }
        .card .value { display: block; font-size: 24px; font-weight: 700; } .card .label { color: var(--muted); font-size: 12px; }
        table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        td.warn { color: var(--warn); font-weight: 600; }
        .bar { vertical-align: middle; }
        .sev, .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--muted); }
        .sev.critical, .status.crit { background: var(--crit); } .sev.warning, .status.warn { background: var(--warn); } .sev.info { background: #3b6ea8; } .status.ok { background: var(--ok); }
        .kind { color: var(--muted); font-size: 12px; } code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        .findings td { word-break: break-word; } footer { margin-top: 32px; font-size: 12px; }
        """;
}
