# AutomateAudit kit: collect the user sessions on an endpoint, as one line of base64 for the inbox route.
#
# Automate step : Execute Script, PowerShell, run as the agent (Windows: LocalSystem, Windows PowerShell 5.1;
#                 Linux: root through pwsh, see README.md). Store the output in the variable payload.
# Then          : 22-server-check-payload.regex.txt (Variable Check, regex), then 23-server-insert-inbox.sql (SQL Execute).
# Reads         : @aa_modulepath@  optional: default C:\ProgramData\AutomateAudit\AutomateAudit
#                                  (Linux: /opt/automateaudit/AutomateAudit), where 10-endpoint-deploy-module.ps1 put it
#                 @aa_sincehours@  optional: the logon/logoff events of the last N hours; default 2 (run it at least
#                                  every 2 hours; overlap is harmless, the server applies each event once)
#                 @aa_utmp@        Linux only, optional: the utmp file; default /run/utmp
#                 @aa_wtmp@        Linux only, optional: the wtmp file; default /var/log/wtmp when it exists
# Sets          : the step's output (variable payload): one line of base64, at most 60,000 characters. On failure
#                 the output is an error message, which the regex check refuses, so nothing reaches SQL.
# Runs          : Get-UserSession -IncludeEvents -Since <now - N hours> -AsPayload. No database library is loaded, and
#                 the agent's own ComputerID (HKLM\SOFTWARE\LabTech\Service\ID; Linux /usr/local/ltechagent/state) is
#                 put in the payload, so the server refuses it when it arrives under another computer id.
# Warnings are silenced: Automate may capture them into the variable, which would then fail the regex check.
#
#### PASTE BELOW THIS LINE ####
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
function Get-KitSetting([string] $Value, [string] $Default) {
    # An Automate variable that was never set stays as typed (it starts with the at-sign): use the default.
    if ([string]::IsNullOrWhiteSpace($Value) -or $Value.StartsWith([string][char]64)) { return $Default }
    $Value.Trim()
}
$onWindows = [System.IO.Path]::DirectorySeparatorChar -eq [char]92
$defaultModule = if ($onWindows) { Join-Path $env:ProgramData 'AutomateAudit\AutomateAudit' } else { '/opt/automateaudit/AutomateAudit' }
$modulePath = Get-KitSetting '@aa_modulepath@' $defaultModule
$since = (Get-Date).AddHours(-[int](Get-KitSetting '@aa_sincehours@' '2'))

Import-Module $modulePath
if ($onWindows) {
    $payload = Get-UserSession -IncludeEvents -Since $since -AsPayload
}
else {
    $utmp = Get-KitSetting '@aa_utmp@' '/run/utmp'
    $wtmp = Get-KitSetting '@aa_wtmp@' ''
    if (-not $wtmp -and (Test-Path -LiteralPath '/var/log/wtmp')) { $wtmp = '/var/log/wtmp' }
    if ($wtmp) { $payload = Get-UserSession -IncludeEvents -Since $since -AsPayload -UtmpPath $utmp -WtmpPath $wtmp }
    else { $payload = Get-UserSession -Since $since -AsPayload -UtmpPath $utmp }
}
Write-Output $payload
