using AnFunctions.Core.Decisions;
using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AnFunctions.Benchmarks;

/// <summary>
/// A short job (2 warm-up and 5 measured iterations) run in process: the suite finishes in a couple of minutes on a
/// shared 2-core machine, and no second project has to be generated, restored and built offline.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig() =>
        AddJob(Job.Default
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("short-inproc"));
}

/// <summary>
/// One creation event end to end through <see cref="EventDeliveryProcessor"/> (parse, duplicate check, GET through
/// the Azure SDK, SKU catalog from the cache, decision, PATCH, state), one duplicate delivery, and the pure decision
/// for comparison. ARM latency is 0: the figures are the app's own cost.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class EventBenchmarks : IDisposable
{
    /// <summary>Fresh pools per iteration of the creation benchmark (each invocation handles this many events).</summary>
    public const int PoolsPerInvocation = 512;

    private BenchApp? _app;
    private string[] _creations = [];
    private string _duplicate = string.Empty;
    private DecisionInput? _decision;
    private int _nextPool;

    private BenchApp App => _app ?? throw new InvalidOperationException("GlobalSetup has not run");

    [GlobalSetup]
    public void GlobalSetup()
    {
        _app = BenchApp.Create();
        _app.Emulator.SetSkus(BenchFleet.Skus());
        var now = DateTimeOffset.UtcNow;

        // One creation per subscription and region first: the SKU lists are read once and then cached (amortised),
        // as in a running app. Its event then serves as the duplicate.
        for (var i = 0; i < BenchFleet.Subscriptions.Length * BenchFleet.Regions.Length; i++)
        {
            _app.Emulator.PutScaleSet(BenchFleet.ScaleSet(_nextPool, now));
            _duplicate = BenchFleet.CreationEvent(_nextPool++, now);
            _app.Processor.ProcessAsync(_duplicate, CancellationToken.None).GetAwaiter().GetResult();
        }

        var snapshot = new ScaleSetSnapshot
        {
            Id = ScaleSetId.Parse(BenchFleet.Id(0)),
            Location = BenchFleet.Region(0),
            SkuName = BenchFleet.Size,
            VmSizes = [BenchFleet.Size],
            Capacity = 3,
            TimeCreated = now.AddMinutes(-1),
            NetworkInterfaces = [new("pool000000-nic0", true, false), new("pool000000-nic1", false, false)],
            ProvisioningState = "Succeeded",
            ETag = "\"1\"",
            RawNetworkInterfaceConfigurations =
                BenchFleet.ScaleSet(0, now)["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.ToJsonString(),
        };
        var catalog = new VmSizeCatalog(BenchFleet.Subscription(0), BenchFleet.Region(0), now, [new VmSizeCapability(BenchFleet.Size, true, true)]);
        var policy = new DecisionPolicy(TimeSpan.FromMinutes(30), "an-automation", Mode: Core.Decisions.RunMode.Apply, IsInScope: _ => true);
        _decision = new DecisionInput(snapshot, Record: null, AcceleratedNetworkingSupport.Evaluate(snapshot, catalog), policy, now);
    }

    /// <summary>Seeds the next pools outside the measurement: every creation event is about a pool never seen before.</summary>
    [IterationSetup(Target = nameof(CreationEvent))]
    public void SeedFreshPools()
    {
        var now = DateTimeOffset.UtcNow;
        _creations = new string[PoolsPerInvocation];
        for (var i = 0; i < PoolsPerInvocation; i++)
        {
            App.Emulator.PutScaleSet(BenchFleet.ScaleSet(_nextPool, now));
            _creations[i] = BenchFleet.CreationEvent(_nextPool++, now);
        }

        // Recorded writes are never dropped by the emulator; keep the heap the same from iteration to iteration.
        App.Emulator.ResetInstrumentation();
    }

    [Benchmark(Description = "Creation event, new pool (GET + PATCH)", OperationsPerInvoke = PoolsPerInvocation)]
    public async Task CreationEvent()
    {
        foreach (var payload in _creations)
        {
            await App.Processor.ProcessAsync(payload, CancellationToken.None).ConfigureAwait(false);
        }
    }

    [Benchmark(Description = "Duplicate delivery (no ARM call)")]
    public Task<DeliveryResult> DuplicateDelivery() => App.Processor.ProcessAsync(_duplicate, CancellationToken.None);

    [Benchmark(Description = "NewPoolDecider.Decide (pure, builds the PATCH)")]
    public PoolDecision Decide() => NewPoolDecider.Decide(_decision!);

    [GlobalCleanup]
    public void GlobalCleanup() => Dispose();

    public void Dispose()
    {
        _app?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _app = null;
        GC.SuppressFinalize(this);
    }
}
