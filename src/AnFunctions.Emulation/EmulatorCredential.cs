using Azure.Core;

namespace AnFunctions.Emulation;

/// <summary>
/// The credential of every app and SDK client on the <see cref="Emulator.ArmEmulator"/>: a fixed bearer token that
/// never expires. The emulator accepts any token, so nothing is ever looked up.
/// </summary>
public sealed class EmulatorCredential : TokenCredential
{
    private static readonly AccessToken Token = new("emulator-token", DateTimeOffset.MaxValue);

    public static EmulatorCredential Instance { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => Token;

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(Token);
}
