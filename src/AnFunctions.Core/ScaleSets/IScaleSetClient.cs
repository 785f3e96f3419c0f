namespace AnFunctions.Core.ScaleSets;

/// <summary>A write the app sends to ARM: method, target, the JSON body exactly as sent, and its If-Match.</summary>
public sealed record ScaleSetWrite(ScaleSetId Id, string Method, string Body, string? IfMatch);

/// <summary>
/// ARM accepted a write: it answered <paramref name="Status"/> with the resource in <paramref name="ProvisioningState"/>
/// (<c>Updating</c>, <c>Creating</c>; <c>Succeeded</c> when it finished at once) and named the long-running operation
/// that finishes it in <paramref name="OperationUrl"/> (its <c>Azure-AsyncOperation</c>), if any.
/// </summary>
public sealed record WriteAccepted(int Status, string? OperationUrl, string? ProvisioningState)
{
    /// <summary>True when the answer says the write finished already (no operation to follow).</summary>
    public bool Finished => OperationUrl is null && !IsBusy(ProvisioningState);

    /// <summary><c>Creating</c>, <c>Updating</c>, <c>Deleting</c>, <c>Migrating</c>: ARM is still working on the resource.</summary>
    public static bool IsBusy(string? provisioningState) =>
        provisioningState is not null && BusyStates.Contains(provisioningState, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] BusyStates = ["Creating", "Updating", "Deleting", "Migrating"];
}

/// <summary>
/// One scale set of a listing: read (<see cref="ScaleSet"/>), or named as far as its JSON allows with why the app
/// could not read what it needs of it (<see cref="Problem"/>). One unreadable scale set never hides the others.
/// </summary>
public sealed record ScaleSetListItem(string ResourceId, ScaleSetSnapshot? ScaleSet, string? Problem)
{
    public static ScaleSetListItem Read(ScaleSetSnapshot scaleSet) => new(scaleSet.Id.Value, scaleSet, null);

    public static ScaleSetListItem Unreadable(string resourceId, string problem) => new(resourceId, null, problem);
}

/// <summary>How a long-running ARM operation stands.</summary>
public enum OperationState
{
    InProgress,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>ARM does not know the operation (any more): its status URL answers 404.</summary>
    Unknown,
}

/// <summary>What an operation's status URL answered: its state, the error of a failed one, and when to ask again.</summary>
public sealed record OperationStatus(OperationState State, string? ErrorCode = null, string? ErrorMessage = null, TimeSpan? RetryAfter = null)
{
    public static OperationStatus InProgress { get; } = new(OperationState.InProgress);

    public static OperationStatus Succeeded { get; } = new(OperationState.Succeeded);

    public bool IsTerminal => State is OperationState.Succeeded or OperationState.Failed or OperationState.Canceled;
}

/// <summary>Port to ARM for scale sets. Adapters throw <see cref="Arm.ArmRequestException"/> for ARM errors.</summary>
public interface IScaleSetClient
{
    /// <summary>Reads the scale set; null when ARM answers 404 (it does not exist, or no longer).</summary>
    Task<ScaleSetSnapshot?> GetAsync(ScaleSetId id, CancellationToken cancellationToken);

    /// <summary>
    /// Every scale set of a subscription, following ARM's paging; one that cannot be read is listed as such (with
    /// the reason) and the listing goes on.
    /// </summary>
    IAsyncEnumerable<ScaleSetListItem> ListAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// The scale set's instances with their power state, model and AN as applied to each (one paged listing); empty
    /// when the scale set has none. Throws with status 404 when the scale set does not exist.
    /// </summary>
    Task<IReadOnlyList<PoolInstance>> ListInstancesAsync(ScaleSetId id, CancellationToken cancellationToken);

    /// <summary>
    /// Runs an action on the listed instances and returns when Azure reports it finished. Throws
    /// <see cref="Arm.ArmRequestException"/> when ARM refuses it or the operation fails.
    /// </summary>
    Task RunInstanceActionAsync(ScaleSetId id, InstanceAction action, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the write; returns when ARM has accepted it, with the operation that finishes it (a write is a
    /// long-running operation). A stale If-Match throws with status 412.
    /// </summary>
    Task<WriteAccepted> SendAsync(ScaleSetWrite write, CancellationToken cancellationToken);

    /// <summary>Asks a long-running operation's status URL (from <see cref="WriteAccepted.OperationUrl"/>) how it stands, once.</summary>
    Task<OperationStatus> GetOperationAsync(string operationUrl, CancellationToken cancellationToken);
}
