using System.Globalization;
using AnFunctions.Core.Arm;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Api;

/// <summary>
/// The one mapping of upstream failures to problems, for every route: ARM refused or failed the call (502
/// <c>arm-error</c>, with <c>Retry-After</c> when ARM gave one), the state store is unavailable (503
/// <c>state-unavailable</c>). The host's worker middleware and the in-process <see cref="ApiRouter"/> both use it, so
/// their answers are the same. Any other exception is not ours to answer: it stays a failure of the invocation.
/// </summary>
public sealed class ApiErrors(ILogger<ApiErrors> logger)
{
    /// <summary>The problem answering <paramref name="exception"/> raised by function <paramref name="function"/>; null when it is not an upstream failure.</summary>
    public ApiResult? ToProblem(string function, Exception exception) => exception switch
    {
        ArmRequestException arm => ArmFailed(function, arm),
        StateStoreUnavailableException => StateUnavailable(function),
        _ => null,
    };

    private ApiResult ArmFailed(string function, ArmRequestException arm)
    {
        HttpLog.ArmFailed(logger, function, arm.Status, arm.ErrorCode is null ? null : LogValues.Safe(arm.ErrorCode, 64));
        var problem = Problems.ArmError(arm.Status, arm.ErrorCode);
        if (arm.RetryAfter is { } retry)
        {
            problem.WithHeader("Retry-After", ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        }

        return problem;
    }

    private ApiResult StateUnavailable(string function)
    {
        HttpLog.StateUnavailable(logger, function);
        return Problems.StateUnavailable();
    }
}
