#!/bin/sh
# azd postdeploy hook: subscribe the deployed ScaleSetEvents function to the Event Grid system topic of every
# target subscription, the app's own or a reused one (infra/event-subscriptions.bicep). It runs after the code is
# deployed because Event Grid checks that the function exists when the subscription is created. Safe to re-run: the
# deployment is idempotent. scripts/post-up.ps1 does the same on Windows.
#
# Reads main.bicep's outputs, which azd passes to hooks as environment variables (arrays as JSON). Needs the Azure
# CLI, signed in (`az login`) as someone who may deploy to every target subscription.
set -eu

for cmd in az; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "post-up: '$cmd' is not installed; see infra/README.md (Prerequisites)." >&2
    exit 1
  fi
done

missing=""
for name in AZURE_ENV_NAME AZURE_LOCATION AZURE_SUBSCRIPTION_ID AZURE_RESOURCE_GROUP AZURE_FUNCTION_APP_NAME \
  AZURE_STORAGE_ACCOUNT_NAME EVENTGRID_SYSTEM_TOPICS EVENTGRID_DEAD_LETTER_CONTAINER; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    missing="$missing $name"
  fi
done
if [ -n "$missing" ]; then
  echo "post-up: missing environment values:$missing (run 'azd provision' first)." >&2
  exit 1
fi

script_dir=$(cd "$(dirname "$0")" && pwd)
template="$script_dir/../infra/event-subscriptions.bicep"
deployment_name=$(printf 'an-event-subscriptions-%s' "$AZURE_ENV_NAME" | cut -c1-64)
attempts=${POST_UP_ATTEMPTS:-5}
delay=${POST_UP_RETRY_SECONDS:-30}

echo "post-up: subscribing function ScaleSetEvents of $AZURE_FUNCTION_APP_NAME to the system topics $EVENTGRID_SYSTEM_TOPICS"
attempt=1
while :; do
  # EVENTGRID_SYSTEM_TOPICS is a JSON array: az reads a name=value whose value is JSON as JSON.
  if az deployment sub create \
    --name "$deployment_name" \
    --subscription "$AZURE_SUBSCRIPTION_ID" \
    --location "$AZURE_LOCATION" \
    --template-file "$template" \
    --parameters \
      environmentName="$AZURE_ENV_NAME" \
      resourceGroupName="$AZURE_RESOURCE_GROUP" \
      systemTopics="$EVENTGRID_SYSTEM_TOPICS" \
      functionAppName="$AZURE_FUNCTION_APP_NAME" \
      storageAccountName="$AZURE_STORAGE_ACCOUNT_NAME" \
      deadLetterContainerName="$EVENTGRID_DEAD_LETTER_CONTAINER" \
    --only-show-errors \
    --output none; then
    echo "post-up: Event Grid subscriptions are in place."
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    echo "post-up: creating the Event Grid subscriptions failed $attempts times; re-run ./scripts/post-up.sh (or 'azd deploy')." >&2
    exit 1
  fi
  # Right after a deployment the function may not be listed yet; Event Grid then refuses the subscription.
  echo "post-up: attempt $attempt failed; retrying in ${delay}s." >&2
  attempt=$((attempt + 1))
  sleep "$delay"
done
