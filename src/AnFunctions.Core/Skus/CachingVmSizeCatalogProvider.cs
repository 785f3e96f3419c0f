using System.Collections.Concurrent;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Skus;

/// <summary>
/// Caches the SKU list per subscription and region for <see cref="AcceleratedNetworkingOptions.SkuCacheTtl"/>.
/// Concurrent callers for the same key share one read; a failed read is not cached.
/// </summary>
public sealed class CachingVmSizeCatalogProvider(
    IVmSizeSource source,
    IOptions<AcceleratedNetworkingOptions> options,
    TimeProvider time) : IVmSizeCatalogProvider
{
    private readonly ConcurrentDictionary<string, Lazy<Task<VmSizeCatalog>>> _entries = new(StringComparer.OrdinalIgnoreCase);

    public async Task<VmSizeCatalog> GetAsync(string subscriptionId, string location, CancellationToken cancellationToken)
    {
        var key = $"{subscriptionId}|{Normalize(location)}";
        while (true)
        {
            var entry = _entries.GetOrAdd(key, _ => new Lazy<Task<VmSizeCatalog>>(() => LoadAsync(subscriptionId, Normalize(location))));
            VmSizeCatalog catalog;
            try
            {
                catalog = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _entries.TryRemove(new KeyValuePair<string, Lazy<Task<VmSizeCatalog>>>(key, entry));
                throw;
            }

            if (time.GetUtcNow() - catalog.ReadAt < options.Value.SkuCacheTtl)
            {
                return catalog;
            }

            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<VmSizeCatalog>>>(key, entry));
        }
    }

    private async Task<VmSizeCatalog> LoadAsync(string subscriptionId, string location)
    {
        var sizes = await source.ListAsync(subscriptionId, location, CancellationToken.None).ConfigureAwait(false);
        return new VmSizeCatalog(subscriptionId, location, time.GetUtcNow(), sizes);
    }

    /// <summary>ARM accepts "West Europe" and "westeurope"; SKU lists use the latter.</summary>
    public static string Normalize(string location) => location.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}
