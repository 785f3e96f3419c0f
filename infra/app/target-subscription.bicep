// Everything AnFunctions places in one target subscription: its permissions (custom role + assignment) and the
// Event Grid system topic that reports the subscription's ARM writes, unless the subscription already has one that
// the app reuses (Azure allows one per subscription; main.bicep, existingSystemTopics). main.bicep deploys it once
// per target subscription id.
targetScope = 'subscription'

@description('azd environment name.')
param environmentName string

@description('Region of the resource group holding the system topic.')
param location string

@description('Tags of the resource group and the system topic.')
param tags { *: string }

@description('Resource id of the app\'s user-assigned identity (names the role assignment).')
param appIdentityId string

@description('Principal (object) id of the app\'s user-assigned identity.')
param appPrincipalId string

@description('Resource group of the system topic: the app\'s own group name when the app creates the topic, the reused topic\'s group otherwise.')
param eventsResourceGroupName string

@description('Name of the system topic (created, or reused).')
param systemTopicName string

@description('Create the system topic (and its resource group); false reuses the existing topic named above, which is then only read.')
param createSystemTopic bool

module access 'subscription-access.bicep' = {
  name: 'an-access-${uniqueString(subscription().id, environmentName)}'
  params: {
    appIdentityId: appIdentityId
    appPrincipalId: appPrincipalId
    environmentName: environmentName
  }
}

resource eventsResourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = if (createSystemTopic) {
  name: eventsResourceGroupName
  location: location
  tags: tags
}

// The event subscription is created after the code is deployed (scripts/post-up.sh), on this topic or the reused one.
module systemTopic 'system-topic.bicep' = if (createSystemTopic) {
  name: 'an-events-${uniqueString(subscription().id, environmentName)}'
  scope: eventsResourceGroup
  params: {
    systemTopicName: systemTopicName
    tags: tags
  }
}

// A reused topic is read, never written: the deployment stops here, naming it, when it does not exist.
resource reusedSystemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = if (!createSystemTopic) {
  name: systemTopicName
  scope: resourceGroup(eventsResourceGroupName)
}

output subscriptionId string = subscription().subscriptionId
output roleDefinitionId string = access.outputs.roleDefinitionId
output systemTopicPrincipalId string = createSystemTopic
  ? systemTopic!.outputs.systemTopicPrincipalId
  : reusedSystemTopic!.identity.principalId
