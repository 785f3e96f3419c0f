using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using AnFunctions.Emulator.Server;
using AnFunctions.HostProtocol.Tests.World;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>The HTTPS front end of the ARM emulator and its managed-identity endpoint, called over real sockets.</summary>
[Trait("Category", "HostProtocol")]
public sealed class ArmEmulatorServerTests
{
    private const string Subscription = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e";
    private const string ClientId = "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a";

    [Fact]
    public async Task Arm_CallerTrustingOnlyTheServerCertificate_GetsTheScaleSet()
    {
        var (emulator, id) = EmulatorWithScaleSets(1);
        await using var server = await ArmEmulatorServer.StartAsync(emulator);
        using var client = ClientTrusting(server);

        using var response = await client.GetAsync(new Uri(server.BaseUri, id + "?api-version=2024-11-01"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(1, emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(Uri.UriSchemeHttps, server.BaseUri.Scheme);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(server.CertificatePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arm_ListOverSeveralPages_NextLinkLeadsBackToTheServer()
    {
        var (emulator, _) = EmulatorWithScaleSets(3);
        emulator.PageSize = 2;
        await using var server = await ArmEmulatorServer.StartAsync(emulator);
        using var client = ClientTrusting(server);

        var first = JsonNode.Parse(await client.GetStringAsync(new Uri(server.BaseUri, $"subscriptions/{Subscription}/providers/Microsoft.Compute/virtualMachineScaleSets?api-version=2024-11-01")))!;
        var nextLink = first["nextLink"]!.GetValue<string>();
        var second = JsonNode.Parse(await client.GetStringAsync(new Uri(nextLink)))!;

        Assert.StartsWith(server.BaseUri.ToString(), nextLink, StringComparison.Ordinal);
        Assert.Equal(2, first["value"]!.AsArray().Count);
        Assert.Single(second["value"]!.AsArray());
    }

    [Fact]
    public async Task Arm_RequireIssuedTokenWithoutIt_Answers401AndRecordsTheRefusal()
    {
        var (emulator, id) = EmulatorWithScaleSets(1);
        await using var server = await ArmEmulatorServer.StartAsync(emulator, new ArmEmulatorServerOptions { RequireIssuedToken = true });
        using var client = ClientTrusting(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, id + "?api-version=2024-11-01"));
        request.Headers.Authorization = new("Bearer", "some-other-token");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("AuthenticationFailed", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Equal($"GET {id}", Assert.Single(server.RefusedRequests));
        Assert.Equal(0, emulator.TotalCalls);
    }

    [Fact]
    public async Task Identity_TokenRequestForTheAssignedIdentity_IssuesTheTokenArmAccepts()
    {
        var (emulator, id) = EmulatorWithScaleSets(1);
        await using var server = await ArmEmulatorServer.StartAsync(emulator, new ArmEmulatorServerOptions { RequireIssuedToken = true, ManagedIdentityClientId = ClientId });
        using var client = ClientTrusting(server);

        using var tokenResponse = await client.SendAsync(TokenRequest(server, server.IdentityHeader, ClientId));
        var token = JsonNode.Parse(await tokenResponse.Content.ReadAsStringAsync())!;
        using var armRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, id + "?api-version=2024-11-01"));
        armRequest.Headers.Authorization = new("Bearer", token["access_token"]!.GetValue<string>());
        using var armResponse = await client.SendAsync(armRequest);

        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.Equal(server.AccessToken, token["access_token"]!.GetValue<string>());
        Assert.Equal("Bearer", token["token_type"]!.GetValue<string>());
        Assert.Equal(ClientId, token["client_id"]!.GetValue<string>());
        Assert.True(long.Parse(token["expires_on"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.OK, armResponse.StatusCode);
        var recorded = Assert.Single(server.TokenRequests);
        Assert.True(recorded.HeaderValid);
        Assert.Equal("https://management.azure.com/", recorded.Resource);
    }

    [Theory]
    [InlineData("wrong-header", ClientId, HttpStatusCode.Unauthorized)]
    [InlineData(null, "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d", HttpStatusCode.BadRequest)]
    public async Task Identity_WrongHeaderOrAnotherIdentity_IsRefused(string? header, string clientId, HttpStatusCode expected)
    {
        await using var server = await ArmEmulatorServer.StartAsync(new ArmEmulator(), new ArmEmulatorServerOptions { ManagedIdentityClientId = ClientId });
        using var client = ClientTrusting(server);

        using var response = await client.SendAsync(TokenRequest(server, header ?? server.IdentityHeader, clientId));

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain(server.AccessToken, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arm_DroppedConnectionFault_TheCallerSeesTheConnectionEnd()
    {
        var (emulator, id) = EmulatorWithScaleSets(1);
        emulator.AddFault(new FaultRule { Kind = ArmCallKind.GetScaleSet, DropConnection = true, Times = 1 });
        await using var server = await ArmEmulatorServer.StartAsync(emulator);
        using var client = ClientTrusting(server);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(server.BaseUri, id + "?api-version=2024-11-01")));
        using var retried = await client.GetAsync(new Uri(server.BaseUri, id + "?api-version=2024-11-01"));

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task DisposeAsync_Always_RemovesTheCertificateFile()
    {
        var server = await ArmEmulatorServer.StartAsync(new ArmEmulator());
        var path = server.CertificatePath;
        Assert.True(File.Exists(path));

        await server.DisposeAsync();

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ScenarioSeed_ScenarioFile_SeedsItsSkusAndScaleSets()
    {
        var emulator = new ArmEmulator();

        var (skus, scaleSets) = ScenarioSeed.Load(emulator, Path.Combine(Azurite.RepositoryRoot(), "scenarios", "new-pool-gets-an.json"));

        Assert.True(skus > 0);
        Assert.Equal(emulator.Skus.Count, skus);
        Assert.Equal(emulator.ScaleSetCount, scaleSets);
        Assert.True(scaleSets > 0);
    }

    [Theory]
    [InlineData("""{"scaleSets": [{"name": "no-id"}]}""", "scaleSets[0].id")]
    [InlineData("""{"skus": {}}""", "skus must be an array")]
    [InlineData("""[1]""", "a scenario is a JSON object")]
    [InlineData("""{"skus": [}""", "not valid JSON")]
    public void ScenarioSeed_BadFile_NamesTheFileAndTheField(string json, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"scenario-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => ScenarioSeed.Load(new ArmEmulator(), path));

            Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (ArmEmulator Emulator, string FirstId) EmulatorWithScaleSets(int count)
    {
        var emulator = new ArmEmulator();
        var ids = Enumerable.Range(0, count)
            .Select(i => emulator.PutScaleSet(World.Arm.ScaleSet(Subscription, $"pool-{i}", World.Arm.AnSize, DateTimeOffset.UtcNow, acceleratedNetworking: false))["id"]!.GetValue<string>())
            .ToList();
        return (emulator, ids[0]);
    }

    /// <summary>A client that trusts the server's certificate as its only root, as a process with <c>SSL_CERT_FILE</c> on it does.</summary>
    private static HttpClient ClientTrusting(ArmEmulatorServer server)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(server.CertificatePath));
        return new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = { CertificateChainPolicy = policy },
        });
    }

    private static HttpRequestMessage TokenRequest(ArmEmulatorServer server, string header, string clientId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri($"{server.IdentityEndpoint}?api-version=2019-08-01&resource={Uri.EscapeDataString("https://management.azure.com/")}&client_id={clientId}"));
        request.Headers.Add("X-IDENTITY-HEADER", header);
        return request;
    }
}
