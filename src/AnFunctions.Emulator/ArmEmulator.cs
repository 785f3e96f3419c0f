using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnFunctions.Emulator;

/// <summary>
/// An in-process fake of Azure Resource Manager for virtual machine scale sets, resource SKUs and the Activity Log.
/// It answers ARM's real JSON shapes through an in-memory <see cref="HttpMessageHandler"/> (<see cref="CreateHandler"/>),
/// so the real Azure SDK works against it: give <c>ArmClientOptions</c> an <c>ArmEnvironment</c> on
/// <see cref="BaseUri"/> and an <c>HttpClientTransport</c> over the handler.
/// <para>
/// State is changed either through HTTP (counted, recorded, subject to latency and faults) or through the seeding
/// methods (<see cref="PutScaleSet(JsonObject)"/>, ...), which are none of these. Thread-safe.
/// </para>
/// </summary>
public sealed class ArmEmulator
{
    /// <summary>The emulator's ARM endpoint, as text.</summary>
    public const string BaseAddress = "https://arm.emulator.local";

    /// <summary>The audience to give <c>ArmEnvironment</c> (the public cloud's; tokens are never checked).</summary>
    public const string Audience = "https://management.azure.com/";

    /// <summary>Default page size of list answers: ARM's own for scale sets.</summary>
    public const int DefaultPageSize = 1000;

    /// <summary>Default number of requests the request log keeps (the most recent).</summary>
    public const int DefaultRequestLogLimit = 100_000;

    private readonly ScaleSetResourceProvider _scaleSets;
    private readonly SkuCatalog _skus = new();
    private readonly ActivityLogStore _activityLog = new();
    private readonly ConcurrentDictionary<string, OperationOutcome> _operations = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, OperationOutcome> _failNextOperation = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _subscriptions = new(StringComparer.OrdinalIgnoreCase);
    private readonly int[] _counts = new int[Enum.GetValues<ArmCallKind>().Length];

    private readonly Lock _faultGate = new();
    private readonly List<ActiveFault> _faults = [];

    private readonly Lock _recordGate = new();
    private readonly List<RecordedWrite> _writes = [];
    private readonly Queue<ArmRequestRecord> _requests = new();

    private readonly ThrottleBuckets _buckets = new();
    private ArmThrottling _throttling = ArmThrottling.AsArmDocuments;

    private long _latencyTicks;
    private int _pageSize = DefaultPageSize;
    private int _requestLogLimit = DefaultRequestLogLimit;
    private long _reads;
    private long _writeCalls;

    /// <param name="timeProvider">The clock for timestamps (<c>timeCreated</c>, Activity Log, records). Latency and fault delays always run in real time.</param>
    /// <param name="logger">Receives one debug line per request.</param>
    public ArmEmulator(TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
        _scaleSets = new ScaleSetResourceProvider(TimeProvider);
    }

    /// <summary>The emulator's ARM endpoint: <c>https://arm.emulator.local</c>.</summary>
    public static Uri BaseUri { get; } = new(BaseAddress);

    public TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal ScaleSetResourceProvider ScaleSetProvider => _scaleSets;
    internal SkuCatalog SkuCatalog => _skus;
    internal ActivityLogStore ActivityLogStore => _activityLog;

    /// <summary>An in-memory handler that serves this emulator. Create as many as needed; they share the state.</summary>
    public HttpMessageHandler CreateHandler() => new ArmEmulatorHandler(this);

    // ---------------------------------------------------------------- configuration

