using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AnFunctions.Emulation;

/// <summary>Builds a composition without a host the way a host starts one: every <c>ValidateOnStart</c> runs.</summary>
public static class StartupValidation
{
    /// <summary>
    /// Builds the provider (every registration resolvable, scopes checked), then runs what the host runs at start: the
    /// registered <see cref="IStartupValidator"/>, i.e. every options class registered with <c>ValidateOnStart</c>,
    /// whichever project registered it. A bad setting throws here as it stops the host: an
    /// <see cref="OptionsValidationException"/> naming the key (an <see cref="AggregateException"/> of them when
    /// several options classes are wrong).
    /// </summary>
    public static ServiceProvider BuildValidated(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            provider.GetService<IStartupValidator>()?.Validate();
            return provider;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }
}
