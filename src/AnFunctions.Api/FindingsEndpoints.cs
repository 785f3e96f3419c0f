using AnFunctions.Core.Findings;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Api;

/// <summary>List findings with filters and paging; get one finding.</summary>
public sealed class FindingsEndpoints(IFindingStore findings, ILogger<FindingsEndpoints> logger)
{
    private const string ListName = ApiRoutes.ListFindings.Name;
    private const string GetName = ApiRoutes.GetFinding.Name;

    private static readonly string[] ListParameters = ["status", "severity", "subscription", "kind", "pageSize", "continuation"];

    /// <summary><c>GET /api/findings?status=&amp;severity=&amp;subscription=&amp;kind=&amp;pageSize=&amp;continuation=</c>.</summary>
    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request, ListParameters) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, ListName, badQuery);
        }

        var query = FindingFilters.Parse(
            RequestReader.Query(request, "status"), RequestReader.Query(request, "severity"),
            RequestReader.Query(request, "subscription"), RequestReader.Query(request, "kind"),
            RequestReader.Query(request, "pageSize"), RequestReader.Query(request, "continuation"));
        if (query.Problem is { } bad)
        {
            return HttpAnswers.Refuse(logger, ListName, bad);
        }

        var (filter, pageSize, continuation) = query.Value!;
        var page = await FindingPages.ReadAsync(findings, filter, pageSize, continuation, cancellationToken).ConfigureAwait(false);
        return HttpAnswers.Ok(logger, ListName, new FindingPageView(page.Items, page.Continuation));
    }

    /// <summary><c>GET /api/findings/{findingId}</c>.</summary>
    public async Task<IActionResult> GetAsync(HttpRequest request, string findingId, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckQuery(request) is { } badQuery)
        {
            return HttpAnswers.Refuse(logger, GetName, badQuery);
        }

        if (!FindingPages.IsValidId(findingId))
        {
            return HttpAnswers.Refuse(logger, GetName, Problems.InvalidFindingId());
        }

        var finding = await findings.GetAsync(findingId, cancellationToken).ConfigureAwait(false);
        return finding is null
            ? HttpAnswers.Refuse(logger, GetName, Problems.FindingNotFound())
            : HttpAnswers.Ok(logger, GetName, finding);
    }
}
