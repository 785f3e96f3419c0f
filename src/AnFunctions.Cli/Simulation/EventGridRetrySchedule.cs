namespace AnFunctions.Cli.Simulation;

/// <summary>
/// When Event Grid delivers a failed delivery again, as it documents it: 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h,
/// 3 h, 6 h after the previous attempt, then every 12 h, until the delivery succeeds, the event is 24 hours old, or 30
/// attempts were made; then it is dead-lettered.
/// </summary>
internal static class EventGridRetrySchedule
{
    public const int MaxAttempts = 30;

    public static readonly TimeSpan TimeToLive = TimeSpan.FromHours(24);

    private static readonly TimeSpan[] Delays =
    [
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1),
        TimeSpan.FromHours(3),
        TimeSpan.FromHours(6),
    ];

    private static readonly TimeSpan Thereafter = TimeSpan.FromHours(12);

    /// <summary>When attempt <paramref name="failedAttempt"/> + 1 is due; null when the event is dead-lettered instead.</summary>
    /// <param name="failedAttempt">The attempt that just failed (1 for the first delivery).</param>
    public static DateTimeOffset? NextAttempt(int failedAttempt, DateTimeOffset firstAttemptAt, DateTimeOffset failedAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        if (failedAttempt >= MaxAttempts)
        {
            return null;
        }

        var next = failedAt + (failedAttempt <= Delays.Length ? Delays[failedAttempt - 1] : Thereafter);
        return next - firstAttemptAt > TimeToLive ? null : next;
    }
}
