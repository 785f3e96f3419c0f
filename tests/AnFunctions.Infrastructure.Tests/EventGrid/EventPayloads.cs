namespace AnFunctions.Infrastructure.Tests.EventGrid;

/// <summary>Event Grid deliveries written for these tests, in the shapes ARM publishes for scale sets.</summary>
internal static class EventPayloads
{
    public const string Subscription = "5c1e7a92-3b4d-4f60-8e2a-91c0d7b3e415";
    public const string ScaleSetId = "/subscriptions/" + Subscription + "/resourceGroups/aks-prod-weu/providers/Microsoft.Compute/virtualMachineScaleSets/aks-pool1-vmss";

    public static string EventGrid(
        string id = "0d6f1c2e-7a3b-4c5d-9e8f-1a2b3c4d5e6f",
        string eventType = "Microsoft.Resources.ResourceWriteSuccess",
        string operation = "Microsoft.Compute/virtualMachineScaleSets/write",
        string? resourceUri = ScaleSetId,
        string subject = ScaleSetId,
        string status = "Succeeded") => $$"""
        {
          "id": "{{id}}",
          "topic": "/subscriptions/{{Subscription}}",
          "subject": "{{subject}}",
          "eventType": "{{eventType}}",
          "eventTime": "2026-11-25T10:00:01.1234567Z",
          "dataVersion": "2",
          "metadataVersion": "1",
          "data": {
            "authorization": { "scope": "{{subject}}", "action": "{{operation}}" },
            "correlationId": "7b2d9f40-1c3e-4a5b-8d6f-0e1f2a3b4c5d",
            "resourceProvider": "Microsoft.Compute",
            {{(resourceUri is null ? "" : $"\"resourceUri\": \"{resourceUri}\",")}}
            "operationName": "{{operation}}",
            "status": "{{status}}",
            "subscriptionId": "{{Subscription}}",
            "tenantId": "11111111-2222-4333-8444-555555555555",
            "httpRequest": { "clientRequestId": "c0ffee00-0000-4000-8000-000000000001", "clientIpAddress": "192.0.2.10", "method": "PUT", "url": "https://management.azure.com{{subject}}?api-version=2024-11-01" }
          }
        }
        """;

    public static string CloudEvent(
        string id = "8e9f0a1b-2c3d-4e5f-a6b7-c8d9e0f1a2b3",
        string type = "Microsoft.Resources.ResourceWriteSuccess",
        string specVersionKey = "specversion") => $$"""
        {
          "id": "{{id}}",
          "source": "/subscriptions/{{Subscription}}",
          "subject": "{{ScaleSetId}}",
          "type": "{{type}}",
          "time": "2026-11-25T10:00:01.1234567Z",
          "{{specVersionKey}}": "1.0",
          "data": {
            "correlationId": "3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d",
            "resourceProvider": "Microsoft.Compute",
            "resourceUri": "{{ScaleSetId}}",
            "operationName": "Microsoft.Compute/virtualMachineScaleSets/write",
            "status": "Succeeded",
            "subscriptionId": "{{Subscription}}",
            "tenantId": "11111111-2222-4333-8444-555555555555"
          }
        }
        """;
}
