using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>The resource SKUs (<c>Microsoft.Compute/skus</c>), the same for every subscription. Thread-safe (copy on write).</summary>
internal sealed class SkuCatalog
{
    private readonly Lock _gate = new();
    private Sku[] _skus = [];

    internal sealed record Sku(byte[] Json, string[] Locations);

    public int Count => Volatile.Read(ref _skus).Length;

    public void Set(IEnumerable<JsonObject> skus)
    {
        var converted = Convert(skus);
        lock (_gate)
        {
            _skus = converted;
        }
    }

    public void Add(IEnumerable<JsonObject> skus)
    {
        var converted = Convert(skus);
        lock (_gate)
        {
            _skus = [.. _skus, .. converted];
        }
    }

    public IReadOnlyList<JsonObject> All() => Volatile.Read(ref _skus).Select(s => ArmJson.ParseObject(s.Json)).ToArray();

    /// <summary>The SKUs offered in <paramref name="location"/> (all of them when null), serialized.</summary>
    public List<byte[]> InLocation(string? location)
    {
        var skus = Volatile.Read(ref _skus);
        var wanted = location is null ? null : Normalize(location);
        return skus.Where(s => wanted is null || s.Locations.Contains(wanted, StringComparer.Ordinal)).Select(s => s.Json).ToList();
    }

    private static Sku[] Convert(IEnumerable<JsonObject> skus)
    {
        ArgumentNullException.ThrowIfNull(skus);
        return skus.Select(sku =>
        {
            ArgumentNullException.ThrowIfNull(sku);
            var locations = ArmJson.Property(sku, "locations") is JsonArray array
                ? array.Select(l => l?.ToString()).OfType<string>().Select(Normalize).ToArray()
                : [];
            return new Sku(ArmJson.Serialize(sku), locations);
        }).ToArray();
    }

    private static string Normalize(string location) => location.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}
