#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# User-level behaviour of the staged module, on Windows PowerShell 5.1 and pwsh: ./build.ps1 -Task Pester.
# The database tests run on the test run's sandbox MariaDB (TestHelpers.psm1: Start-AuditSandbox), in a
# database seeded with a simulated fleet and two days of recorded history; $env:AUTOMATEAUDIT_TEST_MYSQL
# points them at an existing server instead (a lab server, never production).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-ModuleManifestPath
    Import-Module $script:ModulePath -Force
    $script:Cmdlets = @('Export-AuditReport', 'Get-ConnectionHistory', 'Get-ConnectionReport', 'Get-IdleReport', 'Get-IdleSample', 'Get-UserSession', 'Get-UserSessionReport', 'Import-AuditInbox', 'Install-AuditTable', 'Invoke-DailyRollup', 'Register-IdleSampler', 'Save-IdleSample', 'Save-UserSession', 'Start-IdleSampler', 'Uninstall-AuditTable', 'Unregister-IdleSampler', 'Update-ConnectionAudit')
}

Describe 'The module' {
    It 'has a valid manifest for both editions' {
        $manifest = Test-ModuleManifest -Path $script:ModulePath
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        $manifest.CompatiblePSEditions | Should -Contain 'Core'
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'exports exactly its cmdlets' {
        (Get-Command -Module AutomateAudit).Name | Sort-Object | Should -Be $script:Cmdlets
    }
}

Describe 'Help for <_>' -ForEach @('Export-AuditReport', 'Get-ConnectionHistory', 'Get-ConnectionReport', 'Get-IdleReport', 'Get-IdleSample', 'Get-UserSession', 'Get-UserSessionReport', 'Import-AuditInbox', 'Install-AuditTable', 'Invoke-DailyRollup', 'Register-IdleSampler', 'Save-IdleSample', 'Save-UserSession', 'Start-IdleSampler', 'Uninstall-AuditTable', 'Unregister-IdleSampler', 'Update-ConnectionAudit') {
    BeforeAll {
        $script:Help = Get-Help -Name $_ -Full
        $script:Name = $_
    }

    It 'has a synopsis and a description' {
        $script:Help.Synopsis | Should -Not -BeNullOrEmpty
        $script:Help.Synopsis | Should -Not -BeLike "$script:Name *"
        ($script:Help.Description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example' {
        @($script:Help.Examples.Example).Count | Should -BeGreaterThan 0
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in (Get-Command $script:Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
            (Get-Help -Name $script:Name -Parameter $parameter).Description.Text | Should -Not -BeNullOrEmpty -Because "-$parameter needs help"
        }
    }
}

Describe 'Against an Automate database' {
    BeforeAll {
        $script:Database = New-AuditTestDatabase -Name 'module' -Agents 40 -Days 2 -Record
        $PSDefaultParameterValues['*:ConnectionString'] = $script:Database
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:ConnectionString')
    }

    It 'installs idempotently' {
        Install-AuditTable | Out-Null
        Install-AuditTable -PassThru | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
    }

    It 'records state changes' {
        { Update-ConnectionAudit } | Should -Not -Throw
        $rows = @(Invoke-AuditSql -ConnectionString $script:Database -Query 'SELECT COUNT(*) AS N FROM pvl_automate_connection_audit')
        $rows[0].N | Should -BeGreaterThan 0
    }

    It 'rolls up the recorded days' {
        { Invoke-DailyRollup } | Should -Not -Throw
        $rows = @(Invoke-AuditSql -ConnectionString $script:Database -Query 'SELECT COUNT(*) AS N FROM pvl_automate_connection_audit_daily')
        $rows[0].N | Should -BeGreaterThan 0
    }

    It 'reports every computer of the fleet' {
        $expected = @(Invoke-AuditSql -ConnectionString $script:Database -Query 'SELECT COUNT(*) AS N FROM computers')[0].N
        @(Get-ConnectionReport).Count | Should -Be $expected
    }

    It 'exports the report to clean CSV columns' {
        $csv = Join-Path $TestDrive 'report.csv'
        Get-ConnectionReport | Export-Csv -Path $csv -NoTypeInformation
        $header = (Get-Content -Path $csv -TotalCount 1) -split ','
        $header | Should -Contain '"Computer"'
        $header | Should -Contain '"Online30dPercent"'
        $header | Should -Contain '"Unknown30dMinutes"'
        (Import-Csv -Path $csv | Select-Object -First 1).Online24hMinutes | Should -Match '^\d+$'
    }

    It 'renders the report as an HTML table' {
        $html = Get-ConnectionReport | Select-Object -First 5 | ConvertTo-Html -Property Computer, Status, Online7d, Online7dPercent | Out-String
        $html | Should -Match '<table>'
        $html | Should -Match '<th>Online7dPercent</th>'
    }

    It 'pipes report rows into the outage list' {
        $rows = Get-ConnectionReport | Select-Object -First 3
        { $rows | Get-ConnectionHistory -State Offline } | Should -Not -Throw
    }

    It 'gives one clear error for an unreachable server' {
        { Get-ConnectionReport -ConnectionString 'Server=127.0.0.1;Port=1;Database=labtech;User ID=x;Password=Sup3rSecret' -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*127.0.0.1:1*'
    }
}
