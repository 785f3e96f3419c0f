using AnFunctions.Api.Auth;
using Microsoft.Extensions.Hosting;

namespace AnFunctions.Hosting;

/// <summary>Says at the worker's start whether the HTTP API checks app roles (a warning when it does not).</summary>
internal sealed class ApiAuthorizationAnnouncer(ApiAuthorization authorization) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        authorization.Announce();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
