// The event subscription of one target subscription's system topic to the ScaleSetEvents function, deployed by the
// azd postdeploy hook (scripts/post-up.sh or post-up.ps1 -> event-subscriptions.bicep) once the code is deployed:
// Event Grid refuses a subscription to a function that does not exist yet. The topic is only referenced, never
// written, so a reused topic (main.bicep, existingSystemTopics) keeps its settings, tags and other subscriptions.

@description('Name of the system topic (the app\'s own, or the reused one).')
param systemTopicName string

@description('Name of the event subscription: scale-set-events on the app\'s own topic, one per environment on a reused topic.')
@minLength(3)
@maxLength(64)
param eventSubscriptionName string

@description('Resource id of the ScaleSetEvents function (<function app id>/functions/ScaleSetEvents).')
param functionResourceId string

@description('Resource id of the storage account holding the dead-letter container.')
param deadLetterStorageAccountId string

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

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource scaleSetEvents 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: eventSubscriptionName
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
