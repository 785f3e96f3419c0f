using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using AnFunctions.Emulator.Server;
using AnFunctions.HostProtocol.Tests.Host;
using AnFunctions.HostProtocol.Tests.Rpc;
using AnFunctions.HostProtocol.Tests.World;
using Azure.Data.Tables;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>
/// One test's deployment: its own ARM (emulator served over HTTPS, requiring the token of the managed-identity
/// endpoint for the app's user-assigned identity), its own subscription, tables and webhook, and the worker started
/// with the production settings shape (infra/app/api.bicep) pointed at them.
/// </summary>
internal sealed class HostedApp : IAsyncDisposable
{
    /// <summary>The user-assigned identity's client id (AZURE_CLIENT_ID and Arm__ManagedIdentityClientId, as deployed).</summary>
    public const string ClientId = "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d";

    private readonly HostProtocolFixture _fixture;

    private HostedApp(HostProtocolFixture fixture, ArmEmulator emulator, ArmEmulatorServer arm, WebhookReceiver webhook)
    {
        _fixture = fixture;
        Emulator = emulator;
        Arm = arm;
        Webhook = webhook;
        Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // The Functions host storage (deployed: AzureWebJobsStorage__accountName + managed identity; Azurite takes a key).
            ["AzureWebJobsStorage"] = _fixture.Azurite.ConnectionString,
            // The credential: a user-assigned managed identity, through the App Service identity endpoint.
            ["AZURE_CLIENT_ID"] = ClientId,
            ["Arm__ManagedIdentityClientId"] = ClientId,
            ["IDENTITY_ENDPOINT"] = arm.IdentityEndpoint.ToString(),
            ["IDENTITY_HEADER"] = arm.IdentityHeader,
            // ARM: the emulator instead of the public cloud; Arm:Timeout, Arm:MaxRetries, Arm:RetryDelay left at their defaults.
            ["Arm__Endpoint"] = arm.BaseUri.ToString(),
            ["SSL_CERT_FILE"] = arm.CertificatePath,
            // State on Azure Tables (deployed: State__TableServiceUri + identity; Azurite takes a key), tables of this test only.
            ["State__Store"] = "Table",
            ["State__ConnectionString"] = _fixture.Azurite.ConnectionString,
            ["State__TablePrefix"] = TablePrefix,
            // Policy.
            ["AcceleratedNetworking__Subscriptions"] = Subscription,
            ["AcceleratedNetworking__DryRun"] = "false",
            ["Audit__Schedule"] = "0 */30 * * * *",
            // App Service authentication on (deployed with an app registration): the app checks the caller's role.
            ["Auth__Enabled"] = "true",
            // One alert sink (deployed: a Key Vault reference).
            ["Alerts__Webhook__Url"] = webhook.Url.ToString(),
        };
    }

    /// <summary>The header App Service authentication passes for a signed-in operator.</summary>
    public static IReadOnlyDictionary<string, string> Operator { get; } = new Dictionary<string, string>
    {
        ["X-MS-CLIENT-PRINCIPAL"] = Principal("AnFunctions.Operator"),
    };

    /// <summary>The header App Service authentication passes for a signed-in reader.</summary>
    public static IReadOnlyDictionary<string, string> Reader { get; } = new Dictionary<string, string>
    {
        ["X-MS-CLIENT-PRINCIPAL"] = Principal("AnFunctions.Reader"),
    };

    /// <summary>Base64 JSON as App Service writes it for an Entra ID caller with these app roles.</summary>
    public static string Principal(params string[] roles) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(new JsonObject
    {
        ["auth_typ"] = "aad",
        ["name_typ"] = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        ["role_typ"] = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        ["claims"] = new JsonArray(roles
            .Select(r => (JsonNode)new JsonObject { ["typ"] = "roles", ["val"] = r })
            .Prepend(new JsonObject { ["typ"] = "http://schemas.microsoft.com/identity/claims/objectidentifier", ["val"] = "7d2c4e6a-8b0d-4f2a-9c4e-6a8b0d2f4a6c" })
            .ToArray()),
    }.ToJsonString()));

    public ArmEmulator Emulator { get; }

    public ArmEmulatorServer Arm { get; }

    public WebhookReceiver Webhook { get; }

    public string Subscription { get; } = Guid.NewGuid().ToString();

    /// <summary>This test's tables: <c>{prefix}Pools</c>, <c>{prefix}Findings</c>, ...</summary>
    public string TablePrefix { get; } = "hp" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The worker's environment: app settings as <c>Section__Key</c> plus the platform's variables.</summary>
    public Dictionary<string, string?> Settings { get; }

    public HostedWorker Worker => _worker ?? throw new InvalidOperationException("The worker has not been started.");

    private HostedWorker? _worker;

    /// <summary>The outside world of one test, without the worker (see <see cref="StartWorkerAsync"/>).</summary>
    public static async Task<HostedApp> CreateAsync(HostProtocolFixture fixture)
    {
        var emulator = new ArmEmulator();
        emulator.AddSkus(World.Arm.Skus());
        var arm = await ArmEmulatorServer.StartAsync(emulator, new ArmEmulatorServerOptions
        {
            RequireIssuedToken = true,
            ManagedIdentityClientId = ClientId,
        });
        var webhook = await WebhookReceiver.StartAsync();
        return new HostedApp(fixture, emulator, arm, webhook);
    }

    /// <summary>The world and a worker started with <see cref="Settings"/> (after <paramref name="change"/>).</summary>
    public static async Task<HostedApp> StartAsync(HostProtocolFixture fixture, Action<Dictionary<string, string?>>? change = null)
    {
        var app = await CreateAsync(fixture);
        try
        {
            change?.Invoke(app.Settings);
            await app.StartWorkerAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async Task StartWorkerAsync() => _worker = await HostedWorker.StartAsync(_fixture.Host, Settings);

    /// <summary>Seeds a scale set created <paramref name="age"/> ago (default: 5 minutes, a new pool) and returns its id.</summary>
    public string SeedScaleSet(string name, string size = World.Arm.AnSize, bool acceleratedNetworking = false, TimeSpan? age = null)
    {
        var json = World.Arm.ScaleSet(Subscription, name, size, DateTimeOffset.UtcNow - (age ?? TimeSpan.FromMinutes(5)), acceleratedNetworking);
        return Emulator.PutScaleSet(json)["id"]!.GetValue<string>();
    }

    /// <summary>A scale set name no other test uses (tests may share a deployment).</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public bool HasAcceleratedNetworking(string id) => World.Arm.HasAcceleratedNetworking(Emulator.GetScaleSet(id)!);

    /// <summary>The PATCH requests ARM received for <paramref name="id"/>: all, and those it accepted.</summary>
    public (IReadOnlyList<RecordedWrite> All, IReadOnlyList<RecordedWrite> Accepted) Patches(string id)
    {
        var all = Emulator.Writes.Where(w => w.Method == "PATCH" && string.Equals(w.ResourceId, id, StringComparison.OrdinalIgnoreCase)).ToList();
        return (all, all.Where(w => w.Status is >= 200 and < 300).ToList());
    }

    public TableClient Table(string suffix) => new(_fixture.Azurite.ConnectionString, TablePrefix + suffix);

    /// <summary>The pool's record in <c>{prefix}Pools</c> on Azurite, or null.</summary>
    public async Task<TableEntity?> PoolRecordAsync(string id)
    {
        await foreach (var entity in Table("Pools").QueryAsync<TableEntity>(e => e.PartitionKey == Subscription))
        {
            if (string.Equals(entity.GetString("Id"), id, StringComparison.OrdinalIgnoreCase))
            {
                return entity;
            }
        }

        return null;
    }

    /// <summary>The audit runs in <c>{prefix}AuditRuns</c> on Azurite.</summary>
    public async Task<IReadOnlyList<TableEntity>> AuditRunsAsync()
    {
        var runs = new List<TableEntity>();
        await foreach (var entity in Table("AuditRuns").QueryAsync<TableEntity>())
        {
            runs.Add(entity);
        }

        return runs;
    }

    /// <summary>Invokes the Event Grid function with <paramref name="payload"/> as the host passes it.</summary>
    public Task<Invocation> DeliverAsync(JsonNode payload, PayloadEncoding encoding = PayloadEncoding.String)
    {
        var text = payload.ToJsonString();
        return Worker.InvokeAsync("ScaleSetEvents", encoding == PayloadEncoding.Json ? new TypedData { Json = text } : new TypedData { String = text });
    }

    /// <summary>Invokes a timer function as the host does when its schedule fires.</summary>
    public Task<Invocation> FireTimerAsync(string function)
    {
        var now = DateTimeOffset.UtcNow;
        var timer = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = new JsonObject
            {
                ["Last"] = now.AddMinutes(-1).ToString("O"),
                ["Next"] = now.AddMinutes(1).ToString("O"),
                ["LastUpdated"] = now.AddMinutes(-1).ToString("O"),
            },
            ["IsPastDue"] = false,
        };
        return Worker.InvokeAsync(function, new TypedData { Json = timer.ToJsonString() });
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        await Webhook.DisposeAsync();
        await Arm.DisposeAsync();
        foreach (var suffix in new[] { "Pools", "Events", "Decisions", "Rejected", "Findings", "AuditRuns" })
        {
            try
            {
                await Table(suffix).DeleteAsync();
            }
            catch (Azure.RequestFailedException)
            {
                // Azurite gone or the table never made: nothing to clean.
            }
        }
    }
}
