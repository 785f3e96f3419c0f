using System.Text.Json;
using AnFunctions.Cli.Simulation;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary>A wrong argument or option value: exit code 2 with the message.</summary>
internal sealed class UsageException(string message) : Exception(message)
{
    public UsageException() : this("usage error") { }

    public UsageException(string message, Exception inner) : this(message + ": " + inner.Message) { }
}

/// <summary>
/// What the CLI's app commands share: the app's services (emulator or Azure), JSON or tables on standard output,
/// diagnostics on standard error, and exit codes scripts can trust (0 ok, 1 findings at/above --fail-on, 2 usage,
/// 3 Azure error).
/// </summary>
internal abstract class AppCommand<TSettings>(CliContext cli) : AsyncCommand<TSettings> where TSettings : AppCommandSettings
{
    protected CliContext Cli => cli;

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var services = await CliServices.BuildAsync(settings.Emulator, cli).ConfigureAwait(false);
            await using (services.ConfigureAwait(false))
            {
                return await RunAsync(services, settings, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is UsageException or ScenarioException or OptionsValidationException or FileNotFoundException or DirectoryNotFoundException)
        {
            await cli.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException or Azure.RequestFailedException or Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException)
        {
            await cli.Error.WriteLineAsync($"error: Azure: {e.Message}").ConfigureAwait(false);
            return ExitCodes.AzureError;
        }
    }

    protected abstract Task<int> RunAsync(IServiceProvider services, TSettings settings, CancellationToken cancellationToken);

    /// <summary>A scale set id that parses and is in scope, else a usage error.</summary>
    protected static ScaleSetId ScaleSetInScope(IServiceProvider services, string value)
    {
        if (!ScaleSetId.TryParse(value, out var id, out var error))
        {
            throw new UsageException(error);
        }

        if (!services.GetRequiredService<IOptions<AcceleratedNetworkingOptions>>().Value.IsInScope(id.SubscriptionId))
        {
            throw new UsageException($"subscription {id.SubscriptionId} is not in AcceleratedNetworking:Subscriptions");
        }

        return id;
    }

    protected static int ExitFor(TSettings settings, IEnumerable<Finding> findings) =>
        settings.FailOnSeverity is { } threshold && findings.Any(f => f.IsOpen && f.Severity >= threshold) ? ExitCodes.FindingsAtOrAbove : ExitCodes.Ok;

    protected async Task WriteJsonAsync(object value) =>
        await cli.Out.WriteLineAsync(JsonSerializer.Serialize(value, value.GetType(), ApiJson.Options)).ConfigureAwait(false);

    /// <summary>Tables for people, written to standard output without colours or control sequences.</summary>
    protected IAnsiConsole Console => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(cli.Out),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });

    protected static Table KeyValues(params (string Key, object? Value)[] rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("");
        table.ShowHeaders = false;
        foreach (var (key, value) in rows)
        {
            table.AddRow(Markup.Escape(key), Markup.Escape(Format(value)));
        }

        return table;
    }

    protected static Table Rows(string[] headers, IEnumerable<object?[]> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(Markup.Escape(header));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(v => Markup.Escape(Format(v))).ToArray());
        }

        return table;
    }

    protected static string Format(object? value) => value switch
    {
        null => "-",
        DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IEnumerable<string> list => string.Join(", ", list),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "-",
    };
}
