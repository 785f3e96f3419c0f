using System.Collections.Concurrent;
using System.Net;
using AnFunctions.HostProtocol.Tests.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.HostProtocol.Tests.Host;

/// <summary>
/// The host end of the worker protocol: a gRPC server (HTTP/2 without TLS on 127.0.0.1, as the Functions host serves
/// it to its workers) exposing <c>FunctionRpc.EventStream</c>. A worker opens the stream with <c>StartStream</c>
/// carrying the worker id it was launched with; the stream is handed to whoever expects that worker.
/// </summary>
internal sealed class StandInHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<WorkerChannel>> _expected = new(StringComparer.Ordinal);
    private WebApplication? _app;

    /// <summary>The address workers are given as <c>--functions-uri</c>.</summary>
    public Uri Uri { get; private set; } = null!;

    public static async Task<StandInHost> StartAsync()
    {
        var host = new StandInHost();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddRouting();
        builder.Services.AddGrpc(options =>
        {
            // The host is launched with --functions-grpc-max-message-length 2147483647: no limit either way.
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(host);
        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host._app = app;
        host.Uri = new Uri($"http://127.0.0.1:{new Uri(address).Port}/");
        return host;
    }

    /// <summary>Registers a worker id before its process starts; the task completes when that worker opens its stream.</summary>
    public Task<WorkerChannel> Expect(string workerId) =>
        _expected.GetOrAdd(workerId, _ => new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string workerId) => _expected.TryRemove(workerId, out _);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal async Task AcceptAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, ServerCallContext context)
    {
        if (!await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var first = requests.Current;
        if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.InvalidArgument, $"The first message of a worker must be StartStream, not {first.ContentCase}."));
        }

        if (!_expected.TryRemove(first.StartStream.WorkerId, out var expected))
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.NotFound, $"No worker '{first.StartStream.WorkerId}' was launched by this host."));
        }

        var channel = new WorkerChannel(first.StartStream.WorkerId, responses);
        expected.TrySetResult(channel);
        await channel.ReadAsync(requests, context.CancellationToken).ConfigureAwait(false);
    }

    private sealed class FunctionRpcService(StandInHost host) : FunctionRpc.FunctionRpcBase
    {
        public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
            host.AcceptAsync(requestStream, responseStream, context);
    }
}
