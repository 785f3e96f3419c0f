using System.ComponentModel.DataAnnotations;
using AnFunctions.Core.Arm;

namespace AnFunctions.Core.Options;

/// <summary>Settings of section <c>Arm</c>: how the app reaches Azure Resource Manager.</summary>
public sealed class ArmOptions : IValidatableObject
{
    public const string Section = "Arm";

    /// <summary>ARM's endpoint; another cloud's (or the emulator's) when set.</summary>
    public Uri Endpoint { get; set; } = new("https://management.azure.com/");

    /// <summary>The token audience for ARM.</summary>
    [Required]
    public string Audience { get; set; } = "https://management.azure.com/";

    /// <summary>The client id of a user-assigned managed identity; empty for the default credential chain.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Timeout of one try of an ARM call.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Arm:Timeout must lie between 00:00:01 and 00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How often one ARM call is retried on 408/429/5xx and connection failures before the failure is reported as transient.</summary>
    [Range(0, 10, ErrorMessage = "Arm:MaxRetries must lie between 0 and 10")]
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first retry delay (doubling with each retry, up to <see cref="MaxRetryDelay"/>; a Retry-After header takes precedence).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Arm:RetryDelay must lie between 00:00:00 and 00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest wait before a retry. ARM asking for a longer one (Retry-After) ends the call at once as a transient
    /// failure: the event is redelivered by Event Grid (10 s, 30 s, 1 min... later), the audit goes on with the next pool.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Arm:MaxRetryDelay must lie between 00:00:00 and 00:01:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long the app waits, right after ARM accepted its write, for the write's long-running operation to finish
    /// before it leaves the outcome to the next delivery or audit (which check it then).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20", ErrorMessage = "Arm:OperationWait must lie between 00:00:00 and 00:00:20")]
    public TimeSpan OperationWait { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long the app waits for an instance action (deallocate, upgrade, start) it started to finish.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "02:00:00", ErrorMessage = "Arm:OperationTimeout must lie between 00:01:00 and 02:00:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The longest one ARM call can take with these settings: every try running into <see cref="Timeout"/>, every wait
    /// before a retry at <see cref="MaxRetryDelay"/> (a longer Retry-After is not waited for).
    /// </summary>
    public TimeSpan WorstCaseCall => (Timeout * (MaxRetries + 1)) + (MaxRetryDelay * MaxRetries);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            yield return new ValidationResult("Arm:Endpoint must use https (bearer tokens are never sent in clear text)", [nameof(Endpoint)]);
        }

        // Event Grid counts an answer after 30 s as a failure: one call with all its retries, and a write followed by
        // the wait for its outcome, must each fit in what a delivery may spend (the rest is cut by the budget at run time).
        var limit = ArmBudget.DeliveryLimit;
        if (WorstCaseCall > limit)
        {
            yield return new ValidationResult(
                $"Arm:Timeout × (Arm:MaxRetries + 1) + Arm:MaxRetryDelay × Arm:MaxRetries = {Seconds(Timeout)} × {MaxRetries + 1} + {Seconds(MaxRetryDelay)} × {MaxRetries} = {Seconds(WorstCaseCall)}: one ARM call could take longer than the {Seconds(limit)} an Event Grid delivery may spend (Event Grid waits {Seconds(ArmBudget.EventGridAnswerWindow)} for an answer); lower Arm:Timeout, Arm:MaxRetries or Arm:MaxRetryDelay",
                [nameof(Timeout), nameof(MaxRetries), nameof(MaxRetryDelay)]);
        }

        if (Timeout + OperationWait > limit)
        {
            yield return new ValidationResult(
                $"Arm:Timeout + Arm:OperationWait = {Seconds(Timeout)} + {Seconds(OperationWait)} = {Seconds(Timeout + OperationWait)}: a write and the wait for its outcome could take longer than the {Seconds(limit)} an Event Grid delivery may spend; lower Arm:Timeout or Arm:OperationWait",
                [nameof(Timeout), nameof(OperationWait)]);
        }
    }

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s";
}
