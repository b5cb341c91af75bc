# AutomateAudit kit, the direct route: write the sessions as JSON to a file for Automate's File Upload step.
#
# Use it only where a server-side PowerShell has database access (on-premises). Otherwise use the inbox route
# (20-endpoint-collect-sessions.ps1 and the steps after it).
# Automate step : Execute Script, PowerShell, run as the agent (Windows: LocalSystem; Linux: root through pwsh).
#                 Store the output in a variable, e.g. aa_uploadfile (the file's full path).
# Then          : File Upload (agent), the file just written (C:\ProgramData\AutomateAudit\upload\sessions.json):
#                 Automate stores it as LTShare\Uploads\%clientname%\%computername% (%computerid%)\sessions.json
#                 (the layout ProVal documents); then 31-server-save-uploaded-sessions.shell.txt on the server.
# Reads         : @aa_modulepath@  optional: default C:\ProgramData\AutomateAudit\AutomateAudit
#                                  (Linux: /opt/automateaudit/AutomateAudit)
#                 @aa_uploadfile@  optional: default C:\ProgramData\AutomateAudit\upload\sessions.json
#                                  (Linux: /var/lib/automateaudit/upload/sessions.json)
#                 @aa_sincehours@  optional: the logon/logoff events of the last N hours; default 2
#                 @aa_utmp@        Linux only, optional: the utmp file; default /run/utmp
#                 @aa_wtmp@        Linux only, optional: the wtmp file; default /var/log/wtmp when it exists
# Sets          : the step's output: the full path of the file written (UTF-8, no BOM).
# Runs          : Get-UserSession -IncludeEvents -Since <now - N hours> -AsJson
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
$defaultFile = if ($onWindows) { Join-Path $env:ProgramData 'AutomateAudit\upload\sessions.json' } else { '/var/lib/automateaudit/upload/sessions.json' }
$modulePath = Get-KitSetting '@aa_modulepath@' $defaultModule
$uploadFile = Get-KitSetting '@aa_uploadfile@' $defaultFile
$since = (Get-Date).AddHours(-[int](Get-KitSetting '@aa_sincehours@' '2'))

Import-Module $modulePath
if ($onWindows) {
    $json = Get-UserSession -IncludeEvents -Since $since -AsJson
}
else {
    $utmp = Get-KitSetting '@aa_utmp@' '/run/utmp'
    $wtmp = Get-KitSetting '@aa_wtmp@' ''
    if (-not $wtmp -and (Test-Path -LiteralPath '/var/log/wtmp')) { $wtmp = '/var/log/wtmp' }
    if ($wtmp) { $json = Get-UserSession -IncludeEvents -Since $since -AsJson -UtmpPath $utmp -WtmpPath $wtmp }
    else { $json = Get-UserSession -Since $since -AsJson -UtmpPath $utmp }
}
$folder = Split-Path -Parent $uploadFile
if (-not (Test-Path -LiteralPath $folder)) { $null = New-Item -ItemType Directory -Path $folder -Force }
# Written whole to a temporary name, then renamed: File Upload never sends half a file.
$partial = $uploadFile + '.partial'
[System.IO.File]::WriteAllText($partial, [string]$json, (New-Object System.Text.UTF8Encoding $false))
Move-Item -LiteralPath $partial -Destination $uploadFile -Force
Write-Output (Get-Item -LiteralPath $uploadFile).FullName
