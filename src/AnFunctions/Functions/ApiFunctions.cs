using AnFunctions.Api;
using AnFunctions.Api.Report;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>
/// The HTTP API as Functions: one thin function per route of <see cref="ApiRoutes"/>, whose name, method and route
/// come from the table's constants; each hands the request to its endpoint. Failures of ARM and of the state store
/// are answered by <see cref="Hosting.ApiErrorMiddleware"/>.
/// </summary>
public sealed class ApiFunctions(PoolsEndpoints pools, AuditsEndpoints audits, FindingsEndpoints findings, RolloutsEndpoints rollouts, ReportEndpoints report)
{
    [Function(ApiRoutes.ReconcilePool.Name)]
    public Task<IActionResult> ReconcilePoolAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.ReconcilePool.Method, Route = ApiRoutes.ReconcilePool.Template)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pools.ReconcileAsync(request, cancellationToken);

    [Function(ApiRoutes.ExplainPool.Name)]
    public Task<IActionResult> ExplainPoolAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.ExplainPool.Method, Route = ApiRoutes.ExplainPool.Template)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pools.ExplainAsync(request, cancellationToken);

    [Function(ApiRoutes.StartAudit.Name)]
    public Task<IActionResult> StartAuditAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.StartAudit.Method, Route = ApiRoutes.StartAudit.Template)] HttpRequest request,
        CancellationToken cancellationToken) =>
        audits.StartAsync(request, cancellationToken);

    [Function(ApiRoutes.GetAudit.Name)]
    public Task<IActionResult> GetAuditAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.GetAudit.Method, Route = ApiRoutes.GetAudit.Template)] HttpRequest request,
        string runId,
        CancellationToken cancellationToken) =>
        audits.StatusAsync(request, runId, cancellationToken);

    [Function(ApiRoutes.ListFindings.Name)]
    public Task<IActionResult> ListFindingsAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.ListFindings.Method, Route = ApiRoutes.ListFindings.Template)] HttpRequest request,
        CancellationToken cancellationToken) =>
        findings.ListAsync(request, cancellationToken);

    [Function(ApiRoutes.GetFinding.Name)]
    public Task<IActionResult> GetFindingAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.GetFinding.Method, Route = ApiRoutes.GetFinding.Template)] HttpRequest request,
        string findingId,
        CancellationToken cancellationToken) =>
        findings.GetAsync(request, findingId, cancellationToken);

    [Function(ApiRoutes.StartRollout.Name)]
    public Task<IActionResult> StartRolloutAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.StartRollout.Method, Route = ApiRoutes.StartRollout.Template)] HttpRequest request,
        CancellationToken cancellationToken) =>
        rollouts.StartAsync(request, cancellationToken);

    [Function(ApiRoutes.GetRollout.Name)]
    public Task<IActionResult> GetRolloutAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.GetRollout.Method, Route = ApiRoutes.GetRollout.Template)] HttpRequest request,
        string rolloutId,
        CancellationToken cancellationToken) =>
        rollouts.StatusAsync(request, rolloutId, cancellationToken);

    [Function(ApiRoutes.GetReport.Name)]
    public Task<IActionResult> GetReportAsync(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.GetReport.Method, Route = ApiRoutes.GetReport.Template)] HttpRequest request,
        CancellationToken cancellationToken) =>
        report.GetAsync(request, cancellationToken);
}
