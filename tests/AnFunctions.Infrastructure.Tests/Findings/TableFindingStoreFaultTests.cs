using System.Net.Sockets;
using AnFunctions.Core.Findings;
using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.Infrastructure.Tests.State;
using Azure;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using static AnFunctions.Infrastructure.Tests.Findings.FindingTestData;
using static AnFunctions.Infrastructure.Tests.State.TableStateStoreFaultTests;

namespace AnFunctions.Infrastructure.Tests.Findings;

/// <summary>How the Table finding store classifies failures, through the real SDK over a scripted HTTP transport (no Azurite).</summary>
public sealed class TableFindingStoreFaultTests
{
    [Theory]
    [InlineData(500, "InternalError")]
    [InlineData(503, "ServerBusy")]
    [InlineData(408, "Timeout")]
    [InlineData(429, "TooManyRequests")]
    public async Task SaveAsync_TransientStatusOnTheTransaction_ThrowsStateStoreUnavailable(int status, string code)
    {
        var handler = new ScriptedHandler(r => IsBatch(r) ? Error(status, code) : null);
        var finding = Full(NewPool());

        var e = await Assert.ThrowsAsync<StateStoreUnavailableException>(() => Store(handler).SaveAsync(finding, [Entry(finding)], default));

        Assert.IsType<RequestFailedException>(e.InnerException, exactMatch: false);
        Assert.Single(handler.Requests, IsBatch);
    }

    [Fact]
    public async Task SaveAsync_ConnectionRefused_ThrowsStateStoreUnavailable()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)));
        var finding = Full(NewPool());

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => Store(handler).SaveAsync(finding, [], default));
    }

    [Fact]
    public async Task SaveAsync_RealServerUnreachable_ThrowsStateStoreUnavailable()
    {
        var options = new TableClientOptions { Retry = { MaxRetries = 0 } };
        var service = new TableServiceClient(AzuriteFixture.UsualConnectionString.Replace(":10002/", ":1/", StringComparison.Ordinal), options);
        var store = new TableFindingStore(service, Options.Create(new StateOptions()));
        var finding = Full(NewPool());

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.SaveAsync(finding, [Entry(finding)], default));
    }

    [Fact]
    public async Task SaveAsync_InvalidSave_IsRefusedBeforeAnyRequest()
    {
        var handler = new ScriptedHandler(_ => null);
        var finding = Full(NewPool());
        var entries = Enumerable.Range(0, 100).Select(i => Entry(finding, "s" + i)).ToArray();

        await Assert.ThrowsAsync<ArgumentException>(() => Store(handler).SaveAsync(finding, entries, default));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task GetAsync_TransientStatusOnTheQuery_ThrowsStateStoreUnavailable()
    {
        var handler = new ScriptedHandler(r => r.Method == HttpMethod.Get ? Error(503, "ServerBusy") : null);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => Store(handler).GetAsync("fnd-1", default));
    }

    [Fact]
    public async Task ListAsync_TransientStatusOnTheQuery_ThrowsStateStoreUnavailable()
    {
        var handler = new ScriptedHandler(r => r.Method == HttpMethod.Get ? Error(500, "InternalError") : null);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(async () =>
        {
            await foreach (var _ in Store(handler).ListAsync(new FindingQuery(), default))
            {
            }
        });
    }

    [Fact]
    public async Task GetAsync_TerminalStatus_LetsTheRequestFailedExceptionThrough()
    {
        var handler = new ScriptedHandler(_ => Error(403, "AuthorizationPermissionMismatch"));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => Store(handler).GetAsync("fnd-1", default));

        Assert.Equal(403, e.Status);
    }

    [Fact]
    public async Task GetAsync_Filter_IsTheIdColumnEscapedAndTheFindingRowsOnly()
    {
        var handler = new ScriptedHandler(_ => null);

        await Store(handler).GetAsync("it's", default);

        // Before it, the first use reads the layout marker and looks for rows of layout 1.
        var query = Assert.Single(handler.Requests, r => r.Method == HttpMethod.Get && Uri.UnescapeDataString(r.Query).Contains("Id eq", StringComparison.Ordinal));
        Assert.Contains("(Id eq 'it''s') and (RowKey ge 'finding|' and RowKey lt 'finding}')", Uri.UnescapeDataString(query.Query), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateOutboxAsync_PreconditionFailed_ThrowsConcurrencyConflictAfterSendingTheVersion()
    {
        var handler = new ScriptedHandler(r => r.Method == HttpMethod.Put && r.IfMatch is not null && r.IfMatch != "*" ? Error(412, "UpdateConditionNotSatisfied") : null);
        var entry = Entry(Full(NewPool())) with { Version = "W/\"datetime'2026-01-01T00%3A00%3A00Z'\"" };

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store(handler).UpdateOutboxAsync(entry, default));

        Assert.Equal(entry.Version, Assert.Single(handler.Requests, r => r.Method == HttpMethod.Put && r.IfMatch is not null && r.IfMatch != "*").IfMatch);
    }

    [Fact]
    public async Task UpdateOutboxAsync_TableDeletedMeanwhile_ThrowsUnavailableThenCreatesTheTableAgain()
    {
        var deleted = true;
        var handler = new ScriptedHandler(r => deleted && r.Method == HttpMethod.Put ? Error(404, "TableNotFound") : null);
        var store = Store(handler);
        var entry = Entry(Full(NewPool())) with { Version = "W/\"1\"" };

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.UpdateOutboxAsync(entry, default));
        deleted = false;
        await store.UpdateOutboxAsync(entry, default);

        Assert.Equal(2, handler.Requests.Count(r => r.Method == HttpMethod.Post && r.Path.EndsWith("/Tables", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("has-dash")]
    [InlineData("abcdefghijklmnopqrstu")]
    public void Constructor_InvalidPrefix_Throws(string prefix)
    {
        var service = new TableServiceClient(AzuriteFixture.ConnectionString);

        Assert.Throws<ArgumentException>(() => new TableFindingStore(service, Options.Create(new StateOptions { TablePrefix = prefix })));
    }

    [Fact]
    public void TableName_DefaultPrefix_IsAnFindings()
    {
        var store = new TableFindingStore(new TableServiceClient(AzuriteFixture.ConnectionString), Options.Create(new StateOptions()));

        Assert.Equal("anFindings", store.TableName);
    }

    private static bool IsBatch(RecordedRequest request) =>
        request.Method == HttpMethod.Post && request.Path.EndsWith("/$batch", StringComparison.Ordinal);

    private static TableFindingStore Store(ScriptedHandler handler)
    {
        var options = new TableClientOptions
        {
            Transport = new HttpClientTransport(new HttpClient(handler)),
            Retry = { MaxRetries = 0 },
        };
        return new TableFindingStore(new TableServiceClient(AzuriteFixture.ConnectionString, options), Options.Create(new StateOptions()));
    }
}
