using System.Text.RegularExpressions;
using AnFunctions.Api;
using AnFunctions.Api.Auth;
using AnFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary>
/// Every route of <see cref="ApiRoutes.All"/> × every kind of caller, through both places that check roles: the
/// worker middleware in front of the functions and <see cref="ApiRouter"/> (in-process), with authentication on.
/// </summary>
public sealed partial class AuthorizationTests
{
    private const string ObjectId = "5f0c2a8e-1b3d-4c6e-8f0a-2b4c6d8e0f1a";

    public enum Caller
    {
        Anonymous,
        Malformed,
        NoRoles,
        OtherRole,
        Reader,
        Operator,
        ReaderAndOperator,
    }

    private static readonly Dictionary<Caller, string?> Headers = new()
    {
        [Caller.Anonymous] = null,
        [Caller.Malformed] = "not base64 json!",
        [Caller.NoRoles] = ClientPrincipal.EncodeWithRoles(ObjectId),
        [Caller.OtherRole] = ClientPrincipal.EncodeWithRoles(ObjectId, "AnFunctions.Admin", "reader"),
        [Caller.Reader] = ClientPrincipal.EncodeWithRoles(ObjectId, ApiRoles.ReaderValue),
        [Caller.Operator] = ClientPrincipal.EncodeWithRoles(ObjectId, ApiRoles.OperatorValue),
        [Caller.ReaderAndOperator] = ClientPrincipal.EncodeWithRoles(ObjectId, ApiRoles.ReaderValue, ApiRoles.OperatorValue),
    };

    /// <summary>What each caller gets on a route needing <paramref name="role"/>: 401, 403, or through (0).</summary>
    private static int Expected(Caller caller, ApiRole role) => caller switch
    {
        Caller.Anonymous or Caller.Malformed => 401,
        Caller.NoRoles or Caller.OtherRole => 403,
        Caller.Reader => role == ApiRole.Reader ? 0 : 403,
        _ => 0,
    };

