using System.Text.Json;
using System.Text.Json.Serialization;
using AnFunctions.Core.Logging;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>Port: hands a queued audit run to whatever runs it (a Storage queue in Azure; in-process elsewhere).</summary>
public interface IAuditQueue
{
    Task EnqueueAsync(AuditRunMessage message, CancellationToken cancellationToken);
}
