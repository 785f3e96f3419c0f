using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// One table of a store: created on first use (once, by one caller at a time; a failed creation is tried again next
/// time), and the calls made on it, whose failures are classified by <see cref="TableErrors"/>. A table found deleted
/// (404 <c>TableNotFound</c>) is forgotten, so the next call creates it again.
/// </summary>
internal sealed class LazyTable(TableClient client)
{
    /// <summary>The most entities a Table query returns in one page.</summary>
    public const int MaxPageSize = 1000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _created;

    public string Name => client.Name;

    public async Task<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return client;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                _created = true;
            }
        }
        finally
        {
            _gate.Release();
        }

        return client;
    }

    public void Forget() => _created = false;

    /// <summary>Runs <paramref name="operation"/> on the (created) table; transient failures become <see cref="Core.State.StateStoreUnavailableException"/>.</summary>
    public async Task<T> RunAsync<T>(Func<TableClient, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            var table = await GetAsync(cancellationToken).ConfigureAwait(false);
            return await operation(table).ConfigureAwait(false);
        }
        catch (Exception e) when (Map(e, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Pages through a query; an error on any page is classified like any other call's.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(string? filter, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await RunAsync(Task.FromResult, cancellationToken).ConfigureAwait(false);
        var enumerator = table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (Map(e, cancellationToken) is { } mapped)
                {
                    throw mapped;
                }

                if (!more)
                {
                    yield break;
                }

                yield return enumerator.Current;
            }
        }
    }

    private Exception? Map(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is RequestFailedException { Status: 404, ErrorCode: TableErrors.TableNotFound })
        {
            Forget();
        }

        return TableErrors.Map(exception, Name, cancellationToken);
    }
}
