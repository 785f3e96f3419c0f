using AnFunctions.Core.Findings;
using AnFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Functions.Http;

/// <summary>List findings with filters and paging; get one finding.</summary>
public sealed class FindingsFunctions(IFindingStore findings, ILogger<FindingsFunctions> logger)
{
    public const string ListName = "ListFindings";
    public const string GetName = "GetFinding";

    private static readonly string[] ListParameters = ["status", "severity", "subscription", "kind", "pageSize", "continuation"];

    /// <summary><c>GET /api/findings?status=&amp;severity=&amp;subscription=&amp;kind=&amp;pageSize=&amp;continuation=</c>.</summary>
    [Function(ListName)]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "findings")] HttpRequest request, CancellationToken cancellationToken)
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
        try
        {
            var page = await FindingPages.ReadAsync(findings, filter, pageSize, continuation, cancellationToken).ConfigureAwait(false);
            return HttpAnswers.Ok(logger, ListName, new FindingPageView(page.Items, page.Continuation));
        }
        catch (Exception e) when (HttpAnswers.Upstream(logger, ListName, e) is { } problem)
        {
            return problem;
        }
    }

    /// <summary><c>GET /api/findings/{findingId}</c>.</summary>
    [Function(GetName)]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "findings/{findingId}")] HttpRequest request, string findingId, CancellationToken cancellationToken)
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
