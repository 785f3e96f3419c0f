using AnFunctions.HostProtocol.Tests.Host;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>A bad app setting stops the worker at start, before it serves anything, with a message naming the key.</summary>
[Collection(HostProtocolCollection.Name)]
[Trait("Category", "HostProtocol")]
public sealed class StartupValidationTests(HostProtocolFixture fixture)
{
    public static TheoryData<string, string, string> BadSettings() => new()
    {
        // app setting, bad value, the key the message must name
        { "Arm__Timeout", "00:00:00", "Arm:Timeout" },
        { "Arm__MaxRetries", "three", "Arm:MaxRetries" },
        { "State__TablePrefix", "1an", "State:TablePrefix" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Worker_BadAppSetting_ExitsAtStartNamingTheKey(string setting, string value, string key)
    {
        await using var app = await HostedApp.CreateAsync(fixture);
        app.Settings[setting] = value;

        var exited = await Assert.ThrowsAsync<WorkerExitedException>(app.StartWorkerAsync);

        Assert.NotEqual(0, exited.ExitCode);
        Assert.Contains(key, exited.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_BadSinkUrl_MessageNeverShowsTheSecretUrl()
    {
        await using var app = await HostedApp.CreateAsync(fixture);
        app.Settings["Alerts__Webhook__Url"] = "http://alerts.example.com/hooks/s3cr3t-path";

        var exited = await Assert.ThrowsAsync<WorkerExitedException>(app.StartWorkerAsync);

        Assert.Contains("Alerts:Webhook:Url", exited.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", exited.Output, StringComparison.Ordinal);
    }
}
