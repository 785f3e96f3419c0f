using System.Text.Json;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// The system topic of every target subscription (main.bicep) and the event subscription to the ScaleSetEvents
/// function, created after the code is deployed (event-subscriptions.bicep, run by the postdeploy hook).
/// </summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class EventGridTests(CompiledInfra infra)
{
    [Fact]
    public void SystemTopic_Source_IsTheTargetSubscription()
    {
        var topic = infra.Main.Single("Microsoft.EventGrid/systemTopics");

        Assert.Equal("Microsoft.Resources.Subscriptions", topic.Property("topicType").GetString());
        Assert.Equal("[subscription().id]", topic.Property("source").GetString());
        Assert.Equal("SystemAssigned", topic.Element.GetProperty("identity").GetProperty("type").GetString());
    }

    [Fact]
    public void MainTemplate_EventSubscription_WaitsForTheDeployedCode()
    {
        var module = infra.Main.Module("systemTopic");

        Assert.False(module.ModuleParameter("deployEventSubscription").GetBoolean());
        Assert.True(infra.EventSubscriptions.Module("eventSubscriptions").ModuleParameter("deployEventSubscription").GetBoolean());
    }

    [Fact]
    public void EventSubscription_Destination_IsTheScaleSetEventsFunction()
    {
        var subscription = EventSubscription();

        Assert.Equal("AzureFunction", subscription.Property("destination.endpointType").GetString());
        var function = subscription.Property("destination.properties.resourceId").GetString()!;
        Assert.Equal(
            "[resourceId(subscription().subscriptionId, parameters('resourceGroupName'), 'Microsoft.Web/sites/functions', parameters('functionAppName'), 'ScaleSetEvents')]",
            function);
        Assert.Equal(64, subscription.Property("destination.properties.preferredBatchSizeInKilobytes").GetInt32());
        var batch = subscription.ParameterDeclaration("maxEventsPerBatch");
        Assert.Equal(1, batch.GetProperty("minValue").GetInt32());
        Assert.Equal(10, batch.GetProperty("maxValue").GetInt32());
        Assert.Equal("EventGridSchema", subscription.Property("eventDeliverySchema").GetString());
    }

    [Fact]
    public void EventSubscription_Filter_IncludesTheFourResourceEventTypes()
    {
        string[] expected =
        [
            "Microsoft.Resources.ResourceDeleteSuccess",
            "Microsoft.Resources.ResourceWriteCancel",
            "Microsoft.Resources.ResourceWriteFailure",
            "Microsoft.Resources.ResourceWriteSuccess",
        ];

        Assert.Equal(expected, Strings(EventSubscription().Property("filter.includedEventTypes")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EventSubscription_AdvancedFilter_KeepsOnlyScaleSetWritesAndDeletes()
    {
        var subscription = EventSubscription();
        var filter = Assert.Single(subscription.Property("filter.advancedFilters").EnumerateArray());

        Assert.Equal("StringIn", filter.GetProperty("operatorType").GetString());
        Assert.Equal("data.operationName", filter.GetProperty("key").GetString());
        Assert.Equal(
            ["Microsoft.Compute/virtualMachineScaleSets/delete", "Microsoft.Compute/virtualMachineScaleSets/write"],
            Strings(subscription.Resolve(filter.GetProperty("values"))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EventSubscription_RetryPolicy_Is30AttemptsWithin24Hours()
    {
        var subscription = EventSubscription();

        Assert.Equal(30, subscription.Property("retryPolicy.maxDeliveryAttempts").GetInt32());
        Assert.Equal(1440, subscription.Property("retryPolicy.eventTimeToLiveInMinutes").GetInt32());
    }

    [Fact]
    public void EventSubscription_DeadLetter_GoesToTheContainerWithTheTopicIdentity()
    {
        var subscription = EventSubscription();

        Assert.Equal("SystemAssigned", subscription.Property("deadLetterWithResourceIdentity.identity.type").GetString());
        Assert.Equal("StorageBlob", subscription.Property("deadLetterWithResourceIdentity.deadLetterDestination.endpointType").GetString());
        Assert.Equal(
            "[resourceId(subscription().subscriptionId, parameters('resourceGroupName'), 'Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]",
            subscription.Property("deadLetterWithResourceIdentity.deadLetterDestination.properties.resourceId").GetString());
        Assert.Equal(
            "[parameters('deadLetterContainerName')]",
            subscription.Property("deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName").GetString());
        Assert.False(subscription.Properties.TryGetProperty("deadLetterDestination", out _), "dead-lettering must not use a key or SAS");
    }

    [Fact]
    public void EventSubscription_Targets_AreEverySubscriptionTheAppIsGrantedOn()
    {
        var main = infra.Main.Module("targetSubscriptions");
        var hook = infra.EventSubscriptions.Module("eventSubscriptions");

        Assert.Equal("[length(variables('targets'))]", main.Element.GetProperty("copy").GetProperty("count").GetString());
        Assert.Equal("[parameters('targetSubscriptionIds')[copyIndex()]]", hook.Element.GetProperty("subscriptionId").GetString());
        Assert.Equal("[parameters('resourceGroupName')]", hook.Element.GetProperty("resourceGroup").GetString());
    }

    private ArmResource EventSubscription() => infra.EventSubscriptions.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
