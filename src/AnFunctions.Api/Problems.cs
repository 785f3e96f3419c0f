using System.Text.Json.Serialization;

namespace AnFunctions.Api;

/// <summary>An RFC 9457 problem: a stable <see cref="Type"/> URI per kind of problem, never a stack trace.</summary>
public sealed record Problem(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary>The problems the HTTP API answers with. Each <c>type</c> is stable: clients may switch on it.</summary>
public static class Problems
{
    public const string BaseUri = "https://anfunctions.dev/problems/";

    public static ApiResult InvalidResourceId(string detail) => Make("invalid-resource-id", "The resource id is not a virtual machine scale set id", 400, detail);

    public static ApiResult OutOfScope(string subscriptionId) =>
        Make("out-of-scope", "The subscription is not in scope", 403, $"subscription {subscriptionId} is not in AcceleratedNetworking:Subscriptions; the app does not read or change it");

    public static ApiResult ScaleSetNotFound() => Make("scale-set-not-found", "No such scale set", 404, "ARM has no scale set with this id (deleted, or never created)");

    public static ApiResult UnknownParameter(string name) => Make("unknown-parameter", "Unknown query parameter", 400, $"query parameter '{Clip(name)}' is not accepted here");

    public static ApiResult RepeatedParameter(string name) => Make("repeated-parameter", "Query parameter given more than once", 400, $"query parameter '{Clip(name)}' must be given at most once");

    public static ApiResult InvalidParameter(string name, string detail) => Make("invalid-parameter", $"Invalid value of query parameter '{Clip(name)}'", 400, detail);

    public static ApiResult BodyTooLarge(int limit) => Make("body-too-large", "The request body is too large", 413, $"request bodies are limited to {limit} bytes");

    public static ApiResult UnsupportedMediaType() => Make("unsupported-media-type", "The body must be JSON", 415, "send the body with Content-Type: application/json");

    public static ApiResult MalformedJson(string detail) => Make("malformed-json", "The body is not valid JSON for this request", 400, detail);

    public static ApiResult InvalidBody(string detail) => Make("invalid-body", "The request body is not valid", 400, detail);

    public static ApiResult InvalidRunId() => Make("invalid-run-id", "The audit run id is not valid", 400, "audit run ids look like audit-20261125T100000Z-0123abcd");

    public static ApiResult RunNotFound() => Make("audit-run-not-found", "No such audit run", 404, "no audit run has this id (run records are kept in the state store)");

    public static ApiResult InvalidFindingId() => Make("invalid-finding-id", "The finding id is not valid", 400, "finding ids are 'fnd-' followed by 24 lower-case hex characters");

    public static ApiResult FindingNotFound() => Make("finding-not-found", "No such finding", 404, "no finding has this id");

    public static ApiResult ArmError(int armStatus, string? errorCode) =>
        Make("arm-error", "Azure Resource Manager refused or failed the call", 502,
            $"ARM answered {(armStatus == 0 ? "nothing (timeout or connection failure)" : armStatus.ToString(System.Globalization.CultureInfo.InvariantCulture))}{(errorCode is null ? string.Empty : $" ({Clip(errorCode)})")}");

    public static ApiResult StateUnavailable() => Make("state-unavailable", "The state store is unavailable", 503, "the app's state store could not be reached; try again");

    public static ApiResult MethodNotAllowed(string method) => Make("method-not-allowed", "Method not allowed", 405, $"{Clip(method)} is not accepted on this route");

    public static ApiResult RouteNotFound() => Make("route-not-found", "No such route", 404, "no HTTP function answers on this path");

    public static ApiResult RolloutRefused(string refusal, string explanation) =>
        Make("rollout-refused", "The rollout is refused", 409, $"{refusal}: {explanation}");

    public static ApiResult RolloutInProgress(string rolloutId, string statusUrl) =>
        Make("rollout-in-progress", "The pool already has a rollout in progress", 409, $"rollout {rolloutId} of this pool is queued or running ({statusUrl}); one pool never has two at once");

    public static ApiResult InvalidRolloutId() => Make("invalid-rollout-id", "The rollout id is not valid", 400, "rollout ids look like rollout-20261125T100000Z-0123abcd");

    public static ApiResult RolloutNotFound() => Make("rollout-not-found", "No such rollout", 404, "no rollout has this id (rollouts are kept in the state store)");

    public static ApiResult Unauthenticated(string detail) =>
        Make("unauthenticated", "Sign in to call this route", 401, $"{detail}: call with a Microsoft Entra ID token for the app's registration (App Service authentication passes the caller to the app)");

    public static ApiResult MissingRole(string role) =>
        Make("missing-role", "The caller lacks the app role this route needs", 403, $"this route needs the app role {role} (an operator may call every route); ask an owner of the app registration to assign it");

    public static ApiResult Make(string slug, string title, int status, string detail) =>
        new(status, new Problem(BaseUri + slug, title, status, detail), ApiResult.ProblemJson);

    /// <summary>What a request sent is echoed only clipped and with control characters replaced.</summary>
    public static string Clip(string value) => LogValues.Safe(value, 64);
}
