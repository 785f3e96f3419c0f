using AnFunctions.Core.Decisions;
using AnFunctions.Core.Explain;
using AnFunctions.Core.Options;
using AnFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Functions.Http;

/// <summary>Rerun one pool's decision (optionally as a dry-run) and explain one pool. Parse, check, hand off to Core.</summary>
public sealed class PoolsFunctions(
    PoolReconciler reconciler,
    PoolExplainer explainer,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    ILogger<PoolsFunctions> logger)
{
    public const string ReconcileName = "ReconcilePool";
    public const string ExplainName = "ExplainPool";

    /// <summary><c>POST /api/pools/reconcile</c> with <c>{"resourceId": "...", "dryRun": false}</c>.</summary>
    [Function(ReconcileName)]
    public async Task<IActionResult> ReconcileAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "pools/reconcile")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, ReconcileName, badQuery);
        }

        var body = await RequestReader.ReadJsonAsync<ReconcileBody>(request, empty: null, cancellationToken).ConfigureAwait(false);
        if (body.Problem is { } badBody)
        {
            return HttpAnswers.Refuse(logger, ReconcileName, badBody);
        }

        var id = RequestReader.ScaleSetInScope(body.Value!.ResourceId, options.CurrentValue);
        if (id.Problem is { } badId)
        {
            return HttpAnswers.Refuse(logger, ReconcileName, badId);
        }

        var dryRun = body.Value.DryRun ?? false;
        HttpLog.PoolRequest(logger, ReconcileName, id.Value!.Value, dryRun);
        try
        {
            var result = await reconciler.ReconcileAsync(new ReconcileRequest(id.Value, "http", Preview: dryRun), cancellationToken).ConfigureAwait(false);
            return result.Decision.Reason == DecisionReason.ScaleSetGone
                ? HttpAnswers.Refuse(logger, ReconcileName, Problems.ScaleSetNotFound())
                : HttpAnswers.Ok(logger, ReconcileName, ApiViews.Reconcile(result, dryRun));
        }
        catch (Exception e) when (HttpAnswers.Upstream(logger, ReconcileName, e) is { } problem)
        {
            return problem;
        }
    }

    /// <summary><c>GET /api/pools/explain?resourceId=...</c>: why the pool is as it is, and what the app would do now.</summary>
    [Function(ExplainName)]
    public async Task<IActionResult> ExplainAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "pools/explain")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request, "resourceId") is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, ExplainName, badQuery);
        }

        var id = RequestReader.ScaleSetInScope(RequestReader.Query(request, "resourceId"), options.CurrentValue);
        if (id.Problem is { } badId)
        {
            return HttpAnswers.Refuse(logger, ExplainName, badId);
        }

        HttpLog.PoolRequest(logger, ExplainName, id.Value!.Value, true);
        try
        {
            var result = await explainer.ExplainAsync(id.Value, cancellationToken).ConfigureAwait(false);
            return result.Status switch
            {
                ExplainStatus.Explained => HttpAnswers.Ok(logger, ExplainName, result.Explanation!),
                ExplainStatus.OutOfScope => HttpAnswers.Refuse(logger, ExplainName, Problems.OutOfScope(id.Value.SubscriptionId)),
                _ => HttpAnswers.Refuse(logger, ExplainName, Problems.ScaleSetNotFound()),
            };
        }
        catch (Exception e) when (HttpAnswers.Upstream(logger, ExplainName, e) is { } problem)
        {
            return problem;
        }
    }
}
