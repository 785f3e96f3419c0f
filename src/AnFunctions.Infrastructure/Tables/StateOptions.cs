using System.ComponentModel.DataAnnotations;

namespace AnFunctions.Infrastructure.Tables;

public enum StateStoreKind
{
    /// <summary>Azure Table Storage (production, and tests on Azurite).</summary>
    Table,

    /// <summary>Process memory: the embedded default of <c>simulate</c>; lost on restart.</summary>
    InMemory,
}

/// <summary>Settings of section <c>State</c>: where pool records, processed events and decisions live.</summary>
public sealed class StateOptions : IValidatableObject
{
    public const string Section = "State";

    public StateStoreKind Store { get; set; } = StateStoreKind.Table;

    /// <summary>A storage connection string (for Azurite: <c>UseDevelopmentStorage=true</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Table service endpoint for identity-based access, e.g. <c>https://acct.table.core.windows.net</c>.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Prefix of every table name the app creates (letters and digits).</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{0,19}$", ErrorMessage = "State:TablePrefix must start with a letter and hold at most 20 letters or digits")]
    public string TablePrefix { get; set; } = "an";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Store == StateStoreKind.Table && string.IsNullOrWhiteSpace(ConnectionString) && TableServiceUri is null)
        {
            yield return new ValidationResult(
                "State:ConnectionString or State:TableServiceUri is required when State:Store is Table (or set AzureWebJobsStorage)",
                [nameof(ConnectionString)]);
        }

        if (TableServiceUri is not null && TableServiceUri.Scheme != Uri.UriSchemeHttps && !TableServiceUri.IsLoopback)
        {
            yield return new ValidationResult("State:TableServiceUri must use https", [nameof(TableServiceUri)]);
        }
    }
}
