using AnFunctions.Core.Alerts;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Cli.Simulation;

/// <summary>
/// The CLI's app on the emulator (simulate, <c>--emulator</c>): the one emulated composition
/// (<see cref="EmulatedAzure.AddAnFunctionsOnEmulator"/>, validated as the host validates at start) with what a
/// simulation needs on top: the CLI's log output, one subscription audited at a time and a recording alert sink.
/// </summary>
internal static class SimulatedApp
{
    public static ServiceProvider Build(ArmEmulator emulator, TimeProvider time, IReadOnlyDictionary<string, string> settings, ILoggerFactory loggerFactory)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            // One subscription at a time: a scenario's result must not depend on which parallel audit wrote first.
            ["Audit:SubscriptionConcurrency"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddAnFunctionsOnEmulator(emulator, time, values);

        // On-call, in a simulation, is a recorder: no configured sink is ever called.
        services.RemoveAll<IAlertSink>();
        services.RemoveAll<IEnumerable<IAlertSink>>();
        services.AddSingleton<RecordingAlertSink>();
        services.AddSingleton<IAlertSink>(sp => sp.GetRequiredService<RecordingAlertSink>());
        return services.BuildValidated();
    }

    /// <summary>
    /// The failures of a start-up validation (<see cref="StartupValidation.BuildValidated"/>): one options class's
    /// (<see cref="OptionsValidationException"/>) or several (an <see cref="AggregateException"/> of them), or a value
    /// the configuration binder could not convert (its message names the key, the value and the type); null for any
    /// other exception.
    /// </summary>
    public static IReadOnlyList<string>? SettingsFailures(Exception exception) => exception switch
    {
        OptionsValidationException e => e.Failures.ToList(),
        AggregateException { InnerExceptions.Count: > 0 } e when e.InnerExceptions.All(i => i is OptionsValidationException || IsConversionFailure(i)) =>
            e.InnerExceptions.SelectMany(i => i is OptionsValidationException v ? v.Failures : [i.Message]).ToList(),
        _ when IsConversionFailure(exception) => [exception.Message],
        _ => null,
    };

    /// <summary>The configuration binder's "Failed to convert configuration value 'x' at 'Section:Key' to type 'T'".</summary>
    private static bool IsConversionFailure(Exception exception) =>
        exception is InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder", InnerException: not null };
}
