using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AnFunctions.Api.Auth;

/// <summary>
/// Checks the caller of an HTTP route against the role the route declares in <see cref="ApiRoutes.All"/>: 401 without
/// a readable principal, 403 without the role, both as RFC 9457 problems. Applied in one place per host: the Functions
/// worker's <c>ApiAuthorizationMiddleware</c>, and <see cref="ApiRouter"/> in-process.
/// </summary>
public sealed partial class ApiAuthorization
{
    private readonly ILogger _logger;
    private int _announced;

    public ApiAuthorization(IOptions<ApiAuthOptions> options, ILogger<ApiAuthorization> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = options.Value.Enabled;
        _logger = logger;
    }

    private ApiAuthorization(bool enabled, ILogger logger)
    {
        Enabled = enabled;
        _logger = logger;
    }

    /// <summary>False: every caller may call every route (local runs, simulate).</summary>
    public bool Enabled { get; }

    /// <summary>Authorization switched off, for in-process routing (the CLI's simulate).</summary>
    public static ApiAuthorization Off(ILogger? logger = null) => new(false, logger ?? NullLogger.Instance);

    /// <summary>Says at start whether roles are checked: a warning when they are not. Once per instance.</summary>
    public void Announce()
    {
        if (Interlocked.Exchange(ref _announced, 1) != 0)
        {
            return;
        }

        if (Enabled)
        {
            LogOn(_logger, ApiRoles.ReaderValue, ApiRoles.OperatorValue);
        }
        else
        {
            LogOff(_logger);
        }
    }

    /// <summary>Null when the caller may call <paramref name="route"/>; else the 401 or 403 problem to answer (logged).</summary>
    public ApiResult? Check(ApiRoute route, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(request);
        Announce();
        if (!Enabled)
        {
            return null;
        }

        var headers = request.Headers[ClientPrincipal.Header];
        string? error = "the caller principal header was given more than once";
        var principal = headers.Count <= 1 ? ClientPrincipal.Parse(headers.Count == 0 ? null : headers[0], out error) : null;
        if (principal is null)
        {
            var unauthenticated = Problems.Unauthenticated(error ?? "no caller principal").WithHeader("WWW-Authenticate", "Bearer");
            HttpLog.Refused(_logger, route.Name, unauthenticated.Status, Problems.BaseUri + "unauthenticated");
            return unauthenticated;
        }

        if (!ApiRoles.Grants(principal.Roles, route.Role))
        {
            var forbidden = Problems.MissingRole(ApiRoles.Value(route.Role));
            HttpLog.Refused(_logger, route.Name, forbidden.Status, Problems.BaseUri + "missing-role");
            LogForbidden(_logger, route.Name, LogValues.Safe(principal.ObjectId, 64), ApiRoles.Value(route.Role));
            return forbidden;
        }

        LogAuthorized(_logger, route.Name, LogValues.Safe(principal.ObjectId, 64), route.Role);
        return null;
    }

    [LoggerMessage(1660, LogLevel.Information, "HTTP API authentication is on: every route checks the caller's app role ({ReaderRole} or {OperatorRole}) from X-MS-CLIENT-PRINCIPAL", EventName = "ApiAuthenticationOn")]
    private static partial void LogOn(ILogger logger, string readerRole, string operatorRole);

    [LoggerMessage(1661, LogLevel.Warning, "HTTP API authentication is OFF (Auth:Enabled is false): every caller may call every route, those that write to ARM included. Use this for local runs only", EventName = "ApiAuthenticationOff")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(1662, LogLevel.Information, "HTTP {Function}: caller {CallerObjectId} authorized as {Role}", EventName = "HttpCallerAuthorized")]
    private static partial void LogAuthorized(ILogger logger, string function, string callerObjectId, ApiRole role);

    [LoggerMessage(1663, LogLevel.Warning, "HTTP {Function}: caller {CallerObjectId} lacks the app role {Role}", EventName = "HttpCallerForbidden")]
    private static partial void LogForbidden(ILogger logger, string function, string callerObjectId, string role);
}
