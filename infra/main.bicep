// AnFunctions: enables Accelerated Networking on new VM scale set node pools and reports VM size changes.
// Deploys, in one resource group of this subscription: the Function App (Flex Consumption, .NET 10 isolated), its
// identity, storage, monitoring, Key Vault and alert rule; and in every target subscription: the app's custom role
// and the Event Grid system topic (or the one it already has, reused). The event subscriptions are created after the
// code is deployed (azure.yaml postdeploy hook -> scripts/post-up.sh or post-up.ps1 -> event-subscriptions.bicep).
// See infra/README.md.
targetScope = 'subscription'

import { existingSystemTopic, systemTopicOfTarget } from 'types.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Region of every regional resource; one where Flex Consumption is offered (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Subscriptions the app watches and acts on; empty means only the subscription deployed to.')
param targetSubscriptionIds string[] = []

@description('System topics that already exist for target subscriptions (Azure allows one per subscription): the app subscribes to these instead of creating its own. Each needs a system-assigned identity.')
param existingSystemTopics existingSystemTopic[] = []

@description('Start in dry-run: decide and record, never write to ARM (AcceleratedNetworking__DryRun). Set false once the findings look right.')
param dryRun bool = true

@description('Alert sinks whose secret you stored in the Key Vault (see infra/README.md); only these get a setting.')
param alertSinks ('Webhook' | 'Teams' | 'Slack' | 'PagerDuty')[] = []

@description('E-mail address notified by the critical-finding alert rule; empty leaves the action group without receivers.')
param alertEmailAddress string = ''

@description('Client id of the Microsoft Entra ID app registration for people calling the HTTP API (app roles of infra/app/app-roles.json); empty leaves App Service authentication off (see infra/README.md).')
param apiClientId string = ''

@description('Object id of the person deploying, granted Key Vault Secrets Officer to store the alert secrets; empty grants nothing.')
param principalId string = deployer().objectId

@description('Name of the resource group; empty derives rg-<environmentName>.')
param resourceGroupName string = ''

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Days logs are kept in Log Analytics.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Days a deleted Key Vault stays recoverable; purge protection keeps its name taken that long.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 7

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var targets = empty(targetSubscriptionIds) ? [subscription().subscriptionId] : targetSubscriptionIds
// Every name is known before the deployment starts (what-if can predict them; modules get names, not outputs).
var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  identity: '${abbrs.managedIdentityUserAssignedIdentities}an-${resourceToken}'
  storage: '${abbrs.storageStorageAccounts}${resourceToken}'
  logAnalytics: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  applicationInsights: '${abbrs.insightsComponents}${resourceToken}'
  keyVault: '${abbrs.keyVaultVaults}${resourceToken}'
  plan: '${abbrs.webServerFarms}${resourceToken}'
  functionApp: '${abbrs.webSitesFunctions}an-${resourceToken}'
  systemTopic: '${abbrs.eventGridSystemTopics}an-${resourceToken}'
  actionGroup: '${abbrs.insightsActionGroups}an-${resourceToken}'
  alertRule: '${abbrs.insightsScheduledQueryRules}an-critical-finding-${resourceToken}'
}
// Per target subscription, the system topic the app subscribes to: the existing one given for it, else the app's own
// (same name in every subscription, in a resource group named like the app's). A reused topic gets an event
// subscription of its own per environment, so that two environments sharing a topic never replace each other's.
// Subscription ids compare without regard to case (object keys in ARM).
var existingByTarget = toObject(existingSystemTopics, topic => topic.subscriptionId)
var systemTopics systemTopicOfTarget[] = [
  for subscriptionId in targets: {
    subscriptionId: subscriptionId
    resourceGroupName: existingByTarget[?subscriptionId].?resourceGroupName ?? names.resourceGroup
    name: existingByTarget[?subscriptionId].?name ?? names.systemTopic
    reused: contains(existingByTarget, subscriptionId)
    eventSubscriptionName: contains(existingByTarget, subscriptionId)
      ? 'scale-set-events-${uniqueString(environmentName, subscriptionId)}'
      : 'scale-set-events'
  }
]
var deploymentContainerName = 'app-package-${take(names.functionApp, 32)}-${take(resourceToken, 7)}'
var deadLetterContainerName = 'deadletter'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    deadLetterRetentionDays: 30
    softDeleteRetentionDays: 7
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
  }
}

// Per target subscription: the custom role + its assignment to the app's identity, and the Event Grid system topic
// unless an existing one is reused. The app's own topic of the subscription deployed to lives in the app's resource
// group; elsewhere in a group of the same name.
module targetSubscriptions 'app/target-subscription.bicep' = [
  for (subscriptionId, i) in targets: {
    name: 'an-target-${uniqueString(subscriptionId, environmentName)}'
    scope: subscription(subscriptionId)
    params: {
      environmentName: environmentName
      location: location
      tags: tags
      appIdentityId: resourceId(
        subscription().subscriptionId,
        rg.name,
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        names.identity
      )
      appPrincipalId: identity.outputs.principalId
      eventsResourceGroupName: systemTopics[i].resourceGroupName
      systemTopicName: systemTopics[i].name
      createSystemTopic: !systemTopics[i].reused
    }
  }
]

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: names.storage
    deadLetterContainerName: deadLetterContainerName
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
    appIdentityName: names.identity
    eventGridTopics: [
      for topic in systemTopics: {
        subscriptionId: topic.subscriptionId
        resourceGroupName: topic.resourceGroupName
        name: topic.name
      }
    ]
    deployerPrincipalId: principalId
  }
  dependsOn: [
    identity
    storage
    keyVault
    monitoring
    targetSubscriptions // the system topics and their identities
  ]
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    serviceName: 'api'
    identityName: names.identity
    storageAccountName: names.storage
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: names.applicationInsights
    keyVaultName: names.keyVault
    targetSubscriptionIds: targets
    dryRun: dryRun
    alertSinks: alertSinks
    instanceMemoryMB: 2048
    maximumInstanceCount: maximumInstanceCount
    authClientId: apiClientId
  }
  // The app's first start needs its storage, Key Vault and telemetry roles in place.
  dependsOn: [
    rbac
  ]
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    displayName: 'AnFunctions fleet (${environmentName})'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    actionGroupName: names.actionGroup
    alertRuleName: names.alertRule
    location: location
    tags: tags
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    alertEmailAddress: alertEmailAddress
  }
}

// Read by azd and by scripts/post-up.sh and post-up.ps1 (as environment variables; arrays as JSON). Names differ from the AN_* inputs on purpose:
// azd writes outputs back into the environment.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_KEY_VAULT_NAME string = names.keyVault
output AZURE_STORAGE_ACCOUNT_NAME string = names.storage
output EVENTGRID_SYSTEM_TOPICS systemTopicOfTarget[] = systemTopics
output EVENTGRID_DEAD_LETTER_CONTAINER string = deadLetterContainerName
