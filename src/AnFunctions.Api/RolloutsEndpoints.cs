using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Api;

/// <summary>Body of <c>POST /api/pools/rollout</c>: a dry-run unless <c>dryRun</c> is <c>false</c>.</summary>
public sealed record RolloutBody(string? ResourceId, int? BatchSize, bool? DryRun);

public sealed record RolloutBatchView(int Index, IReadOnlyList<string> InstanceIds, IReadOnlyList<string> Running, BatchStep Step, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error);

/// <summary>What a rollout would do (or does): its batches, what it leaves alone, the most nodes down at once.</summary>
public sealed record RolloutPlanView(string ResourceId, int BatchSize, int MaxUnavailable, int NodesDownAtOnce, IReadOnlyList<RolloutBatchView> Batches, IReadOnlyList<SkippedInstance> Skipped, string Explanation);

public sealed record RolloutView(
    string RolloutId, string ResourceId, RolloutStatus Status, int BatchSize, string Trigger, DateTimeOffset RequestedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt, IReadOnlyList<RolloutBatchView> Batches, IReadOnlyList<SkippedInstance> Skipped, string? Error, string? LastTransientError, string StatusUrl);

/// <summary>The answer to a rollout request: <c>planned</c>, <c>accepted</c> or <c>nothingToDo</c>, with the plan and the rollout.</summary>
public sealed record RolloutStartView(string Status, RolloutPlanView Plan, RolloutView? Rollout);

/// <summary>
/// On-call rollouts: bring the running nodes of a pool whose model has AN onto it, batch by batch within
/// MaxUnavailable. A request plans (dry-run, the default) or records and queues; the host's queue trigger runs it.
/// </summary>
public sealed class RolloutsEndpoints(RolloutStarter starter, IRolloutStore rollouts, IOptionsMonitor<AcceleratedNetworkingOptions> options, ILogger<RolloutsEndpoints> logger)
{
    private const string StartName = ApiRoutes.StartRollout.Name;
    private const string StatusName = ApiRoutes.GetRollout.Name;
    private const int MaxBatchSize = 1000;

    /// <summary><c>POST /api/pools/rollout</c> with <c>{"resourceId", "batchSize" (1), "dryRun" (true)}</c>.</summary>
    public async Task<IActionResult> StartAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, StartName, badQuery);
        }

        var body = await RequestReader.ReadJsonAsync<RolloutBody>(request, empty: null, cancellationToken).ConfigureAwait(false);
        if (body.Problem is { } badBody)
        {
            return HttpAnswers.Refuse(logger, StartName, badBody);
        }

        var id = RequestReader.ScaleSetInScope(body.Value!.ResourceId, options.CurrentValue);
        if (id.Problem is { } badId)
        {
            return HttpAnswers.Refuse(logger, StartName, badId);
        }

        var batchSize = body.Value.BatchSize ?? 1;
        if (batchSize is < 1 or > MaxBatchSize)
        {
            return HttpAnswers.Refuse(logger, StartName, Problems.InvalidBody($"batchSize must lie between 1 and {MaxBatchSize}"));
        }

        var dryRun = body.Value.DryRun ?? true;
        HttpLog.PoolRequest(logger, StartName, id.Value!.Value, dryRun);
        var start = await starter.StartAsync(id.Value, batchSize, dryRun, "http", cancellationToken).ConfigureAwait(false);
        return start.Status switch
        {
            RolloutStartStatus.Planned => HttpAnswers.Ok(logger, StartName, new RolloutStartView("planned", Plan(start.Plan!), null)),
            RolloutStartStatus.NothingToDo => HttpAnswers.Ok(logger, StartName, new RolloutStartView("nothingToDo", Plan(start.Plan!), start.Rollout is { } last ? View(last) : null)),
            RolloutStartStatus.Accepted => Accepted(start),
            RolloutStartStatus.InProgress => HttpAnswers.Refuse(logger, StartName, Problems.RolloutInProgress(start.Rollout!.RolloutId, StatusPath(start.Rollout.RolloutId))
                .WithHeader("Location", StatusPath(start.Rollout.RolloutId))),
            RolloutStartStatus.Refused => HttpAnswers.Refuse(logger, StartName, Problems.RolloutRefused(start.Plan!.Refusal!.Value.ToString(), start.Plan.Explanation)),
            RolloutStartStatus.OutOfScope => HttpAnswers.Refuse(logger, StartName, Problems.OutOfScope(id.Value.SubscriptionId)),
            _ => HttpAnswers.Refuse(logger, StartName, Problems.ScaleSetNotFound()),
        };
    }

    /// <summary><c>GET /api/rollouts/{rolloutId}</c>: the rollout with its progress per batch.</summary>
    public async Task<IActionResult> StatusAsync(HttpRequest request, string rolloutId, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, StatusName, badQuery);
        }

        if (!Rollout.IsValidId(rolloutId))
        {
            return HttpAnswers.Refuse(logger, StatusName, Problems.InvalidRolloutId());
        }

        var rollout = await rollouts.GetAsync(rolloutId, cancellationToken).ConfigureAwait(false);
        return rollout is null
            ? HttpAnswers.Refuse(logger, StatusName, Problems.RolloutNotFound())
            : HttpAnswers.Ok(logger, StatusName, View(rollout));
    }

    public static string StatusPath(string rolloutId) => $"/{ApiRoutes.Prefix}/rollouts/{rolloutId}";

    public static RolloutPlanView Plan(RolloutPlan plan) =>
        new(plan.PoolId.Value, plan.BatchSize, plan.MaxUnavailable, plan.NodesDownAtOnce, plan.Batches.Select(Batch).ToList(), plan.Skipped, plan.Explanation);

    public static RolloutView View(Rollout rollout) => new(
        rollout.RolloutId, rollout.PoolId.Value, rollout.Status, rollout.BatchSize, rollout.Trigger, rollout.RequestedAt, rollout.StartedAt, rollout.EndedAt,
        rollout.Batches.Select(Batch).ToList(), rollout.Skipped, rollout.Error, rollout.LastTransientError, StatusPath(rollout.RolloutId));

    private IActionResult Accepted(RolloutStart start)
    {
        var statusUrl = StatusPath(start.Rollout!.RolloutId);
        HttpLog.Answered(logger, StartName, StatusCodes.Status202Accepted);
        return new ApiResult(StatusCodes.Status202Accepted, new RolloutStartView("accepted", Plan(start.Plan!), View(start.Rollout)))
            .WithHeader("Location", statusUrl);
    }

    private static RolloutBatchView Batch(RolloutBatch b) => new(b.Index, b.InstanceIds, b.Running, b.Step, b.StartedAt, b.FinishedAt, b.Error);
}
