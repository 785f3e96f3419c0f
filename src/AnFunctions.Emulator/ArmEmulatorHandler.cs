using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>
/// Serves an <see cref="ArmEmulator"/> over in-memory HTTP: classifies and counts each call, applies latency and
/// faults, routes it to the scale sets, SKUs, Activity Log or operation status, and records it.
/// </summary>
internal sealed class ArmEmulatorHandler : HttpMessageHandler
{
    private readonly ArmEmulator _emulator;

    public ArmEmulatorHandler(ArmEmulator emulator) => _emulator = emulator;

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : new Uri(ArmEmulator.BaseUri, request.RequestUri?.OriginalString ?? "/");
        var method = request.Method.Method.ToUpperInvariant();
        var route = ArmRoute.Parse(Uri.UnescapeDataString(uri.AbsolutePath));
        var kind = route.KindFor(method);
        // A Resource Graph query is a POST that reads.
        var isWrite = method is "PUT" or "PATCH" or "DELETE" or "POST" && kind != ArmCallKind.ResourceGraphQuery;
        var at = _emulator.Now;
        _emulator.CountCall(kind, isRead: !isWrite);

        var correlationId = Header(request, "x-ms-correlation-request-id") ?? Guid.NewGuid().ToString();
        var status = 0;
        var faulted = false;
        string? bodyText = null;
        try
        {
            bodyText = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(bodyText))
            {
                bodyText = null;
            }

