using AnFunctions.Core.Decisions;
using AnFunctions.Core.Explain;
using AnFunctions.Core.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Api;

/// <summary>Rerun one pool's decision (optionally as a dry-run) and explain one pool. Parse, check, hand off to Core.</summary>
public sealed class PoolsEndpoints(
    PoolReconciler reconciler,
    PoolExplainer explainer,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    ILogger<PoolsEndpoints> logger)
{
    private const string ReconcileName = ApiRoutes.ReconcilePool.Name;
    private const string ExplainName = ApiRoutes.ExplainPool.Name;

    /// <summary><c>POST /api/pools/reconcile</c> with <c>{"resourceId": "...", "dryRun": false}</c>.</summary>
    public async Task<IActionResult> ReconcileAsync(HttpRequest request, CancellationToken cancellationToken)
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
        var result = await reconciler.ReconcileAsync(new ReconcileRequest(id.Value, ReconcileTrigger.Http, Mode: RunModes.Requested(dryRun)), cancellationToken).ConfigureAwait(false);
        return result.Decision.Reason == DecisionReason.ScaleSetGone
            ? HttpAnswers.Refuse(logger, ReconcileName, Problems.ScaleSetNotFound())
            : HttpAnswers.Ok(logger, ReconcileName, ApiViews.Reconcile(result));
    }

    /// <summary><c>GET /api/pools/explain?resourceId=...</c>: why the pool is as it is, and what the app would do now.</summary>
    public async Task<IActionResult> ExplainAsync(HttpRequest request, CancellationToken cancellationToken)
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
        var result = await explainer.ExplainAsync(id.Value, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            ExplainStatus.Explained => HttpAnswers.Ok(logger, ExplainName, result.Explanation!),
            ExplainStatus.OutOfScope => HttpAnswers.Refuse(logger, ExplainName, Problems.OutOfScope(id.Value.SubscriptionId)),
            _ => HttpAnswers.Refuse(logger, ExplainName, Problems.ScaleSetNotFound()),
        };
    }
}
