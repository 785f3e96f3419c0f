// What the app may do in one target subscription: a custom role holding exactly the actions in permissions.json
// (the one list the code's docs and the tests read too), assigned to the app's identity at subscription scope.
targetScope = 'subscription'

@description('Resource id of the app\'s user-assigned identity (names the role assignment).')
param appIdentityId string

@description('Principal (object) id of the app\'s user-assigned identity.')
param appPrincipalId string

@description('azd environment name; part of the role name, which must be unique in the tenant.')
param environmentName string

var permissions = loadJsonContent('permissions.json')

resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'anfunctions-operator')
  properties: {
    roleName: 'AnFunctions operator (${environmentName}, ${subscription().subscriptionId})'
    description: 'Lets AnFunctions read scale sets, their instances, Compute SKUs and the Activity Log, enable Accelerated Networking on new scale sets and roll it out to their nodes (deallocate, upgrade, start). Actions: infra/app/permissions.json.'
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.actions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, appIdentityId, role.id)
  properties: {
    roleDefinitionId: role.id
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'AnFunctions (${environmentName}): enable Accelerated Networking on new scale sets'
  }
}

output roleDefinitionId string = role.id