    public static TheoryData<string, Caller> RoutesByCaller()
    {
        var data = new TheoryData<string, Caller>();
        foreach (var route in ApiRoutes.All)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(route.Name, caller);
            }
        }

        return data;
    }

    private static AppUnderTest App(bool enabled = true) =>
        AppUnderTest.Create(settings: new Dictionary<string, string?> { ["Auth:Enabled"] = enabled ? "true" : "false" });

    private static HttpRequest RequestFor(ApiRoute route, Caller caller)
    {
        var request = Request(route.Method.ToUpperInvariant(), body: route.Method == ApiRoutes.Post ? "{}" : null);
        request.Path = "/api/" + RouteValue().Replace(route.Template, "x");
        if (Headers[caller] is { } header)
        {
            request.Headers[ClientPrincipal.Header] = header;
        }

        return request;
    }

    [Fact]
    public void Routes_EveryWriteNeedsOperatorAndEveryReadNeedsReader()
    {
        // POST routes write to ARM or start work (reconcile, audits, rollouts); GET routes only read.
        Assert.All(ApiRoutes.All, r => Assert.Equal(r.Method == ApiRoutes.Post ? ApiRole.Operator : ApiRole.Reader, r.Role));
        Assert.Equal(ApiRole.Operator, ApiRoutes.Find(ApiRoutes.ReconcilePool.Name)!.Role);
        Assert.Equal(ApiRole.Operator, ApiRoutes.Find(ApiRoutes.StartAudit.Name)!.Role);
        Assert.Equal(ApiRole.Reader, ApiRoutes.Find(ApiRoutes.ExplainPool.Name)!.Role);
    }

    [Theory]
    [MemberData(nameof(RoutesByCaller))]
    public async Task Middleware_RouteAndCaller_RefusesOrRunsTheFunctionAsTheRoleSays(string function, Caller caller)
    {
        await using var app = App();
        var route = ApiRoutes.Find(function)!;
        var request = RequestFor(route, caller);
        var invoked = false;

        await app.Create<ApiAuthorizationMiddleware>().Invoke(
            new FakeFunctionContext(function, request.HttpContext, app.Services),
            _ =>
            {
                invoked = true;
                return Task.CompletedTask;
            });

        var expected = Expected(caller, route.Role);
        Assert.Equal(expected == 0, invoked);
        if (expected != 0)
        {
            AssertRefusal(await ReadAsync(request), expected, route.Role);
        }
    }

    [Theory]
    [MemberData(nameof(RoutesByCaller))]
    public async Task Router_RouteAndCaller_RefusesOrReachesTheEndpointAsTheRoleSays(string function, Caller caller)
    {
        await using var app = App();
        var route = ApiRoutes.Find(function)!;
        var request = RequestFor(route, caller);

        var answer = await ExecuteAsync(request, await new ApiRouter(app.Services).SendAsync(request, CancellationToken.None));

        var expected = Expected(caller, route.Role);
        if (expected == 0)
        {
            // The endpoint ran: whatever it answered to this (deliberately minimal) request, it was not a refusal by role.
            Assert.DoesNotContain("unauthenticated", answer.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("missing-role", answer.Body, StringComparison.Ordinal);
            Assert.NotEqual(401, answer.Status);
        }
        else
        {
            AssertRefusal(answer, expected, route.Role);
        }
    }

    [Theory]
    [InlineData(Caller.Anonymous)]
    [InlineData(Caller.OtherRole)]
    public async Task Router_AuthenticationOff_AnswersEveryCallerAndSaysSoAtStart(Caller caller)
    {
        await using var app = App(enabled: false);
        var route = ApiRoutes.Find(ApiRoutes.ListFindings.Name)!;
        var request = RequestFor(route, caller);

        var answer = await ExecuteAsync(request, await new ApiRouter(app.Services).SendAsync(request, CancellationToken.None));

        Assert.Equal(200, answer.Status);
        var off = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Name == "ApiAuthenticationOff");
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, off.Level);
    }

    [Fact]
    public async Task Announcer_AuthenticationOn_SaysSoOnceAtStart()
    {
        await using var app = App();
        var authorization = app.Get<ApiAuthorization>();

        authorization.Announce();
        authorization.Announce();

        var on = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Name == "ApiAuthenticationOn");
        Assert.Contains(ApiRoles.OperatorValue, on.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Name == "ApiAuthenticationOff");
    }

    [Fact]
    public async Task Check_TwoPrincipalHeaders_Is401()
    {
        await using var app = App();
        var route = ApiRoutes.Find(ApiRoutes.ListFindings.Name)!;
        var request = RequestFor(route, Caller.Reader);
        request.Headers.Append(ClientPrincipal.Header, Headers[Caller.Operator]);

        var refused = app.Get<ApiAuthorization>().Check(route, request);

        AssertRefusal(await ExecuteAsync(request, refused!), 401, route.Role);
    }

    [Fact]
    public async Task Check_Forbidden_LogsTheCallerAndTheRoleNeeded()
    {
        await using var app = App();
        var route = ApiRoutes.Find(ApiRoutes.ReconcilePool.Name)!;

        Assert.NotNull(app.Get<ApiAuthorization>().Check(route, RequestFor(route, Caller.Reader)));

        var log = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Name == "HttpCallerForbidden");
        Assert.Contains(ObjectId, log.Message, StringComparison.Ordinal);
        Assert.Contains(ApiRoles.OperatorValue, log.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "no caller principal")]
    [InlineData("", "no caller principal")]
    [InlineData("e30=", "the caller principal has no claims")] // {}
    [InlineData("bnVsbA==", "the caller principal has no claims")] // null
    [InlineData("W10=", "the caller principal header is not Base64 JSON")] // []
    [InlineData("%%%", "the caller principal header is not Base64 JSON")]
    public void Parse_Unreadable_IsNullWithTheReason(string? header, string reason)
    {
        Assert.Null(ClientPrincipal.Parse(header, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Parse_TooLarge_IsRefusedUnread()
    {
        Assert.Null(ClientPrincipal.Parse(new string('A', ClientPrincipal.MaxHeaderLength + 4), out var error));
        Assert.Equal("the caller principal header is too large", error);
    }

    [Fact]
    public void Parse_AppServicePrincipal_ReadsRolesFromRoleTypeAndRolesClaims()
    {
        // The shape App Service sends for a Microsoft Entra ID caller (claims abbreviated).
        const string json = """
            {"auth_typ":"aad","name_typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
             "role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
             "claims":[{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"oid-1"},
                       {"typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name","val":"On Call"},
                       {"typ":"roles","val":"AnFunctions.Reader"},
                       {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"AnFunctions.Operator"},
                       {"typ":"groups","val":"AnFunctions.Operator.NotARole"}]}
            """;

        var principal = ClientPrincipal.Parse(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)), out _)!;

        Assert.Equal("aad", principal.AuthenticationType);
        Assert.Equal("On Call", principal.Name);
        Assert.Equal("oid-1", principal.ObjectId);
        Assert.Equal(["AnFunctions.Reader", "AnFunctions.Operator"], principal.Roles);
    }

    private static void AssertRefusal(HttpAnswer answer, int status, ApiRole role)
    {
        AssertProblem(answer, status, status == 401 ? "unauthenticated" : "missing-role");
        if (status == 401)
        {
            Assert.Equal("Bearer", answer.Headers.WWWAuthenticate.ToString());
        }
        else
        {
            Assert.Contains(ApiRoles.Value(role), answer.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteValue();
}
