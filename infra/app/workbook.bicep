// A picture of the fleet in Azure Monitor: AN coverage over time per subscription and cluster, nodes without AN, open
// findings by kind with their remedies, audit runs and their ARM cost. Reads the app's metrics (meter AnFunctions, in
// customMetrics: never sampled) and its FindingOpened log lines from Application Insights.

@description('Name of the workbook resource (a GUID).')
param name string = guid(resourceGroup().id, 'anfunctions-fleet-workbook')

@description('Display name of the workbook.')
param displayName string

@description('Region of the workbook.')
param location string

@description('Tags of the workbook.')
param tags { *: string }

@description('Resource id of the Application Insights component the app exports to.')
param applicationInsightsId string

// One remedy per finding kind, as a table the queries join with (the app's full remedy is in each finding).
var remedies = '''
datatable(Kind: string, Remedy: string) [
  'AcceleratedNetworkingOnUnsupportedSize', 'Set the pool back to a size that supports AN, or replace it with a new pool on a size without AN.',
  'AcceleratedNetworkingLost', 'AN cannot be turned back on in place on running nodes: create a new pool (it gets AN at creation), move the workloads, delete this one.',
  'SizeChangedWithoutAcceleratedNetworking', 'The new size supports AN but the pool keeps it off: create a new pool on that size, move the workloads, delete this one.',
  'AcceleratedNetworkingAvailableButOff', 'Capacity planning: the next pool on this size gets AN at creation; replace this one when convenient.',
  'SizeChangeRefused', 'Azure refused the resize (see the error): create a new pool on the size instead.',
  'NodesWithoutAcceleratedNetworking', 'Run a rollout (an rollout, POST /api/pools/rollout) or replace the nodes one at a time.',
  'AcceleratedNetworkingWriteBlocked', 'The write would take down more nodes than allowed: raise AcceleratedNetworking:MaxUnavailable or roll the pool yourself.',
  'InstancesNotOnLatestModel', 'Reimage or replace the instances still on the old model.',
  'AcceleratedNetworkingWriteFailed', 'Fix the cause in the error (join permissions, quota, policy); while the pool is new reconcile it again, later replace it with a new pool.'
]'''

var coverageOverTime = '''
customMetrics
| where name in ('anfunctions.fleet.pools', 'anfunctions.fleet.pools.accelerated_networking')
| extend Subscription = tostring(customDimensions['subscription']), Cluster = tostring(customDimensions['cluster'])
| summarize Pools = maxif(value, name == 'anfunctions.fleet.pools'), WithAN = maxif(value, name == 'anfunctions.fleet.pools.accelerated_networking') by bin(timestamp, 1h), Subscription, Cluster
| summarize Pools = sum(Pools), WithAN = sum(WithAN) by timestamp, Series = strcat(Subscription, ' / ', Cluster)
| extend CoveragePercent = round(100.0 * WithAN / Pools, 1)
| project timestamp, Series, CoveragePercent
'''

var nodesWithoutAn = '''
customMetrics
| where name == 'anfunctions.fleet.nodes.without_accelerated_networking'
| extend Cluster = tostring(customDimensions['cluster'])
| summarize Nodes = max(value) by bin(timestamp, 1h), Cluster, Subscription = tostring(customDimensions['subscription'])
| summarize NodesWithoutAN = sum(Nodes) by timestamp, Cluster
'''

var openFindings = '''
customMetrics
| where name == 'anfunctions.findings.open'
| extend Kind = tostring(customDimensions['kind']), Severity = tostring(customDimensions['severity'])
| summarize arg_max(timestamp, value) by Kind, Severity
| project Kind, Severity, Open = toint(value)
| where Open > 0
| join kind=leftouter ({0}) on Kind
| project Severity, Kind, Open, Remedy
| order by Severity asc, Open desc
'''

var recentFindings = '''
AppTraces
| where tostring(Properties['EventName']) == 'FindingOpened'
| project TimeGenerated, Severity = tostring(Properties['Severity']), Kind = tostring(Properties['Kind']), Pool = tostring(Properties['ResourceId']), Message = tostring(Properties['Message'])
| order by TimeGenerated desc
| take 100
'''

var auditRuns = '''
customMetrics
| where name in ('anfunctions.audit.duration', 'anfunctions.arm.requests')
| summarize Audits = sumif(valueCount, name == 'anfunctions.audit.duration'), AuditSeconds = round(sumif(valueSum, name == 'anfunctions.audit.duration'), 1), ArmRequests = sumif(valueSum, name == 'anfunctions.arm.requests') by bin(timestamp, 1h)
| order by timestamp desc
'''

var armByKind = '''
customMetrics
| where name == 'anfunctions.arm.requests'
| summarize Requests = sum(valueSum) by bin(timestamp, 1h), Kind = tostring(customDimensions['kind'])
'''

type queryItem = {
  type: int
  content: {
    version: string
    title: string
    query: string
    size: int
    timeContext: {
      durationMs: int
    }
    queryType: int
    resourceType: string
    visualization: string
  }
}

func query(title string, text string, visualization string) queryItem => {
  type: 3
  content: {
    version: 'KqlItem/1.0'
    title: title
    query: text
    size: 0
    timeContext: {
      durationMs: 604800000 // 7 days
    }
    queryType: 0
    resourceType: 'microsoft.insights/components'
    visualization: visualization
  }
}

var workbook = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      content: {
        json: '## AnFunctions: Accelerated Networking across the fleet\nCoverage counts active pools whose model has AN on every NIC configuration; nodes are counted for pools whose instances the app listed. The same picture as one page: `an report --html` or `GET /api/report`.'
      }
    }
    query('AN coverage over time, per subscription and cluster (%)', coverageOverTime, 'timechart')
    query('Nodes running without AN, per cluster', nodesWithoutAn, 'timechart')
    query('Open findings by kind, with the remedy', format(openFindings, remedies), 'table')
    query('Findings opened (last 100)', recentFindings, 'table')
    query('Audit runs and their ARM cost, per hour', auditRuns, 'table')
    query('ARM requests by kind', armByKind, 'barchart')
  ]
  fallbackResourceIds: [
    applicationInsightsId
  ]
}

resource fleetWorkbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: string(workbook)
  }
}

output workbookId string = fleetWorkbook.id
