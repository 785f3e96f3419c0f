using AnFunctions.Core.Arm;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Decisions;

/// <summary>Where the app's own write of a pool stands.</summary>
public enum WriteProgress
{
    /// <summary>Its operation runs (or, for a write recorded but not confirmed, ARM is still busy with the pool).</summary>
    InProgress,

    /// <summary>Another reconcile recorded the write a moment ago and is sending it: leave it to that one.</summary>
    InFlightElsewhere,

    /// <summary>The write took effect: AN is on.</summary>
    Succeeded,

    /// <summary>The write (or its operation) failed; <see cref="WriteVerdict.Transient"/> says whether trying again may help.</summary>
    Failed,

    /// <summary>A write recorded before it was sent never reached ARM (the instance died in between): decide again.</summary>
    NotSent,
}

/// <summary>The assessment of a pending write: how it stands and, for a failure, ARM's error.</summary>
public sealed record WriteVerdict(WriteProgress Progress, string? ErrorCode = null, string? ErrorMessage = null, bool Transient = false)
{
    public static WriteVerdict InProgress { get; } = new(WriteProgress.InProgress);
}

/// <summary>
/// Follows the app's own write of a pool after ARM accepted it: a short bounded wait for its long-running operation
/// (within what a delivery may spend), and the rules that say where a write recorded earlier stands, from its
/// operation's status or, when that is unknown, from the pool as ARM shows it now.
/// </summary>
public sealed class WriteFollowUp(IScaleSetClient scaleSets, IOptionsMonitor<ArmOptions> arm, TimeProvider time)
{
    /// <summary>How many writes the app makes to one new pool: the first, and two more after transient failures.</summary>
    public const int MaxWriteAttempts = 3;

    /// <summary>
    /// A write recorded this recently and not confirmed may still be on its way, sent by another reconcile: as long as
    /// Event Grid waits for a delivery (a delivery's ARM calls stop within <see cref="ArmBudget.DeliveryLimit"/>). An
    /// older one was left by an instance that died: the pool tells what became of it. (Should a slow audit or HTTP
    /// reconcile still be sending it, its If-Match makes a second write lose with 412.)
    /// </summary>
    public static readonly TimeSpan IntentLease = ArmBudget.EventGridAnswerWindow;

    /// <summary>Between polls of an operation that sends no Retry-After.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// ARM error codes of an operation (or a write) that may succeed when tried again: ARM's own internal and
    /// capacity errors, throttling, preemption by another operation. Anything else (a permission, a size that cannot
    /// have AN, a policy, a bad request) fails the same way again and stands.
    /// </summary>
    private static readonly HashSet<string> TransientCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "InternalServerError", "InternalExecutionError", "InternalOperationError", "RetryableError", "OperationPreempted",
        "ServiceUnavailable", "GatewayTimeout", "TooManyRequests", "Conflict", "AllocationFailed", "ZonalAllocationFailed",
        "OperationNotAllowed", "SubscriptionRequestsThrottled",
    };

    public static bool IsTransient(string? errorCode) => errorCode is not null && TransientCodes.Contains(errorCode);

    /// <summary>
    /// Polls the operation of a write ARM just accepted: at once, then every Retry-After (or
    /// <see cref="DefaultPollInterval"/>) until it finishes, <c>Arm:OperationWait</c> has passed, or the delivery's
    /// budget has no room for another poll. Returns how it stands by then (possibly still in progress).
    /// </summary>
    public async Task<OperationStatus> WaitAsync(WriteAccepted accepted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        if (accepted.OperationUrl is not { } url)
        {
            return WriteAccepted.IsBusy(accepted.ProvisioningState) ? OperationStatus.InProgress : OperationStatus.Succeeded;
        }

        var settings = arm.CurrentValue;
        var deadline = time.GetUtcNow() + settings.OperationWait;
        while (true)
        {
            OperationStatus status;
            try
            {
                status = await scaleSets.GetOperationAsync(url, cancellationToken).ConfigureAwait(false);
            }
            catch (ArmRequestException e) when (e.IsTransient)
            {
                // The write was accepted; a poll ARM throttled or failed does not undo that: the next look follows it.
                return OperationStatus.InProgress;
            }

            if (status.State != OperationState.InProgress)
            {
                return status;
            }

            var wait = status.RetryAfter is { } asked ? Clamp(asked) : DefaultPollInterval;
            var budget = ArmBudget.Current;
            if (time.GetUtcNow() + wait > deadline || (budget is not null && !budget.HasRoomFor(wait + settings.Timeout)))
            {
                return status;
            }

            budget?.RecordWait(wait);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Where a recorded write stands, as a pure function of what is known now: its record, the pool as ARM shows it,
    /// the operation's status when it was asked (null when there is no status URL or it was not asked).
    /// </summary>
    /// <param name="ours">True when this reconcile recorded the write itself (an intent of its own is never "elsewhere").</param>
    public static WriteVerdict Assess(PendingWrite pending, ScaleSetSnapshot scaleSet, OperationStatus? operation, DateTimeOffset now, TimeSpan operationTimeout, bool ours)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(scaleSet);
        switch (pending.State)
        {
            case PendingWriteState.Failed when pending.AcceptedAt is null && pending.ErrorCode == PendingWrite.NoAnswer:
                // Sent without an answer: the pool says whether it arrived (below).
                break;

            case PendingWriteState.Failed:
                return new WriteVerdict(WriteProgress.Failed, pending.ErrorCode, pending.ErrorMessage, IsTransient(pending.ErrorCode));

            case PendingWriteState.Accepted when operation is { IsTerminal: true } done:
                return done.State == OperationState.Succeeded
                    ? new WriteVerdict(WriteProgress.Succeeded)
                    : new WriteVerdict(WriteProgress.Failed, done.ErrorCode ?? done.State.ToString(), done.ErrorMessage, IsTransient(done.ErrorCode));

            case PendingWriteState.Accepted when operation is { State: OperationState.InProgress }:
                return now - (pending.AcceptedAt ?? pending.StartedAt) > operationTimeout
                    ? new WriteVerdict(WriteProgress.Failed, "OperationTimedOut", $"the operation had not finished {operationTimeout} after ARM accepted the write")
                    : WriteVerdict.InProgress;

            case PendingWriteState.Intended when !ours && now - pending.StartedAt < IntentLease:
                return new WriteVerdict(WriteProgress.InFlightElsewhere);
        }

        // No status to go by (a write recorded but not confirmed, or an operation ARM no longer knows): the pool says.
        if (scaleSet.AcceleratedNetworkingOnAll && !WriteAccepted.IsBusy(scaleSet.ProvisioningState))
        {
            return new WriteVerdict(WriteProgress.Succeeded);
        }

        if (WriteAccepted.IsBusy(scaleSet.ProvisioningState))
        {
            return WriteVerdict.InProgress;
        }

        if (string.Equals(scaleSet.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase))
        {
            // ARM's error went with the operation it no longer reports: the model is as before, try again while new.
            return new WriteVerdict(WriteProgress.Failed, "ProvisioningFailed", "the scale set's provisioningState is Failed and AN is not on", Transient: true);
        }

        return pending.State == PendingWriteState.Accepted
            ? new WriteVerdict(WriteProgress.Failed, "WriteNotApplied", "ARM accepted the write but the model does not have AN", Transient: true)
            // Intended, or sent without an answer: it did not arrive.
            : new WriteVerdict(WriteProgress.NotSent);
    }

    private static TimeSpan Clamp(TimeSpan asked) =>
        asked < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : asked > TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : asked;
}
