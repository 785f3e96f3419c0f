using System.Reflection;
using AnFunctions.HostProtocol.Tests.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace AnFunctions.HostProtocol.Tests.Host;

/// <summary>
/// A worker run by the stand-in host through the real host's sequence: launch, <c>StartStream</c>,
/// <c>WorkerInitRequest</c>, <c>FunctionsMetadataRequest</c> (the worker indexes itself), one
/// <c>FunctionLoadRequest</c> per function it reported; then invocations; then <c>WorkerTerminate</c>.
/// Every wait is bounded, and a worker that exits or hangs fails with its output.
/// </summary>
internal sealed class HostedWorker : IAsyncDisposable
{
    /// <summary>The longest any one step may take (generous: CI shares two cores between test assemblies).</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The host version the stand-in announces (the Functions host release its protocol was read from).</summary>
    public const string HostVersion = "4.1037.0";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = StepTimeout,
    };

    private readonly StandInHost _host;
    private readonly string _workerId;
    private WorkerChannel? _channel;

    private HostedWorker(StandInHost host, string workerId, WorkerProcess process)
    {
        _host = host;
        _workerId = workerId;
        Process = process;
    }

    /// <summary>The worker's build output (<c>src/AnFunctions/bin/{Configuration}/net10.0</c>), built before these tests.</summary>
    public static string AppDirectory { get; } = FindAppDirectory();

    public WorkerProcess Process { get; }

    public WorkerChannel Channel => _channel ?? throw new InvalidOperationException("The worker has not opened its stream.");

    public WorkerInitResponse Init { get; private set; } = null!;

    public IReadOnlyList<RpcFunctionMetadata> Functions { get; private set; } = [];

    public IReadOnlyList<FunctionLoadResponse> Loads { get; private set; } = [];

    /// <summary>The worker's HTTP proxy endpoint (capability <c>HttpUri</c>), where the host forwards HTTP requests.</summary>
    public Uri HttpUri => new(Init.Capabilities.TryGetValue("HttpUri", out var uri) ? uri : throw new InvalidOperationException("The worker announced no HttpUri capability."));

    public IReadOnlyList<RpcLog> Logs => Channel.Logs;

    /// <summary>Launches the worker and takes it through init, metadata and load. Throws <see cref="WorkerExitedException"/> if it exits.</summary>
    public static async Task<HostedWorker> StartAsync(StandInHost host, IReadOnlyDictionary<string, string?> environment)
    {
        var workerId = Guid.NewGuid().ToString();
        var connected = host.Expect(workerId);
        var worker = new HostedWorker(host, workerId, WorkerProcess.Start(AppDirectory, host.Uri, workerId, environment));
        try
        {
            worker._channel = await worker.UntilExitAsync(connected, "open its event stream").ConfigureAwait(false);

            var init = await worker.RequestAsync(new StreamingMessage
            {
                WorkerInitRequest = new WorkerInitRequest
                {
                    HostVersion = HostVersion,
                    WorkerDirectory = AppDirectory,
                    FunctionAppDirectory = AppDirectory,
                },
            }, "initialise").ConfigureAwait(false);
            worker.Init = init.WorkerInitResponse;
            worker.EnsureSuccess(worker.Init.Result, "WorkerInitRequest");

            var metadata = await worker.RequestAsync(new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = AppDirectory },
            }, "report its functions").ConfigureAwait(false);
            worker.EnsureSuccess(metadata.FunctionMetadataResponse.Result, "FunctionsMetadataRequest");
            worker.Functions = metadata.FunctionMetadataResponse.FunctionMetadataResults.ToList();

            var loads = new List<FunctionLoadResponse>();
            foreach (var function in worker.Functions)
            {
                if (string.IsNullOrEmpty(function.FunctionId))
                {
                    function.FunctionId = Guid.NewGuid().ToString();
                }

                var load = await worker.RequestAsync(new StreamingMessage
                {
                    FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
                }, $"load {function.Name}").ConfigureAwait(false);
                worker.EnsureSuccess(load.FunctionLoadResponse.Result, $"FunctionLoadRequest for {function.Name}");
                loads.Add(load.FunctionLoadResponse);
            }

            worker.Loads = loads;

            // The worker announces its HTTP proxy's address at init but starts listening there later, once its host
            // has started; a WorkerTerminate before that point crashes the start (exit 134). Wait until it listens.
            using var listening = new CancellationTokenSource(StepTimeout);
            await worker.UntilExitAsync(WaitUntilListeningAsync(worker.HttpUri, listening.Token), "listen on its HTTP proxy endpoint").ConfigureAwait(false);
            return worker;
        }
        catch
        {
            host.Forget(workerId);
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public RpcFunctionMetadata Function(string name) =>
        Functions.SingleOrDefault(f => f.Name == name) ?? throw new InvalidOperationException($"The worker reported no function '{name}' ({string.Join(", ", Functions.Select(f => f.Name))}).");

    /// <summary>Invokes a function with its trigger value, as the host does for a non-HTTP trigger.</summary>
    public async Task<Invocation> InvokeAsync(string function, TypedData trigger, IReadOnlyDictionary<string, TypedData>? triggerMetadata = null, RetryContext? retry = null)
    {
        var metadata = Function(function);
        var request = NewInvocation(metadata, retry);
        request.InputData.Add(new ParameterBinding { Name = TriggerBindingName(metadata), Data = trigger });
        foreach (var (name, value) in triggerMetadata ?? new Dictionary<string, TypedData>())
        {
            request.TriggerMetadata[name] = value;
        }

        var answer = await RequestAsync(new StreamingMessage { InvocationRequest = request }, $"answer the invocation of {function}").ConfigureAwait(false);
        return new Invocation(request.InvocationId, answer.InvocationResponse, Logs.Where(l => l.InvocationId == request.InvocationId).ToList());
    }

    /// <summary>
    /// Invokes an HTTP function as the host does for a worker with an HTTP proxy: the real request goes to
    /// <see cref="HttpUri"/> with header <c>x-ms-invocation-id</c> (started first, as the host starts forwarding
    /// before it sends the invocation), and the invocation carries an <see cref="RpcHttp"/> with the route parameters only.
    /// </summary>
    public async Task<(HttpResponseMessage Response, Invocation Invocation)> InvokeHttpAsync(
        string function, HttpMethod method, string pathAndQuery, HttpContent? content = null, IReadOnlyDictionary<string, string>? routeParameters = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var metadata = Function(function);
        var request = NewInvocation(metadata, retry: null);
        var rpcHttp = new RpcHttp();
        foreach (var (name, value) in routeParameters ?? new Dictionary<string, string>())
        {
            rpcHttp.Params[name] = value;
            request.TriggerMetadata[name] = new TypedData { String = value };
        }

        request.InputData.Add(new ParameterBinding { Name = TriggerBindingName(metadata), Data = new TypedData { Http = rpcHttp } });

        using var http = new HttpRequestMessage(method, new Uri(HttpUri, pathAndQuery)) { Content = content };
        http.Headers.Add("x-ms-invocation-id", request.InvocationId);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            http.Headers.Add(name, value);
        }

        var forwarding = Http.SendAsync(http);
        var answer = await RequestAsync(new StreamingMessage { InvocationRequest = request }, $"answer the invocation of {function}").ConfigureAwait(false);
        var response = await UntilExitAsync(forwarding, $"answer the HTTP request of {function}").ConfigureAwait(false);
        return (response, new Invocation(request.InvocationId, answer.InvocationResponse, Logs.Where(l => l.InvocationId == request.InvocationId).ToList()));
    }

    /// <summary>Sends <c>WorkerTerminate</c> and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        await Channel.SendAsync(new StreamingMessage
        {
            WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) },
        }, CancellationToken.None).ConfigureAwait(false);
        return await Process.WaitForExitAsync(StepTimeout).ConfigureAwait(false)
               ?? throw new TimeoutException($"The worker did not exit within {StepTimeout.TotalSeconds:0} s of WorkerTerminate. Output:\n{Process.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        _host.Forget(_workerId);
        _channel?.Stop();
        Process.Dispose();
        if (_channel is not null)
        {
            await Task.WhenAny(_channel.Closed, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
    }

    private static async Task<bool> WaitUntilListeningAsync(Uri uri, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = new System.Net.Sockets.TcpClient();
            try
            {
                await client.ConnectAsync(uri.Host, uri.Port, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static InvocationRequest NewInvocation(RpcFunctionMetadata function, RetryContext? retry)
    {
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext
            {
                TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01",
            },
        };
        if (retry is not null)
        {
            request.RetryContext = retry;
        }

        return request;
    }

    private static string TriggerBindingName(RpcFunctionMetadata function) =>
        function.Bindings.Single(b => b.Value.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).Key;

    private async Task<StreamingMessage> RequestAsync(StreamingMessage message, string what)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            return await UntilExitAsync(Channel.RequestAsync(message, timeout.Token), what).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The worker did not {what} within {StepTimeout.TotalSeconds:0} s. Output:\n{Process.Output}");
        }
        catch (WorkerGoneException e)
        {
            throw new WorkerExitedException(await Process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false), Process.Output, $"{e.Message} (while waiting for it to {what})");
        }
    }

    /// <summary>Waits for <paramref name="task"/>, failing early and with the worker's output if the process exits first.</summary>
    private async Task<T> UntilExitAsync<T>(Task<T> task, string what)
    {
        var finished = await Task.WhenAny(task, Process.Exited, Task.Delay(StepTimeout)).ConfigureAwait(false);
        if (finished == task)
        {
            return await task.ConfigureAwait(false);
        }

        if (finished == Process.Exited)
        {
            // The answer may have arrived just before the exit.
            if (task.IsCompletedSuccessfully)
            {
                return task.Result;
            }

            throw new WorkerExitedException(Process.Exited.Result, Process.Output, $"The worker exited with code {Process.Exited.Result} before it would {what}.");
        }

        throw new TimeoutException($"The worker did not {what} within {StepTimeout.TotalSeconds:0} s. Output:\n{Process.Output}");
    }

    private void EnsureSuccess(StatusResult result, string request)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException(
                $"The worker answered {request} with {result.Status}: {result.Exception?.Message} {result.Result}\nOutput:\n{Process.Output}");
        }
    }

    private static string FindAppDirectory()
    {
        var directory = typeof(HostedWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AnFunctions.WorkerDirectory").Value!;
        return File.Exists(Path.Combine(directory, "AnFunctions.dll"))
            ? directory
            : throw new InvalidOperationException($"The worker is not built at {directory}: build the solution (or src/AnFunctions) in the same configuration as these tests.");
    }
}

/// <summary>One invocation's answer and the logs the worker sent for it.</summary>
internal sealed record Invocation(string InvocationId, InvocationResponse Response, IReadOnlyList<RpcLog> Logs)
{
    public bool Succeeded => Response.Result.Status == StatusResult.Types.Status.Success;

    public StatusResult.Types.Status Status => Response.Result.Status;

    public override string ToString() =>
        $"{Response.Result.Status}: {Response.Result.Exception?.Message}\n" + string.Join('\n', Logs.Select(l => $"  [{l.Level}] {l.EventId}: {l.Message}"));
}

/// <summary>The worker process exited while the host waited for it.</summary>
internal sealed class WorkerExitedException(int? exitCode, string output, string message)
    : Exception($"{message}\nOutput:\n{output}")
{
    public int? ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}
