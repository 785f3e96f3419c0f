// A second path to on-call that does not depend on the app's own alert sinks: Azure Monitor searches the app's
// logs for critical findings and notifies an action group.

@description('Name of the action group.')
param actionGroupName string

@description('Name of the scheduled query (log search) alert rule.')
param alertRuleName string

@description('Region of the alert rule (the workspace\'s).')
param location string

@description('Tags of both resources.')
param tags { *: string }

@description('Resource id of the Log Analytics workspace the app\'s logs land in (AppTraces).')
param logAnalyticsId string

@description('E-mail address the action group notifies; empty creates the group without receivers (add them later).')
param alertEmailAddress string

@description('Event name of the structured log line the app writes when it opens a finding.')
param findingEventName string = 'FindingOpened'

@description('Finding severity that pages.')
param findingSeverity string = 'critical'

// Where the fields come from: the worker sends its logs to the Functions host, which writes them to Application
// Insights with the event name as Properties['EventName'] but only the formatted message (the worker's structured
// properties are not relayed), so the severity is read from the message text ("Finding <id> opened: <Kind>,
// <severity>, on <pool>: ..."). A worker that logs to Application Insights itself writes Properties['Severity'];
// the prop__ forms are the host's prefix for structured properties. tests/AnFunctions.HostProtocol.Tests checks this
// query against the log lines the worker actually sends.
var criticalFindingsQuery = '''
AppTraces
| extend EventName = coalesce(tostring(Properties['EventName']), tostring(Properties['prop__EventName']))
| extend Severity = coalesce(tostring(Properties['Severity']), tostring(Properties['prop__Severity']), extract(@'opened: [A-Za-z]+, ([A-Za-z]+), on ', 1, Message))
| where EventName == '{0}' and Severity =~ '{1}'
'''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  #disable-next-line no-hardcoded-location // action groups are global resources
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'AnFunctions'
    enabled: true
    emailReceivers: empty(alertEmailAddress)
      ? []
      : [
          {
            name: 'on-call-email'
            emailAddress: alertEmailAddress
            useCommonAlertSchema: true
          }
        ]
  }
}

resource criticalFindings 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: alertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'AnFunctions: critical finding opened'
    description: 'AnFunctions logged ${findingEventName} with severity ${findingSeverity}. See the app\'s findings (AppTraces) for the scale set and the reason.'
    severity: 1
    enabled: true
    scopes: [
      logAnalyticsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: format(criticalFindingsQuery, findingEventName, findingSeverity)
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    muteActionsDuration: 'PT1H' // one notification an hour while critical findings keep being opened
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
output alertRuleId string = criticalFindings.id
