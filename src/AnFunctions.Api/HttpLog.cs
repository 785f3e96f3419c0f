using Microsoft.Extensions.Logging;

namespace AnFunctions.Api;

/// <summary>The HTTP API's log lines (1650-1699). Values from requests are passed through <see cref="LogValues.Safe"/>.</summary>
public static partial class HttpLog
{
    [LoggerMessage(1650, LogLevel.Information, "HTTP {Function} refused: {Status} {ProblemType}", EventName = "HttpRequestRefused")]
    public static partial void Refused(ILogger logger, string function, int status, string problemType);

    [LoggerMessage(1651, LogLevel.Information, "HTTP {Function} for {ResourceId} (dry-run {DryRun})", EventName = "HttpPoolRequest")]
    public static partial void PoolRequest(ILogger logger, string function, string resourceId, bool dryRun);

    [LoggerMessage(1652, LogLevel.Information, "HTTP {Function} answered {Status}", EventName = "HttpAnswered")]
    public static partial void Answered(ILogger logger, string function, int status);

    [LoggerMessage(1653, LogLevel.Warning, "HTTP {Function}: ARM failed with {ArmStatus} {ErrorCode}", EventName = "HttpArmFailed")]
    public static partial void ArmFailed(ILogger logger, string function, int armStatus, string? errorCode);

    [LoggerMessage(1654, LogLevel.Warning, "HTTP {Function}: the state store is unavailable", EventName = "HttpStateUnavailable")]
    public static partial void StateUnavailable(ILogger logger, string function);
}
