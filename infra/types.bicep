// Types shared by main.bicep (which decides, per target subscription, which system topic the app uses) and
// event-subscriptions.bicep (which subscribes the function to it, from main.bicep's output).

@export()
@description('A system topic (type Microsoft.Resources.Subscriptions) that already exists for a subscription\'s ARM events.')
type existingSystemTopic = {
  @description('The target subscription whose ARM events the topic reports.')
  subscriptionId: string

  @description('Resource group of the topic, in that subscription.')
  resourceGroupName: string

  @description('Name of the topic. It needs a system-assigned identity: dead letters are written with it.')
  name: string
}

@export()
@description('The system topic the app subscribes to in one target subscription.')
type systemTopicOfTarget = {
  @description('The target subscription.')
  subscriptionId: string

  @description('Resource group of the topic.')
  resourceGroupName: string

  @description('Name of the topic.')
  name: string

  @description('True when the topic existed before (existingSystemTopics) and the app only subscribes to it.')
  reused: bool

  @description('Name of the app\'s event subscription on the topic.')
  eventSubscriptionName: string
}
