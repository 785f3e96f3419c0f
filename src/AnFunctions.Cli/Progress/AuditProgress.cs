using Spectre.Console;

namespace AnFunctions.Cli.Progress;

/// <summary>
/// What <c>an audit</c> shows on standard error while the audit runs, per subscription: fed by
/// <see cref="ProgressScaleSetClient"/> from the listing the audit walks (it audits each pool before it asks for the
/// next one). Subscriptions run in parallel: implementations are called from several threads.
/// </summary>
internal abstract class AuditProgress
{
    /// <summary>A live display when standard error is a terminal that can draw one, else plain lines.</summary>
    public static AuditProgress For(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        if (cli.ErrorIsTerminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(cli.Error),
                Ansi = AnsiSupport.Detect,
                Interactive = InteractionSupport.Detect,
            });
            if (console.Profile.Capabilities is { Interactive: true, Ansi: true })
            {
                return new LiveAuditProgress(console);
            }
        }

        return new PlainAuditProgress(cli.Error);
    }

    /// <summary>Runs the audit while the progress is shown; returns when the audit and the display are done.</summary>
    public abstract Task<T> RunAsync<T>(Func<Task<T>> audit);

    /// <summary>The audit started listing a subscription.</summary>
    public abstract void Started(string subscriptionId);

    /// <summary>The audit reached pool number <paramref name="pools"/> of the subscription.</summary>
    public abstract void Audited(string subscriptionId, int pools);

    /// <summary>The audit is through the subscription's listing: every pool done, or <paramref name="failure"/> stopped it.</summary>
    public abstract void Finished(string subscriptionId, int pools, string? failure);

    protected static string Describe(int pools, string? failure) =>
        failure is null ? $"{pools} pool(s) audited" : $"failed after {pools} pool(s): {failure}";
}
