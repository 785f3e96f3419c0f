using System.Net;
using System.Net.Sockets;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using Azure;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>How the Table store classifies failures, through the real SDK over a scripted HTTP transport (no Azurite).</summary>
public sealed class TableStateStoreFaultTests
{
    private static readonly ScaleSetId Id = ScaleSetId.Create("00000000-0000-0000-0000-000000000001", "rg", "vmss");

    private static readonly PoolRecord Pool = new()
    {
        Id = Id,
        Location = "westeurope",
        VmSizes = ["Standard_D2s_v5"],
        FirstSeen = DateTimeOffset.UnixEpoch,
        LastSeen = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData(500, "InternalError")]
    [InlineData(503, "ServerBusy")]
    [InlineData(504, "OperationTimedOut")]
    [InlineData(408, "Timeout")]
    [InlineData(429, "TooManyRequests")]
    public async Task GetPoolAsync_TransientStatus_ThrowsStateStoreUnavailable(int status, string code)
    {
        var handler = new ScriptedHandler(_ => Error(status, code));
        var store = Store(handler);

        var e = await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetPoolAsync(Id, default));

        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.IsType<RequestFailedException>(e.InnerException);
    }

    [Fact]
    public async Task SavePoolAsync_ConnectionRefused_ThrowsStateStoreUnavailable()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)));
        var store = Store(handler);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.SavePoolAsync(Pool, default));
    }

    [Fact]
    public async Task SavePoolAsync_TransientAfterRetries_ThrowsStateStoreUnavailable()
    {
        // With retries, Azure.Core ends with an AggregateException of every attempt's failure.
        var handler = new ScriptedHandler(r => IsTablesRequest(r) ? null : throw new HttpRequestException("reset"));
        var store = Store(handler, maxRetries: 2);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.SavePoolAsync(Pool, default));
        Assert.Equal(3, handler.Requests.Count(r => r.Method == HttpMethod.Post && !IsTablesRequest(r)));
    }

    [Fact]
    public async Task SavePoolAsync_RealServerUnreachable_ThrowsStateStoreUnavailable()
    {
        var options = new TableClientOptions { Retry = { MaxRetries = 0 } };
        var service = new TableServiceClient(AzuriteFixture.UsualConnectionString.Replace(":10002/", ":1/", StringComparison.Ordinal), options);
        var store = new TableStateStore(service, Options.Create(new StateOptions()));

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.SavePoolAsync(Pool, default));
    }

    [Fact]
    public async Task GetPoolAsync_TerminalStatus_LetsTheRequestFailedExceptionThrough()
    {
        var handler = new ScriptedHandler(_ => Error(403, "AuthorizationPermissionMismatch"));
        var store = Store(handler);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => store.GetPoolAsync(Id, default));

        Assert.Equal(403, e.Status);
    }

    [Fact]
    public async Task SavePoolAsync_PreconditionFailed_ThrowsConcurrencyConflict()
    {
        var handler = new ScriptedHandler(r => r.Method == HttpMethod.Put ? Error(412, "UpdateConditionNotSatisfied") : null);
        var store = Store(handler);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.SavePoolAsync(Pool with { Version = "W/\"1\"" }, default));
        var update = Assert.Single(handler.Requests, r => r.Method == HttpMethod.Put);
        Assert.Equal("W/\"1\"", update.IfMatch);
    }

    [Fact]
    public async Task SavePoolAsync_TableDeletedMeanwhile_ThrowsUnavailableThenCreatesTheTableAgain()
    {
        var deleted = true;
        var handler = new ScriptedHandler(r => deleted && !IsTablesRequest(r) ? Error(404, "TableNotFound") : null);
        var store = Store(handler);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.SavePoolAsync(Pool, default));
        deleted = false;
        await store.SavePoolAsync(Pool, default);

        Assert.Equal(2, handler.Requests.Count(IsTablesRequest));
    }

    [Fact]
    public async Task GetPoolAsync_ConcurrentFirstUse_CreatesTheTableOnce()
    {
        var handler = new ScriptedHandler(_ => null);
        var store = Store(handler);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => store.GetPoolAsync(Id, default))));
        await store.ListPoolsAsync(null, default).GetAsyncEnumerator().MoveNextAsync();

        var create = Assert.Single(handler.Requests, IsTablesRequest);
        Assert.Contains("\"TableName\":\"anPools\"", create.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetPoolAsync_TableCreationFailsOnce_IsTriedAgainNextTime()
    {
        var failCreate = true;
        var handler = new ScriptedHandler(r => failCreate && IsTablesRequest(r) ? Error(503, "ServerBusy") : null);
        var store = Store(handler);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetPoolAsync(Id, default));
        failCreate = false;

        Assert.Null(await store.GetPoolAsync(Id, default));
        Assert.Equal(2, handler.Requests.Count(IsTablesRequest));
    }

    [Fact]
    public async Task ListPoolsAsync_TransientStatusOnQuery_ThrowsStateStoreUnavailable()
    {
        var handler = new ScriptedHandler(r => r.Method == HttpMethod.Get ? Error(503, "ServerBusy") : null);
        var store = Store(handler);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(async () =>
        {
            await foreach (var _ in store.ListPoolsAsync(null, default))
            {
            }
        });
    }

    [Fact]
    public async Task GetPoolAsync_CancelledByCaller_ThrowsOperationCanceledNotUnavailable()
    {
        var store = Store(new ScriptedHandler(_ => null));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<Exception>(() => store.GetPoolAsync(Id, cancelled.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(e);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("has-dash")]
    [InlineData("abcdefghijklmnopqrstu")]
    public void Constructor_InvalidPrefix_Throws(string prefix)
    {
        var service = new TableServiceClient(AzuriteFixture.ConnectionString);

        Assert.Throws<ArgumentException>(() => new TableStateStore(service, Options.Create(new StateOptions { TablePrefix = prefix })));
    }

    [Fact]
    public void TableNames_DefaultPrefix_AreAnPoolsEventsDecisionsRejected()
    {
        var store = new TableStateStore(new TableServiceClient(AzuriteFixture.ConnectionString), Options.Create(new StateOptions()));

        Assert.Equal(["anPools", "anEvents", "anDecisions", "anRejected"], store.TableNames);
    }

    private static TableStateStore Store(ScriptedHandler handler, int maxRetries = 0)
    {
        var options = new TableClientOptions
        {
            Transport = new HttpClientTransport(new HttpClient(handler)),
            Retry = { MaxRetries = maxRetries, Delay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) },
        };
        return new TableStateStore(new TableServiceClient(AzuriteFixture.ConnectionString, options), Options.Create(new StateOptions()));
    }

    private static bool IsTablesRequest(RecordedRequest request) =>
        request.Method == HttpMethod.Post && request.Path.EndsWith("/Tables", StringComparison.Ordinal);

    internal static HttpResponseMessage Error(int status, string code)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(
                "{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"scripted\"}}}",
                System.Text.Encoding.UTF8,
                "application/json"),
        };
        response.Headers.Add("x-ms-error-code", code);
        return response;
    }

    internal sealed record RecordedRequest(HttpMethod Method, string Path, string? IfMatch, string Body, string Query = "");

    /// <summary>
    /// Answers each request with the scripted response, or (when the script gives null) as a healthy, empty service
    /// would: table creation 204, entity reads 404, queries an empty page, writes 204 with an ETag.
    /// </summary>
    internal sealed class ScriptedHandler(Func<RecordedRequest, HttpResponseMessage?> script) : HttpMessageHandler
    {
        private readonly List<RecordedRequest> _requests = [];

        public IReadOnlyList<RecordedRequest> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var recorded = new RecordedRequest(
                request.Method,
                request.RequestUri!.AbsolutePath,
                request.Headers.TryGetValues("If-Match", out var ifMatch) ? ifMatch.Single() : null,
                body,
                request.RequestUri.Query);
            lock (_requests)
            {
                _requests.Add(recorded);
            }

            return script(recorded) ?? Healthy(recorded);
        }

        private static HttpResponseMessage Healthy(RecordedRequest request)
        {
            if (request.Method == HttpMethod.Get && request.Path.Contains("(PartitionKey=", StringComparison.Ordinal))
            {
                return Error(404, "ResourceNotFound");
            }

            if (request.Method == HttpMethod.Get)
            {
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent("""{"value":[]}""", System.Text.Encoding.UTF8, "application/json"),
                };
            }

            var response = new HttpResponseMessage(HttpStatusCode.NoContent) { Content = new ByteArrayContent([]) };
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"1\"", isWeak: true);
            return response;
        }
    }
}
