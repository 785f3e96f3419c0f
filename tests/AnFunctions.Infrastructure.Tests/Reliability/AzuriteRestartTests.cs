using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Tests.State;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.Reliability;

/// <summary>
/// Table Storage goes away in the middle of a batch and comes back: every delivery that could not finish asks for
/// redelivery, and the redeliveries converge to exactly one AN write per new pool. Runs its own Azurite (on disk, on
/// another port) so that stopping it disturbs no other test.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteRestartTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const int Port = 10012;
    private const string Subscription = "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c";
    private static readonly DateTimeOffset Now = AzuriteApp.Now;
    private readonly string _data = Directory.CreateTempSubdirectory("an-azurite-").FullName;
    private Process? _azurite;

    private static string ConnectionString => AzuriteFixture.UsualConnectionString.Replace("10002", Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public async Task InitializeAsync()
    {
        Assert.NotNull(azurite);
        await StartAsync();
    }

    public Task DisposeAsync()
    {
        Stop();
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task StorageDownMidBatchThenBack_RedeliveriesConvergeToOneWritePerPool()
    {
        var clock = new VirtualClock(Now);
        var emulator = new ArmEmulator(clock) { RequestLogLimit = 0 };
        emulator.SetSkus([AzuriteApp.AnSku()]);
        var ids = Enumerable.Range(0, 20).Select(i => $"/subscriptions/{Subscription}/resourceGroups/k8s/providers/Microsoft.Compute/virtualMachineScaleSets/pool{i:D2}").ToList();
        foreach (var id in ids)
        {
            emulator.PutScaleSet(AzuriteApp.ScaleSet(id));
        }

        await using var app = Instance(emulator, clock);
        var processor = app.GetRequiredService<EventDeliveryProcessor>();
        var pending = new List<string>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (i == 10)
            {
                Stop(); // storage dies in the middle of the batch
            }

            try
            {
                await processor.ProcessAsync(AzuriteApp.WriteEvent(ids[i], $"create-{i}"), CancellationToken.None);
            }
            catch (DeliveryRetryException)
            {
                pending.Add(ids[i]);
            }
        }

        Assert.Equal(10, pending.Count);
        await StartAsync(); // and comes back with what it had

        // Event Grid redelivers everything it did not get an answer for, and (at least once) some it did, until each
        // delivery is answered. (A killed Azurite may also lose its last writes, tables included: the store recreates
        // a vanished table on the next call, after asking for one more redelivery.)
        var attempts = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            for (var attempt = 1; ; attempt++)
            {
                attempts++;
                try
                {
                    await processor.ProcessAsync(AzuriteApp.WriteEvent(ids[i], $"create-{i}"), CancellationToken.None);
                    break;
                }
                catch (DeliveryRetryException) when (attempt < 5)
                {
                }
            }
        }

        Assert.True(attempts <= ids.Count + 5, $"{attempts} deliveries were needed for {ids.Count} events");

        var successful = emulator.Writes.Where(w => w.Status == 200).GroupBy(w => w.ResourceId, StringComparer.OrdinalIgnoreCase).ToList();
        Assert.Equal(ids.Count, successful.Count);
        Assert.All(successful, g => Assert.Single(g));
        var store = app.GetRequiredService<IStateStore>();
        foreach (var id in ids)
        {
            Assert.True((await store.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None))!.AcceleratedNetworking, id);
        }
    }

    [Fact]
    public async Task StorageDownMidAuditThenBack_NextAuditCompletesWithEveryPoolAndNoDuplicateFinding()
    {
        const string other = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
        var clock = new VirtualClock(Now);
        var emulator = new ArmEmulator(clock) { RequestLogLimit = 0 };
        emulator.SetSkus([AzuriteApp.AnSku()]);
        var ids = Enumerable.Range(0, 10)
            .Select(i => $"/subscriptions/{(i % 2 == 0 ? Subscription : other)}/resourceGroups/k8s/providers/Microsoft.Compute/virtualMachineScaleSets/old{i:D2}")
            .ToList();
        foreach (var id in ids)
        {
            emulator.PutScaleSet(AzuriteApp.ScaleSet(id, age: TimeSpan.FromDays(40))); // existing pools, AN off on an AN size: one info finding each
        }

        await using var app = Instance(emulator, clock, new Dictionary<string, string?> { ["Audit:SubscriptionConcurrency"] = "1" });
        var audit = app.GetRequiredService<FleetAudit>();

        // Storage dies when the audit reaches the second subscription.
        var killed = 0;
        emulator.AddFault(new FaultRule
        {
            Kind = ArmCallKind.ListScaleSets,
            When = r =>
            {
                if (r.Path.Contains(other, StringComparison.OrdinalIgnoreCase) && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    Stop();
                }

                return false;
            },
            Status = 500,
        });

        var failed = await Record.ExceptionAsync(() => audit.RunAsync(new AuditRequest("test"), CancellationToken.None));
        Assert.Equal(1, killed);
        Assert.IsType<StateStoreUnavailableException>(failed); // not even the run record could be saved: the timer fails

        await StartAsync();
        clock.Advance(TimeSpan.FromMinutes(30));
        AuditRun? run = null;
        for (var attempt = 0; attempt < 3 && run is not { Status: AuditRunStatus.Completed }; attempt++)
        {
            // A killed Azurite may have lost its tables; the first call after it recreates them.
            try
            {
                run = await audit.RunAsync(new AuditRequest("test"), CancellationToken.None);
            }
            catch (StateStoreUnavailableException)
            {
            }
        }

        Assert.Equal(AuditRunStatus.Completed, run!.Status);
        Assert.Equal(ids.Count, run.PoolsSeen);
        Assert.Empty(emulator.Writes);
        var findings = app.GetRequiredService<IFindingStore>();
        foreach (var id in ids)
        {
            var open = (await findings.ListForPoolAsync(ScaleSetId.Parse(id), CancellationToken.None)).Where(f => f.IsOpen).ToList();
            Assert.Equal(FindingKind.AcceleratedNetworkingAvailableButOff, Assert.Single(open).Kind);
        }
    }

    /// <summary>No client-side retries: a dead storage answers at once, as after the SDK's retries ran out.</summary>
    private static ServiceProvider Instance(ArmEmulator emulator, VirtualClock clock, Dictionary<string, string?>? settings = null)
    {
        var tableOptions = new TableClientOptions();
        tableOptions.Retry.MaxRetries = 0;
        tableOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
        return AzuriteApp.Build(emulator, clock, ConnectionString, tables: new TableServiceClient(ConnectionString, tableOptions), settings: settings);
    }

    private async Task StartAsync()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "AnFunctions.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("repository root not found");
        }

        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     Path.Combine(root, "tools", "azurite", "node_modules", ".bin", "azurite-table"),
                     "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(CultureInfo.InvariantCulture),
                     "--location", _data, "--skipApiVersionCheck", "--loose",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        _azurite = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        _azurite.OutputDataReceived += (_, _) => { };
        _azurite.ErrorDataReceived += (_, _) => { };
        _azurite.BeginOutputReadLine();
        _azurite.BeginErrorReadLine();
        for (var waited = 0; waited < 300; waited++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"a second Azurite did not listen on 127.0.0.1:{Port} within 30 s");
    }

    private void Stop()
    {
        if (_azurite is { HasExited: false })
        {
            _azurite.Kill(entireProcessTree: true);
            _azurite.WaitForExit(10_000);
        }

        _azurite?.Dispose();
        _azurite = null;
    }
}
