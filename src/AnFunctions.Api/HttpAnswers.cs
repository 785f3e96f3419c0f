using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Api;

/// <summary>
/// How the endpoints answer: refusals are logged by problem type (never with the request's text). Failures of ARM and
/// of the state store are not caught here: <see cref="ApiErrors"/> answers them for every route.
/// </summary>
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
}
