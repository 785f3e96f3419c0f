// The Function App on the Flex Consumption plan (.NET 10 isolated worker). Every setting is identity-based: no
// storage key, no connection string with a secret, and the alert sinks' secrets only as Key Vault references.

@description('Name of the Function App (globally unique host name).')
param name string

@description('Name of its Flex Consumption plan.')
param planName string

@description('Region of the plan and the app (one where Flex Consumption is offered).')
param location string

@description('Tags of the plan and the app; the app adds azd-service-name.')
param tags { *: string }

@description('Name of the service in azure.yaml; azd finds the app by this tag.')
param serviceName string

@description('Name of the app\'s user-assigned identity (in this resource group).')
param identityName string

@description('Name of the storage account (host, state tables, queues).')
param storageAccountName string

@description('Blob container the app is deployed from.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the Key Vault holding the alert sinks\' secrets.')
param keyVaultName string

@description('Subscription ids the app acts on (AcceleratedNetworking__Subscriptions).')
param targetSubscriptionIds string[]

@description('NCRONTAB schedule of the fleet audit (six fields, seconds first).')
param auditSchedule string = '0 */30 * * * *'

@description('Where the fleet audit lists scale sets: Arm (one listing per subscription) or ResourceGraph (one query for all).')
param auditSource ('Arm' | 'ResourceGraph') = 'Arm'

@description('When true the app decides and records, but never writes to ARM (AcceleratedNetworking__DryRun).')
param dryRun bool

@description('Alert sinks whose secret the vault holds; each gets its Key Vault reference setting.')
param alertSinks ('Webhook' | 'Teams' | 'Slack' | 'PagerDuty')[]

@description('Memory of one instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Most instances the app scales out to (caps concurrent ARM calls as well).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Client id of the Microsoft Entra ID app registration people sign in to, with the app roles of app-roles.json; empty leaves App Service authentication off (function keys only; the app logs a warning at start).')
param authClientId string = ''

@description('Tenant of that app registration.')
param authTenantId string = tenant().tenantId

// Event Grid delivers to the host's webhook with the system key; it carries no Entra ID token, so its path is the
// one App Service authentication lets through.
var eventGridWebhookPath = '/runtime/webhooks/eventgrid'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The setting each alert sink reads, and the secret it comes from. The app sees a setting only for a sink listed
// in alertSinks: an unresolvable reference would otherwise reach it as the literal '@Microsoft.KeyVault(...)' text.
var alertSinkSecrets = {
  Webhook: {
    setting: 'Alerts__Webhook__Url'
    secretName: 'alerts-webhook-url'
  }
  Teams: {
    setting: 'Alerts__Teams__Url'
    secretName: 'alerts-teams-url'
  }
  Slack: {
    setting: 'Alerts__Slack__Url'
    secretName: 'alerts-slack-url'
  }
  PagerDuty: {
    setting: 'Alerts__PagerDuty__RoutingKey'
    secretName: 'alerts-pagerduty-routing-key'
  }
}

var alertSinkSettings = toObject(
  alertSinks,
  sink => alertSinkSecrets[sink].setting,
  sink => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${alertSinkSecrets[sink].secretName})'
)

var appSettings = {
  // Functions host storage through the managed identity (no AccountKey anywhere).
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  // Telemetry with Entra ID authentication (the component accepts nothing else).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  // The credential the SDK clients use.
  AZURE_CLIENT_ID: identity.properties.clientId
  Arm__ManagedIdentityClientId: identity.properties.clientId
  // State store: Azure Tables through the identity.
  State__Store: 'Table'
  State__TableServiceUri: storage.properties.primaryEndpoints.table
  // Policy.
  AcceleratedNetworking__Subscriptions: join(targetSubscriptionIds, ',')
  AcceleratedNetworking__DryRun: dryRun ? 'true' : 'false'
  // The FleetAudit timer reads its schedule from this setting (%Audit:Schedule%): it must exist.
  Audit__Schedule: auditSchedule
  Audit__Source: auditSource
  // The HTTP API checks the caller's app role (X-MS-CLIENT-PRINCIPAL) when App Service authentication is configured.
  Auth__Enabled: empty(authClientId) ? 'false' : 'true'
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      remoteDebuggingEnabled: false
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, alertSinkSettings)
  }

  // People sign in with Microsoft Entra ID (App Service authentication): unauthenticated calls get 401 from the
  // platform, which passes the caller's claims (app roles) to the app in X-MS-CLIENT-PRINCIPAL; the app checks the
  // role each route needs. Function keys are still required on top (AuthorizationLevel.Function).
  resource authSettings 'config' = if (!empty(authClientId)) {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      globalValidation: {
        requireAuthentication: true
        unauthenticatedClientAction: 'Return401'
        excludedPaths: [
          eventGridWebhookPath
        ]
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: {
            clientId: authClientId
            openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
          }
          validation: {
            allowedAudiences: [
              'api://${authClientId}'
              authClientId
            ]
          }
        }
      }
      login: {
        tokenStore: {
          enabled: false
        }
      }
      httpSettings: {
        requireHttps: true
      }
    }
  }

  // No basic (user name + password) publishing: deployments authenticate with Entra ID.
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
