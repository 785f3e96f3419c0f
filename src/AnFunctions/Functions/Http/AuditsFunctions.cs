using AnFunctions.Core.Audit;
using AnFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Functions.Http;

/// <summary>
/// Queued audits: an audit may outlive an HTTP request (the front end cuts it at 230 s), so the request only queues
/// it and answers 202 with a status URL; the queue-triggered function runs it.
/// </summary>
public sealed class AuditsFunctions(AuditStarter starter, QueuedAuditRunner runner, IAuditRunStore runs, ILogger<AuditsFunctions> logger)
{
    public const string StartName = "StartAudit";
    public const string StatusName = "GetAudit";
    public const string RunName = "RunQueuedAudit";

    /// <summary><c>POST /api/audits</c> with <c>{"subscriptionId"?, "resourceGroup"?, "dryRun"?}</c> → 202 and the run's status URL.</summary>
    [Function(StartName)]
    public async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "audits")] HttpRequest request, CancellationToken cancellationToken)
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

        try
        {
            var run = await starter.StartAsync("http", subscription, resourceGroup, dryRun ?? false, cancellationToken).ConfigureAwait(false);
            var statusUrl = ApiViews.AuditStatusPath(run.RunId);
            HttpLog.Answered(logger, StartName, StatusCodes.Status202Accepted);
            return new ApiResult(StatusCodes.Status202Accepted, new AuditAcceptedView(run.RunId, run.Status, statusUrl))
                .WithHeader("Location", statusUrl);
        }
        catch (Exception e) when (HttpAnswers.Upstream(logger, StartName, e) is { } problem)
        {
            return problem;
        }
    }

    /// <summary><c>GET /api/audits/{runId}</c>: the run record and its Markdown report.</summary>
    [Function(StatusName)]
    public async Task<IActionResult> StatusAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "audits/{runId}")] HttpRequest request, string runId, CancellationToken cancellationToken)
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

    /// <summary>Runs a queued audit (Storage queue <c>audit-runs</c>; the host retries and then moves poison messages aside).</summary>
    [Function(RunName)]
    public async Task RunAsync([QueueTrigger(AuditRunMessage.QueueName)] string message, CancellationToken cancellationToken) =>
        await runner.RunAsync(message, cancellationToken).ConfigureAwait(false);
}
