namespace AnFunctions.Core.Audit;

/// <summary>Port: the subscriptions the app's identity can see (used when no scope is configured).</summary>
public interface ISubscriptionSource
{
    IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken);
}
