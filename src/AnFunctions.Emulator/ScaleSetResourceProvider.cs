using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>
/// The scale sets and their instances, with ARM's write semantics. Thread-safe: every read and write of the state
/// happens under one lock, and stored entries are immutable (the resource is kept as serialized JSON), so answers
/// are built from a consistent snapshot without copying under the lock.
/// </summary>
internal sealed class ScaleSetResourceProvider
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<Disruption> _disruptions = [];
    private readonly TimeProvider _time;
    private string[]? _sortedKeys;
    private long _lastETag;

    public ScaleSetResourceProvider(TimeProvider time) => _time = time;

    /// <summary>A stored scale set: its JSON exactly as answered, and what answers need without parsing it.</summary>
    internal sealed record Entry(string Id, byte[] Json, string ETag, string Name, string? Location, string? SkuName, string? SkuTier,
        ScaleSetInstance[] Instances)
    {
        /// <summary>The long-running operation of an accepted write that has not finished yet, if any.</summary>
        public PendingWrite? Pending { get; init; }

        public string? ProvisioningState { get; init; }
    }

    /// <summary>
    /// An accepted PUT or PATCH whose operation is still running: the resource already shows the written model with
    /// <c>Updating</c> (or <c>Creating</c>); it finishes when polled after <see cref="PollsLeft"/> in-progress answers,
    /// or at <see cref="DueAt"/> on the emulator's clock, whichever comes first.
    /// </summary>
    /// <param name="Before">The resource before the write (null for a creation): what a failed operation leaves.</param>
    internal sealed record PendingWrite(string OperationId, byte[]? Before, DateTimeOffset DueAt, int PollsLeft, OperationOutcome Outcome);

    /// <summary>The state of an operation as its status URL reports it.</summary>
    internal sealed record OperationState(string Id, string ScaleSetKey, DateTimeOffset Started, DateTimeOffset? Ended, OperationOutcome? Final)
    {
        public string Status => Final?.Status ?? "InProgress";
    }

    /// <summary>How long an accepted write's operation runs on the emulator's clock when nobody polls it.</summary>
    public TimeSpan OperationDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many looks at a running write (polls of its status URL, GETs of the scale set) find it in progress before it finishes.</summary>
    public int OperationPollsInProgress { get; set; } = 1;

    private readonly Dictionary<string, OperationState> _operations = new(StringComparer.OrdinalIgnoreCase);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    // ---- Seeding (not HTTP) ----

    public JsonObject Seed(JsonObject vmss)
    {
        ArgumentNullException.ThrowIfNull(vmss);
        var resource = vmss.DeepClone().AsObject();
        var id = ArmJson.StringProperty(resource, "id")
                 ?? throw new ArgumentException("A scale set needs an \"id\".", nameof(vmss));
        var route = ArmRoute.Parse(id);
        if (route.Target != RouteTarget.ScaleSet)
        {
            throw new ArgumentException($"'{id}' is not a virtual machine scale set id.", nameof(vmss));
        }

        if (ArmJson.StringProperty(resource, "name") is null)
        {
            ArmJson.Set(resource, "name", route.ScaleSetName);
        }

        if (ArmJson.StringProperty(resource, "type") is null)
        {
            ArmJson.Set(resource, "type", ArmRoute.ScaleSetResourceType);
        }

        var properties = ArmJson.GetOrAddObject(resource, "properties");
        if (ArmJson.StringProperty(properties, "provisioningState") is null)
        {
            ArmJson.Set(properties, "provisioningState", "Succeeded");
        }

        lock (_gate)
        {
            // Replacing a scale set (as someone outside the app does) reaches its instances like an ARM PUT would; an
            // operation still running on it finishes first.
            var existing = Current(Key(id), force: true);
            var instances = existing is null
                ? InstanceLifecycle.Create(Capacity(resource), InstanceLifecycle.ModelOf(resource))
                : AfterWrite(existing, ArmJson.ParseObject(existing.Json), resource);
            ArmJson.Set(resource, "etag", NextETag());
            Commit(id, resource, instances);
        }

        // The store keeps only the serialized form, so this copy is the caller's to keep.
        return resource;
    }

    public bool Remove(string id)
    {
        lock (_gate)
        {
            var key = Key(id);
            if (!_entries.TryGetValue(key, out var existing))
            {
                return false;
            }

            Cancel(existing);
            _entries.Remove(key);
            _sortedKeys = null;
            return true;
        }
    }

    public JsonObject? Get(string id)
    {
        var entry = Find(id);
        return entry is null ? null : ArmJson.ParseObject(entry.Json);
    }

    public Entry? Find(string id)
    {
        lock (_gate)
        {
            return Current(Key(id));
        }
    }

    public IReadOnlyList<JsonObject> All()
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = SortedKeys().ToArray().Select(k => Current(k)!).ToArray();
        }

        return entries.Select(e => ArmJson.ParseObject(e.Json)).ToArray();
    }

    /// <summary>Every scale set as it is now (key = lower-case id, ARM's JSON unparsed), in key order: what an index copies.</summary>
    public IReadOnlyList<(string Key, byte[] Json)> Snapshot()
    {
        lock (_gate)
        {
            return SortedKeys().Select(k => (k, Current(k)!.Json)).ToArray();
        }
    }

    /// <summary>Changes a scale set out of band (as a portal user would): new ETag; a model change makes instances stale.</summary>
    public JsonObject? Modify(string id, Action<JsonObject> mutate)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        lock (_gate)
        {
            if (Current(Key(id), force: true) is not { } existing)
            {
                return null;
            }

            var resource = ArmJson.ParseObject(existing.Json);
            mutate(resource);
            ArmJson.Set(resource, "etag", NextETag());
            var entry = Commit(existing.Id, resource, AfterWrite(existing, ArmJson.ParseObject(existing.Json), resource));
            return ArmJson.ParseObject(entry.Json);
        }
    }

    public IReadOnlyList<ScaleSetInstance>? GetInstances(string id) => Find(id)?.Instances;

    public void SetInstances(string id, IEnumerable<ScaleSetInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var copy = instances.ToArray();
        lock (_gate)
        {
            var key = Key(id);
            if (Current(key) is not { } existing)
            {
                throw new KeyNotFoundException($"No scale set '{id}'.");
            }

            _entries[key] = existing with { Instances = InstanceLifecycle.Materialize(copy, InstanceLifecycle.ModelOf(ArmJson.ParseObject(existing.Json))) };
        }
    }

    /// <summary>Every disruption so far, in order.</summary>
    public IReadOnlyList<Disruption> Disruptions
    {
        get
        {
            lock (_gate)
            {
                return _disruptions.ToArray();
            }
        }
    }

    // ---- ARM semantics (HTTP) ----

    /// <summary>
    /// A PUT: 201 with <c>Creating</c> for a new scale set, 200 with <c>Updating</c> for a replaced one; the answer's
    /// <see cref="ArmResponse.OperationId"/> names the long-running operation that finishes it. <paramref name="takeFailure"/>
    /// is asked, once the write is accepted, whether that operation is to fail.
    /// </summary>
    public ArmResponse Put(ArmRoute route, JsonObject body, string? ifMatch, string? ifNoneMatch, Func<OperationOutcome?> takeFailure)
    {
        var location = ArmJson.StringProperty(body, "location");
        if (string.IsNullOrWhiteSpace(location))
        {
            return ArmResponse.BadRequest("LocationRequired", "The location property is required for this definition.");
        }

        lock (_gate)
        {
            var existing = Current(Key(route.ScaleSetId!));
            if (!ETagConditions.IfMatchSatisfied(ifMatch, existing?.ETag)
                || !ETagConditions.IfNoneMatchSatisfied(ifNoneMatch, existing?.ETag))
            {
                return ArmResponse.PreconditionFailed(ifMatch ?? ifNoneMatch);
            }

            if (existing is not null && Busy(existing, "PUT") is { } busy)
            {
                return busy;
            }

            if (existing?.Location is { } existingLocation && !SameLocation(existingLocation, location))
            {
                return ArmResponse.Error(409, "InvalidResourceLocation",
                    $"The resource '{existing.Name}' already exists in location '{existingLocation}' in resource group '{route.ResourceGroup}'. A resource with the same name cannot be created in location '{location}'. Please select a new resource name.");
            }

            var old = existing is null ? null : ArmJson.ParseObject(existing.Json);
            var oldProperties = ArmJson.ObjectProperty(old, "properties");
            var resource = WithIdentity(body, existing?.Id ?? route.ScaleSetId!, existing?.Name ?? route.ScaleSetName!);
            var properties = ArmJson.GetOrAddObject(resource, "properties");
            ArmJson.Set(properties, "provisioningState", existing is null ? "Creating" : "Updating");
            ArmJson.Set(properties, "timeCreated", ArmJson.StringProperty(oldProperties, "timeCreated") ?? ArmJson.Timestamp(_time.GetUtcNow()));
            ArmJson.Set(properties, "uniqueId", ArmJson.StringProperty(oldProperties, "uniqueId") ?? Guid.NewGuid().ToString());
            var etag = NextETag();
            ArmJson.Set(resource, "etag", etag);

            // A new scale set's instances exist from the start; an existing one's instances meet the new model when
            // the operation succeeds.
            var entry = Commit(resource["id"]!.GetValue<string>(), resource,
                existing is null ? InstanceLifecycle.Create(Capacity(resource), InstanceLifecycle.ModelOf(resource)) : existing.Instances);
            var operationId = Accept(entry, existing?.Json, takeFailure());
            return ArmResponse.Json(existing is null ? 201 : 200, _entries[Key(entry.Id)].Json, etag).WithOperation(operationId);
        }
    }

    /// <summary>
    /// A PATCH: 200 with <c>Updating</c>; the answer's <see cref="ArmResponse.OperationId"/> names the long-running
    /// operation that finishes it (see <see cref="Put"/>).
    /// </summary>
    public ArmResponse Patch(ArmRoute route, JsonObject patch, string? ifMatch, Func<OperationOutcome?> takeFailure)
    {
        foreach (var readOnly in new[] { "id", "name", "type", "etag", "location" })
        {
            if (JsonMergePatch.FindPropertyName(patch, readOnly) is { } name)
            {
                patch.Remove(name);
            }
        }

        lock (_gate)
        {
            var existing = Current(Key(route.ScaleSetId!));
            if (existing is null)
            {
                return ArmResponse.NotFound(route.ScaleSetId!);
            }

            if (!ETagConditions.IfMatchSatisfied(ifMatch, existing.ETag))
            {
                return ArmResponse.PreconditionFailed(ifMatch);
            }

            if (Busy(existing, "PATCH") is { } busy)
            {
                return busy;
            }

            var resource = ArmJson.ParseObject(existing.Json);
            var old = ArmJson.ParseObject(existing.Json);
            var oldProperties = ArmJson.ObjectProperty(old, "properties");

            // ARM replaces the tags as a whole on PATCH (a client sends every tag it wants to keep).
            if (JsonMergePatch.FindPropertyName(patch, "tags") is { } tagsName)
            {
                var tags = patch[tagsName];
                patch.Remove(tagsName);
                ArmJson.Set(resource, "tags", tags ?? new JsonObject());
            }

            JsonMergePatch.Apply(resource, patch);

            var properties = ArmJson.GetOrAddObject(resource, "properties");
            ArmJson.Set(properties, "provisioningState", "Updating");
            foreach (var readOnly in new[] { "timeCreated", "uniqueId" })
            {
                RestoreReadOnly(properties, oldProperties, readOnly);
            }

            var etag = NextETag();
            ArmJson.Set(resource, "etag", etag);
            var entry = Commit(existing.Id, resource, existing.Instances);
            var operationId = Accept(entry, existing.Json, takeFailure());
            return ArmResponse.Json(200, _entries[Key(entry.Id)].Json, etag).WithOperation(operationId);
        }
    }

    public ArmResponse Delete(ArmRoute route, string? ifMatch)
    {
        lock (_gate)
        {
            var key = Key(route.ScaleSetId!);
            var existing = Current(key);
            if (!ETagConditions.IfMatchSatisfied(ifMatch, existing?.ETag))
            {
                return ArmResponse.PreconditionFailed(ifMatch);
            }

            if (existing is null)
            {
                return ArmResponse.Empty(204);
            }

            Cancel(existing);
            _entries.Remove(key);
            _sortedKeys = null;
            return ArmResponse.Empty(200);
        }
    }

    /// <summary>
    /// Applies a POST action on instances (<c>deallocate</c>, <c>manualupgrade</c>, <c>start</c>; others change nothing).
    /// Returns an error answer, or null when the action was accepted.
    /// </summary>
    public ArmResponse? Act(ArmRoute route, JsonObject? body)
    {
        lock (_gate)
        {
            var key = Key(route.ScaleSetId!);
            if (Current(key) is not { } existing)
            {
                return ArmResponse.NotFound(route.ScaleSetId!);
            }

            if (Busy(existing, route.Action!) is { } busy)
            {
                return busy;
            }

            var (outcome, error) = InstanceLifecycle.Act(route.Action!, existing.Instances, body, InstanceLifecycle.ModelOf(ArmJson.ParseObject(existing.Json)));
            if (error is not null)
            {
                return error;
            }

            _entries[key] = existing with { Instances = outcome!.Instances };
            RecordDisruptions(existing.Id, outcome.Disruptions);
            return null;
        }
    }

    /// <summary>A page of scale sets whose keys start with <paramref name="keyPrefix"/>, in key order, after <paramref name="afterKey"/>.</summary>
    public (List<byte[]> Items, string? LastKey, bool HasMore) ListPage(string keyPrefix, string? afterKey, int pageSize)
    {
        lock (_gate)
        {
            var keys = SortedKeys();
            var start = LowerBound(keys, keyPrefix);
            if (afterKey is not null)
            {
                start = Math.Max(start, UpperBound(keys, afterKey));
            }

            var items = new List<byte[]>(Math.Min(pageSize, Math.Max(0, keys.Length - start)));
            var i = start;
            for (; i < keys.Length && items.Count < pageSize && keys[i].StartsWith(keyPrefix, StringComparison.Ordinal); i++)
            {
                items.Add(Current(keys[i])!.Json);
            }

            var hasMore = i < keys.Length && keys[i].StartsWith(keyPrefix, StringComparison.Ordinal);
            return (items, items.Count > 0 ? keys[i - 1] : null, hasMore);
        }
    }

    /// <summary>
    /// An instance as <c>GET .../virtualMachines</c> lists it: the network interface configurations as applied to this VM,
    /// its protection policy, and with <paramref name="instanceView"/> (<c>$expand=instanceView</c>) its power state.
    /// </summary>
    public static byte[] InstanceJson(Entry scaleSet, ScaleSetInstance instance, bool instanceView = false)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("name", $"{scaleSet.Name}_{instance.InstanceId}");
            w.WriteString("id", $"{scaleSet.Id}/virtualMachines/{instance.InstanceId}");
            w.WriteString("type", ArmRoute.ScaleSetResourceType + "/virtualMachines");
            w.WriteString("location", scaleSet.Location ?? string.Empty);
            w.WriteStartObject("tags");
            w.WriteEndObject();
            w.WriteString("instanceId", instance.InstanceId);
            if (scaleSet.SkuName is not null)
            {
                w.WriteStartObject("sku");
                w.WriteString("name", scaleSet.SkuName);
                if (scaleSet.SkuTier is not null)
                {
                    w.WriteString("tier", scaleSet.SkuTier);
                }

                w.WriteEndObject();
            }

            w.WriteStartObject("properties");
            w.WriteBoolean("latestModelApplied", instance.LatestModelApplied);
            w.WriteString("modelDefinitionApplied", "VirtualMachineScaleSet");
            w.WriteString("provisioningState", instance.ProvisioningState);
            if (instance.ProtectFromScaleSetActions)
            {
                w.WriteStartObject("protectionPolicy");
                w.WriteBoolean("protectFromScaleIn", false);
                w.WriteBoolean("protectFromScaleSetActions", true);
                w.WriteEndObject();
            }

            w.WriteStartObject("networkProfileConfiguration");
            w.WriteStartArray("networkInterfaceConfigurations");
            var primary = true;
            foreach (var (name, an) in instance.AppliedAcceleratedNetworking ?? new Dictionary<string, bool>())
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteStartObject("properties");
                w.WriteBoolean("primary", primary);
                w.WriteBoolean("enableAcceleratedNetworking", an);
                w.WriteEndObject();
                w.WriteEndObject();
                primary = false;
            }

            w.WriteEndArray();
            w.WriteEndObject();
            if (instanceView)
            {
                w.WriteStartObject("instanceView");
                w.WriteStartArray("statuses");
                w.WriteStartObject();
                w.WriteString("code", $"ProvisioningState/{instance.ProvisioningState.ToLowerInvariant()}");
                w.WriteString("level", "Info");
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteString("code", $"PowerState/{instance.PowerState}");
                w.WriteString("level", "Info");
                w.WriteString("displayStatus", instance.IsRunning ? "VM running" : "VM deallocated");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// What the status URL of a write's operation answers now: a running operation answers <c>InProgress</c> for its
    /// first <see cref="OperationPollsInProgress"/> polls, then finishes. Null when the emulator started no such write.
    /// </summary>
    public OperationState? PollOperation(string operationId)
    {
        lock (_gate)
        {
            if (!_operations.TryGetValue(operationId, out var state))
            {
                return null;
            }

            if (state.Final is null && _entries.GetValueOrDefault(state.ScaleSetKey) is { Pending: { } running } entry
                && running.OperationId.Equals(operationId, StringComparison.OrdinalIgnoreCase))
            {
                Observe(entry);
            }

            return _operations[operationId];
        }
    }

    /// <summary>
    /// A GET of one scale set: it observes a running write operation as a poll of its status URL does (the SDK 1.2.0
    /// polls the resource until <c>provisioningState</c> is terminal), so the second look finds it finished.
    /// </summary>
    public Entry? Read(string id)
    {
        lock (_gate)
        {
            return Current(Key(id)) is { Pending: not null } entry ? Observe(entry) : Current(Key(id));
        }
    }

    /// <summary>One look at a running write operation: in progress while it has polls left and time to run, else finished. The caller holds the lock.</summary>
    private Entry Observe(Entry entry)
    {
        var pending = entry.Pending!;
        if (pending.PollsLeft > 0 && _time.GetUtcNow() < pending.DueAt)
        {
            var observed = entry with { Pending = pending with { PollsLeft = pending.PollsLeft - 1 } };
            _entries[Key(entry.Id)] = observed;
            return observed;
        }

        return Settle(entry);
    }

    /// <summary>
    /// The entry as it is now: a write operation that is due (or any, with <paramref name="force"/>) finishes first.
    /// The caller holds the lock.
    /// </summary>
    private Entry? Current(string key, bool force = false)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        return entry.Pending is { } pending && (force || _time.GetUtcNow() >= pending.DueAt) ? Settle(entry) : entry;
    }

    /// <summary>ARM refuses a write while the scale set is being created, or while another operation runs on it. The caller holds the lock.</summary>
    internal static ArmResponse? Busy(Entry existing, string method)
    {
        if (existing.Pending is null && !string.Equals(existing.ProvisioningState, "Creating", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return ArmResponse.Error(409, "OperationNotAllowed",
            $"Operation '{method}' is not allowed on Virtual Machine Scale Set '{existing.Name}' since it is in provisioning state '{existing.ProvisioningState ?? "Updating"}': another operation is in progress. Retry after it completes.");
    }

    /// <summary>Registers the operation of an accepted write on the stored entry. The caller holds the lock.</summary>
    private string Accept(Entry entry, byte[]? before, OperationOutcome? failure)
    {
        var id = Guid.NewGuid().ToString();
        var now = _time.GetUtcNow();
        _operations[id] = new OperationState(id, Key(entry.Id), now, null, null);
        _entries[Key(entry.Id)] = entry with
        {
            Pending = new PendingWrite(id, before, now + OperationDuration, Math.Max(0, OperationPollsInProgress), failure ?? OperationOutcome.Succeeded),
        };
        return id;
    }

    /// <summary>
    /// Finishes the entry's write operation: on success the resource says <c>Succeeded</c> and its instances meet the
    /// new model (per upgrade policy); on failure the resource is put back as it was before the write, with
    /// <c>Failed</c>. Either way it gets a new ETag. The caller holds the lock.
    /// </summary>
    private Entry Settle(Entry entry)
    {
        var pending = entry.Pending!;
        var resource = pending.Outcome.Status == "Succeeded" || pending.Before is null
            ? ArmJson.ParseObject(entry.Json)
            : ArmJson.ParseObject(pending.Before);
        ArmJson.Set(ArmJson.GetOrAddObject(resource, "properties"), "provisioningState", pending.Outcome.Status == "Succeeded" ? "Succeeded" : "Failed");
        ArmJson.Set(resource, "etag", NextETag());
        var instances = pending.Outcome.Status == "Succeeded" && pending.Before is not null
            ? AfterWrite(entry, ArmJson.ParseObject(pending.Before), resource)
            : entry.Instances;
        var settled = Commit(entry.Id, resource, instances);
        var now = _time.GetUtcNow();
        _operations[pending.OperationId] = _operations[pending.OperationId] with { Ended = now, Final = pending.Outcome };
        return settled;
    }

    /// <summary>A deleted scale set's running write operation ends as cancelled. The caller holds the lock.</summary>
    private void Cancel(Entry entry)
    {
        if (entry.Pending is { } pending)
        {
            _operations[pending.OperationId] = _operations[pending.OperationId] with
            {
                Ended = _time.GetUtcNow(),
                Final = new OperationOutcome("Canceled", "OperationCanceled", "The scale set was deleted while the operation was running."),
            };
        }
    }

    public static string Key(string id) => id.TrimEnd('/').ToLowerInvariant();

    // ---- helpers (callers hold the lock where noted) ----

    /// <summary>Stores the resource; the caller holds the lock.</summary>
    private Entry Commit(string id, JsonObject resource, ScaleSetInstance[] instances)
    {
        var sku = ArmJson.ObjectProperty(resource, "sku");
        var entry = new Entry(
            id,
            ArmJson.Serialize(resource),
            ArmJson.StringProperty(resource, "etag")!,
            ArmJson.StringProperty(resource, "name") ?? string.Empty,
            ArmJson.StringProperty(resource, "location"),
            ArmJson.StringProperty(sku, "name"),
            ArmJson.StringProperty(sku, "tier"),
            instances)
        {
            ProvisioningState = ArmJson.StringProperty(ArmJson.ObjectProperty(resource, "properties"), "provisioningState"),
        };
        var key = Key(id);
        if (!_entries.ContainsKey(key))
        {
            _sortedKeys = null;
        }

        _entries[key] = entry;
        return entry;
    }

    /// <summary>The caller holds the lock.</summary>
    private string[] SortedKeys()
    {
        if (_sortedKeys is null)
        {
            _sortedKeys = _entries.Keys.ToArray();
            Array.Sort(_sortedKeys, StringComparer.Ordinal);
        }

        return _sortedKeys;
    }

    private string NextETag() => $"\"{Interlocked.Increment(ref _lastETag).ToString(CultureInfo.InvariantCulture)}\"";

    private static int LowerBound(string[] keys, string value)
    {
        var index = Array.BinarySearch(keys, value, StringComparer.Ordinal);
        return index >= 0 ? index : ~index;
    }

    private static int UpperBound(string[] keys, string value)
    {
        var index = Array.BinarySearch(keys, value, StringComparer.Ordinal);
        return index >= 0 ? index + 1 : ~index;
    }

    private static JsonNode? VirtualMachineProfile(JsonObject resource) =>
        ArmJson.Property(ArmJson.ObjectProperty(resource, "properties"), "virtualMachineProfile");

    private static long? Capacity(JsonObject resource) => ArmJson.Int64Property(ArmJson.ObjectProperty(resource, "sku"), "capacity");

    private static bool SameLocation(string a, string b) =>
        string.Equals(a.Replace(" ", string.Empty, StringComparison.Ordinal), b.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    /// <summary>The body with ARM's identity first (name, id, type) and the client's id/name/type/etag dropped.</summary>
    private static JsonObject WithIdentity(JsonObject body, string id, string name)
    {
        var resource = new JsonObject
        {
            ["name"] = name,
            ["id"] = id,
            ["type"] = ArmRoute.ScaleSetResourceType,
        };
        foreach (var (property, value) in body.ToList())
        {
            if (property.Equals("id", StringComparison.OrdinalIgnoreCase) || property.Equals("name", StringComparison.OrdinalIgnoreCase)
                || property.Equals("type", StringComparison.OrdinalIgnoreCase) || property.Equals("etag", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            body.Remove(property);
            resource[property] = value;
        }

        return resource;
    }

    private static void RestoreReadOnly(JsonObject properties, JsonObject? oldProperties, string name)
    {
        var old = ArmJson.Property(oldProperties, name);
        if (old is null)
        {
            if (JsonMergePatch.FindPropertyName(properties, name) is { } patched)
            {
                properties.Remove(patched);
            }
        }
        else
        {
            ArmJson.Set(properties, name, old.DeepClone());
        }
    }

    /// <summary>The instances after a write of <paramref name="old"/> into <paramref name="resource"/>; records the disruptions. The caller holds the lock.</summary>
    private ScaleSetInstance[] AfterWrite(Entry existing, JsonObject old, JsonObject resource)
    {
        var modelChanged = !JsonNode.DeepEquals(VirtualMachineProfile(old), VirtualMachineProfile(resource));
        var outcome = InstanceLifecycle.AfterWrite(existing.Instances, modelChanged, Capacity(resource), InstanceLifecycle.ModelOf(resource));
        RecordDisruptions(existing.Id, outcome.Disruptions);
        return outcome.Instances;
    }

    /// <summary>The caller holds the lock.</summary>
    private void RecordDisruptions(string id, IReadOnlyList<(int Instances, string Cause, int NodesDown)> disruptions)
    {
        var now = _time.GetUtcNow();
        _disruptions.AddRange(disruptions.Select(d => new Disruption(id, now, d.Instances, d.Cause, d.NodesDown)));
    }
}
