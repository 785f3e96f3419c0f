using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>One request as the receiver saw it.</summary>
internal sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("the body is JSON null");
}

/// <summary>What the receiver answers: a status, headers, a body, after an optional delay.</summary>
internal sealed record ScriptedResponse(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static ScriptedResponse Ok { get; } = new(200, "ok");
}

/// <summary>
/// A real HTTP receiver on 127.0.0.1 and an ephemeral port (<see cref="HttpListener"/>: no ASP.NET Core needed). It
/// records every request and answers what the script says, so the sinks are tested through real sockets, their real
/// named HttpClients and handlers.
/// </summary>
internal sealed class AlertReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<ReceivedRequest, ScriptedResponse> _respond;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private AlertReceiver(HttpListener listener, int port, Func<ReceivedRequest, ScriptedResponse> respond)
    {
        _listener = listener;
        _respond = respond;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUri { get; }

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public static AlertReceiver Start(ScriptedResponse response) => Start(_ => response);

    public static AlertReceiver Start(Func<ReceivedRequest, ScriptedResponse>? respond = null)
    {
        // HttpListener takes no port 0: take a free port from the OS, then listen on it (again if someone was quicker).
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new AlertReceiver(listener, port, respond ?? (_ => ScriptedResponse.Ok));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>A port on 127.0.0.1 where nothing listens: connections are refused.</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery.TrimStart('/'));

    public ReceivedRequest Single() => Assert.Single(Requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped while waiting for a request.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            var request = context.Request;
            string body;
            using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync(_stop.Token);
            }

            var headers = request.Headers.AllKeys
                .Where(k => k is not null)
                .ToDictionary(k => k!, k => request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
            var received = new ReceivedRequest(request.HttpMethod, request.Url!.AbsolutePath, request.Url.Query, headers, body);
            _requests.Enqueue(received);

            var answer = _respond(received);
            if (answer.Delay > TimeSpan.Zero)
            {
                await Task.Delay(answer.Delay, _stop.Token);
            }

            var response = context.Response;
            response.StatusCode = answer.Status;
            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            {
                response.AddHeader(name, value);
            }

            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            response.ContentType = answer.Body.StartsWith('{') ? "application/json" : "text/plain";
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes, _stop.Token);
            response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away (a timeout under test) or the receiver stopped.
            context.Response.Abort();
        }
    }
}
