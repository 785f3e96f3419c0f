using System.Text.Json.Nodes;
using AnFunctions.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary>Input is hostile until proven otherwise: every route refuses what it must, with the right problem.</summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private const string OtherSubscription = "ffffffff-ffff-4fff-8fff-ffffffffffff";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    // Scope is one subscription, so another subscription's id is out of scope.
    private readonly AppUnderTest _app = AppUnderTest.Create(new Dictionary<string, string?> { ["AcceleratedNetworking:Subscriptions"] = AppUnderTest.Subscription }, Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool", "Standard_D4s_v5", Now.AddMinutes(-2)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public enum Route
    {
        Reconcile,
        Explain,
        StartAudit,
        AuditStatus,
        ListFindings,
        GetFinding,
    }

    private static readonly string Huge = new('x', 20 * 1024);

    private static string ReconcileBody(string id) => new JsonObject { ["resourceId"] = id, ["dryRun"] = true }.ToJsonString();

    public static TheoryData<string, Route, Func<HttpRequest>, int, string> Cases => new()
    {
        { "traversal in the id", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString("/subscriptions/../../providers/Microsoft.Compute/virtualMachineScaleSets/x")), 400, "invalid-resource-id" },
        { "dot-dot names", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString($"/subscriptions/{AppUnderTest.Subscription}/resourceGroups/../providers/Microsoft.Compute/virtualMachineScaleSets/..")), 400, "invalid-resource-id" },
        { "encoded traversal", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString(Fleet.Id("%2e%2e"))), 400, "invalid-resource-id" },
        { "a VM, not a scale set", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString($"/subscriptions/{AppUnderTest.Subscription}/resourceGroups/k8s-test/providers/Microsoft.Compute/virtualMachines/vm1")), 400, "invalid-resource-id" },
        { "a scale set's child", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString(Fleet.Id("pool") + "/virtualMachines/0")), 400, "invalid-resource-id" },
        { "missing id", Route.Explain, () => Request("GET"), 400, "invalid-resource-id" },
        { "other subscription", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString(Fleet.Id("pool", OtherSubscription))), 403, "out-of-scope" },
        { "unknown parameter", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString(Fleet.Id("pool")) + "&debug=1"), 400, "unknown-parameter" },
        { "repeated parameter", Route.Explain, () => Request("GET", "resourceId=a&resourceId=b"), 400, "repeated-parameter" },
        { "CRLF log injection", Route.Explain, () => Request("GET", "resourceId=" + Uri.EscapeDataString(Fleet.Id("pool") + "\r\n2026-11-25 INJECTED admin login")), 400, "invalid-resource-id" },
        { "CRLF in a parameter name", Route.Explain, () => Request("GET", "x%0d%0aINJECTED=1"), 400, "unknown-parameter" },
        { "20 KiB body", Route.Reconcile, () => Request("POST", body: "{\"resourceId\":\"" + Huge + "\"}"), 413, "body-too-large" },
        { "20 KiB body without a length", Route.Reconcile, () => Request("POST", body: "{\"resourceId\":\"" + Huge + "\"}", declareLength: false), 413, "body-too-large" },
        { "malformed JSON", Route.Reconcile, () => Request("POST", body: "{\"resourceId\": "), 400, "malformed-json" },
        { "a JSON array", Route.Reconcile, () => Request("POST", body: "[1,2]"), 400, "malformed-json" },
        { "unknown field", Route.Reconcile, () => Request("POST", body: "{\"resourceId\":\"x\",\"force\":true}"), 400, "malformed-json" },
        { "wrong field type", Route.Reconcile, () => Request("POST", body: "{\"resourceId\":\"x\",\"dryRun\":\"yes\"}"), 400, "malformed-json" },
        { "text/plain", Route.Reconcile, () => Request("POST", body: ReconcileBody(Fleet.Id("pool")), contentType: "text/plain"), 415, "unsupported-media-type" },
        { "no content type", Route.Reconcile, () => Request("POST", body: ReconcileBody(Fleet.Id("pool")), contentType: null), 415, "unsupported-media-type" },
        { "empty body", Route.Reconcile, () => Request("POST", body: string.Empty), 400, "invalid-body" },
        { "reconcile other subscription", Route.Reconcile, () => Request("POST", body: ReconcileBody(Fleet.Id("pool", OtherSubscription))), 403, "out-of-scope" },
        { "reconcile id in the query", Route.Reconcile, () => Request("POST", "resourceId=x", ReconcileBody(Fleet.Id("pool"))), 400, "unknown-parameter" },
        { "audit subscription not a GUID", Route.StartAudit, () => Request("POST", body: "{\"subscriptionId\":\"../..\"}"), 400, "invalid-body" },
        { "audit resource group with a slash", Route.StartAudit, () => Request("POST", body: "{\"resourceGroup\":\"rg/../x\"}"), 400, "invalid-body" },
        { "audit other subscription", Route.StartAudit, () => Request("POST", body: "{\"subscriptionId\":\"" + OtherSubscription + "\"}"), 403, "out-of-scope" },
        { "audit 20 KiB body", Route.StartAudit, () => Request("POST", body: "{\"resourceGroup\":\"" + Huge + "\"}"), 413, "body-too-large" },
        { "run id traversal", Route.AuditStatus, () => Request("GET"), 400, "invalid-run-id" },
        { "findings severity by number", Route.ListFindings, () => Request("GET", "severity=2"), 400, "invalid-parameter" },
        { "findings unknown kind", Route.ListFindings, () => Request("GET", "kind=Everything"), 400, "invalid-parameter" },
        { "findings huge page", Route.ListFindings, () => Request("GET", "pageSize=100000"), 400, "invalid-parameter" },
        { "findings negative page", Route.ListFindings, () => Request("GET", "pageSize=-1"), 400, "invalid-parameter" },
        { "findings forged token", Route.ListFindings, () => Request("GET", "continuation=../../x"), 400, "invalid-parameter" },
        { "findings unknown parameter", Route.ListFindings, () => Request("GET", "sort=id"), 400, "unknown-parameter" },
        { "finding id traversal", Route.GetFinding, () => Request("GET"), 400, "invalid-finding-id" },
    };

    private Task<IActionResult> InvokeAsync(Route route, HttpRequest request) => route switch
    {
        Route.Reconcile => _app.Create<ApiFunctions>().ReconcilePoolAsync(request, CancellationToken.None),
        Route.Explain => _app.Create<ApiFunctions>().ExplainPoolAsync(request, CancellationToken.None),
        Route.StartAudit => _app.Create<ApiFunctions>().StartAuditAsync(request, CancellationToken.None),
        Route.AuditStatus => _app.Create<ApiFunctions>().GetAuditAsync(request, "../../audit-20261125T100000Z-0123abcd", CancellationToken.None),
        Route.ListFindings => _app.Create<ApiFunctions>().ListFindingsAsync(request, CancellationToken.None),
        _ => _app.Create<ApiFunctions>().GetFindingAsync(request, "fnd-..%2F..%2Fetc", CancellationToken.None),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Route_HostileInput_IsRefusedWithAProblem(string name, Route route, Func<HttpRequest> request, int status, string problem)
    {
        var http = request();

        var answer = await ExecuteAsync(http, await InvokeAsync(route, http));

        Assert.True(status == answer.Status, $"{name}: {answer.Status} {answer.Body}");
        AssertProblem(answer, status, problem);
        Assert.Empty(_app.Emulator.Writes);
        Assert.Equal(0, _app.Emulator.TotalCalls);
        // Nothing the request sent reaches the logs: no injected line, no raw CR/LF.
        Assert.All(_app.Logs.GetSnapshot(), r =>
        {
            Assert.DoesNotContain("INJECTED", r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', r.Message);
            Assert.DoesNotContain("xxxxxxxx", r.Message, StringComparison.Ordinal);
        });
        Assert.Contains(_app.Logs.GetSnapshot(), r => r.Id.Name == "HttpRequestRefused");
    }

    [Fact]
    public async Task Reconcile_RefusedIdWithCrLf_ProblemDetailHasNoRawControlCharacters()
    {
        var http = Request("POST", body: ReconcileBody("/subscriptions/x\r\nINJECTED"));

        var answer = await ExecuteAsync(http, await _app.Create<ApiFunctions>().ReconcilePoolAsync(http, CancellationToken.None));

        AssertProblem(answer, 400, "invalid-resource-id");
        Assert.DoesNotContain("\r", answer.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("\n", answer.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
