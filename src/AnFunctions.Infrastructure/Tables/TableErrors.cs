using System.Net.Sockets;
using AnFunctions.Core.State;
using Azure;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Classifies Table Storage failures. Transient ones (no response, 408, 429, 5xx, the client's own timeouts, and
/// Azure.Core's "retry failed" <see cref="AggregateException"/> of such) become <see cref="StateStoreUnavailableException"/>;
/// conflicts are mapped by each operation; anything else (400, 403...) is a terminal error and is left as it is.
/// </summary>
internal static class TableErrors
{
    public const string TableNotFound = "TableNotFound";

    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.All(inner => IsTransient(inner, cancellationToken)),
        HttpRequestException or IOException or SocketException or TimeoutException => true,

        // Azure.Core reports its network timeout as a cancellation of a token the caller did not cancel.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The exception to throw instead of <paramref name="exception"/>, or null to let it through.</summary>
    public static Exception? Map(Exception exception, string table, CancellationToken cancellationToken)
    {
        if (exception is RequestFailedException { Status: 404, ErrorCode: TableNotFound })
        {
            return new StateStoreUnavailableException($"table '{table}' does not exist (deleted?); it is created again on the next attempt", exception);
        }

        return IsTransient(exception, cancellationToken)
            ? new StateStoreUnavailableException($"table '{table}' is unavailable: {Describe(exception)}", exception)
            : null;
    }

    public static bool IsStatus(Exception exception, int status) =>
        exception is RequestFailedException failed && failed.Status == status && failed.ErrorCode != TableNotFound;

    private static string Describe(Exception exception) => exception switch
    {
        RequestFailedException failed when failed.Status != 0 => $"{failed.Status} {failed.ErrorCode}".TrimEnd(),
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0 => Describe(aggregate.InnerExceptions[^1]),
        _ => exception.GetType().Name + ": " + exception.Message,
    };
}
