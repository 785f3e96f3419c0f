using System.Security.Cryptography.X509Certificates;

namespace AnFunctions.Emulator.Server;

/// <summary>How <see cref="ArmEmulatorServer"/> listens and what it demands of its callers.</summary>
public sealed class ArmEmulatorServerOptions
{
    /// <summary>The HTTPS port of the ARM endpoint on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The plain HTTP port of the managed-identity token endpoint on 127.0.0.1; 0 picks a free one.</summary>
    public int IdentityPort { get; init; }

    /// <summary>
    /// When true, every ARM request must carry <c>Authorization: Bearer</c> with the token the identity endpoint
    /// issued (<see cref="ArmEmulatorServer.AccessToken"/>); others get ARM's 401 <c>AuthenticationFailed</c>. Proves
    /// that a caller used the managed-identity credential. Off by default, so that any credential works.
    /// </summary>
    public bool RequireIssuedToken { get; init; }

    /// <summary>
    /// When set, a token request must name this user-assigned identity (<c>client_id</c>), as App Service answers
    /// only for identities assigned to the app; other requests get 400.
    /// </summary>
    public string? ManagedIdentityClientId { get; init; }

    /// <summary>The server certificate (with its private key); null makes a self-signed one for 127.0.0.1 and localhost.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>How long issued tokens say they are valid.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(24);
}
