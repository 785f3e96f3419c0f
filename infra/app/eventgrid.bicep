// The Event Grid system topic of one target subscription (Microsoft.Resources.Subscriptions: every ARM write in it)
// and, once the code is deployed, its event subscription to the ScaleSetEvents function. The subscription cannot
// be created before the function exists, so main.bicep deploys this module with deployEventSubscription=false and
// the azd postdeploy hook (scripts/post-up.sh -> event-subscriptions.bicep) deploys it again with true.

@description('Name of the system topic.')
param systemTopicName string

@description('Tags of the system topic.')
param tags { *: string }

@description('Create the event subscription too (only once the function app holds the ScaleSetEvents function).')
param deployEventSubscription bool

@description('Resource id of the ScaleSetEvents function (<function app id>/functions/ScaleSetEvents); required when deployEventSubscription is true.')
param functionResourceId string = ''

@description('Resource id of the storage account holding the dead-letter container; required when deployEventSubscription is true.')
param deadLetterStorageAccountId string = ''

@description('Blob container for events that could not be delivered.')
param deadLetterContainerName string = 'deadletter'

@description('Events per delivery (the function accepts batches).')
@minValue(1)
@maxValue(10)
param maxEventsPerBatch int = 1

@description('Preferred size of one delivery, in KB.')
@minValue(1)
@maxValue(1024)
param preferredBatchSizeInKilobytes int = 64

@description('Deliveries Event Grid attempts before it dead-letters an event.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Minutes an event is retried before it is dead-lettered.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

// ARM events the app handles: a scale set's write (success, failure, cancel) and its deletion.
var includedEventTypes = [
  'Microsoft.Resources.ResourceWriteSuccess'
  'Microsoft.Resources.ResourceWriteFailure'
  'Microsoft.Resources.ResourceWriteCancel'
  'Microsoft.Resources.ResourceDeleteSuccess'
]

// Only scale set writes and deletes reach the function; every other ARM operation is dropped by Event Grid.
var scaleSetOperations = [
  'Microsoft.Compute/virtualMachineScaleSets/write'
  'Microsoft.Compute/virtualMachineScaleSets/delete'
]

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  #disable-next-line no-hardcoded-location // a subscription's system topic is not regional: 'global' is its only location
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned' // writes dead letters (Storage Blob Data Contributor on the container, rbac.bicep)
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource scaleSetEvents 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (deployEventSubscription) {
  parent: systemTopic
  name: 'scale-set-events'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: functionResourceId
        maxEventsPerBatch: maxEventsPerBatch
        preferredBatchSizeInKilobytes: preferredBatchSizeInKilobytes
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: includedEventTypes
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: scaleSetOperations
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output systemTopicName string = systemTopic.name
output systemTopicPrincipalId string = systemTopic.identity.principalId
