# AutomateAudit kit: install the idle sampler on an endpoint (once; running it again updates the installation).
#
# Automate step : Execute Script, PowerShell, run as admin (Windows: LocalSystem; Linux: root through pwsh, see
#                 README.md). Store the output in a variable, e.g. aa_sampler (what was done, one line per step).
# Before it     : 10-endpoint-deploy-module.ps1.
# Reads         : @aa_modulepath@    optional: default C:\ProgramData\AutomateAudit\AutomateAudit
#                                    (Linux: /opt/automateaudit/AutomateAudit)
#                 @aa_idle_exclude@  optional: users never monitored, separated by commas: DOMAIN\user or user on
#                                    Windows, user on Linux (e.g. CONTOSO\kiosk,svc-scanner); default none
#                 @aa_pwshpath@      Linux only, optional: the pwsh the systemd service runs; default the pwsh on PATH
# Sets          : the step's output: Register-IdleSampler -PassThru, one line per step done.
# Runs          : Windows: copies the sampler to %ProgramFiles%\AutomateAudit\IdleSampler, registers a logon task for
#                 every user and starts it in the sessions already open (nobody logs off and on).
#                 Linux: writes and starts automateaudit-idle.service (Start-IdleSampler in pwsh as root).
#                 To see what it would do, put the line  $WhatIfPreference = $true  first.
#
#### PASTE BELOW THIS LINE ####
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Get-KitSetting([string] $Value, [string] $Default) {
    # An Automate variable that was never set stays as typed (it starts with the at-sign): use the default.
    if ([string]::IsNullOrWhiteSpace($Value) -or $Value.StartsWith([string][char]64)) { return $Default }
    $Value.Trim()
}
$onWindows = [System.IO.Path]::DirectorySeparatorChar -eq [char]92
$defaultModule = if ($onWindows) { Join-Path $env:ProgramData 'AutomateAudit\AutomateAudit' } else { '/opt/automateaudit/AutomateAudit' }
$modulePath = Get-KitSetting '@aa_modulepath@' $defaultModule
$exclude = [string[]] ((Get-KitSetting '@aa_idle_exclude@' '') -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ })

Import-Module $modulePath
if ($onWindows) {
    if ($exclude) { Register-IdleSampler -ExcludeUser $exclude -Confirm:$false -PassThru }
    else { Register-IdleSampler -Confirm:$false -PassThru }
}
else {
    $pwsh = Get-KitSetting '@aa_pwshpath@' ''
    if (-not $pwsh) {
        $found = Get-Command -Name pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $found) { throw 'pwsh is not on PATH: install PowerShell 7 on the agent, or set aa_pwshpath.' }
        $pwsh = $found.Source
    }
    if ($exclude) { Register-IdleSampler -ExcludeUser $exclude -PwshPath $pwsh -Confirm:$false -PassThru }
    else { Register-IdleSampler -PwshPath $pwsh -Confirm:$false -PassThru }
}
