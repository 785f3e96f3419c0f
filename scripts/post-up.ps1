# azd postdeploy hook for Windows (PowerShell 7): the same steps as scripts/post-up.sh. Subscribes the deployed
# ScaleSetEvents function to the Event Grid system topic of every target subscription, the app's own or a reused one
# (infra/event-subscriptions.bicep). It runs after the code is deployed because Event Grid checks that the function
# exists when the subscription is created. Safe to re-run: the deployment is idempotent.
#
# Reads main.bicep's outputs, which azd passes to hooks as environment variables (arrays as JSON). Needs the Azure
# CLI, signed in (`az login`) as someone who may deploy to every target subscription.
#
# The parameters go to az in a parameters file, not as name=value arguments: on Windows `az` is a .cmd script, and
# PowerShell cannot pass the double quotes of a JSON value to one reliably.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if (-not (Get-Command az -CommandType Application -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine("post-up: 'az' is not installed; see infra/README.md (Prerequisites).")
    exit 1
}

$required = @(
    'AZURE_ENV_NAME', 'AZURE_LOCATION', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME',
    'AZURE_STORAGE_ACCOUNT_NAME', 'EVENTGRID_SYSTEM_TOPICS', 'EVENTGRID_DEAD_LETTER_CONTAINER')
$missing = @($required | Where-Object { [string]::IsNullOrEmpty([Environment]::GetEnvironmentVariable($_)) })
if ($missing.Count -gt 0) {
    [Console]::Error.WriteLine("post-up: missing environment values: $($missing -join ' ') (run 'azd provision' first).")
    exit 1
}

try {
    # -NoEnumerate keeps a one-topic array an array.
    $systemTopics = ConvertFrom-Json -InputObject $env:EVENTGRID_SYSTEM_TOPICS -NoEnumerate
}
catch {
    [Console]::Error.WriteLine("post-up: EVENTGRID_SYSTEM_TOPICS is not JSON: $($_.Exception.Message)")
    exit 1
}

$template = Join-Path $PSScriptRoot '..' 'infra' 'event-subscriptions.bicep'
$deploymentName = "an-event-subscriptions-$($env:AZURE_ENV_NAME)"
if ($deploymentName.Length -gt 64) {
    $deploymentName = $deploymentName.Substring(0, 64)
}

$attempts = if ($env:POST_UP_ATTEMPTS) { [int]$env:POST_UP_ATTEMPTS } else { 5 }
$delay = if ($env:POST_UP_RETRY_SECONDS) { [int]$env:POST_UP_RETRY_SECONDS } else { 30 }

$parameters = [ordered]@{
    '$schema'      = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#'
    contentVersion = '1.0.0.0'
    parameters     = [ordered]@{
        environmentName         = @{ value = $env:AZURE_ENV_NAME }
        resourceGroupName       = @{ value = $env:AZURE_RESOURCE_GROUP }
        systemTopics            = @{ value = $systemTopics }
        functionAppName         = @{ value = $env:AZURE_FUNCTION_APP_NAME }
        storageAccountName      = @{ value = $env:AZURE_STORAGE_ACCOUNT_NAME }
        deadLetterContainerName = @{ value = $env:EVENTGRID_DEAD_LETTER_CONTAINER }
    }
}
$parametersFile = Join-Path ([IO.Path]::GetTempPath()) "an-event-subscriptions-$([guid]::NewGuid().ToString('N')).json"
Set-Content -LiteralPath $parametersFile -Value ($parameters | ConvertTo-Json -Depth 10) -Encoding utf8NoBOM

try {
    Write-Host "post-up: subscribing function ScaleSetEvents of $($env:AZURE_FUNCTION_APP_NAME) to the system topics $($env:EVENTGRID_SYSTEM_TOPICS)"
    for ($attempt = 1; ; $attempt++) {
        az deployment sub create `
            --name $deploymentName `
            --subscription $env:AZURE_SUBSCRIPTION_ID `
            --location $env:AZURE_LOCATION `
            --template-file $template `
            --parameters "@$parametersFile" `
            --only-show-errors `
            --output none
        if ($LASTEXITCODE -eq 0) {
            Write-Host 'post-up: Event Grid subscriptions are in place.'
            exit 0
        }

        if ($attempt -ge $attempts) {
            [Console]::Error.WriteLine("post-up: creating the Event Grid subscriptions failed $attempts times; re-run ./scripts/post-up.ps1 (or 'azd deploy').")
            exit 1
        }

        # Right after a deployment the function may not be listed yet; Event Grid then refuses the subscription.
        [Console]::Error.WriteLine("post-up: attempt $attempt failed; retrying in ${delay}s.")
        Start-Sleep -Seconds $delay
    }
}
finally {
    Remove-Item -LiteralPath $parametersFile -Force -ErrorAction SilentlyContinue
}
