<#
.SYNOPSIS
    Build tasks for PowerShell users (Windows PowerShell 5.1 or pwsh). On machines without PowerShell use ./build.sh.
.EXAMPLE
    ./build.ps1 -Task Build      # stage the importable module in module/AutomateAudit
.EXAMPLE
    ./build.ps1 -Task Test       # xunit suites (need MariaDB or $env:AUTOMATEAUDIT_TEST_MYSQL), then Pester if installed
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Benchmark', 'Help')]
    [string] $Task = 'Build',
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location -Path $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build { Invoke-Dotnet build AuditCmdlets.sln -c $Configuration -nologo -v:minimal }

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        Invoke-Build
        Invoke-Dotnet test AuditCmdlets.sln -c $Configuration --no-build -nologo
        $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -ge '5.0' | Select-Object -First 1
        if ($pester) {
            Import-Module $pester
            Invoke-Pester -Path (Join-Path $PSScriptRoot 'tests') -Output Detailed -CI
        }
        else {
            Write-Warning 'Pester 5 is not installed: skipped tests/*.Tests.ps1 (Install-Module Pester -MinimumVersion 5.0).'
        }
    }
    'Demo' {
        Invoke-Build
        Invoke-Dotnet "tools/AutomateAudit.Demo/bin/$Configuration/net10.0/AutomateAudit.Demo.dll"
    }
    'Package' {
        Invoke-Build
        $manifest = Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot 'AutomateAudit.psd1')
        $null = New-Item -ItemType Directory -Path artifacts -Force
        $zip = Join-Path $PSScriptRoot "artifacts/AutomateAudit-$($manifest.ModuleVersion).zip"
        Compress-Archive -Path (Join-Path $PSScriptRoot 'module/AutomateAudit') -DestinationPath $zip -Force
        Get-Item $zip
    }
    'Benchmark' {
        Invoke-Build
        Invoke-Dotnet "bench/AutomateAudit.Benchmarks/bin/$Configuration/net10.0/AutomateAudit.Benchmarks.dll"
    }
    'Help' {
        Invoke-Build
        Invoke-Dotnet "tools/AutomateAudit.HelpGen/bin/$Configuration/net10.0/AutomateAudit.HelpGen.dll" $PSScriptRoot
        Invoke-Build
    }
}
