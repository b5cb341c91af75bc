#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Another module bundling older copies of the module's dependencies (MySqlConnector 2.4.0, Dapper 2.0.35 and the
# Microsoft.Extensions abstractions MySqlConnector 2.4.0 needs, LoadFrom'd into the default load context) must not
# break AutomateAudit, nor AutomateAudit break it, whichever loads first. Each order runs in a fresh PowerShell
# process, as an admin's session would. The other module is staged by the build in .build/OtherDbModule.
# On Windows PowerShell 5.1 there are no load contexts: the test checks only that both modules work.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Manifest = Get-ModuleManifestPath
    $script:OtherModule = Join-Path (Get-RepoRoot) '.build/OtherDbModule/OtherDbModule.psm1'
    if (-not (Test-Path -LiteralPath $script:OtherModule)) {
        throw "OtherDbModule is not staged at $($script:OtherModule): run ./build.sh build."
    }
    $script:DependenciesFolder = Join-Path (Split-Path -Parent $script:Manifest) 'dependencies'
    $script:Agents = 20
    $script:Script = Join-Path $TestDrive 'clash.ps1'
    Set-Content -LiteralPath $script:Script -Encoding UTF8 -Value @'
param([string] $Order, [string] $OtherModule, [string] $Manifest, [string] $ConnectionString)
$ErrorActionPreference = 'Stop'
$result = @{ Order = $Order; Steps = @() }

function Use-OtherModule {
    Import-Module $OtherModule
    $other = Invoke-OtherDbQuery -ConnectionString $ConnectionString -Query 'SELECT COUNT(*) FROM computers'
    $result.OtherValue = [int]$other.Value
    # Assembly versions are 2.0.0.0 for every 2.x release of both libraries: compare file versions.
    $result.OtherMySqlConnectorVersion = [System.Diagnostics.FileVersionInfo]::GetVersionInfo($other.MySqlConnectorPath).FileVersion
    $result.OtherDapperVersion = [System.Diagnostics.FileVersionInfo]::GetVersionInfo([Dapper.SqlMapper].Assembly.Location).FileVersion
    $result.Steps += 'other'
}

function Use-AutomateAudit {
    Import-Module $Manifest
    $PSDefaultParameterValues['*:ConnectionString'] = $ConnectionString
    $result.Installed = @(Install-AuditTable -PassThru -Confirm:$false).Count
    $result.Changes = @(Update-ConnectionAudit -PassThru -Confirm:$false).Count
    $result.RolledUp = @(Invoke-DailyRollup -PassThru -Confirm:$false).Count
    $report = @(Get-ConnectionReport)
    $result.Reported = $report.Count
    $result.History = @($report | Select-Object -First 5 | Get-ConnectionHistory).Count
    $result.Steps += 'automateaudit'
}

if ($Order -eq 'OtherFirst') { Use-OtherModule; Use-AutomateAudit } else { Use-AutomateAudit; Use-OtherModule }

$result.MySqlConnector = @([System.AppDomain]::CurrentDomain.GetAssemblies() |
    Where-Object { $_.GetName().Name -eq 'MySqlConnector' } |
    ForEach-Object {
        $context = 'none'
        if ($PSVersionTable.PSEdition -eq 'Core') { $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
        @{ Version = [System.Diagnostics.FileVersionInfo]::GetVersionInfo($_.Location).FileVersion; Context = $context; Location = $_.Location }
    })
$result.Edition = $PSVersionTable.PSEdition
'RESULT:' + (ConvertTo-Json -InputObject $result -Depth 5 -Compress)
'@

    function Invoke-ClashScript([string] $Order, [string] $ConnectionString) {
        $run = Invoke-FreshPowerShell -File $script:Script -ArgumentList @('-Order', $Order, '-OtherModule', $script:OtherModule, '-Manifest', $script:Manifest, '-ConnectionString', $ConnectionString)
        $line = @($run.Output -split "`r?`n" | Where-Object { $_ -like 'RESULT:*' }) | Select-Object -Last 1
        if ($run.ExitCode -ne 0 -or -not $line) { throw "The fresh PowerShell failed (exit code $($run.ExitCode)):`n$($run.Output)" }
        $line.Substring('RESULT:'.Length) | ConvertFrom-Json
    }
}

Describe 'Dependency isolation from another module bundling MySqlConnector 2.4.0 and Dapper 2.0.35' {
    Context 'Load order <_>' -ForEach @('OtherFirst', 'AutomateAuditFirst') {
        BeforeAll {
            $script:Order = $_
            $database = New-AuditTestDatabase -Name "clash_$_" -Agents $script:Agents -Days 2
            # The simulated fleet has agents not signed up yet or already removed: count what is there.
            $script:Computers = [int](@(Invoke-AuditSql -ConnectionString $database -Query 'SELECT COUNT(*) AS N FROM computers')[0].N)
            $script:Result = Invoke-ClashScript -Order $_ -ConnectionString $database
        }

        It 'ran both modules in the intended order' {
            if ($script:Order -eq 'OtherFirst') { $script:Result.Steps | Should -Be @('other', 'automateaudit') }
            else { $script:Result.Steps | Should -Be @('automateaudit', 'other') }
        }

        It 'the other module works with its own MySqlConnector 2.4.0 and Dapper 2.0.35' {
            $script:Computers | Should -BeGreaterThan 0
            $script:Result.OtherValue | Should -Be $script:Computers
            $script:Result.OtherMySqlConnectorVersion | Should -BeLike '2.4.0*'
            $script:Result.OtherDapperVersion | Should -BeLike '2.0.35*'
        }

        It 'every database cmdlet of AutomateAudit works' {
            $script:Result.Installed | Should -BeGreaterThan 0
            $script:Result.Changes | Should -Be $script:Computers
            $script:Result.RolledUp | Should -BeGreaterOrEqual 0
            $script:Result.Reported | Should -Be $script:Computers
            $script:Result.History | Should -BeGreaterThan 0
        }

        It 'MySqlConnector is loaded twice: 2.4.0 in the default context, the module''s own in its AutomateAudit context' {
            if ($script:Result.Edition -ne 'Core') { Set-ItResult -Skipped -Because 'Windows PowerShell 5.1 has no load contexts' }
            $loaded = @($script:Result.MySqlConnector)
            $loaded.Count | Should -Be 2
            $default = @($loaded | Where-Object { $_.Context -eq 'Default' })
            $default.Count | Should -Be 1
            $default[0].Version | Should -BeLike '2.4.0*'
            [System.IO.Path]::GetFullPath($default[0].Location) | Should -BeLike ([System.IO.Path]::GetFullPath((Split-Path -Parent $script:OtherModule)) + '*')
            $ours = @($loaded | Where-Object { $_.Context -eq 'AutomateAudit' })
            $ours.Count | Should -Be 1
            $ours[0].Version | Should -Not -BeLike '2.4.0*'
            [System.IO.Path]::GetFullPath($ours[0].Location) | Should -BeLike ([System.IO.Path]::GetFullPath($script:DependenciesFolder) + '*')
        }
    }
}
