// Every role assignment inside the app's resource group, in one place. Names are guid(scope, principal, role) so a
// redeployment finds the same assignment. The ARM permissions in the target subscriptions are elsewhere
// (subscription-access.bicep), because they live at subscription scope.

@description('The storage account of the host, the state tables and queues, and the dead-letter container.')
param storageAccountName string

@description('The blob container Event Grid dead-letters to.')
param deadLetterContainerName string

@description('The vault of the alert sinks\' secrets.')
param keyVaultName string

@description('The Application Insights component the app sends telemetry to.')
param applicationInsightsName string

@description('Name of the app\'s user-assigned identity (in this resource group).')
param appIdentityName string

@description('The Event Grid system topics (one per target subscription); their identities write dead letters.')
param eventGridTopics {
  subscriptionId: string
  resourceGroupName: string
  name: string
}[]

@description('Object id of the person deploying, granted Key Vault Secrets Officer to store the alert secrets; empty grants nothing.')
param deployerPrincipalId string

// Built-in role definition ids (the same in every subscription).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}

// What the app's identity needs on the storage account:
// - Blob Data Owner: the Functions host (AzureWebJobsStorage: leases, timer locks, its own containers) and the Flex
//   Consumption deployment package.
// - Queue Data Contributor: queued audit runs.
// - Table Data Contributor: the state store (pools, processed events, decisions, findings).
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource systemTopics 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = [
  for topic in eventGridTopics: {
    name: topic.name
    scope: resourceGroup(topic.subscriptionId, topic.resourceGroupName)
  }
]

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appStorageRoles: {
    name: guid(storage.id, appIdentity.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Resolve the Key Vault references of the alert sinks' settings (read secret values, nothing else).
resource appSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Send telemetry with Entra ID authentication (the component has local auth disabled).
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.monitoringMetricsPublisher
    )
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Event Grid dead-letters with each system topic's own identity, and only into the dead-letter container.
resource eventGridDeadLetter 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (topic, i) in eventGridTopics: {
    name: guid(storage::blobService::deadLetterContainer.id, systemTopics[i].id, roles.storageBlobDataContributor)
    scope: storage::blobService::deadLetterContainer
    properties: {
      roleDefinitionId: subscriptionResourceId(
        'Microsoft.Authorization/roleDefinitions',
        roles.storageBlobDataContributor
      )
      principalId: systemTopics[i].identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Lets the person deploying store the alert secrets (an RBAC-mode vault grants Owners no data access).
resource deployerSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
  }
}
