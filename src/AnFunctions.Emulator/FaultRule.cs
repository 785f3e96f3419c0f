namespace AnFunctions.Emulator;

/// <summary>
/// A fault to inject: which calls it matches (every condition given must hold) and what happens to them. A matched
/// call is counted and logged but not applied to the emulator's state, unless the rule only delays it
/// (<see cref="Status"/> 0 and no <see cref="DropConnection"/>), in which case it then proceeds normally.
/// </summary>
public sealed class FaultRule
{
    /// <summary>Matches only calls of this kind.</summary>
    public ArmCallKind? Kind { get; init; }

    /// <summary>
    /// Matches only calls about this resource, compared case-insensitively with the request path and with the scale
    /// set the call is about (a scale set id matches its GET/PUT/PATCH/DELETE, its instances list and its actions).
    /// </summary>
    public string? ResourceId { get; init; }

    /// <summary>Matches only calls with this HTTP method (case-insensitive).</summary>
    public string? Method { get; init; }

    /// <summary>Matches only calls for which this returns true. Runs under the emulator's fault lock: keep it quick.</summary>
    public Func<ArmRequestInfo, bool>? When { get; init; }

    /// <summary>How many calls the rule applies to before it is removed; null for every call until removed.</summary>
    public int? Times { get; init; }

    /// <summary>The HTTP status to answer with an ARM error body; 0 to answer normally (after <see cref="Delay"/>).</summary>
    public int Status { get; init; }

    /// <summary>The ARM error code of the answer (default: a name derived from the status).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The ARM error message of the answer.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Sent as a <c>Retry-After</c> header, in whole seconds.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Waited before answering (honours the caller's cancellation): use it to exceed a client timeout.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// How long the call takes on the emulator's clock before it is answered: on a <see cref="VirtualClock"/> the clock
    /// moves on at once (no real time passes, no client timeout fires), on the system clock it is a real wait. Use it
    /// to measure what slow calls cost a caller that reads the same clock.
    /// </summary>
    public TimeSpan Takes { get; init; }

    /// <summary>Throws <see cref="HttpRequestException"/> instead of answering, as a dropped connection does.</summary>
    public bool DropConnection { get; init; }

    /// <summary>For writes answered with an error: also add a failed-write event to the Activity Log, as ARM does.</summary>
    public bool RecordInActivityLog { get; init; }

    internal bool Matches(ArmRequestInfo request) =>
        (Kind is null || Kind == request.Kind)
        && (Method is null || string.Equals(Method, request.Method, StringComparison.OrdinalIgnoreCase))
        && (ResourceId is null
            || string.Equals(ResourceId.TrimEnd('/'), request.ResourceId, StringComparison.OrdinalIgnoreCase)
            || string.Equals(ResourceId.TrimEnd('/'), request.Path, StringComparison.OrdinalIgnoreCase))
        && (When is null || When(request));

    public override string ToString() =>
        $"Fault[{Kind?.ToString() ?? "*"} {Method ?? "*"} {ResourceId ?? "*"} -> {(DropConnection ? "drop" : Status.ToString(System.Globalization.CultureInfo.InvariantCulture))}"
        + $"{(Delay > TimeSpan.Zero ? $" after {Delay}" : string.Empty)}, times {Times?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "∞"}]";
}
