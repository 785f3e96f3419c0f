using System.Globalization;
using System.Runtime.InteropServices;
using AnFunctions.Emulator;
using AnFunctions.Emulator.Server;

// dotnet run --project src/AnFunctions.Emulator.Server -- [--scenario <file>] [--port N] [--identity-port N]
//   [--require-token] [--client-id <guid>] [--no-throttling]
// Serves the ARM emulator over HTTPS until Ctrl+C, seeded with a scenario's skus and scaleSets. It throttles as ARM
// does (token buckets per caller) unless --no-throttling.
const string Usage = "usage: AnFunctions.Emulator.Server [--scenario <file>] [--port N] [--identity-port N] [--require-token] [--client-id <guid>] [--no-throttling]";

string? scenario = null;
int port = 0, identityPort = 0;
var requireToken = false;
var throttling = true;
string? clientId = null;
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    int PortValue()
    {
        var name = args[i];
        return int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 65535
            ? value
            : throw new ArgumentException($"{name} must be a port number (0-65535)");
    }

    try
    {
        switch (args[i])
        {
            case "--scenario": scenario = Value(); break;
            case "--port": port = PortValue(); break;
            case "--identity-port": identityPort = PortValue(); break;
            case "--require-token": requireToken = true; break;
            case "--client-id": clientId = Value(); break;
            case "--no-throttling": throttling = false; break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}

var emulator = new ArmEmulator { Throttling = throttling ? ArmThrottling.AsArmDocuments : ArmThrottling.Off };
if (scenario is not null)
{
    try
    {
        var (skus, scaleSets) = ScenarioSeed.Load(emulator, scenario);
        Console.Error.WriteLine($"seeded {skus} SKUs and {scaleSets} scale sets from {scenario}");
    }
    catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

await using var server = await ArmEmulatorServer.StartAsync(emulator, new ArmEmulatorServerOptions
{
    Port = port,
    IdentityPort = identityPort,
    RequireIssuedToken = requireToken,
    ManagedIdentityClientId = clientId,
});

// Standard output: the settings to give an app, one per line.
Console.WriteLine($"Arm__Endpoint={server.BaseUri}");
Console.WriteLine($"SSL_CERT_FILE={server.CertificatePath}");
Console.WriteLine($"IDENTITY_ENDPOINT={server.IdentityEndpoint}");
Console.WriteLine($"IDENTITY_HEADER={server.IdentityHeader}");
Console.Error.WriteLine("serving the ARM emulator; Ctrl+C stops it");

using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

// Ctrl+C and SIGTERM end the wait below, so that the server is disposed (and its temporary certificate removed).
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Stopped.
}

return 0;
