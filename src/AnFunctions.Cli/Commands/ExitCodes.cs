namespace AnFunctions.Cli.Commands;

/// <summary>Exit codes scripts can trust.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int FindingsAtOrAbove = 1;
    public const int Usage = 2;
    public const int AzureError = 3;
}
