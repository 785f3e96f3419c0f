using System.ComponentModel.DataAnnotations;

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

    /// <summary>Timeout of one ARM call.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Arm:Timeout must lie between 00:00:01 and 00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often one ARM call is retried on 429/5xx before the failure is reported as transient.</summary>
    [Range(0, 10, ErrorMessage = "Arm:MaxRetries must lie between 0 and 10")]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry delay (exponential backoff; a Retry-After header takes precedence).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Arm:RetryDelay must lie between 00:00:00 and 00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the app waits for an instance action (deallocate, upgrade, start) it started to finish.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "02:00:00", ErrorMessage = "Arm:OperationTimeout must lie between 00:01:00 and 02:00:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            yield return new ValidationResult("Arm:Endpoint must use https (bearer tokens are never sent in clear text)", [nameof(Endpoint)]);
        }
    }
}
