// Second stage, run after the code is deployed (azure.yaml postdeploy hook -> scripts/post-up.sh): subscribes the
// ScaleSetEvents function to the Event Grid system topic of every target subscription. Event Grid checks that the
// function exists when the subscription is created, which is why main.bicep cannot do it. Every value comes from
// main.bicep's outputs in the azd environment.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment (AZURE_ENV_NAME).')
param environmentName string

@description('Target subscription ids (EVENTGRID_TARGET_SUBSCRIPTION_IDS).')
@minLength(1)
param targetSubscriptionIds string[]

@description('Resource group of the app in this subscription, and of the system topic in every target subscription (EVENTGRID_RESOURCE_GROUP).')
param resourceGroupName string

@description('Name of the system topics (EVENTGRID_SYSTEM_TOPIC_NAME).')
param systemTopicName string

@description('Name of the Function App (AZURE_FUNCTION_APP_NAME).')
param functionAppName string

@description('Name of the storage account with the dead-letter container (AZURE_STORAGE_ACCOUNT_NAME).')
param storageAccountName string

@description('Dead-letter container (EVENTGRID_DEAD_LETTER_CONTAINER).')
param deadLetterContainerName string

@description('Events per delivery.')
@minValue(1)
@maxValue(10)
param maxEventsPerBatch int = 1

var tags = {
  'azd-env-name': environmentName
}

module eventSubscriptions 'app/eventgrid.bicep' = [
  for subscriptionId in targetSubscriptionIds: {
    name: 'an-event-subscription-${uniqueString(subscriptionId, environmentName)}'
    scope: resourceGroup(subscriptionId, resourceGroupName)
    params: {
      systemTopicName: systemTopicName
      tags: tags
      deployEventSubscription: true
      functionResourceId: resourceId(
        subscription().subscriptionId,
        resourceGroupName,
        'Microsoft.Web/sites/functions',
        functionAppName,
        'ScaleSetEvents'
      )
      deadLetterStorageAccountId: resourceId(
        subscription().subscriptionId,
        resourceGroupName,
        'Microsoft.Storage/storageAccounts',
        storageAccountName
      )
      deadLetterContainerName: deadLetterContainerName
      maxEventsPerBatch: maxEventsPerBatch
    }
  }
]
