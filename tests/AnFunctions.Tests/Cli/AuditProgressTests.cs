using AnFunctions.Cli;
using AnFunctions.Cli.Progress;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using Spectre.Console.Testing;

namespace AnFunctions.Tests.Cli;

/// <summary>
/// <c>an audit</c>'s progress per subscription on standard error: plain lines, one per subscription as the audit
/// finishes it, when standard error is redirected; a live Spectre display on a terminal.
/// </summary>
public sealed class AuditProgressTests
{
    private const string Subscription = "6d3f8b21-4c7a-4e19-a2b5-0f9e8d7c6b5a";
    private const string Other = "a1b2c3d4-e5f6-4789-8abc-def012345678";

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static ScaleSetSnapshot Snapshot(string subscription, string resourceGroup, string name) => new()
    {
        Id = ScaleSetId.Parse($"/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}"),
        Location = "westeurope",
        SkuName = "Standard_D4s_v5",
        VmSizes = ["Standard_D4s_v5"],
        NetworkInterfaces = [],
    };

    private static async IAsyncEnumerable<ScaleSetListItem> Listing(IEnumerable<ScaleSetSnapshot> items, Exception? thenFail = null)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return ScaleSetListItem.Read(item);
        }

        if (thenFail is not null)
        {
            throw thenFail;
        }
    }

    [Theory]
    [InlineData(new string[0], "5 pool(s) audited")]
    [InlineData(new[] { "--resource-group", "k8s-dev-neu" }, "0 pool(s) audited")]
    public async Task Audit_StandardErrorRedirected_WritesOnePlainLinePerSubscriptionWithItsPools(string[] extra, string expected)
    {
        var (exit, stdout, stderr) = await RunAsync(["audit", "--emulator", Path.Combine(RepoPaths.Scenarios, "pools-left-alone.json"), "--dry-run", "--output", "json", .. extra]);

        Assert.True(exit == 0, stderr);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal($"{Subscription}: {expected}", Assert.Single(lines, l => l.StartsWith(Subscription, StringComparison.Ordinal)));
        Assert.DoesNotContain('\u001b', stderr);
        Assert.StartsWith("{", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_SubscriptionListedToTheEnd_WritesItsLineThenAndNotBefore()
    {
        using var error = new StringWriter();
        var inner = Substitute.For<IScaleSetClient>();
        inner.ListAsync(Subscription, Arg.Any<CancellationToken>())
            .Returns(Listing([Snapshot(Subscription, "rg-a", "one"), Snapshot(Subscription, "rg-b", "two")]));
        var client = new ProgressScaleSetClient(inner, new PlainAuditProgress(error), resourceGroup: null);

        await using var listing = client.ListAsync(Subscription, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await listing.MoveNextAsync());
        Assert.True(await listing.MoveNextAsync());
        Assert.Equal(string.Empty, error.ToString());
        Assert.False(await listing.MoveNextAsync());

        Assert.Equal($"  {Subscription}: 2 pool(s) audited{Environment.NewLine}", error.ToString());
    }

    [Fact]
    public async Task ListAsync_ListingFails_WritesTheFailureWithThePoolsDoneAndRethrows()
    {
        using var error = new StringWriter();
        var inner = Substitute.For<IScaleSetClient>();
        inner.ListAsync(Other, Arg.Any<CancellationToken>())
            .Returns(Listing([Snapshot(Other, "rg-a", "one")], new ArmRequestException(429, "TooManyRequests", "throttled")));
        var client = new ProgressScaleSetClient(inner, new PlainAuditProgress(error), resourceGroup: null);

        await Assert.ThrowsAsync<ArmRequestException>(async () =>
        {
            await foreach (var _ in client.ListAsync(Other, CancellationToken.None))
            {
            }
        });

        Assert.Equal($"  {Other}: failed after 1 pool(s): throttled{Environment.NewLine}", error.ToString());
    }

    [Fact]
    public async Task ListAsync_ResourceGroupGiven_CountsOnlyItsPools()
    {
        using var error = new StringWriter();
        var inner = Substitute.For<IScaleSetClient>();
        inner.ListAsync(Subscription, Arg.Any<CancellationToken>())
            .Returns(Listing([Snapshot(Subscription, "rg-a", "one"), Snapshot(Subscription, "RG-B", "two"), Snapshot(Subscription, "rg-b", "three")]));
        var client = new ProgressScaleSetClient(inner, new PlainAuditProgress(error), resourceGroup: "rg-b");

        var listed = 0;
        await foreach (var _ in client.ListAsync(Subscription, CancellationToken.None))
        {
            listed++;
        }

        Assert.Equal(3, listed);
        Assert.Equal($"  {Subscription}: 2 pool(s) audited{Environment.NewLine}", error.ToString());
    }

    [Fact]
    public async Task Live_Terminal_DrawsALineForEachSubscriptionWithItsResult()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences().Width(200);
        var progress = new LiveAuditProgress(console);

        var result = await progress.RunAsync(async () =>
        {
            progress.Started(Subscription);
            progress.Started(Other);
            progress.Audited(Subscription, 1);
            await Task.Yield();
            progress.Finished(Subscription, 3, null);
            progress.Finished(Other, 0, "throttled [429]");
            return 42;
        });

        Assert.Equal(42, result);
        Assert.Contains($"{Subscription}: 3 pool(s) audited", console.Output, StringComparison.Ordinal);
        Assert.Contains($"{Other}: failed after 0 pool(s): throttled [429]", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void For_StandardErrorRedirected_IsPlain()
    {
        using var error = new StringWriter();

        Assert.IsType<PlainAuditProgress>(AuditProgress.For(new CliContext(TextWriter.Null, error, NullLoggerFactory.Instance, ErrorIsTerminal: false)));
    }
}
