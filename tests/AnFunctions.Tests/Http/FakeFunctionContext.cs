using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Tests.Http;

/// <summary>
/// The parts of a worker invocation that <see cref="Hosting.ApiErrorMiddleware"/> reads: the function's name and the
/// invocation's HTTP context, stored where the worker's ASP.NET Core integration stores it (read back through its own
/// <c>GetHttpContext()</c>, so a changed key fails these tests instead of passing them).
/// </summary>
internal sealed class FakeFunctionContext(string functionName, HttpContext? http, IServiceProvider services) : FunctionContext
{
    /// <summary>The <see cref="FunctionContext.Items"/> key of Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore.</summary>
    private const string HttpContextKey = "HttpRequestContext";

    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId { get; } = functionName + "-id";
    public override TraceContext TraceContext => throw new NotSupportedException();
    public override BindingContext BindingContext => throw new NotSupportedException();
    public override RetryContext RetryContext => throw new NotSupportedException();
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition { get; } = new Definition(functionName);

    public override IDictionary<object, object> Items { get; set; } =
        http is null ? new Dictionary<object, object>() : new Dictionary<object, object> { [HttpContextKey] = http };

    public override IInvocationFeatures Features => throw new NotSupportedException();

    private sealed class Definition(string name) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];
        public override string PathToAssembly => typeof(AnFunctions.Functions.ApiFunctions).Assembly.Location;
        public override string EntryPoint => "AnFunctions.Functions." + name;
        public override string Id => name + "-id";
        public override string Name => name;
        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
