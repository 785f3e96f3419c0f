using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// The system topic of every target subscription (main.bicep: the app's own, or an existing one it reuses) and the
/// event subscription to the ScaleSetEvents function, created after the code is deployed (event-subscriptions.bicep,
/// run by the postdeploy hook). The choice between the two paths is evaluated (<see cref="ArmEvaluator"/>) for given
/// parameter values, from main.bicep down to the modules it deploys and on to the hook's template.
/// </summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class EventGridTests(CompiledInfra infra)
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
    public void Templates_EventSubscription_OnlyInTheHookTemplateWhichNeverWritesATopic()
    {
        Assert.Empty(infra.Main.Declared("Microsoft.EventGrid/systemTopics/eventSubscriptions"));
        Assert.Single(infra.EventSubscriptions.Declared("Microsoft.EventGrid/systemTopics/eventSubscriptions"));

        // The hook only names topics (as the subscription's parent): a reused topic keeps its settings, tags and identity.
        Assert.Empty(infra.EventSubscriptions.Declared("Microsoft.EventGrid/systemTopics"));
        Assert.StartsWith("[format('{0}/{1}', parameters('systemTopicName'),", EventSubscription().Name, StringComparison.Ordinal);
    }

    [Fact]
    public void ExistingSystemTopics_Parameter_SubscriptionGroupAndNameOfEach()
    {
        var parameter = infra.Main.Root.GetProperty("parameters").GetProperty("existingSystemTopics");

        Assert.Equal("array", parameter.GetProperty("type").GetString());
        Assert.Empty(parameter.GetProperty("defaultValue").EnumerateArray());
        var entry = infra.Main.Root.GetProperty("definitions").GetProperty(
            parameter.GetProperty("items").GetProperty("$ref").GetString()!.Split('/')[^1]);
        Assert.Equal(["name", "resourceGroupName", "subscriptionId"], entry.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(entry.GetProperty("properties").EnumerateObject(), p => Assert.False(p.Value.TryGetProperty("nullable", out _), $"{p.Name} is optional"));
    }

    [Fact]
    public void SystemTopics_NoneExisting_EveryTargetGetsTheAppsOwnTopic()
    {
        var main = Main(existing: []);
        var names = main.Variable("names")!;

        var topics = main.Variable("systemTopics")!.AsArray();

        Assert.Equal([Deployed, Other], topics.Select(t => (string)t!["subscriptionId"]!));
        Assert.All(topics, t =>
        {
            Assert.Equal((string)names["resourceGroup"]!, (string)t!["resourceGroupName"]!);
            Assert.Equal((string)names["systemTopic"]!, (string)t["name"]!);
            Assert.False((bool)t["reused"]!);
            Assert.Equal("scale-set-events", (string)t["eventSubscriptionName"]!);
        });
        var targets = main.Resource("targetSubscriptions");
        Assert.Equal([Deployed, Other], targets.Select(t => t.String("subscriptionId")));
        Assert.All(targets, target =>
        {
            var module = target.Module();
            Assert.True(module.Resource("eventsResourceGroup").Single().Condition);
            Assert.Equal((string)names["resourceGroup"]!, module.Resource("eventsResourceGroup").Single().String("name"));
            var topic = module.Resource("systemTopic").Single();
            Assert.True(topic.Condition);
            Assert.Equal((string)names["systemTopic"]!, (string?)topic.Module().Parameter("systemTopicName"));
            Assert.False(module.Resource("reusedSystemTopic").Single().Condition);
        });
        AssertTheSameTopicsEverywhere(main, topics);
    }

    [Fact]
    public void SystemTopics_OneExisting_ReusedThereAndCreatedElsewhere()
    {
        var main = Main(existing: Reusing(Other));
        var names = main.Variable("names")!;

        var topics = main.Variable("systemTopics")!.AsArray();

        var own = topics.Single(t => (string)t!["subscriptionId"]! == Deployed)!;
        Assert.False((bool)own["reused"]!);
        Assert.Equal((string)names["systemTopic"]!, (string)own["name"]!);
        var reused = topics.Single(t => (string)t!["subscriptionId"]! == Other)!;
        Assert.True((bool)reused["reused"]!);
        Assert.Equal("rg-events", (string)reused["resourceGroupName"]!);
        Assert.Equal("subscription-events", (string)reused["name"]!);
        Assert.StartsWith("scale-set-events-", (string)reused["eventSubscriptionName"]!, StringComparison.Ordinal);

        var target = main.Resource("targetSubscriptions").Single(t => t.String("subscriptionId") == Other).Module();
        Assert.False(target.Resource("eventsResourceGroup").Single().Condition, "a resource group is created for a reused topic");
        Assert.False(target.Resource("systemTopic").Single().Condition, "a topic is created where one is reused");
        var reference = target.Resource("reusedSystemTopic").Single();
        Assert.True(reference.IsExisting);
        Assert.True(reference.Condition);
        Assert.Equal("subscription-events", reference.String("name"));
        Assert.Equal("rg-events", reference.String("resourceGroup"));
        Assert.Equal(["reusedSystemTopic"], target.ResourcesOfType("Microsoft.EventGrid/systemTopics"));

        var ownTarget = main.Resource("targetSubscriptions").Single(t => t.String("subscriptionId") == Deployed).Module();
        Assert.True(ownTarget.Resource("systemTopic").Single().Condition);
        AssertTheSameTopicsEverywhere(main, topics);
    }

    [Theory]
    [InlineData("dev", "prod")]
    [InlineData("an-prod", "an-prod-2")]
    public void SystemTopics_ReusedByTwoEnvironments_EachHasItsOwnEventSubscription(string first, string second)
    {
        string NameIn(string environment) =>
            (string)Main(Reusing(Other), environment).Variable("systemTopics")!.AsArray().Single(t => (string)t!["subscriptionId"]! == Other)!["eventSubscriptionName"]!;

        var names = new[] { NameIn(first), NameIn(second) };

        Assert.NotEqual(names[0], names[1]);
        Assert.All(names, name => Assert.Matches(EventSubscriptionName(), name));
        Assert.DoesNotContain("scale-set-events", names);
    }

    [Fact]
    public void EventSubscriptions_FromMainsOutput_OnePerTargetOnItsTopic()
    {
        var topics = Main(existing: Reusing(Other))
            .Output("EVENTGRID_SYSTEM_TOPICS")!.AsArray();
        var hook = ArmEvaluator.For(infra.EventSubscriptions.Text, Deployed, new Dictionary<string, JsonNode?>
        {
            ["environmentName"] = "dev",
            ["resourceGroupName"] = "rg-dev",
            ["systemTopics"] = topics,
            ["functionAppName"] = "func-an-abc",
            ["storageAccountName"] = "stabc",
            ["deadLetterContainerName"] = "deadletter",
        });

        var deployed = hook.Resource("eventSubscriptions");

        Assert.Equal(topics.Count, deployed.Count);
        foreach (var (module, topic) in deployed.Zip(topics))
        {
            Assert.True(module.Condition);
            Assert.Equal((string)topic!["subscriptionId"]!, module.String("subscriptionId"));
            Assert.Equal((string)topic["resourceGroupName"]!, module.String("resourceGroup"));
            var template = module.Module();
            Assert.DoesNotContain(template.OfType("Microsoft.EventGrid/systemTopics"), t => !t.IsExisting);
            var subscription = Assert.Single(template.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"));
            Assert.Equal($"{topic["name"]}/{topic["eventSubscriptionName"]}", subscription.String("name"));
            Assert.Equal(
                $"/subscriptions/{Deployed}/resourceGroups/rg-dev/providers/Microsoft.Web/sites/func-an-abc/functions/ScaleSetEvents",
                (string?)template.Parameter("functionResourceId"),
                ignoreCase: true);
        }
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

    private const string Deployed = "00000000-0000-0000-0000-0000000000aa";
    private const string Other = "00000000-0000-0000-0000-0000000000bb";

    /// <summary>main.bicep deployed to <see cref="Deployed"/>, watching it and <see cref="Other"/>.</summary>
    /// <summary>An existing topic for a subscription: <c>subscription-events</c> in <c>rg-events</c>.</summary>
    private static JsonArray Reusing(string subscriptionId) =>
        [new JsonObject { ["subscriptionId"] = subscriptionId, ["resourceGroupName"] = "rg-events", ["name"] = "subscription-events" }];

    private ArmEvaluator Main(JsonArray existing, string environment = "dev") =>
        ArmEvaluator.For(infra.Main.Text, Deployed, new Dictionary<string, JsonNode?>
        {
            ["environmentName"] = environment,
            ["location"] = "westeurope",
            ["targetSubscriptionIds"] = new JsonArray(Deployed, Other),
            ["existingSystemTopics"] = existing,
        });

    /// <summary>The topics main.bicep chose are the ones whose identities get the dead-letter role and the ones the hook is given.</summary>
    private static void AssertTheSameTopicsEverywhere(ArmEvaluator main, JsonArray topics)
    {
        var granted = main.Resource("rbac").Single().Module().Parameter("eventGridTopics")!.AsArray();
        Assert.Equal(
            topics.Select(t => $"{t!["subscriptionId"]}/{t["resourceGroupName"]}/{t["name"]}"),
            granted.Select(t => $"{t!["subscriptionId"]}/{t["resourceGroupName"]}/{t["name"]}"));
        Assert.True(JsonNode.DeepEquals(topics, main.Output("EVENTGRID_SYSTEM_TOPICS")), "the hook is not given the topics main.bicep chose");
    }

    [GeneratedRegex("^[A-Za-z0-9-]{3,64}$")]
    private static partial Regex EventSubscriptionName();

    private ArmResource EventSubscription() => infra.EventSubscriptions.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
