using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Emulator.Server;

/// <summary>
/// Serves an <see cref="ArmEmulator"/> over real HTTPS on 127.0.0.1 (every request forwarded to
/// <see cref="ArmEmulator.CreateHandler"/>, so counts, faults and recorded writes are the emulator's), beside an App
/// Service style managed-identity endpoint on plain HTTP (<c>IDENTITY_ENDPOINT</c> + <c>IDENTITY_HEADER</c>) that
/// issues a dummy token. A separate process trusts the server through <see cref="CertificatePath"/>
/// (<c>SSL_CERT_FILE</c>); <see cref="EnvironmentFor"/> gives the variables an app needs to use both.
/// </summary>
public sealed class ArmEmulatorServer : IAsyncDisposable
{
    /// <summary>The token endpoint's path (App Service's own).</summary>
    public const string IdentityPath = "/msi/token";

    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _arm;
    private readonly ArmEmulatorServerOptions _options;
    private readonly Lock _gate = new();
    private readonly List<TokenRequest> _tokenRequests = [];
    private readonly List<string> _refused = [];
    private readonly string _directory;
    private int _disposed;

    private ArmEmulatorServer(ArmEmulator emulator, ArmEmulatorServerOptions options, X509Certificate2 certificate, bool ownsCertificate, string directory)
    {
        Emulator = emulator;
        _options = options;
        Certificate = certificate;
        OwnsCertificate = ownsCertificate;
        _directory = directory;
        CertificatePath = Path.Combine(directory, "arm-emulator.pem");
        File.WriteAllText(CertificatePath, SelfSignedCertificate.ToPem(certificate));
        IdentityHeader = RandomToken("identity-header-");
        AccessToken = RandomToken("emulator-token-");
        _arm = new HttpMessageInvoker(emulator.CreateHandler(), disposeHandler: true);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
            kestrel.Listen(IPAddress.Loopback, options.IdentityPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        _app = builder.Build();
        _app.Run(ServeAsync);
    }

    public ArmEmulator Emulator { get; }

    /// <summary>The ARM endpoint: <c>https://127.0.0.1:{port}/</c> (give it to the app as <c>Arm:Endpoint</c>).</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The managed-identity endpoint: <c>http://127.0.0.1:{port}/msi/token</c> (<c>IDENTITY_ENDPOINT</c>).</summary>
    public Uri IdentityEndpoint { get; private set; } = null!;

    /// <summary>The secret a token request must carry in <c>X-IDENTITY-HEADER</c> (<c>IDENTITY_HEADER</c>).</summary>
    public string IdentityHeader { get; }

    /// <summary>The access token the identity endpoint issues.</summary>
    public string AccessToken { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>A PEM file holding the server certificate: point <c>SSL_CERT_FILE</c> at it to trust the server.</summary>
    public string CertificatePath { get; }

    private bool OwnsCertificate { get; }

    /// <summary>Token requests received, in order (valid or not).</summary>
    public IReadOnlyList<TokenRequest> TokenRequests
    {
        get
        {
            lock (_gate)
            {
                return _tokenRequests.ToArray();
            }
        }
    }

    /// <summary>ARM requests refused for want of the issued token (<see cref="ArmEmulatorServerOptions.RequireIssuedToken"/>): method and path.</summary>
    public IReadOnlyList<string> RefusedRequests
    {
        get
        {
            lock (_gate)
            {
                return _refused.ToArray();
            }
        }
    }

    /// <summary>Starts the server; the ports are bound when this returns.</summary>
    public static async Task<ArmEmulatorServer> StartAsync(ArmEmulator emulator, ArmEmulatorServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        options ??= new ArmEmulatorServerOptions();
        var directory = Directory.CreateTempSubdirectory("arm-emulator-").FullName;
        var certificate = options.Certificate ?? SelfSignedCertificate.Create();
        var server = new ArmEmulatorServer(emulator, options, certificate, ownsCertificate: options.Certificate is null, directory);
        try
        {
            await server._app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
                .Select(a => new Uri(a))
                .ToList();
            server.BaseUri = new Uri($"https://127.0.0.1:{addresses.Single(a => a.Scheme == Uri.UriSchemeHttps).Port}/");
            server.IdentityEndpoint = new Uri($"http://127.0.0.1:{addresses.Single(a => a.Scheme == Uri.UriSchemeHttp).Port}{IdentityPath}");
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The environment an app process needs to reach this server as it would reach Azure: <c>SSL_CERT_FILE</c>,
    /// <c>IDENTITY_ENDPOINT</c>, <c>IDENTITY_HEADER</c> and the app setting <c>Arm__Endpoint</c>.
    /// </summary>
    /// <remarks><c>SSL_CERT_FILE</c> replaces the process's trusted roots (OpenSSL): it then trusts this server only.</remarks>
    public IReadOnlyDictionary<string, string> EnvironmentFor() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SSL_CERT_FILE"] = CertificatePath,
        ["IDENTITY_ENDPOINT"] = IdentityEndpoint.ToString(),
        ["IDENTITY_HEADER"] = IdentityHeader,
        ["Arm__Endpoint"] = BaseUri.ToString(),
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Never started.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _arm.Dispose();
        if (OwnsCertificate)
        {
            Certificate.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private Task ServeAsync(HttpContext context) =>
        context.Request.IsHttps ? ForwardToArmAsync(context) : IssueTokenAsync(context);

    // ---------------------------------------------------------------- ARM

    private async Task ForwardToArmAsync(HttpContext context)
    {
        var incoming = context.Request;
        if (_options.RequireIssuedToken && !string.Equals(incoming.Headers.Authorization.ToString(), "Bearer " + AccessToken, StringComparison.Ordinal))
        {
            lock (_gate)
            {
                _refused.Add($"{incoming.Method} {incoming.Path}");
            }

            await WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new
            {
                error = new { code = "AuthenticationFailed", message = "Authentication failed. The 'Authorization' header is missing or does not carry the token the managed-identity endpoint issued." },
            }).ConfigureAwait(false);
            return;
        }

        // The absolute URL the caller used, so that nextLink and operation URLs lead back to this server.
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(incoming.GetEncodedUrl()));
        if (incoming.ContentLength is > 0 || incoming.Headers.TransferEncoding.Count > 0)
        {
            using var buffer = new MemoryStream();
            await incoming.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            request.Content = new ByteArrayContent(buffer.ToArray());
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (name.StartsWith(':') || name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _arm.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The emulator dropped the connection (a scripted fault): so does the server.
            context.Abort();
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                context.Response.Headers[name] = values.ToArray();
            }

            var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- managed identity

    /// <summary>
    /// App Service's managed-identity protocol (api-version 2019-08-01): <c>GET {IDENTITY_ENDPOINT}?resource=...</c>
    /// with <c>X-IDENTITY-HEADER</c>; a user-assigned identity is named by <c>client_id</c>.
    /// </summary>
    private async Task IssueTokenAsync(HttpContext context)
    {
        var request = context.Request;
        var resource = request.Query["resource"].ToString();
        var clientId = request.Query["client_id"].ToString();
        var header = request.Headers["X-IDENTITY-HEADER"].ToString();
        var record = new TokenRequest(request.Method, request.Path, request.Query["api-version"].ToString(), resource,
            clientId.Length == 0 ? null : clientId, header == IdentityHeader);
        lock (_gate)
        {
            _tokenRequests.Add(record);
        }

        if (!HttpMethods.IsGet(request.Method) || request.Path != IdentityPath)
        {
            await WriteJsonAsync(context, StatusCodes.Status404NotFound, new { error = "not_found", error_description = $"Only GET {IdentityPath} is served here." }).ConfigureAwait(false);
            return;
        }

        if (!record.HeaderValid)
        {
            await WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new { error = "unauthorized", error_description = "X-IDENTITY-HEADER is missing or wrong." }).ConfigureAwait(false);
            return;
        }

        if (resource.Length == 0)
        {
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest, new { error = "invalid_request", error_description = "The resource parameter is required." }).ConfigureAwait(false);
            return;
        }

        if (_options.ManagedIdentityClientId is { } expected && !string.Equals(expected, clientId, StringComparison.OrdinalIgnoreCase))
        {
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest, new
            {
                error = "invalid_request",
                error_description = $"No user-assigned identity with client_id '{clientId}' is assigned to this app.",
            }).ConfigureAwait(false);
            return;
        }

        var expiresOn = DateTimeOffset.UtcNow.Add(_options.TokenLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await WriteJsonAsync(context, StatusCodes.Status200OK, new Dictionary<string, string>
        {
            ["access_token"] = AccessToken,
            ["expires_on"] = expiresOn,
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = clientId.Length == 0 ? _options.ManagedIdentityClientId ?? "00000000-0000-0000-0000-000000000000" : clientId,
        }).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted).ConfigureAwait(false);
    }

    private static string RandomToken(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

/// <summary>One request to the managed-identity endpoint.</summary>
/// <param name="HeaderValid">True when it carried the right <c>X-IDENTITY-HEADER</c>.</param>
public sealed record TokenRequest(string Method, string Path, string ApiVersion, string Resource, string? ClientId, bool HeaderValid);
