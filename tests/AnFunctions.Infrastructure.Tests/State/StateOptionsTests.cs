using System.ComponentModel.DataAnnotations;
using AnFunctions.Infrastructure.Tables;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>The settings of section <c>State</c> (the adapters' configuration: which store, and the Table service's).</summary>
public sealed class StateOptionsTests
{
    [Fact]
    public void StateOptions_TableWithoutConnection_ErrorNamesTheKeys()
    {
        var errors = Validate(new StateOptions { Store = StateStoreKind.Table });

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("State:ConnectionString", StringComparison.Ordinal));
    }

    [Fact]
    public void StateOptions_InMemoryWithoutConnection_IsValid()
    {
        Assert.Empty(Validate(new StateOptions { Store = StateStoreKind.InMemory }));
    }

    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
