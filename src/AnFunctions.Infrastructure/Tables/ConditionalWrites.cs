using AnFunctions.Core.State;
using Azure;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// The optimistic-concurrency writes every store makes: insert-if-absent and replace-if-unchanged, with a lost race
/// reported as <see cref="ConcurrencyConflictException"/> and the new ETag returned as the record's next version.
/// </summary>
internal static class ConditionalWrites
{
    /// <summary>Inserts, or replaces when <paramref name="version"/> is the stored ETag; returns the new ETag.</summary>
    /// <param name="what">Names the record in the conflict message (e.g. <c>pool /subscriptions/...</c>).</param>
    public static async Task<string> SaveAsync(TableClient table, TableEntity entity, string? version, string what, CancellationToken cancellationToken)
    {
        Response response;
        try
        {
            response = version is null
                ? await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                : await table.UpdateEntityAsync(entity, new ETag(version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (version is null && TableErrors.IsStatus(e, 409))
        {
            throw new ConcurrencyConflictException($"{what} already exists (inserted by someone else)", e);
        }
        catch (RequestFailedException e) when (version is not null && (TableErrors.IsStatus(e, 412) || TableErrors.IsStatus(e, 404)))
        {
            throw new ConcurrencyConflictException(
                e.Status == 404 ? $"{what} no longer exists" : $"{what} was changed by someone else", e);
        }

        var etag = response.Headers.ETag
            ?? throw new InvalidOperationException($"table '{table.Name}' answered a write without an ETag");
        return etag.ToString();
    }
}
