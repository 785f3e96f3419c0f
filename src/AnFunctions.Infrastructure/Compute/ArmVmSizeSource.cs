using System.Text.RegularExpressions;
using AnFunctions.Core.Skus;
using AnFunctions.Infrastructure.Arm;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;

namespace AnFunctions.Infrastructure.Compute;

/// <summary>Reads the Resource SKU list of one subscription and region (one filtered listing) and converts it.</summary>
public sealed partial class ArmVmSizeSource(ArmConnection arm) : IVmSizeSource
{
    public async Task<IReadOnlyList<VmSizeCapability>> ListAsync(string subscriptionId, string location, CancellationToken cancellationToken)
    {
        if (!LocationName().IsMatch(location))
        {
            throw new ArgumentException($"'{location}' is not an Azure region name", nameof(location));
        }

        var subscription = arm.Client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(subscriptionId));
        var sizes = new List<VmSizeCapability>();
        var skus = subscription.GetComputeResourceSkusAsync(filter: $"location eq '{location}'", cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (skus.ConfigureAwait(false))
        {
            while (await ArmErrors.Call($"list VM sizes of {subscriptionId} in {location}", async () => await skus.MoveNextAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                if (ToCapability(skus.Current, location) is { } size)
                {
                    sizes.Add(size);
                }
            }
        }

        return sizes;
    }

    /// <summary>A virtual machine SKU as a capability in one region; null for other resource types.</summary>
    public static VmSizeCapability? ToCapability(ComputeResourceSku sku, string location)
    {
        if (!string.Equals(sku.ResourceType, "virtualMachines", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(sku.Name))
        {
            return null;
        }

        var capable = sku.Capabilities.Any(c =>
            string.Equals(c.Name, "AcceleratedNetworkingEnabled", StringComparison.OrdinalIgnoreCase)
            && string.Equals(c.Value?.Trim(), "True", StringComparison.OrdinalIgnoreCase));

        var restriction = sku.Restrictions.FirstOrDefault(r =>
            r.RestrictionsType == ComputeResourceSkuRestrictionsType.Location
            && (r.RestrictionInfo?.Locations.Any(l => SameLocation(l.ToString(), location)) == true
                || r.Values.Any(v => SameLocation(v, location))));

        return new VmSizeCapability(sku.Name, capable, restriction is null, restriction?.ReasonCode?.ToString());
    }

    private static bool SameLocation(string a, string b) =>
        string.Equals(a.Replace(" ", string.Empty, StringComparison.Ordinal), b.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[a-z0-9]{2,40}$")]
    private static partial Regex LocationName();
}
