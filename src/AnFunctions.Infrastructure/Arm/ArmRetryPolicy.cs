using System.Globalization;
using System.Runtime.ExceptionServices;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Options;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AnFunctions.Infrastructure.Arm;

/// <summary>
/// The app's retries of one ARM call, in place of the SDK's: 408, 429, 500, 502, 503, 504, a dropped connection and a
/// try that ran into <c>Arm:Timeout</c> are tried again up to <c>Arm:MaxRetries</c> times, after <c>Retry-After</c>
/// when ARM sends it, else after <c>Arm:RetryDelay</c> doubling each time. Unlike the SDK's policy it never waits
/// longer than <c>Arm:MaxRetryDelay</c> (a longer Retry-After ends the call: the caller sees ARM's answer and treats it
/// as transient), it respects the delivery's <see cref="ArmBudget"/>, and it waits on the app's
/// <see cref="TimeProvider"/>, so tests on a fake clock see exactly what it waited.
/// </summary>
internal sealed class ArmRetryPolicy(ArmOptions settings, TimeProvider time) : HttpPipelinePolicy
{
    /// <summary>The error code of a call not started (or not retried) because the delivery's budget would not allow it.</summary>
    public const string BudgetSpentCode = "DeliveryBudgetSpent";

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var budget = ArmBudget.Current;
        for (var retry = 0; ; retry++)
        {
            if (budget is not null && !budget.HasRoomFor(settings.Timeout))
            {
                throw BudgetSpent(message, budget, retry);
            }

            budget?.RecordTry();
            ExceptionDispatchInfo? failure = null;
            try
            {
                if (async)
                {
                    await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
                }
                else
                {
                    ProcessNext(message, pipeline);
                }
            }
            catch (Exception e) when (IsTransient(e, message))
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            if (failure is null && !IsTransientStatus(message.Response.Status))
            {
                return;
            }

            var serverDelay = failure is null ? RetryAfter(message.Response) : null;
            var delay = serverDelay ?? Backoff(retry);
            var retryFits = retry < settings.MaxRetries
                && delay <= settings.MaxRetryDelay
                && (budget is null || budget.HasRoomFor(delay + settings.Timeout));
            if (!retryFits)
            {
                // ARM's own answer (with its Retry-After) or the transport's failure goes to the caller, as it came.
                failure?.Throw();
                return;
            }

            if (delay > TimeSpan.Zero)
            {
                budget?.RecordWait(delay);
                if (async)
                {
                    await Task.Delay(delay, time, message.CancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Task.Delay(delay, time, message.CancellationToken).GetAwaiter().GetResult();
                }
            }
        }
    }

    private TimeSpan Backoff(int retry) =>
        TimeSpan.FromTicks(Math.Min(settings.MaxRetryDelay.Ticks, settings.RetryDelay.Ticks * (1L << Math.Min(retry, 20))));

    private static bool IsTransientStatus(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>A failure with no answer: a dropped connection, or a try cut by <c>Arm:Timeout</c> (not by the caller).</summary>
    private static bool IsTransient(Exception e, HttpMessage message) => e switch
    {
        OperationCanceledException => !message.CancellationToken.IsCancellationRequested,
        RequestFailedException { Status: 0 } => true,
        IOException or HttpRequestException => true,
        _ => false,
    };

    /// <summary><c>Retry-After</c> in seconds or as an HTTP date, or ARM's <c>x-ms-retry-after-ms</c> / <c>retry-after-ms</c>.</summary>
    internal static TimeSpan? RetryAfter(Response response)
    {
        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValue(name, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        if (!response.Headers.TryGetValue("Retry-After", out var value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? TimeSpan.FromTicks(Math.Max(0, (at - DateTimeOffset.UtcNow).Ticks))
            : null;
    }

    private RequestFailedException BudgetSpent(HttpMessage message, ArmBudget budget, int retry) =>
        new(0,
            $"{message.Request.Method} {message.Request.Uri.Path}: not {(retry == 0 ? "sent" : "retried")}: {budget.Elapsed.TotalSeconds:0.#} s of the delivery's {budget.Limit.TotalSeconds:0} s are spent and a try may take {settings.Timeout.TotalSeconds:0.#} s (Event Grid will deliver again)",
            BudgetSpentCode,
            null);
}
