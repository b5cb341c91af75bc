# AutomateAudit kit: collect idle time on an endpoint (current samples and the hours since), as one line of base64.
#
# Automate step : Execute Script, PowerShell, run as the agent (Windows: LocalSystem; Linux: root through pwsh, see
#                 README.md). Store the output in the variable payload.
# Then          : 22-server-check-payload.regex.txt (Variable Check, regex), then 23-server-insert-inbox.sql (SQL Execute):
#                 the same two steps as for sessions; the inbox tells the two kinds apart by the payload itself.
# Before it     : once per endpoint, 40-endpoint-register-idle-sampler.ps1 (without the sampler, only the current
#                 idle time is known: IdleMon's idletime.json on Windows, the terminal and logind on Linux).
# Reads         : @aa_modulepath@  optional: default C:\ProgramData\AutomateAudit\AutomateAudit
#                                  (Linux: /opt/automateaudit/AutomateAudit)
#                 @aa_sincehours@  optional: the hours of history to send; default 2 (the hour still going on is always
#                                  sent; the server replaces each hour, so overlap is harmless)
#                 @aa_utmp@        Linux only, optional: the utmp file; default /run/utmp
#                 @aa_idlelogdir@  Linux only, optional: the sampler's folder; default /var/lib/automateaudit/idle
# Sets          : the step's output (variable payload): one line of base64, at most 60,000 characters.
# Runs          : Get-IdleSample -Since <now - N hours> -AsPayload (no database library is loaded).
# Warnings (a stale IdleMon file, for one) are silenced: Automate may capture them into the variable.
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
    $payload = Get-IdleSample -Since $since -AsPayload
}
else {
    $utmp = Get-KitSetting '@aa_utmp@' '/run/utmp'
    $logDirectory = Get-KitSetting '@aa_idlelogdir@' '/var/lib/automateaudit/idle'
    $payload = Get-IdleSample -Since $since -AsPayload -UtmpPath $utmp -LogDirectory $logDirectory
}
Write-Output $payload
