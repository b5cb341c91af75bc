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
        'Uninstall-AuditTable'
        'Export-AuditReport'
    )
    # Every file the module ships (paths relative to the module folder); tests/Pester/Package.Tests.ps1 checks it
    # against the staged module in both directions.
    FileList             = @(
        'AutomateAudit.psd1'
        'AutomateAudit.dll'
        'AutomateAudit.Format.ps1xml'
        'dependencies\AutomateAudit.Endpoint.dll'
        'dependencies\AutomateAudit.Engine.dll'
        'dependencies\AutomateAudit.LoadContext.dll'
        'dependencies\Dapper.dll'
        'dependencies\Microsoft.Bcl.AsyncInterfaces.dll'
        'dependencies\Microsoft.Extensions.DependencyInjection.Abstractions.dll'
        'dependencies\Microsoft.Extensions.Logging.Abstractions.dll'
        'dependencies\MySqlConnector.dll'
        'dependencies\ready2run\net10.0-linux-x64\AutomateAudit.Endpoint.dll'
        'dependencies\ready2run\net10.0-linux-x64\AutomateAudit.Engine.dll'
        'dependencies\ready2run\net10.0-linux-x64\Dapper.dll'
        'dependencies\ready2run\net10.0-linux-x64\Microsoft.Extensions.Logging.Abstractions.dll'
        'dependencies\ready2run\net10.0-linux-x64\MySqlConnector.dll'
        'dependencies\ready2run\net10.0-win-x64\AutomateAudit.Endpoint.dll'
        'dependencies\ready2run\net10.0-win-x64\AutomateAudit.Engine.dll'
        'dependencies\ready2run\net10.0-win-x64\Dapper.dll'
        'dependencies\ready2run\net10.0-win-x64\Microsoft.Extensions.Logging.Abstractions.dll'
        'dependencies\ready2run\net10.0-win-x64\MySqlConnector.dll'
        'dependencies\System.Buffers.dll'
        'dependencies\System.Diagnostics.DiagnosticSource.dll'
        'dependencies\System.Memory.dll'
        'dependencies\System.Numerics.Vectors.dll'
        'dependencies\System.Reflection.Emit.ILGeneration.dll'
        'dependencies\System.Reflection.Emit.Lightweight.dll'
        'dependencies\System.Runtime.CompilerServices.Unsafe.dll'
        'dependencies\System.Threading.Tasks.Extensions.dll'
        'en-US\AutomateAudit.dll-Help.xml'
        'en-US\about_AutomateAudit.help.txt'
        'en-US\about_AutomateAudit_Accounting.help.txt'
        'sampler\AutomateAudit.IdleSampler.exe'
        'sampler\AutomateAudit.IdleSampler.exe.config'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('ConnectWise', 'Automate', 'LabTech', 'MSP', 'Audit', 'Uptime', 'MySQL', 'Reporting')
            # No ProjectUri or LicenseUri: the project has no public URL and no LICENSE file yet (an empty value breaks packing).
            ReleaseNotes = @'
0.1.0
- Connection audit: Install-AuditTable, Update-ConnectionAudit, Invoke-DailyRollup, Get-ConnectionReport, Get-ConnectionHistory
  (replaces ProVal's Agent Connection Audit and keeps its tables readable by the existing dataviews).
- User sessions: Get-UserSession, Save-UserSession, Import-AuditInbox, Get-UserSessionReport (replaces ProVal's User Session Audit).
- Idle time: Get-IdleSample, Save-IdleSample, Get-IdleReport, Start-IdleSampler, Register-IdleSampler, Unregister-IdleSampler
  (replaces ProVal's IdleMon report).
- Export-AuditReport writes one self-contained HTML page: fleet, clients, outages, per-computer bars, users and activity.
- Uninstall-AuditTable removes the module's own tables, views and procedures; ProVal's tables and rows are kept.
- Packaged for PSResourceGet (./build.ps1 -Task Package); signed when the build is given a code-signing certificate.
'@
        }
    }
}
