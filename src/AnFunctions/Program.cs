using AnFunctions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseAnFunctionsMiddleware();
builder.Services.AddAnFunctions(builder.Configuration);
builder.Build().Run();
