using AnFunctions.Core.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Api;

/// <summary>
/// Queued audits: an audit may outlive an HTTP request (the front end cuts it at 230 s), so the request only queues
/// it and answers 202 with a status URL; the host's queue-triggered function runs it.
/// </summary>
public sealed class AuditsEndpoints(AuditStarter starter, IAuditRunStore runs, ILogger<AuditsEndpoints> logger)
{
    private const string StartName = ApiRoutes.StartAudit.Name;
    private const string StatusName = ApiRoutes.GetAudit.Name;

    /// <summary><c>POST /api/audits</c> with <c>{"subscriptionId"?, "resourceGroup"?, "dryRun"?}</c> → 202 and the run's status URL.</summary>
    public async Task<IActionResult> StartAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, StartName, badQuery);
        }

        var body = await RequestReader.ReadJsonAsync(request, new AuditBody(null, null, null), cancellationToken).ConfigureAwait(false);
        if (body.Problem is { } badBody)
        {
            return HttpAnswers.Refuse(logger, StartName, badBody);
        }

        var (subscription, resourceGroup, dryRun) = body.Value!;
        if (subscription is not null && !RequestReader.IsValidSubscriptionId(subscription))
        {
            return HttpAnswers.Refuse(logger, StartName, Problems.InvalidBody("subscriptionId must be a subscription id (GUID)"));
        }

        if (resourceGroup is not null && !RequestReader.IsValidResourceGroup(resourceGroup))
        {
            return HttpAnswers.Refuse(logger, StartName, Problems.InvalidBody("resourceGroup is not a valid resource group name"));
        }

        if (!starter.IsInScope(subscription))
        {
            return HttpAnswers.Refuse(logger, StartName, Problems.OutOfScope(subscription!.ToLowerInvariant()));
        }

        var run = await starter.StartAsync("http", subscription, resourceGroup, dryRun ?? false, cancellationToken).ConfigureAwait(false);
        var statusUrl = ApiViews.AuditStatusPath(run.RunId);
        HttpLog.Answered(logger, StartName, StatusCodes.Status202Accepted);
        return new ApiResult(StatusCodes.Status202Accepted, new AuditAcceptedView(run.RunId, run.Status, statusUrl))
            .WithHeader("Location", statusUrl);
    }

    /// <summary><c>GET /api/audits/{runId}</c>: the run record and its Markdown report.</summary>
    public async Task<IActionResult> StatusAsync(HttpRequest request, string runId, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, StatusName, badQuery);
        }

        if (!AuditRun.IsValidId(runId))
        {
            return HttpAnswers.Refuse(logger, StatusName, Problems.InvalidRunId());
        }

        var run = await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        return run is null
            ? HttpAnswers.Refuse(logger, StatusName, Problems.RunNotFound())
            : HttpAnswers.Ok(logger, StatusName, new AuditRunView(run, AuditReport.ToMarkdown(run)));
    }
}
