using AnFunctions.Core.Arm;
using AnFunctions.Core.Events;
using AnFunctions.Core.Options;
using AnFunctions.Emulator;
using AnFunctions.Functions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AnFunctions.Tests.Reliability;

/// <summary>
/// Event Grid waits 30 s for a delivery's answer. With the production <c>Arm:*</c> settings (a try of at most
/// <c>Arm:Timeout</c>, <c>Arm:MaxRetries</c> retries, waits honouring Retry-After up to <c>Arm:MaxRetryDelay</c>, the
/// wait for the write's outcome) a delivery must answer within <see cref="ArmBudget.DeliveryLimit"/>. Measured on the
/// virtual clock: every try takes the time the emulator says (<see cref="FaultRule.Takes"/>, never more than the
/// timeout that would cut it), every wait moves the clock, and nothing else takes time.
/// </summary>
public sealed class DeliveryTimeTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static readonly ArmCallKind[] EventPathCalls =
        [ArmCallKind.GetScaleSet, ArmCallKind.ListSkus, ArmCallKind.ListInstances, ArmCallKind.PatchScaleSet, ArmCallKind.PollOperation];

    /// <summary>The app with the production ARM settings (the test fixture's usual "no retries" undone).</summary>
    private static AppUnderTest Production()
    {
        var app = AppUnderTest.Create(now: Now, settings: new Dictionary<string, string?> { ["Arm:MaxRetries"] = new ArmOptions().MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        app.Emulator.SetSkus(Fleet.StandardSkus());
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-slow", "Standard_D4s_v5", Now.AddMinutes(-1)));
        return app;
    }

    private static async Task<(TimeSpan Elapsed, bool Retried)> DeliverAsync(AppUnderTest app)
    {
        var before = app.Time.GetUtcNow();
        try
        {
            await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(Fleet.Id("pool-slow"), "create"), CancellationToken.None);
            return (app.Time.GetUtcNow() - before, false);
        }
        catch (DeliveryRetryException)
        {
            return (app.Time.GetUtcNow() - before, true);
        }
    }

    [Fact]
    public async Task ProductionSettings_AreTheDefaults()
    {
        await using var app = Production();

        var arm = app.Get<IOptions<ArmOptions>>().Value;

        Assert.Equal((TimeSpan.FromSeconds(6), 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)),
            (arm.Timeout, arm.MaxRetries, arm.RetryDelay, arm.MaxRetryDelay, arm.OperationWait));
    }

    public static TheoryData<string, FaultRule[], int, double, bool> Named() => new()
    {
        // name, faults, operation polls in progress, expected seconds, redelivered
        { "every try runs into the timeout and fails", [new FaultRule { Status = 503, Takes = TimeSpan.FromSeconds(6) }], 1, 21, true },
        { "every call throttled, Retry-After 3 s", [new FaultRule { Status = 429, RetryAfter = TimeSpan.FromSeconds(3) }], 1, 6, true },
        { "throttled with a Retry-After longer than Arm:MaxRetryDelay", [new FaultRule { Status = 429, RetryAfter = TimeSpan.FromSeconds(30) }], 1, 0, true },
        { "the read succeeds on its last try, slowly", [new FaultRule { Kind = ArmCallKind.GetScaleSet, Status = 503, Times = 2, Takes = TimeSpan.FromSeconds(6) }, new FaultRule { Takes = TimeSpan.FromSeconds(6) }], 1, 21, true },
        { "every call slow but answered, the write's operation never ends", [new FaultRule { Takes = TimeSpan.FromSeconds(5.9) }], int.MaxValue, 23.6, false },
        { "calls fast, the write's operation never ends", [], int.MaxValue, 8, false },
        { "the write throttled twice, then accepted", [new FaultRule { Kind = ArmCallKind.PatchScaleSet, Status = 429, Times = 2, RetryAfter = TimeSpan.FromSeconds(3) }], 1, 8, false },
    };

    [Theory]
    [MemberData(nameof(Named))]
    public async Task Delivery_NamedWorstCase_AnswersWithinTheDeliveryLimit(string name, FaultRule[] faults, int pollsInProgress, double expectedSeconds, bool redelivered)
    {
        await using var app = Production();
        app.Emulator.OperationPollsInProgress = pollsInProgress;
        app.Emulator.OperationDuration = TimeSpan.FromHours(1);
        foreach (var fault in faults)
        {
            app.Emulator.AddFault(fault);
        }

        var (elapsed, retried) = await DeliverAsync(app);

        output.WriteLine($"{name}: {elapsed.TotalSeconds:0.0} s, {(retried ? "redelivered" : "answered")}, {app.Emulator.TotalCalls} ARM call(s)");
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), elapsed);
        Assert.Equal(redelivered, retried);
        Assert.True(elapsed <= ArmBudget.DeliveryLimit, $"{name}: {elapsed}");
    }

    [Fact]
    public async Task Delivery_400RandomMixesOfSlowFailingThrottledCalls_NeverLongerThanTheDeliveryLimit()
    {
        var worst = TimeSpan.Zero;
        var worstCase = string.Empty;
        var writes = 0;
        var redelivered = 0;
        for (var seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            await using var app = Production();
            app.Emulator.OperationPollsInProgress = random.Next(0, 12);
            app.Emulator.OperationDuration = TimeSpan.FromHours(1);
            var described = new List<string>();
            foreach (var kind in EventPathCalls)
            {
                var failures = random.Next(0, 3);
                var status = new[] { 429, 500, 503 }[random.Next(3)];
                var retryAfter = random.Next(0, 3) == 0 ? (TimeSpan?)null : TimeSpan.FromSeconds(random.Next(0, 6));
                var takes = TimeSpan.FromSeconds(Math.Round(random.NextDouble() * 6, 1));
                if (failures > 0)
                {
                    app.Emulator.AddFault(new FaultRule { Kind = kind, Status = status, Times = failures, RetryAfter = status == 429 ? retryAfter : null, Takes = takes });
                }

                var slow = TimeSpan.FromSeconds(Math.Round(random.NextDouble() * 6, 1));
                app.Emulator.AddFault(new FaultRule { Kind = kind, Takes = slow });
                described.Add($"{kind}: {failures}x{status} {takes.TotalSeconds}s then {slow.TotalSeconds}s");
            }

            var (elapsed, retried) = await DeliverAsync(app);
            writes += app.Emulator.Writes.Count(w => w.Status == 200);
            redelivered += retried ? 1 : 0;
            if (elapsed > worst)
            {
                worst = elapsed;
                worstCase = $"seed {seed}: " + string.Join("; ", described);
            }

            Assert.True(elapsed <= ArmBudget.DeliveryLimit, $"seed {seed}: {elapsed.TotalSeconds} s ({string.Join("; ", described)})");
        }

        output.WriteLine($"400 deliveries: worst {worst.TotalSeconds:0.0} s ({worstCase}); {writes} accepted write(s); {redelivered} redelivered");
        Assert.True(writes > 50, "the mixes must reach the write often enough to measure its path");
        Assert.True(redelivered > 50, "and fail often enough to measure the retries");
    }
}