    /// <summary>Waited (in real time, honouring cancellation) before every HTTP call is answered.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>
    /// How ARM throttles callers (<see cref="ArmThrottling"/>): on by default with ARM's documented bucket sizes, refilling
    /// on the emulator's clock. <see cref="ArmThrottling.Off"/> turns it off for tests that measure something else.
    /// Setting it empties nothing and fills every bucket again.
    /// </summary>
    public ArmThrottling Throttling
    {
        get => Volatile.Read(ref _throttling);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Volatile.Write(ref _throttling, value);
            _buckets.Clear();
        }
    }

    /// <summary>Items per page of list answers (scale sets, instances, Activity Log); a <c>nextLink</c> leads to the next page.</summary>
    public int PageSize
    {
        get => Volatile.Read(ref _pageSize);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _pageSize, value);
        }
    }

    /// <summary>How many requests <see cref="RequestLog"/> keeps; older ones are dropped. Recorded writes are never dropped.</summary>
    public int RequestLogLimit
    {
        get => Volatile.Read(ref _requestLogLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            Volatile.Write(ref _requestLogLimit, value);
        }
    }

    /// <summary>
    /// How long the operation of an accepted PUT or PATCH runs on the emulator's clock when nobody polls it (default
    /// 20 s): until then a GET shows <c>Updating</c> (or <c>Creating</c>) and ARM refuses other writes with 409.
    /// </summary>
    public TimeSpan OperationDuration
    {
        get => _scaleSets.OperationDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _scaleSets.OperationDuration = value;
        }
    }

    /// <summary>
    /// How many looks at a running write (polls of its status URL, GETs of the scale set) find it in progress before it
    /// finishes (default 1: the first look says <c>InProgress</c>/<c>Updating</c>, the next one the outcome).
    /// </summary>
    public int OperationPollsInProgress
    {
        get => _scaleSets.OperationPollsInProgress;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _scaleSets.OperationPollsInProgress = value;
        }
    }

    // ---------------------------------------------------------------- scale sets (seeding)

    /// <summary>
    /// Creates or replaces a scale set from its ARM GET shape; <c>id</c> is required. The JSON is kept as given except:
    /// a new <c>etag</c>, <c>properties.provisioningState</c> <c>Succeeded</c> when missing, and <c>name</c>/<c>type</c>
    /// when missing. A scale set given as <c>Creating</c> stays so (ARM refuses writes to it) until replaced again; an
    /// operation still running on a replaced one finishes first. A new scale set gets <c>sku.capacity</c> instances, running its model. Replacing an existing one
    /// reaches its instances as an ARM PUT does: a model change per <c>upgradePolicy.mode</c>, then the capacity.
    /// </summary>
    /// <returns>The scale set as stored.</returns>
    public JsonObject PutScaleSet(JsonObject vmss) => _scaleSets.Seed(vmss);

    /// <inheritdoc cref="PutScaleSet(JsonObject)"/>
    public JsonObject PutScaleSet(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return PutScaleSet(JsonNode.Parse(json)?.AsObject() ?? throw new ArgumentException("The JSON is not an object.", nameof(json)));
    }

    /// <summary>
    /// Changes a stored scale set out of band (as someone using the portal would): <paramref name="mutate"/> edits a
    /// copy, which gets a new ETag; a change of <c>properties.virtualMachineProfile</c> makes every instance stale.
    /// </summary>
    /// <returns>The scale set as stored, or null when there is none with that id.</returns>
    public JsonObject? ModifyScaleSet(string id, Action<JsonObject> mutate) => _scaleSets.Modify(id, mutate);

    /// <summary>Removes a scale set and its instances. False when there was none.</summary>
    public bool DeleteScaleSet(string id) => _scaleSets.Remove(id);

    /// <summary>A copy of the stored scale set (case-insensitive id), or null.</summary>
    public JsonObject? GetScaleSet(string id) => _scaleSets.Get(id);

    /// <summary>The stored ETag of a scale set (quoted, as ARM sends it), or null.</summary>
    public string? GetETag(string id) => _scaleSets.Find(id)?.ETag;

    /// <summary>Copies of every stored scale set, ordered by id.</summary>
    public IReadOnlyList<JsonObject> ScaleSets => _scaleSets.All();

    /// <summary>
    /// The subscriptions <c>GET /subscriptions</c> lists: those added with <see cref="AddSubscription"/> and those of
    /// every scale set held, lower-cased and sorted.
    /// </summary>
    public IReadOnlyList<string> Subscriptions =>
        _subscriptions.Keys
            .Concat(_scaleSets.All().Select(s => s["id"]?.GetValue<string>()?.Split('/') is { Length: > 2 } parts ? parts[2] : null).OfType<string>())
            .Select(s => s.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Makes a subscription visible even when it holds no scale set.</summary>
    public void AddSubscription(string subscriptionId) => _subscriptions.TryAdd(subscriptionId.ToLowerInvariant(), 0);

    public int ScaleSetCount => _scaleSets.Count;

    /// <summary>The instances of a scale set, or null when there is no such scale set.</summary>
    public IReadOnlyList<ScaleSetInstance>? GetInstances(string scaleSetId) => _scaleSets.GetInstances(scaleSetId);

    /// <summary>
    /// Replaces the instances of a scale set; an instance given without <see cref="ScaleSetInstance.AppliedAcceleratedNetworking"/>
    /// gets the scale set's current model. Throws <see cref="KeyNotFoundException"/> when there is no such scale set.
    /// </summary>
    public void SetInstances(string scaleSetId, IEnumerable<ScaleSetInstance> instances) => _scaleSets.SetInstances(scaleSetId, instances);

    /// <summary>
    /// Every moment instances were restarted, deallocated or upgraded in place (model writes per upgrade policy, instance
    /// actions), by whatever cause, in order.
    /// </summary>
    public IReadOnlyList<Disruption> Disruptions => _scaleSets.Disruptions;

    // ---------------------------------------------------------------- SKUs

    /// <summary>Adds resource SKUs (ARM <c>Microsoft.Compute/skus</c> objects, as in <c>value[]</c>); they apply to every subscription.</summary>
    public void AddSkus(IEnumerable<JsonObject> skus) => _skus.Add(skus);

    /// <summary>Replaces the resource SKUs.</summary>
    public void SetSkus(IEnumerable<JsonObject> skus) => _skus.Set(skus);

    /// <summary>Adds SKUs from JSON: an array of SKU objects, or a list answer <c>{"value":[...]}</c>.</summary>
    public void AddSkusFromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var node = JsonNode.Parse(json);
        var array = node as JsonArray ?? ArmJson.Property(node as JsonObject, "value") as JsonArray
                    ?? throw new ArgumentException("Expected a JSON array of SKUs or an object with a \"value\" array.", nameof(json));
        AddSkus(array.OfType<JsonObject>());
    }

    /// <summary>Copies of every resource SKU.</summary>
    public IReadOnlyList<JsonObject> Skus => _skus.All();

    // ---------------------------------------------------------------- Activity Log

    /// <summary>
    /// Adds the Activity Log event of a failed write (level Error, status Failed, <c>properties.statusMessage</c> holding
    /// the ARM error, <c>properties.requestbody</c> the body when given). The scale set's state is not changed.
    /// </summary>
    /// <returns>The event as stored.</returns>
    public JsonObject AddFailedWrite(
        string resourceId,
        string correlationId,
        JsonNode? requestBody,
        string errorCode,
        string errorMessage,
        DateTimeOffset at,
        HttpStatusCode status = HttpStatusCode.BadRequest,
        string? operationName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(correlationId);
        ArgumentException.ThrowIfNullOrWhiteSpace(errorCode);
        ArgumentNullException.ThrowIfNull(errorMessage);
        var entry = ActivityLogEventBuilder.FailedWrite(resourceId, correlationId, requestBody, errorCode, errorMessage, at, status, operationName);
        _activityLog.Add(entry);
        return entry.DeepClone().AsObject();
    }

    /// <summary>Adds any Activity Log event, kept exactly as given (it needs <c>subscriptionId</c> and <c>eventTimestamp</c> to be found).</summary>
    public void AddActivityLogEvent(JsonObject activityLogEvent) => _activityLog.Add(activityLogEvent);

    /// <summary>Copies of every Activity Log event, in the order added.</summary>
    public IReadOnlyList<JsonObject> ActivityLogEvents => _activityLog.All();

    // ---------------------------------------------------------------- instrumentation

    /// <summary>HTTP calls of this kind since the last reset (faulted and failed calls included).</summary>
    public int Count(ArmCallKind kind) => Volatile.Read(ref _counts[(int)kind]);

    /// <summary>HTTP calls per kind since the last reset (every kind present).</summary>
    public IReadOnlyDictionary<ArmCallKind, int> Counts => Enum.GetValues<ArmCallKind>().ToDictionary(k => k, Count);

    public int TotalCalls => Enum.GetValues<ArmCallKind>().Sum(Count);

    public void ResetCounts()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
        }
    }

    /// <summary>Writes (PUT, PATCH, DELETE, POST) received over HTTP, in arrival order, faulted ones included.</summary>
    public IReadOnlyList<RecordedWrite> Writes
    {
        get
        {
            lock (_recordGate)
            {
                return _writes.ToArray();
            }
        }
    }

    /// <summary>The most recent HTTP calls (up to <see cref="RequestLogLimit"/>), in completion order: method, path and query, status.</summary>
    public IReadOnlyList<ArmRequestRecord> RequestLog
    {
        get
        {
            lock (_recordGate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Clears the counts, the recorded writes and the request log.</summary>
    public void ResetInstrumentation()
    {
        ResetCounts();
        lock (_recordGate)
        {
            _writes.Clear();
            _requests.Clear();
        }
    }

    // ---------------------------------------------------------------- faults

    /// <summary>Adds a fault rule; rules are tried in the order added, and the first that matches applies.</summary>
    public FaultRule AddFault(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Times is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), "Times must be positive (or null for always).");
        }

        lock (_faultGate)
        {
            _faults.Add(new ActiveFault(rule, rule.Times));
        }

        return rule;
    }

    /// <summary>The next <paramref name="times"/> calls of <paramref name="kind"/> get <paramref name="status"/> with ARM error <paramref name="code"/>.</summary>
    public FaultRule FailNext(ArmCallKind kind, int status, string code, int times = 1, TimeSpan? retryAfter = null) =>
        AddFault(new FaultRule { Kind = kind, Status = status, ErrorCode = code, Times = times, RetryAfter = retryAfter });

    /// <summary>The next <paramref name="times"/> calls of <paramref name="kind"/> are answered normally after <paramref name="delay"/>.</summary>
    public FaultRule DelayNext(ArmCallKind kind, TimeSpan delay, int times = 1) =>
        AddFault(new FaultRule { Kind = kind, Delay = delay, Times = times });

    public bool RemoveFault(FaultRule rule)
    {
        lock (_faultGate)
        {
            return _faults.RemoveAll(f => ReferenceEquals(f.Rule, rule)) > 0;
        }
    }

    public void ClearFaults()
    {
        lock (_faultGate)
        {
            _faults.Clear();
        }
    }

    /// <summary>The fault rules still active.</summary>
    public IReadOnlyList<FaultRule> Faults
    {
        get
        {
            lock (_faultGate)
            {
                return _faults.Select(f => f.Rule).ToArray();
            }
        }
    }

    /// <summary>
    /// ARM accepts the next write (PUT, PATCH) or instance action on this scale set, and its long-running operation then
    /// fails with this error: a write's model is put back as it was before, with <c>provisioningState</c> <c>Failed</c>;
    /// an action changes nothing. What the scenario step <c>failNextOperation</c> arms.
    /// </summary>
    public void FailNextOperation(string scaleSetId, string errorCode, string errorMessage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scaleSetId);
        ArgumentException.ThrowIfNullOrWhiteSpace(errorCode);
        _failNextOperation[ScaleSetResourceProvider.Key(scaleSetId)] = new OperationOutcome("Failed", errorCode, errorMessage);
    }

    // ---------------------------------------------------------------- used by the handler

    internal DateTimeOffset Now => TimeProvider.GetUtcNow();

    internal void CountCall(ArmCallKind kind, bool isRead)
    {
        Interlocked.Increment(ref _counts[(int)kind]);
        Interlocked.Increment(ref isRead ? ref _reads : ref _writeCalls);
    }

    /// <summary>With throttling off: a remaining quota that still counts down with use, as ARM's hourly limits did.</summary>
    internal long RemainingReads => 11999 - (Interlocked.Read(ref _reads) % 12000);

    internal long RemainingWrites => 1199 - (Interlocked.Read(ref _writeCalls) % 1200);

    /// <summary>Takes a token from the caller's bucket; null when throttling is off.</summary>
    internal (bool Allowed, long Remaining, TimeSpan RetryAfter)? TakeToken(string principal, string? subscriptionId, ArmThrottling.OperationType type)
    {
        var settings = Throttling;
        return settings.Enabled
            ? _buckets.Take(settings, principal, subscriptionId?.ToLowerInvariant() ?? "tenant", type, Now)
            : null;
    }

    /// <summary>The first matching fault rule, consuming one of its uses.</summary>
    internal FaultRule? TakeFault(ArmRequestInfo request)
    {
        lock (_faultGate)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var fault = _faults[i];
                if (!fault.Rule.Matches(request))
                {
                    continue;
                }

                if (fault.Remaining is { } remaining)
                {
                    if (remaining <= 1)
                    {
                        _faults.RemoveAt(i);
                    }
                    else
                    {
                        _faults[i] = fault with { Remaining = remaining - 1 };
                    }
                }

                return fault.Rule;
            }

            return null;
        }
    }

    internal string StartOperation(OperationOutcome? outcome = null)
    {
        var id = Guid.NewGuid().ToString();
        _operations[id] = outcome ?? OperationOutcome.Succeeded;
        return id;
    }

    internal OperationOutcome? FindOperation(string id) => _operations.GetValueOrDefault(id);

    /// <summary>The failure armed for the next operation on this scale set, consumed; null when none is armed.</summary>
    internal OperationOutcome? TakeOperationFailure(string scaleSetId) =>
        _failNextOperation.TryRemove(ScaleSetResourceProvider.Key(scaleSetId), out var failure) ? failure : null;

    internal void Record(ArmRequestRecord request, RecordedWrite? write)
    {
        lock (_recordGate)
        {
            _requests.Enqueue(request);
            while (_requests.Count > RequestLogLimit)
            {
                _requests.Dequeue();
            }

            if (write is not null)
            {
                _writes.Add(write);
            }
        }

        EmulatorLog.Request(Logger, request.Method, request.PathAndQuery, request.Status, request.Kind, request.Faulted);
    }

    private sealed record ActiveFault(FaultRule Rule, int? Remaining);
}

/// <summary>How a long-running operation ends: <c>Succeeded</c>, or <c>Failed</c> with an ARM error.</summary>
internal sealed record OperationOutcome(string Status, string? ErrorCode = null, string? ErrorMessage = null)
{
    public static OperationOutcome Succeeded { get; } = new("Succeeded");
}
