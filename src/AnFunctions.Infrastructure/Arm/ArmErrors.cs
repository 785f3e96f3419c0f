using System.Globalization;
using AnFunctions.Core.Arm;
using Azure;

namespace AnFunctions.Infrastructure.Arm;

/// <summary>Turns the SDK's failures into <see cref="ArmRequestException"/>, keeping status, ARM error code and Retry-After.</summary>
internal static class ArmErrors
{
    public static ArmRequestException From(RequestFailedException e, string what)
    {
        TimeSpan? retryAfter = null;
        var response = e.GetRawResponse();
        if (response is not null && response.Headers.TryGetValue("Retry-After", out var value)
            && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            retryAfter = TimeSpan.FromSeconds(seconds);
        }

        return new ArmRequestException(e.Status, e.ErrorCode, $"{what}: HTTP {e.Status} {e.ErrorCode}".TrimEnd(), retryAfter, e);
    }

    public static ArmRequestException From(Response response, string what)
    {
        var exception = new RequestFailedException(response);
        return From(exception, what);
    }

    /// <summary>Runs an ARM call and maps its failures; cancellation by the caller passes through.</summary>
    public static async Task<T> Call<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            throw From(e, what);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The SDK's network timeout surfaces as a cancellation that the caller did not ask for.
            throw new ArmRequestException(0, "Timeout", $"{what}: no answer in time", null, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException)
        {
            // A transport failure the SDK did not wrap: no answer, so transient. Core sees ARM's failures only as this.
            throw new ArmRequestException(0, "NoAnswer", $"{what}: no answer ({e.GetType().Name})", null, e);
        }
    }
}
