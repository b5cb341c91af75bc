<#
AutomateAudit kit, server jobs as Windows Task Scheduler tasks (the alternative to 50/51/52 as Automate scripts).

Automate step : none. Run it once, in an elevated Windows PowerShell on the Automate server (or any Windows server
                that reaches the Automate database), after 10-endpoint-deploy-module.ps1 or a manual install of the
                module into -ModulePath.
Registers     : \AutomateAudit\Record connections   every 5 minutes  Update-ConnectionAudit
                \AutomateAudit\Import inbox         every 5 minutes  Import-AuditInbox
                \AutomateAudit\Daily rollup         daily at 01:00   Invoke-DailyRollup -RetainDays 30 -RetainHistoryDays 45
                each as  powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "..."  with the
                database credential from Import-Clixml. Running it again updates the tasks.
Credential    : Export-Clixml encrypts with DPAPI for one Windows account on one machine, so the file must be written by
                the account the tasks run as (-TaskCredential). Logged on as that account:
                    Get-Credential automateaudit | Export-Clixml C:\ProgramData\AutomateAudit\automateaudit-db.xml
                and keep the file readable by that account only.
Output        : one object per task (Name, Schedule, Execute, Argument). -WhatIf registers nothing and still writes them,
                so the command lines can be checked (or copied into Task Scheduler by hand) on any machine.
Requires      : Windows Server 2016 / Windows 10 or later for the ScheduledTasks module (Windows Server 2012 R2 needs
                -RepetitionDuration on the 5-minute triggers).

Example:
    .\53-server-register-scheduled-tasks.ps1 -Server automate-db -CredentialPath C:\ProgramData\AutomateAudit\automateaudit-db.xml -TaskCredential (Get-Credential CONTOSO\svc-automateaudit)
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    # The Automate database server.
    [Parameter(Mandatory = $true)] [ValidatePattern('^[^''"]+$')] [string] $Server,
    [ValidateRange(1, 65535)] [int] $Port = 3306,
    [ValidatePattern('^[^''"]+$')] [string] $Database = 'labtech',
    # The file Export-Clixml wrote, as the task account, holding the database credential.
    [Parameter(Mandatory = $true)] [ValidatePattern('^[^''"]+$')] [string] $CredentialPath,
    # The installed module folder.
    [ValidatePattern('^[^''"]+$')] [string] $ModulePath = 'C:\ProgramData\AutomateAudit\AutomateAudit',
    # The Windows account the tasks run as (its password is stored by Task Scheduler). Required unless -WhatIf.
    [pscredential] $TaskCredential,
    [int] $RetainDays = 30,
    [int] $RetainHistoryDays = 45
)
$ErrorActionPreference = 'Stop'

$connection = "-Server '$Server' -Port $Port -Database '$Database' -Credential (Import-Clixml '$CredentialPath')"
$jobs = @(
    [pscustomobject]@{ Name = 'Record connections'; Schedule = 'Every 5 minutes'; Command = "Update-ConnectionAudit $connection" }
    [pscustomobject]@{ Name = 'Import inbox'; Schedule = 'Every 5 minutes'; Command = "Import-AuditInbox $connection" }
    [pscustomobject]@{ Name = 'Daily rollup'; Schedule = 'Daily at 01:00'; Command = "Invoke-DailyRollup -RetainDays $RetainDays -RetainHistoryDays $RetainHistoryDays $connection" }
)

foreach ($job in $jobs) {
    $argument = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command ""`$ErrorActionPreference = 'Stop'; Import-Module '$ModulePath'; $($job.Command)"""
    $result = [pscustomobject]@{ Name = "\AutomateAudit\$($job.Name)"; Schedule = $job.Schedule; Execute = 'powershell.exe'; Argument = $argument }
    if ($PSCmdlet.ShouldProcess($result.Name, "Register the task: $($job.Schedule), powershell.exe $argument")) {
        if (-not $TaskCredential) { throw '-TaskCredential is required: the account the tasks run as (the one that wrote -CredentialPath).' }
        $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $argument
        if ($job.Schedule -like 'Every 5*') {
            $trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).Date -RepetitionInterval (New-TimeSpan -Minutes 5)
        }
        else {
            $trigger = New-ScheduledTaskTrigger -Daily -At '01:00'
        }
        $settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Minutes 30)
        $null = Register-ScheduledTask -TaskPath '\AutomateAudit\' -TaskName $job.Name -Action $action -Trigger $trigger -Settings $settings `
            -User $TaskCredential.UserName -Password $TaskCredential.GetNetworkCredential().Password -Force
    }
    $result
}
