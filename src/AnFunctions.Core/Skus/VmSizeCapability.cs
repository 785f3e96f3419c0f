namespace AnFunctions.Core.Skus;

/// <summary>
/// What the Resource SKU list says about one VM size in one region for one subscription.
/// </summary>
/// <param name="AcceleratedNetworkingCapable">The capability <c>AcceleratedNetworkingEnabled</c> is <c>True</c> (case-insensitive).</param>
/// <param name="Available">No restriction makes the size unavailable in the region for the subscription.</param>
/// <param name="RestrictionReason">The restriction's reason code (<c>NotAvailableForSubscription</c>, <c>QuotaId</c>) when unavailable.</param>
public sealed record VmSizeCapability(string Name, bool AcceleratedNetworkingCapable, bool Available, string? RestrictionReason = null)
{
    /// <summary>The size supports AN here: capable and available.</summary>
    public bool SupportsAcceleratedNetworking => AcceleratedNetworkingCapable && Available;
}

/// <summary>The VM sizes of one subscription and region, as read at <see cref="ReadAt"/>.</summary>
public sealed class VmSizeCatalog
{
    private readonly Dictionary<string, VmSizeCapability> _sizes;

    public VmSizeCatalog(string subscriptionId, string location, DateTimeOffset readAt, IEnumerable<VmSizeCapability> sizes)
    {
        SubscriptionId = subscriptionId;
        Location = location;
        ReadAt = readAt;
        _sizes = new Dictionary<string, VmSizeCapability>(StringComparer.OrdinalIgnoreCase);
        foreach (var size in sizes)
        {
            _sizes.TryAdd(size.Name, size);
        }
    }

    public string SubscriptionId { get; }
    public string Location { get; }
    public DateTimeOffset ReadAt { get; }
    public int Count => _sizes.Count;

    public VmSizeCapability? Find(string vmSize) => _sizes.GetValueOrDefault(vmSize);
}

/// <summary>Port: reads the VM sizes of one subscription and region from ARM (one call, or one paged listing).</summary>
public interface IVmSizeSource
{
    Task<IReadOnlyList<VmSizeCapability>> ListAsync(string subscriptionId, string location, CancellationToken cancellationToken);
}

/// <summary>The VM size catalog with caching: never one SKU call per event.</summary>
public interface IVmSizeCatalogProvider
{
    Task<VmSizeCatalog> GetAsync(string subscriptionId, string location, CancellationToken cancellationToken);
}
