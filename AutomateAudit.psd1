@{
    RootModule           = 'AutomateAudit.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c3f8e-5d2a-4c7e-9f3e-2a7d9b41c6a1'
    Author               = 'AutomateAudit'
    CompanyName          = 'AutomateAudit'
    Copyright            = '(c) AutomateAudit. All rights reserved.'
    Description          = 'Audits a ConnectWise Automate fleet: exact agent online/offline time from state changes, daily rollups and reports, readable by the ProVal connection audit, IdleMon and user session dataviews.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('AutomateAudit.Format.ps1xml')
    CmdletsToExport      = @(
        'Install-AuditTable'
        'Update-ConnectionAudit'
        'Invoke-DailyRollup'
        'Get-ConnectionReport'
        'Get-ConnectionHistory'
        'Get-UserSession'
        'Save-UserSession'
        'Import-AuditInbox'
        'Get-UserSessionReport'
        'Get-IdleSample'
        'Save-IdleSample'
        'Get-IdleReport'
        'Start-IdleSampler'
        'Register-IdleSampler'
        'Unregister-IdleSampler'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('ConnectWise', 'Automate', 'LabTech', 'MSP', 'Audit', 'Uptime', 'MySQL', 'Reporting')
            ProjectUri = ''
        }
    }
}
