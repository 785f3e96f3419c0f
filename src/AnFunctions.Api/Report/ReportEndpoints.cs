using System.Text;
using AnFunctions.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Api.Report;

/// <summary><c>GET /api/report</c>: the fleet at a glance as one self-contained HTML page, from the stores.</summary>
public sealed class ReportEndpoints(FleetObserver observer, ILogger<ReportEndpoints> logger)
{
    private const string Name = ApiRoutes.GetReport.Name;

    public async Task<IActionResult> GetAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, Name, badQuery);
        }

        // Observing also refreshes the fleet gauges: the report and the metrics never disagree.
        var report = await observer.ObserveAsync(cancellationToken).ConfigureAwait(false);
        HttpLog.Answered(logger, Name, 200);
        return new HtmlResult(FleetReportPage.Render(report));
    }
}

/// <summary>An HTML page with the report's Content-Security-Policy (no script, nothing fetched).</summary>
public sealed class HtmlResult(string html) : IActionResult
{
    public const string ContentType = "text/html; charset=utf-8";

    public string Html { get; } = html;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = 200;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers.ContentSecurityPolicy = FleetReportPage.ContentSecurityPolicyHeader;
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(Html), context.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
