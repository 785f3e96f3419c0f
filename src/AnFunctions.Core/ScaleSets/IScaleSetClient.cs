namespace AnFunctions.Core.ScaleSets;

/// <summary>A write the app sends to ARM: method, target, the JSON body exactly as sent, and its If-Match.</summary>
public sealed record ScaleSetWrite(ScaleSetId Id, string Method, string Body, string? IfMatch);

/// <summary>How many instances a scale set has, and how many of them run an older model than the scale set's.</summary>
public sealed record InstanceModelStatus(int Instances, int NotOnLatestModel);

/// <summary>Port to ARM for scale sets. Adapters throw <see cref="Arm.ArmRequestException"/> for ARM errors.</summary>
public interface IScaleSetClient
{
    /// <summary>Reads the scale set; null when ARM answers 404 (it does not exist, or no longer).</summary>
    Task<ScaleSetSnapshot?> GetAsync(ScaleSetId id, CancellationToken cancellationToken);

    /// <summary>Every scale set of a subscription, following ARM's paging.</summary>
    IAsyncEnumerable<ScaleSetSnapshot> ListAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>The scale set's instances: how many there are and how many are not on the latest model.</summary>
    Task<InstanceModelStatus> GetInstanceModelStatusAsync(ScaleSetId id, CancellationToken cancellationToken);

    /// <summary>Sends the write; returns when ARM has accepted it. A stale If-Match throws with status 412.</summary>
    Task SendAsync(ScaleSetWrite write, CancellationToken cancellationToken);
}
