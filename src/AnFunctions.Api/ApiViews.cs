using System.Text.Json.Nodes;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.State;

namespace AnFunctions.Api;

/// <summary>Body of <c>POST /api/pools/reconcile</c>.</summary>
public sealed record ReconcileBody(string? ResourceId, bool? DryRun);

/// <summary>Body of <c>POST /api/audits</c> (every field optional: an empty body audits everything in scope).</summary>
public sealed record AuditBody(string? SubscriptionId, string? ResourceGroup, bool? DryRun);

/// <summary>The ARM write a decision sent, or planned in dry-run: method, target and the JSON body exactly as built.</summary>
public sealed record WriteView(string Method, string ResourceId, JsonNode? Body);

/// <param name="DryRun">The run was a <see cref="RunMode.Preview"/> (the call asked with <c>"dryRun": true</c>): read from the result's mode.</param>
public sealed record ReconcileView(
    string ResourceId, bool DryRun, DecisionOutcome Outcome, DecisionReason Reason, string Explanation, bool IsNewPool,
    WriteView? Write, bool WriteSent, PoolRecord? Pool, IReadOnlyList<string> FindingsOpened, IReadOnlyList<string> FindingsResolved);

public sealed record AuditAcceptedView(string RunId, AuditRunStatus Status, string StatusUrl);

public sealed record AuditRunView(AuditRun Run, string Report);

public sealed record FindingPageView(IReadOnlyList<Finding> Items, string? Continuation);

/// <summary>Shapes Core results into the API's answers (no decisions here).</summary>
public static class ApiViews
{
    public static ReconcileView Reconcile(ReconcileResult result) => new(
        result.Id.Value,
        result.Mode == RunMode.Preview,
        result.Decision.Outcome,
        result.Decision.Reason,
        result.Decision.Explanation,
        result.Decision.IsNewPool,
        result.Decision.Write is { } write ? new WriteView(write.Method, write.Id.Value, JsonNode.Parse(write.Body)) : null,
        result.WriteSent,
        result.Pool,
        result.Findings?.Opened.Select(f => f.Id).ToList() ?? [],
        result.Findings?.Resolved.Select(f => f.Id).ToList() ?? []);

    public static string AuditStatusPath(string runId) => $"/api/audits/{runId}";
}
