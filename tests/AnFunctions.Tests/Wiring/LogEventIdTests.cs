using System.Reflection;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Tests.Wiring;

/// <summary>
/// Every log message of the app has an event id of its own: alert rules, workbooks and on-call searches select by it,
/// and two messages sharing one (as after a merge) would make a query count the wrong thing.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] AppAssemblies =
    [
        typeof(global::AnFunctions.Core.Decisions.PoolReconciler).Assembly,
        typeof(global::AnFunctions.Infrastructure.InfrastructureServiceCollectionExtensions).Assembly,
        typeof(global::AnFunctions.Api.ApiRoutes).Assembly,
        typeof(global::AnFunctions.Functions.FleetAuditFunction).Assembly,
        typeof(global::AnFunctions.Cli.CliApp).Assembly,
    ];

    [Fact]
    public void LoggerMessages_AcrossTheApp_HaveDistinctEventIds()
    {
        var messages = AppAssemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 20, $"only {messages.Count} logger messages found: the scan looks in the wrong place");
        var shared = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        Assert.Empty(shared);
    }
}
