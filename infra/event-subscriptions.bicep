// Second stage, run after the code is deployed (azure.yaml postdeploy hook -> scripts/post-up.sh, or post-up.ps1 on
// Windows): subscribes the ScaleSetEvents function to the Event Grid system topic of every target subscription, the
// app's own or a reused one. Event Grid checks that the function exists when the subscription is created, which is
// why main.bicep cannot do it. Every value comes from main.bicep's outputs in the azd environment.
targetScope = 'subscription'

import { systemTopicOfTarget } from 'types.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment (AZURE_ENV_NAME).')
param environmentName string

@description('Resource group of the app: the Function App and the storage account with the dead-letter container (AZURE_RESOURCE_GROUP).')
param resourceGroupName string

@description('The system topic of every target subscription and the name of its event subscription (EVENTGRID_SYSTEM_TOPICS).')
@minLength(1)
param systemTopics systemTopicOfTarget[]

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

module eventSubscriptions 'app/event-subscription.bicep' = [
  for topic in systemTopics: {
    name: 'an-event-subscription-${uniqueString(topic.subscriptionId, environmentName)}'
    scope: resourceGroup(topic.subscriptionId, topic.resourceGroupName)
    params: {
      systemTopicName: topic.name
      eventSubscriptionName: topic.eventSubscriptionName
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
