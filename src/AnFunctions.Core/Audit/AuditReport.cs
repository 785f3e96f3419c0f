using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnFunctions.Core.Audit;

/// <summary>An audit run as JSON (for scripts) and as Markdown (to paste into a ticket).</summary>
public static class AuditReport
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string ToJson(AuditRun run) => JsonSerializer.Serialize(run, Json);

    public static AuditRun? FromJson(string json) => JsonSerializer.Deserialize<AuditRun>(json, Json);

    public static string ToMarkdown(AuditRun run)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.Append(inv, $"## AnFunctions audit {run.RunId}\n\n");
        md.Append(inv, $"- Status: **{run.Status}**{(run.DryRun ? " (dry-run: nothing written)" : string.Empty)}\n");
        md.Append(inv, $"- Started {run.Started.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, ended {(run.Ended is { } end ? end.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", inv) + "Z" : "(running)")}, trigger `{run.Trigger}`\n");
        if (run.SubscriptionFilter is not null)
        {
            md.Append(inv, $"- Scope: subscription `{run.SubscriptionFilter}`{(run.ResourceGroupFilter is null ? string.Empty : $", resource group `{run.ResourceGroupFilter}`")}\n");
        }

        md.Append(inv, $"- Pools seen {run.PoolsSeen}, newly recorded {run.PoolsRecorded}, closed {run.PoolsClosed}, AN writes {run.Writes}, instance checks {run.InstanceChecks}\n");
        md.Append(inv, $"- Findings opened {run.FindingsOpenedCount}, resolved {run.FindingsResolvedCount}\n\n");
        md.Append("| Subscription | Pools | Result |\n| --- | ---: | --- |\n");
        foreach (var subscription in run.Subscriptions)
        {
            md.Append(inv, $"| `{subscription.SubscriptionId}` | {subscription.Pools} | {(subscription.Error is null ? "ok" : "error: " + Escape(subscription.Error))} |\n");
        }

        md.Append("\n| ARM calls | Count |\n| --- | ---: |\n");
        foreach (var (kind, count) in run.ArmCalls.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            md.Append(inv, $"| {kind} | {count} |\n");
        }

        md.Append(inv, $"| **total** | **{run.ArmCalls.Values.Sum()}** |\n");
        if (run.TableCalls.Count > 0)
        {
            md.Append("\n| Table round trips | Count |\n| --- | ---: |\n");
            foreach (var (kind, count) in run.TableCalls.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                md.Append(inv, $"| {kind} | {count} |\n");
            }

            md.Append(inv, $"| **total** | **{run.TableCalls.Values.Sum()}** |\n");
        }
        if (run.Errors.Count > 0)
        {
            md.Append("\n### Errors\n\n");
            foreach (var error in run.Errors)
            {
                md.Append(inv, $"- {Escape(error)}\n");
            }
        }

        return md.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
