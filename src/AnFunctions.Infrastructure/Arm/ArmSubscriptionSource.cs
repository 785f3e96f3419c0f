using System.Runtime.CompilerServices;
using AnFunctions.Core.Audit;

namespace AnFunctions.Infrastructure.Arm;

/// <summary>Lists the subscriptions the app's identity can see.</summary>
public sealed class ArmSubscriptionSource(ArmConnection arm) : ISubscriptionSource
{
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscriptions = arm.Client.GetSubscriptions().GetAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (subscriptions.ConfigureAwait(false))
        {
            while (await ArmErrors.Call("list subscriptions", async () => await subscriptions.MoveNextAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                if (subscriptions.Current.Data.SubscriptionId is { } id)
                {
                    yield return id;
                }
            }
        }
    }
}
