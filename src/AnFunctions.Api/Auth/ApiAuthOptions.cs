namespace AnFunctions.Api.Auth;

/// <summary>
/// Section <c>Auth</c>: whether the HTTP API checks the caller's app roles. In Azure, App Service authentication
/// (Microsoft Entra ID, configured by infra/) authenticates the caller and passes the principal in
/// <c>X-MS-CLIENT-PRINCIPAL</c>; the app then checks the role each route declares. Off for local runs only
/// (<c>func start</c>, the CLI's simulate): the app says so at start.
/// </summary>
public sealed class ApiAuthOptions
{
    public const string Section = "Auth";

    /// <summary>Check app roles on every HTTP route (default). <c>false</c> answers every caller.</summary>
    public bool Enabled { get; set; } = true;
}
