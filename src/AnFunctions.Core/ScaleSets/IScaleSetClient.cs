namespace AnFunctions.Core.ScaleSets;

/// <summary>A write the app sends to ARM: method, target, the JSON body exactly as sent, and its If-Match.</summary>
public sealed record ScaleSetWrite(ScaleSetId Id, string Method, string Body, string? IfMatch);

/// <summary>Port to ARM for scale sets. Adapters throw <see cref="Arm.ArmRequestException"/> for ARM errors.</summary>
public interface IScaleSetClient
{
    /// <summary>Reads the scale set; null when ARM answers 404 (it does not exist, or no longer).</summary>
    Task<ScaleSetSnapshot?> GetAsync(ScaleSetId id, CancellationToken cancellationToken);

    /// <summary>Every scale set of a subscription, following ARM's paging.</summary>
    IAsyncEnumerable<ScaleSetSnapshot> ListAsync(string subscriptionId, CancellationToken cancellationToken);

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

    /// <summary>Sends the write; returns when ARM has accepted it. A stale If-Match throws with status 412.</summary>
    Task SendAsync(ScaleSetWrite write, CancellationToken cancellationToken);
}
