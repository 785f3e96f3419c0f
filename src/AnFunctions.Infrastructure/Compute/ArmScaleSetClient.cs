using System.Runtime.CompilerServices;
using System.Text.Json;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Arm;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Resources;

namespace AnFunctions.Infrastructure.Compute;

/// <summary>
/// Scale sets through the Azure SDK (reads) and the ARM pipeline (the network-profile PATCH, sent as JSON exactly as
/// built by the Core, with If-Match).
/// </summary>
public sealed class ArmScaleSetClient(ArmConnection arm) : IScaleSetClient
{
    /// <summary>The status reported for a resource ARM returned but the SDK could not read (terminal, like any 4xx).</summary>
    public const int UnreadableStatus = 422;

    public async Task<ScaleSetSnapshot?> GetAsync(ScaleSetId id, CancellationToken cancellationToken)
    {
        var resource = arm.Client.GetVirtualMachineScaleSetResource(new ResourceIdentifier(id.Value));
        try
        {
            var response = await resource.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var raw = response.GetRawResponse();
            using var document = JsonDocument.Parse(raw.Content);
            raw.Headers.TryGetValue("ETag", out var etag);
            return ScaleSetConverter.ToSnapshot(response.Value.Data, document.RootElement, etag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw ArmErrors.From(e, $"GET {id}");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The SDK's network timeout surfaces as a cancellation the caller did not ask for: transient, as in ArmErrors.Call.
            throw new ArmRequestException(0, "Timeout", $"GET {id}: no answer in time", null, e);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or JsonException)
        {
            // ARM answered, but with a value the SDK 1.2.0 cannot read. Retrying returns the same answer: terminal.
            throw new ArmRequestException(UnreadableStatus, "UnreadableResource", $"GET {id}: the scale set could not be read ({e.GetType().Name})", null, e);
        }
    }

    public async IAsyncEnumerable<ScaleSetSnapshot> ListAsync(string subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscription = arm.Client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(subscriptionId));
        var pages = subscription.GetVirtualMachineScaleSetsAsync(cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        await using (pages.ConfigureAwait(false))
        {
            while (await ArmErrors.Call($"list scale sets of {subscriptionId}", async () => await pages.MoveNextAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                var page = pages.Current;
                using var document = JsonDocument.Parse(page.GetRawResponse().Content);
                var rawById = RawById(document.RootElement);
                foreach (var item in page.Values)
                {
                    var raw = rawById.TryGetValue(item.Id.ToString(), out var element) ? element : default;
                    yield return ScaleSetConverter.ToSnapshot(item.Data, raw);
                }
            }
        }
    }

    public async Task<InstanceModelStatus> GetInstanceModelStatusAsync(ScaleSetId id, CancellationToken cancellationToken)
    {
        var instances = arm.Client.GetVirtualMachineScaleSetResource(new ResourceIdentifier(id.Value))
            .GetVirtualMachineScaleSetVms().GetAllAsync(cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        int total = 0, stale = 0;
        await using (instances.ConfigureAwait(false))
        {
            while (await ArmErrors.Call($"list instances of {id}", async () => await instances.MoveNextAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                total++;
                stale += instances.Current.Data.LatestModelApplied == false ? 1 : 0;
            }
        }

        return new InstanceModelStatus(total, stale);
    }

    public async Task SendAsync(ScaleSetWrite write, CancellationToken cancellationToken)
    {
        using var request = arm.Pipeline.CreateRequest();
        request.Method = RequestMethod.Parse(write.Method);
        request.Uri.Reset(arm.UriFor(write.Id.Value, ArmConnection.ScaleSetApiVersion));
        request.Headers.Add("Content-Type", "application/json");
        request.Headers.Add("Accept", "application/json");
        if (write.IfMatch is { } etag)
        {
            request.Headers.Add("If-Match", etag);
        }

        request.Content = RequestContent.Create(BinaryData.FromString(write.Body));
        var response = await ArmErrors.Call($"{write.Method} {write.Id}",
            async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (response.Status is < 200 or > 299)
        {
            throw ArmErrors.From(response, $"{write.Method} {write.Id}");
        }
    }

    private static Dictionary<string, JsonElement> RawById(JsonElement page)
    {
        var map = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        if (page.TryGetProperty("value", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            foreach (var value in values.EnumerateArray())
            {
                if (value.TryGetProperty("id", out var id) && id.GetString() is { } key)
                {
                    map[key] = value.Clone();
                }
            }
        }

        return map;
    }
}
