// Everything AnFunctions places in one target subscription: its permissions (custom role + assignment) and the
// Event Grid system topic that reports the subscription's ARM writes. main.bicep deploys it once per target
// subscription id.
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

@description('Resource group for the system topic (the app\'s own group in the subscription it is deployed to).')
param eventsResourceGroupName string

@description('Name of the system topic.')
param systemTopicName string

module access 'subscription-access.bicep' = {
  name: 'an-access-${uniqueString(subscription().id, environmentName)}'
  params: {
    appIdentityId: appIdentityId
    appPrincipalId: appPrincipalId
    environmentName: environmentName
  }
}

resource eventsResourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: eventsResourceGroupName
  location: location
  tags: tags
}

module systemTopic 'eventgrid.bicep' = {
  name: 'an-events-${uniqueString(subscription().id, environmentName)}'
  scope: eventsResourceGroup
  params: {
    systemTopicName: systemTopicName
    tags: tags
    deployEventSubscription: false // created after the code is deployed: scripts/post-up.sh
  }
}

output subscriptionId string = subscription().subscriptionId
output roleDefinitionId string = access.outputs.roleDefinitionId
output systemTopicPrincipalId string = systemTopic.outputs.systemTopicPrincipalId
