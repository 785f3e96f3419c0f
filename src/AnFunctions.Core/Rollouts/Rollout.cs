using System.Text.Json;
using System.Text.Json.Serialization;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Rollouts;

public enum RolloutStatus
{
    /// <summary>Recorded and waiting on the queue.</summary>
    Queued,
    Running,

    /// <summary>Every batch was deallocated, brought to the latest model and started again.</summary>
    Succeeded,

    /// <summary>Stopped at the first failure, which it names; the batches after it were not touched.</summary>
    Failed,
}

/// <summary>Where one batch is on Azure's documented path for an AN change.</summary>
public enum BatchStep
{
    Pending,
    Deallocated,
    Upgraded,
    Done,
}

/// <summary>
/// One batch of a rollout: the instances taken through deallocate, manualupgrade, start together (at most
/// <c>MaxUnavailable</c> of them). <see cref="Running"/> are the ones that ran when the rollout was planned: only those
/// are deallocated and started again (a node someone deallocated stays deallocated, on the new model).
/// </summary>
public sealed record RolloutBatch(int Index, IReadOnlyList<string> InstanceIds, IReadOnlyList<string> Running)
{
    public BatchStep Step { get; init; } = BatchStep.Pending;
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Error { get; init; }
}

/// <summary>An instance the rollout leaves alone, and why.</summary>
public sealed record SkippedInstance(string InstanceId, string Reason);

/// <summary>
/// A rollout of AN to the running nodes of a pool whose model has it: recorded with its progress, so that it survives
/// a crash (the queue redelivers its message and it resumes at the step it had reached) and one pool never has two.
/// </summary>
public sealed record Rollout
{
    public required string RolloutId { get; init; }
    public required ScaleSetId PoolId { get; init; }
    public required int BatchSize { get; init; }
    public required string Trigger { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public RolloutStatus Status { get; init; } = RolloutStatus.Queued;
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public required IReadOnlyList<RolloutBatch> Batches { get; init; }
    public IReadOnlyList<SkippedInstance> Skipped { get; init; } = [];
    public string? Error { get; init; }

    /// <summary>Transient failures so far (each one leaves the message to the queue's next delivery, which resumes).</summary>
    public int TransientFailures { get; init; }

    /// <summary>The last transient failure, kept while the rollout waits for the queue to deliver it again.</summary>
    public string? LastTransientError { get; init; }

    /// <summary>The store's concurrency token; null before the first save.</summary>
    public string? Version { get; init; }

    [JsonIgnore]
    public bool IsFinished => Status is RolloutStatus.Succeeded or RolloutStatus.Failed;

    public static string NewId(DateTimeOffset at) => $"rollout-{at.UtcDateTime:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>True for an id of the <see cref="NewId"/> shape.</summary>
    public static bool IsValidId(string? value) =>
        value is { Length: 33 } && System.Text.RegularExpressions.Regex.IsMatch(value, "^rollout-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}

/// <summary>The JSON form of a rollout (what the Table store keeps and the HTTP API answers).</summary>
public static class RolloutJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new ScaleSets.ScaleSetIdJsonConverter() },
    };

    public static string Serialize(Rollout rollout) => JsonSerializer.Serialize(rollout with { Version = null }, Options);

    public static Rollout Deserialize(string json, string? version) =>
        (JsonSerializer.Deserialize<Rollout>(json, Options) ?? throw new JsonException("a rollout record is JSON null")) with { Version = version };
}

/// <summary>Port: rollout records. Two implementations pass one contract suite: Table Storage and in-memory.</summary>
public interface IRolloutStore
{
    Task<Rollout?> GetAsync(string rolloutId, CancellationToken cancellationToken);

    /// <summary>The pool's rollout that is queued or running, if any.</summary>
    Task<Rollout?> GetActiveAsync(ScaleSetId poolId, CancellationToken cancellationToken);

    /// <summary>The pool's most recent rollout (active or finished), if any.</summary>
    Task<Rollout?> GetLatestAsync(ScaleSetId poolId, CancellationToken cancellationToken);

    /// <summary>
    /// Records a new rollout (Version null) as the pool's active one. Throws <see cref="RolloutInProgressException"/>
    /// when the pool already has an unfinished rollout: one pool never has two at once.
    /// </summary>
    Task<Rollout> StartAsync(Rollout rollout, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the rollout conditionally on its Version (a stale one throws
    /// <see cref="State.ConcurrencyConflictException"/>); a finished rollout frees its pool for the next one.
    /// </summary>
    Task<Rollout> SaveAsync(Rollout rollout, CancellationToken cancellationToken);
}

/// <summary>The pool already has a rollout that is queued or running.</summary>
public sealed class RolloutInProgressException : Exception
{
    public RolloutInProgressException(Rollout active)
        : base($"pool {active.PoolId} already has rollout {active.RolloutId} ({active.Status})") => Active = active;

    public RolloutInProgressException() : base("the pool already has a rollout in progress") { }

    public RolloutInProgressException(string message) : base(message) { }

    public RolloutInProgressException(string message, Exception inner) : base(message, inner) { }

    public Rollout? Active { get; }
}

/// <summary>One queued rollout: the queue message is only its id (the record holds everything else).</summary>
public sealed record RolloutMessage([property: JsonPropertyName("rolloutId")] string RolloutId)
{
    /// <summary>The Storage queue the queue-triggered function listens on.</summary>
    public const string QueueName = "rollouts";

    public string ToJson() => JsonSerializer.Serialize(this);

    public static RolloutMessage? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.Length > 4096)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RolloutMessage>(json) is { } message && Rollout.IsValidId(message.RolloutId) ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Port: hands a queued rollout to whatever runs it (a Storage queue in Azure; in-process elsewhere).</summary>
public interface IRolloutQueue
{
    Task EnqueueAsync(RolloutMessage message, CancellationToken cancellationToken);
}
