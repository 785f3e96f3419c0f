using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.HostProtocol.Tests.World;

/// <summary>An on-call webhook on a loopback port: records every request and answers 200.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedRequest> _received = [];
    private WebApplication _app = null!;

    /// <summary>The URL to give the app (<c>Alerts__Webhook__Url</c>): a secret path, as real webhook URLs have.</summary>
    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.ToArray();
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            lock (receiver._gate)
            {
                receiver._received.Add(new ReceivedRequest(context.Request.Method, context.Request.Path, context.Request.ContentType, body));
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync().ConfigureAwait(false);
        receiver._app = app;
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        receiver.Url = new Uri($"http://127.0.0.1:{port}/hooks/{Guid.NewGuid():N}");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

internal sealed record ReceivedRequest(string Method, string Path, string? ContentType, string Body);
