using AnFunctions.Core.Arm;
using AnFunctions.Core.State;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Http;

/// <summary>How the HTTP functions answer: refusals are logged by problem type (never with the request's text).</summary>
public static class HttpAnswers
{
    public static IActionResult Refuse(ILogger logger, string function, ApiResult problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var type = (problem.Body as Problem)?.Type ?? string.Empty;
        HttpLog.Refused(logger, function, problem.Status, type);
        return problem;
    }

    public static IActionResult Ok(ILogger logger, string function, object body, int status = 200)
    {
        HttpLog.Answered(logger, function, status);
        return new ApiResult(status, body);
    }

    /// <summary>Maps a failure of Azure or of the state store to a problem; anything else is not ours to answer.</summary>
    public static ApiResult? Upstream(ILogger logger, string function, Exception exception) => exception switch
    {
        ArmRequestException arm => LogArm(logger, function, arm),
        StateStoreUnavailableException => Problems.Make("state-unavailable", "The state store is unavailable", 503, "the app's state store could not be reached; try again"),
        _ => null,
    };

    private static ApiResult LogArm(ILogger logger, string function, ArmRequestException arm)
    {
        HttpLog.ArmFailed(logger, function, arm.Status, arm.ErrorCode is null ? null : LogValues.Safe(arm.ErrorCode, 64));
        var problem = Problems.ArmError(arm.Status, arm.ErrorCode);
        if (arm.RetryAfter is { } retry)
        {
            problem.WithHeader("Retry-After", ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return problem;
    }
}
