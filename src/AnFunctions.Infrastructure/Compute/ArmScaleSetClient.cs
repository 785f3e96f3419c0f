using System.Runtime.CompilerServices;
using System.Text.Json;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Arm;
using Azure;
using Azure.Core;

namespace AnFunctions.Infrastructure.Compute;

/// <summary>
/// Scale sets through the ARM pipeline of the Azure SDK (its transport, credential, retries and timeout): reads are
/// turned into snapshots from ARM's JSON by <see cref="ScaleSetConverter"/> (never through the SDK 1.2.0's model,
/// which refuses values of fields the app does not use), and the network-profile PATCH is sent as JSON exactly as
/// built by the Core, with If-Match.
/// </summary>
public sealed class ArmScaleSetClient(ArmConnection arm) : IScaleSetClient
{
    /// <summary>The status reported for a resource ARM returned but the SDK could not read (terminal, like any 4xx).</summary>
    public const int UnreadableStatus = 422;

    /// <summary>A scale set holds at most 1,000 instances; pages beyond this many mean something is wrong.</summary>
    private const int MaxInstancePages = 100;

    /// <summary>A subscription's scale sets come 1,000 a page; pages beyond this many mean a nextLink that loops.</summary>
    private const int MaxListPages = 1000;

    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);

    public async Task<ScaleSetSnapshot?> GetAsync(ScaleSetId id, CancellationToken cancellationToken)
    {
        var what = $"GET {id}";
        using var request = arm.Pipeline.CreateRequest();
        request.Method = RequestMethod.Get;
        request.Uri.Reset(arm.UriFor(id.Value, ArmConnection.ScaleSetApiVersion));
        request.Headers.Add("Accept", "application/json");
        var response = await ArmErrors.Call(what,
            async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (response.Status == 404)
        {
            return null;
        }

        if (response.Status != 200)
        {
            throw ArmErrors.From(response, what);
        }

        using var document = ParseOrThrow(response, what);
        response.Headers.TryGetValue("ETag", out var etag);
        try
        {
            return ScaleSetConverter.ToSnapshot(document.RootElement, etag);
        }
        catch (ScaleSetFormatException e)
        {
            // ARM answered, but without what the app needs. Retrying returns the same answer: terminal.
            throw new ArmRequestException(UnreadableStatus, "UnreadableResource", $"{what}: the scale set could not be read: {e.Message}", null, e);
        }
    }

    public async IAsyncEnumerable<ScaleSetListItem> ListAsync(string subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var what = $"list scale sets of {subscriptionId}";
        var next = arm.UriFor($"/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachineScaleSets", ArmConnection.ScaleSetApiVersion);
        for (var page = 1; next is not null; page++)
        {
            if (page > MaxListPages)
            {
                throw new ArmRequestException(0, "TooManyPages", $"{what}: more than {MaxListPages} pages", null);
            }

            using var request = arm.Pipeline.CreateRequest();
            request.Method = RequestMethod.Get;
            request.Uri.Reset(next);
            request.Headers.Add("Accept", "application/json");
            var response = await ArmErrors.Call(what,
                async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (response.Status != 200)
            {
                throw ArmErrors.From(response, what);
            }

            // Each item is read on its own: one the app cannot read is named with the reason, the others go on.
            var items = new List<ScaleSetListItem>();
            using (var document = ParseOrThrow(response, what))
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("value", out var values) || values.ValueKind != JsonValueKind.Array)
                {
                    throw new ArmRequestException(UnreadableStatus, "UnreadableResponse", $"{what}: page {page} has no value array", null);
                }

                var index = 0;
                foreach (var value in values.EnumerateArray())
                {
                    try
                    {
                        items.Add(ScaleSetListItem.Read(ScaleSetConverter.ToSnapshot(value)));
                    }
                    catch (ScaleSetFormatException e)
                    {
                        items.Add(ScaleSetListItem.Unreadable(ScaleSetConverter.IdOf(value) ?? $"(item {index} of page {page} of {what})", e.Message));
                    }

                    index++;
                }

                next = root.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String && link.GetString() is { Length: > 0 } url
                    ? new Uri(url)
                    : null;
            }

            foreach (var item in items)
            {
                yield return item;
            }
        }
    }

    public async Task<IReadOnlyList<PoolInstance>> ListInstancesAsync(ScaleSetId id, CancellationToken cancellationToken)
    {
        var instances = new List<PoolInstance>();
        var next = arm.UriFor($"{id.Value}/virtualMachines", ArmConnection.ScaleSetApiVersion, "$expand=instanceView");
        for (var page = 0; next is not null; page++)
        {
            if (page >= MaxInstancePages)
            {
                throw new ArmRequestException(0, "TooManyPages", $"list instances of {id}: more than {MaxInstancePages} pages", null);
            }

            using var request = arm.Pipeline.CreateRequest();
            request.Method = RequestMethod.Get;
            request.Uri.Reset(next);
            var response = await ArmErrors.Call($"list instances of {id}",
                async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (response.Status != 200)
            {
                throw ArmErrors.From(response, $"list instances of {id}");
            }

            using var document = ParseOrThrow(response, $"list instances of {id}");
            if (document.RootElement.TryGetProperty("value", out var values) && values.ValueKind == JsonValueKind.Array)
            {
                instances.AddRange(values.EnumerateArray().Select(InstanceConverter.ToInstance));
            }

            next = document.RootElement.TryGetProperty("nextLink", out var link) && link.GetString() is { Length: > 0 } url ? new Uri(url) : null;
        }

        return instances;
    }

    public async Task RunInstanceActionAsync(ScaleSetId id, InstanceAction action, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var verb = action switch
        {
            InstanceAction.Deallocate => "deallocate",
            InstanceAction.ManualUpgrade => "manualupgrade",
            InstanceAction.Start => "start",
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "not an instance action"),
        };
        var what = $"POST {verb} on instance(s) {string.Join(",", instanceIds)} of {id}";
        using var request = arm.Pipeline.CreateRequest();
        request.Method = RequestMethod.Post;
        request.Uri.Reset(arm.UriFor($"{id.Value}/{verb}", ArmConnection.ScaleSetApiVersion));
        request.Headers.Add("Content-Type", "application/json");
        request.Headers.Add("Accept", "application/json");
        request.Content = RequestContent.Create(BinaryData.FromObjectAsJson(new { instanceIds }));
        var response = await ArmErrors.Call(what,
            async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (response.Status is not (200 or 202))
        {
            throw ArmErrors.From(response, what);
        }

        if (response.Status == 202)
        {
            await WaitForOperationAsync(response, what, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls the operation's <c>Azure-AsyncOperation</c> URL (else <c>Location</c>) until it succeeds; a failed or
    /// cancelled operation throws with its error. The first poll is immediate; later ones wait <c>Retry-After</c>.
    /// </summary>
    private async Task WaitForOperationAsync(Response accepted, string what, CancellationToken cancellationToken)
    {
        var statusUrl = accepted.Headers.TryGetValue("Azure-AsyncOperation", out var asyncOperation) ? asyncOperation
            : accepted.Headers.TryGetValue("Location", out var location) ? location
            : null;
        if (statusUrl is null)
        {
            return;
        }

        var deadline = DateTimeOffset.UtcNow + arm.OperationTimeout;
        var wait = RetryAfter(accepted) ?? DefaultPollInterval;
        for (var poll = 0; ; poll++)
        {
            if (poll > 0)
            {
                if (DateTimeOffset.UtcNow + wait > deadline)
                {
                    throw new ArmRequestException(0, "OperationTimeout", $"{what}: the operation did not finish within {arm.OperationTimeout}", null);
                }

                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            using var request = arm.Pipeline.CreateRequest();
            request.Method = RequestMethod.Get;
            request.Uri.Reset(new Uri(statusUrl));
            var response = await ArmErrors.Call($"{what}: poll the operation",
                async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (response.Status == 202)
            {
                wait = RetryAfter(response) ?? DefaultPollInterval;
                continue;
            }

            if (response.Status != 200)
            {
                throw ArmErrors.From(response, $"{what}: poll the operation");
            }

            if (response.Content.ToMemory().Length == 0)
            {
                return;
            }

            using var document = ParseOrThrow(response, $"{what}: poll the operation");
            var status = document.RootElement.TryGetProperty("status", out var s) ? s.GetString() : "Succeeded";
            switch (status?.ToUpperInvariant())
            {
                case "SUCCEEDED":
                    return;
                case "FAILED" or "CANCELED" or "CANCELLED":
                    var error = document.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
                    var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) ? c.GetString() : status;
                    var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() : null;
                    throw new ArmRequestException(response.Status, code, $"{what}: the operation {status}: {code} {message}".TrimEnd(), null)
                    {
                        IsOperationFailure = true,
                    };
                default:
                    wait = RetryAfter(response) ?? DefaultPollInterval;
                    break;
            }
        }
    }

    private static TimeSpan? RetryAfter(Response response) =>
        response.Headers.TryGetValue("Retry-After", out var value) && int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 60))
            : null;

    private static JsonDocument ParseOrThrow(Response response, string what)
    {
        try
        {
            return JsonDocument.Parse(response.Content);
        }
        catch (JsonException e)
        {
            throw new ArmRequestException(UnreadableStatus, "UnreadableResponse", $"{what}: ARM's answer is not JSON", null, e);
        }
    }

    public async Task<WriteAccepted> SendAsync(ScaleSetWrite write, CancellationToken cancellationToken)
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

        // A long-running write names its operation in Azure-AsyncOperation (ARM's Location header is the fallback).
        var operation = response.Headers.TryGetValue("Azure-AsyncOperation", out var asyncOperation) ? asyncOperation
            : response.Headers.TryGetValue("Location", out var location) ? location
            : null;
        return new WriteAccepted(response.Status, operation, ProvisioningStateOf(response));
    }

    public async Task<OperationStatus> GetOperationAsync(string operationUrl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationUrl);
        const string What = "poll a write's operation";
        using var request = arm.Pipeline.CreateRequest();
        request.Method = RequestMethod.Get;
        request.Uri.Reset(new Uri(operationUrl));
        var response = await ArmErrors.Call(What,
            async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var retryAfter = ArmRetryPolicy.RetryAfter(response);
        switch (response.Status)
        {
            case 404:
                return new OperationStatus(OperationState.Unknown);
            case 202:
                return new OperationStatus(OperationState.InProgress, RetryAfter: retryAfter);
            case 200 when response.Content.ToMemory().Length == 0:
                return OperationStatus.Succeeded;
            case 200:
                break;
            default:
                throw ArmErrors.From(response, What);
        }

        using var document = ParseOrThrow(response, What);
        var root = document.RootElement;
        var status = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return status?.ToUpperInvariant() switch
        {
            "SUCCEEDED" => OperationStatus.Succeeded,
            "FAILED" => new OperationStatus(OperationState.Failed, code ?? "Failed", message),
            "CANCELED" or "CANCELLED" => new OperationStatus(OperationState.Canceled, code ?? "Canceled", message),
            // InProgress, or any state ARM may add: not finished.
            _ => new OperationStatus(OperationState.InProgress, RetryAfter: retryAfter),
        };
    }

    private static string? ProvisioningStateOf(Response response)
    {
        if (response.Content.ToMemory().Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(response.Content);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
                   && properties.TryGetProperty("provisioningState", out var state) && state.ValueKind == JsonValueKind.String
                ? state.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