            var info = new ArmRequestInfo(method, route.Path, uri.Query, kind, route.ScaleSetId, bodyText);
            var latency = _emulator.Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
            }

            // Throttling comes first, before the resource provider sees the call (or a fault of it): ARM's buckets at its
            // front door, or Resource Graph's own per-user quota of queries.
            var principal = ArmThrottling.PrincipalOf(Header(request, "Authorization"));
            var type = ArmThrottling.TypeOf(method);
            var quota = route.Target == RouteTarget.ResourceGraph ? _emulator.ResourceGraph.TakeQuota(principal, _emulator.Now) : default((bool Allowed, int Remaining, TimeSpan ResetsAfter)?);
            var token = quota is null ? _emulator.TakeToken(principal, route.SubscriptionId, type) : null;
            if (quota is { Allowed: false } || token is { Allowed: false })
            {
                var refused = token is { } throttled
                    ? Throttled(route.SubscriptionId, type, throttled.RetryAfter, correlationId)
                    : GraphThrottled(quota!.Value.ResetsAfter, correlationId);
                status = refused.Status;
                return refused.ToHttp(request);
            }

            var fault = _emulator.TakeFault(info);
            if (fault is not null)
            {
                faulted = true;
                if (fault.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(fault.Delay, cancellationToken).ConfigureAwait(false);
                }

                if (fault.Takes > TimeSpan.Zero)
                {
                    await Task.Delay(fault.Takes, _emulator.TimeProvider, cancellationToken).ConfigureAwait(false);
                }

                if (fault.DropConnection)
                {
                    throw new HttpRequestException($"The ARM emulator dropped the connection ({fault}).");
                }
            }

            var response = fault is { Status: > 0 }
                ? FaultResponse(fault, info, correlationId, at)
                : Dispatch(route, method, uri, request, bodyText);
            AddCommonHeaders(response, correlationId);
            if (quota is { } used)
            {
                AddGraphQuotaHeaders(response, used.Remaining, used.ResetsAfter);
            }
            else if (token is { } taken)
            {
                response.WithHeader(ArmThrottling.RemainingHeader(route.SubscriptionId, type), taken.Remaining.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                AddUnthrottledQuotaHeader(response, isWrite);
            }

            status = response.Status;
            return response.ToHttp(request);
        }
        finally
        {
            var write = isWrite
                ? new RecordedWrite(method, kind, route.Path, ArmRequestInfo.ParseOrNull(bodyText), bodyText, Header(request, "If-Match"), correlationId, status, at)
                : null;
            _emulator.Record(new ArmRequestRecord(method, uri.PathAndQuery, kind, status, faulted, at), write);
        }
    }

    private ArmResponse Dispatch(ArmRoute route, string method, Uri uri, HttpRequestMessage request, string? bodyText)
    {
        var query = ParseQuery(uri.Query);
        if (!query.TryGetValue("api-version", out var apiVersion) || string.IsNullOrWhiteSpace(apiVersion))
        {
            return ArmResponse.BadRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
        }

        var scaleSets = _emulator.ScaleSetProvider;
        return (route.Target, method) switch
        {
            (RouteTarget.ScaleSet, "GET") => scaleSets.Read(route.ScaleSetId!) is { } entry
                ? ArmResponse.Json(200, entry.Json, entry.ETag)
                : ArmResponse.NotFound(route.ScaleSetId!),
            (RouteTarget.ScaleSet, "PUT") => WithOperationHeader(uri, route, apiVersion, WithObjectBody(bodyText, body =>
                scaleSets.Put(route, body, Header(request, "If-Match"), Header(request, "If-None-Match"), () => _emulator.TakeOperationFailure(route.ScaleSetId!)))),
            (RouteTarget.ScaleSet, "PATCH") => WithOperationHeader(uri, route, apiVersion, WithObjectBody(bodyText, body =>
                scaleSets.Patch(route, body, Header(request, "If-Match"), () => _emulator.TakeOperationFailure(route.ScaleSetId!)))),
            (RouteTarget.ScaleSet, "DELETE") => scaleSets.Delete(route, Header(request, "If-Match")),
            (RouteTarget.ScaleSetList, "GET") => ListScaleSets(route, uri, query),
            (RouteTarget.Instances, "GET") => ListInstances(route, uri, query),
            (RouteTarget.ScaleSetAction, "POST") => Act(route, uri, apiVersion, bodyText),
            (RouteTarget.Skus, "GET") => ListSkus(query),
            (RouteTarget.OperationStatus, "GET") => OperationStatus(route, query),
            (RouteTarget.ActivityLog, "GET") => QueryActivityLog(route, uri, query),
            (RouteTarget.ResourceGraph, "POST") => _emulator.ResourceGraph.Query(bodyText, _emulator.ScaleSetProvider.Snapshot),
            (RouteTarget.Subscriptions, "GET") => ArmResponse.Json(200, ArmJson.WriteList(_emulator.Subscriptions.Select(s => ArmJson.Serialize(SubscriptionJson(s))).ToList(), null)),
            (RouteTarget.Unknown, _) => UnknownPath(route, apiVersion),
            _ => ArmResponse.Error(405, "MethodNotAllowed", $"The method '{method}' is not allowed on '{route.Path}'."),
        };
    }

    // ---------------------------------------------------------------- routes

    private ArmResponse ListScaleSets(ArmRoute route, Uri uri, Dictionary<string, string> query)
    {
        var prefix = route.ResourceGroup is null
            ? $"/subscriptions/{route.SubscriptionId}/"
            : $"/subscriptions/{route.SubscriptionId}/resourcegroups/{route.ResourceGroup}/";
        string? afterKey = null;
        if (query.TryGetValue("$skiptoken", out var token) && !TryDecodeToken(token, out afterKey))
        {
            return ArmResponse.BadRequest("InvalidSkipToken", "The $skiptoken is not valid.");
        }

        // The prefix keeps its trailing slash: resource group "rg" must not list "rg-2".
        var (items, lastKey, hasMore) = _emulator.ScaleSetProvider.ListPage(prefix.ToLowerInvariant(), afterKey, _emulator.PageSize);
        var nextLink = hasMore ? NextLink(uri, EncodeToken(lastKey!)) : null;
        return ArmResponse.Json(200, ArmJson.WriteList(items, nextLink));
    }

    private ArmResponse ListInstances(ArmRoute route, Uri uri, Dictionary<string, string> query)
    {
        if (_emulator.ScaleSetProvider.Find(route.ScaleSetId!) is not { } scaleSet)
        {
            return ArmResponse.NotFound(route.ScaleSetId!);
        }

        var instanceView = query.TryGetValue("$expand", out var expand) && expand.Equals("instanceView", StringComparison.OrdinalIgnoreCase);
        return OffsetPage(uri, query, scaleSet.Instances.Length,
            (start, count) => scaleSet.Instances.Skip(start).Take(count).Select(i => ScaleSetResourceProvider.InstanceJson(scaleSet, i, instanceView)).ToList());
    }

    private ArmResponse Act(ArmRoute route, Uri uri, string apiVersion, string? bodyText)
    {
        JsonObject? body = null;
        if (bodyText is not null)
        {
            if (!TryParseObject(bodyText, out body, out var invalid))
            {
                return invalid;
            }
        }

        var scaleSet = _emulator.ScaleSetProvider.Find(route.ScaleSetId!);
        if (scaleSet is not null && ScaleSetResourceProvider.Busy(scaleSet, route.Action!) is { } busy)
        {
            return busy;
        }

        var failure = scaleSet is null ? null : _emulator.TakeOperationFailure(route.ScaleSetId!);
        if (failure is null && _emulator.ScaleSetProvider.Act(route, body) is { } error)
        {
            return error;
        }

        var operation = OperationUrl(uri, route, apiVersion, _emulator.StartOperation(failure));
        return ArmResponse.Empty(202)
            .WithHeader("Azure-AsyncOperation", operation)
            .WithHeader("Location", operation + "&monitor=true");
    }

    /// <summary>An accepted PUT or PATCH answers with its operation's status URL, as ARM does for a long-running write.</summary>
    private ArmResponse WithOperationHeader(Uri uri, ArmRoute route, string apiVersion, ArmResponse response) =>
        response.OperationId is { } id ? response.WithHeader("Azure-AsyncOperation", OperationUrl(uri, route, apiVersion, id)) : response;

    private string OperationUrl(Uri uri, ArmRoute route, string apiVersion, string operationId)
    {
        var location = (_emulator.ScaleSetProvider.Find(route.ScaleSetId!)?.Location ?? "westeurope")
            .Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        return $"{uri.GetLeftPart(UriPartial.Authority)}/subscriptions/{route.SubscriptionId}/providers/{ArmRoute.ComputeNamespace}/locations/{location}/operations/{operationId}?api-version={Uri.EscapeDataString(apiVersion)}";
    }

    private static JsonObject SubscriptionJson(string subscriptionId) => new()
    {
        ["id"] = $"/subscriptions/{subscriptionId}",
        ["subscriptionId"] = subscriptionId,
        ["tenantId"] = "00000000-0000-4000-8000-000000000000",
        ["displayName"] = $"emulated {subscriptionId}",
        ["state"] = "Enabled",
    };

    private ArmResponse ListSkus(Dictionary<string, string> query)
    {
        string? location = null;
        if (query.TryGetValue("$filter", out var filter) && !string.IsNullOrWhiteSpace(filter))
        {
            if (!ODataFilter.TryParse(filter, out var clauses, out var error))
            {
                return ArmResponse.BadRequest("InvalidFilter", $"The $filter '{filter}' is not valid: {error}.");
            }

            foreach (var clause in clauses)
            {
                if (!clause.Field.Equals("location", StringComparison.OrdinalIgnoreCase) || clause.Operator != "eq")
                {
                    return ArmResponse.BadRequest("InvalidFilter", $"The $filter '{filter}' is not supported: only \"location eq '<location>'\" is.");
                }

                location = clause.Value;
            }
        }

        return ArmResponse.Json(200, ArmJson.WriteList(_emulator.SkuCatalog.InLocation(location), null));
    }

    private ArmResponse OperationStatus(ArmRoute route, Dictionary<string, string> query)
    {
        if (_emulator.ScaleSetProvider.PollOperation(route.OperationId!) is { } write)
        {
            return WriteOperationStatus(write);
        }

        if (_emulator.FindOperation(route.OperationId!) is not { } outcome)
        {
            return ArmResponse.Error(404, "NotFound", $"The operation '{route.OperationId}' was not found.");
        }

        // The Location (monitor) URL of a finished action answers 200 with no body; the Azure-AsyncOperation URL
        // answers the status. Both finish on the first poll: the SDK waits about a second between polls.
        if (query.TryGetValue("monitor", out var monitor) && monitor.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return ArmResponse.Empty(200);
        }

        var now = ArmJson.Timestamp(_emulator.Now);
        var body = new JsonObject
        {
            ["startTime"] = now,
            ["endTime"] = now,
            ["status"] = outcome.Status,
            ["name"] = route.OperationId,
        };
        if (outcome.ErrorCode is not null)
        {
            body["error"] = new JsonObject { ["code"] = outcome.ErrorCode, ["message"] = outcome.ErrorMessage ?? string.Empty };
        }
        return ArmResponse.Json(200, ArmJson.Serialize(body));
    }

    /// <summary>A write's operation: <c>InProgress</c> while it runs, then <c>Succeeded</c>, or <c>Failed</c> (or <c>Canceled</c>) with its error.</summary>
    private static ArmResponse WriteOperationStatus(ScaleSetResourceProvider.OperationState state)
    {
        var body = new JsonObject
        {
            ["startTime"] = ArmJson.Timestamp(state.Started),
            ["status"] = state.Status,
            ["name"] = state.Id,
        };
        if (state.Ended is { } ended)
        {
            body["endTime"] = ArmJson.Timestamp(ended);
        }

        if (state.Final?.ErrorCode is { } code)
        {
            body["error"] = new JsonObject { ["code"] = code, ["message"] = state.Final.ErrorMessage ?? string.Empty };
        }

        return ArmResponse.Json(200, ArmJson.Serialize(body));
    }

    private ArmResponse QueryActivityLog(ArmRoute route, Uri uri, Dictionary<string, string> query)
    {
        if (!query.TryGetValue("$filter", out var filter) || string.IsNullOrWhiteSpace(filter))
        {
            return ArmResponse.BadRequest("BadRequest", "The $filter query parameter is required and must specify at least a start time (eventTimestamp ge '<start time>').");
        }

        if (!ODataFilter.TryParse(filter, out var clauses, out var error)
            || !_emulator.ActivityLogStore.TryQuery(route.SubscriptionId!, clauses, out var events, out error))
        {
            return ArmResponse.BadRequest("BadRequest", $"The $filter '{filter}' is not valid: {error}");
        }

        return OffsetPage(uri, query, events.Count, (start, count) => events.Skip(start).Take(count).ToList());
    }

    private static ArmResponse UnknownPath(ArmRoute route, string apiVersion)
    {
        if (route.ProviderNamespace is null)
        {
            return ArmResponse.Error(404, "NotFound", $"The path '{route.Path}' is not served by the ARM emulator.");
        }

        var known = route.ProviderNamespace.Equals(ArmRoute.ComputeNamespace, StringComparison.OrdinalIgnoreCase)
                    || route.ProviderNamespace.Equals("Microsoft.Insights", StringComparison.OrdinalIgnoreCase);
        return known
            ? ArmResponse.Error(404, "InvalidResourceType",
                $"The resource type could not be found in the namespace '{route.ProviderNamespace}' for api version '{apiVersion}'.")
            : ArmResponse.Error(404, "NoRegisteredProviderFound",
                $"No registered resource provider found for namespace '{route.ProviderNamespace}' and api version '{apiVersion}'.");
    }

    private ArmResponse FaultResponse(FaultRule fault, ArmRequestInfo request, string correlationId, DateTimeOffset at)
    {
        var code = fault.ErrorCode ?? DefaultErrorCode(fault.Status);
        var message = fault.ErrorMessage ?? $"Injected fault: {code}.";
        var response = ArmResponse.Error(fault.Status, code, message);
        if (fault.RetryAfter is { } retryAfter)
        {
            response.WithHeader("Retry-After", ArmResponse.RetryAfterSeconds(retryAfter));
        }

        if (fault.RecordInActivityLog && request.Method is not "GET" && request.ResourceId is not null)
        {
            var operation = request.Method switch
            {
                "DELETE" => $"{ArmRoute.ScaleSetResourceType}/delete",
                "POST" => $"{ArmRoute.ScaleSetResourceType}/{request.Path.Split('/')[^1]}/action",
                _ => null,
            };
            _emulator.AddFailedWrite(request.ResourceId, correlationId, request.Body, code, message, at, (HttpStatusCode)fault.Status, operation);
        }

        return response;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>What ARM answers a caller whose bucket is empty.</summary>
    private static ArmResponse Throttled(string? subscriptionId, ArmThrottling.OperationType type, TimeSpan retryAfter, string correlationId)
    {
        var seconds = ArmThrottling.RetryAfterText(retryAfter);
        var kind = type.ToString().ToLowerInvariant();
        var scope = subscriptionId is null ? "tenant" : $"subscription '{subscriptionId}'";
        return ArmResponse.Error(429, subscriptionId is null ? "TenantRequestsThrottled" : "SubscriptionRequestsThrottled",
                $"Number of '{kind}' requests for {scope} exceeded. Please try again after '{seconds}' seconds after the additional tokens are added to the bucket.")
            .WithHeader("Retry-After", seconds)
            .WithHeader(ArmThrottling.RemainingHeader(subscriptionId, type), "0")
            .WithHeader("x-ms-request-id", Guid.NewGuid().ToString())
            .WithHeader("x-ms-correlation-request-id", correlationId);
    }

    /// <summary>What Resource Graph answers a user whose quota of queries is used up.</summary>
    private ArmResponse GraphThrottled(TimeSpan resetsAfter, string correlationId)
    {
        var quota = _emulator.ResourceGraphQuota;
        var response = ArmResponse.Error(429, "RateLimiting",
            $"Please provide below info when asking for support: the user quota of {quota.QueriesPerWindow} queries per {quota.Window.TotalSeconds} s is used up; it resets after {GraphResetsAfter(resetsAfter)}.");
        AddCommonHeaders(response, correlationId);
        AddGraphQuotaHeaders(response, 0, resetsAfter);
        return response;
    }

    /// <summary>Resource Graph's quota headers: queries left in the window, and when it resets (<c>hh:mm:ss</c>).</summary>
    private static void AddGraphQuotaHeaders(ArmResponse response, int remaining, TimeSpan resetsAfter)
    {
        response.WithHeader("x-ms-user-quota-remaining", Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture))
            .WithHeader("x-ms-user-quota-resets-after", GraphResetsAfter(resetsAfter));
    }

    private static string GraphResetsAfter(TimeSpan resetsAfter) => resetsAfter.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private static void AddCommonHeaders(ArmResponse response, string correlationId)
    {
        response.WithHeader("x-ms-request-id", Guid.NewGuid().ToString())
            .WithHeader("x-ms-correlation-request-id", correlationId);
    }

    private void AddUnthrottledQuotaHeader(ArmResponse response, bool isWrite)
    {
        if (isWrite)
        {
            response.WithHeader("x-ms-ratelimit-remaining-subscription-writes", _emulator.RemainingWrites.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            response.WithHeader("x-ms-ratelimit-remaining-subscription-reads", _emulator.RemainingReads.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A page of a list whose items are addressed by position; the <c>$skiptoken</c> is the next position.</summary>
    private ArmResponse OffsetPage(Uri uri, Dictionary<string, string> query, int total, Func<int, int, List<byte[]>> page)
    {
        var start = 0;
        if (query.TryGetValue("$skiptoken", out var token)
            && (!TryDecodeToken(token, out var decoded) || !int.TryParse(decoded, NumberStyles.None, CultureInfo.InvariantCulture, out start)))
        {
            return ArmResponse.BadRequest("InvalidSkipToken", "The $skiptoken is not valid.");
        }

        var pageSize = _emulator.PageSize;
        var items = page(start, pageSize);
        var next = start + items.Count;
        var nextLink = next < total && items.Count > 0 ? NextLink(uri, EncodeToken(next.ToString(CultureInfo.InvariantCulture))) : null;
        return ArmResponse.Json(200, ArmJson.WriteList(items, nextLink));
    }

    private static ArmResponse WithObjectBody(string? bodyText, Func<JsonObject, ArmResponse> handle) =>
        TryParseObject(bodyText, out var body, out var invalid) ? handle(body) : invalid;

    private static bool TryParseObject(string? bodyText, out JsonObject body, out ArmResponse invalid)
    {
        body = null!;
        invalid = null!;
        if (bodyText is null)
        {
            invalid = ArmResponse.BadRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: 'The request body is missing.'.");
            return false;
        }

        try
        {
            if (JsonNode.Parse(bodyText) is JsonObject parsed)
            {
                body = parsed;
                return true;
            }
        }
        catch (JsonException ex)
        {
            invalid = ArmResponse.BadRequest("InvalidRequestContent", $"The request content was invalid and could not be deserialized: '{ex.Message}'.");
            return false;
        }

        invalid = ArmResponse.BadRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Expected a JSON object.'.");
        return false;
    }

    /// <summary>The request URI with its <c>$skiptoken</c> replaced: api-version and other parameters are kept, as ARM's nextLink keeps them.</summary>
    private static string NextLink(Uri uri, string token)
    {
        var builder = new StringBuilder(uri.GetLeftPart(UriPartial.Path)).Append('?');
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(pair.Split('=', 2)[0]);
            if (!name.Equals("$skiptoken", StringComparison.OrdinalIgnoreCase))
            {
                builder.Append(pair).Append('&');
            }
        }

        return builder.Append("$skiptoken=").Append(Uri.EscapeDataString(token)).ToString();
    }

    /// <summary>An opaque continuation token (URL-safe Base64) for list pages and Resource Graph's <c>$skipToken</c>.</summary>
    internal static string EncodeToken(string value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static bool TryDecodeToken(string token, out string? value)
    {
        value = null;
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            value = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            result[Uri.UnescapeDataString(parts[0])] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
        }

        return result;
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    private static string DefaultErrorCode(int status) => status switch
    {
        400 => "BadRequest",
        401 => "AuthenticationFailed",
        403 => "AuthorizationFailed",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => $"Http{status.ToString(CultureInfo.InvariantCulture)}",
    };
}
