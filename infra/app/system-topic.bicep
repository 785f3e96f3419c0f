// The Event Grid system topic of one target subscription (Microsoft.Resources.Subscriptions: every ARM write in it),
// created when the subscription has none the app may reuse (main.bicep, existingSystemTopics). Its event
// subscription to the ScaleSetEvents function is created after the code is deployed (event-subscription.bicep, run
// by the azd postdeploy hook), on this topic or on a reused one alike.

@description('Name of the system topic.')
param systemTopicName string

@description('Tags of the system topic.')
param tags { *: string }

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

output systemTopicName string = systemTopic.name
output systemTopicPrincipalId string = systemTopic.identity.principalId
