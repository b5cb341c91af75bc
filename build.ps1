<#
.SYNOPSIS
    Build tasks for PowerShell users (Windows PowerShell 5.1 or pwsh; on Linux: dotnet pwsh -NoProfile -File build.ps1).
.EXAMPLE
    ./build.ps1 -Task Build      # stage the importable module in module/AutomateAudit
.EXAMPLE
    ./build.ps1 -Task Test       # xunit suites, then the Pester suite (need MariaDB or $env:AUTOMATEAUDIT_TEST_MYSQL)
.EXAMPLE
    ./build.ps1 -Task Pester     # only the Pester suite (tests/Pester/*.Tests.ps1) on one sandbox MariaDB
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Demo', 'Package', 'Benchmark', 'Help')]
    [string] $Task = 'Build',
    [string] $Configuration = 'Release',
    # Skip the build the task would start with (build.sh has just built).
    [switch] $NoBuild,
    # Pester: run only these test files (default every tests/Pester/*.Tests.ps1).
    [string[]] $TestPath
)
$ErrorActionPreference = 'Stop'
Set-Location -Path $PSScriptRoot
$PesterVersion = '5.9.1'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    if ($NoBuild) { return }
    # pwsh itself (the demo runs its script in it) is a local dotnet tool: .config/dotnet-tools.json.
    Invoke-Dotnet tool restore
    Invoke-Dotnet build AuditCmdlets.sln -c $Configuration -nologo -v:minimal
}

<#
  The Pester suite: Pester $PesterVersion restored from NuGet by the build (tests/AutomateAudit.Sandbox stages it in
  .build/Modules; nothing is installed), one sandbox MariaDB shared by every test file and stopped at the end.
  Prints one line "Pester: N passed, N failed"; returns $true when everything passed.
#>
function Invoke-PesterSuite {
    $modules = Join-Path $PSScriptRoot '.build/Modules'
    $pesterManifest = Join-Path $modules "Pester/$PesterVersion/Pester.psd1"
    if (-not (Test-Path -LiteralPath $pesterManifest)) {
        throw "Pester $PesterVersion is not staged at ${pesterManifest}: run ./build.ps1 -Task Build (the build restores it from NuGet)."
    }
    $savedModulePath = $env:PSModulePath
    $savedSandboxRoot = $env:AUTOMATEAUDIT_SANDBOX_ROOT
    $env:PSModulePath = $modules + [System.IO.Path]::PathSeparator + $env:PSModulePath
    $env:CONFIGURATION = $Configuration
    $env:AUTOMATEAUDIT_SANDBOX_ROOT = Join-Path $PSScriptRoot ".sandbox/pester-$PID"
    $result = $null
    $runError = $null
    try {
        Get-Module -Name Pester | Remove-Module -Force
        Import-Module -Name $pesterManifest -Force
        $pester = Get-Module -Name Pester
        if ($pester.Version -ne [version]$PesterVersion) { throw "Loaded Pester $($pester.Version), expected $PesterVersion" }

        Import-Module -Name (Join-Path $PSScriptRoot 'tests/Pester/TestHelpers.psm1') -Force
        $admin = Start-AuditSandbox
        Write-Host "Sandbox MariaDB for the Pester run: $($env:AUTOMATEAUDIT_SANDBOX_ROOT)"

        $null = New-Item -ItemType Directory -Path (Join-Path $PSScriptRoot 'artifacts') -Force
        $config = New-PesterConfiguration
        $config.Run.Path = if ($TestPath) { @($TestPath | ForEach-Object { (Resolve-Path $_).Path }) }
            else { @(Get-ChildItem -Path (Join-Path $PSScriptRoot 'tests/Pester') -Filter '*.Tests.ps1' | ForEach-Object { $_.FullName }) }
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = Join-Path $PSScriptRoot 'artifacts/pester.xml'
        $result = Invoke-Pester -Configuration $config
    }
    catch {
        $runError = $_
        Write-Host "The Pester run failed: $_" -ForegroundColor Red
        Write-Host $_.ScriptStackTrace
    }
    finally {
        try { Stop-AuditSandbox } catch { Write-Warning "Could not stop the sandbox: $_" }
        $env:PSModulePath = $savedModulePath
        $env:AUTOMATEAUDIT_SANDBOX_ROOT = $savedSandboxRoot
    }

    $passed = 0
    $failed = 0
    if ($result) {
        $passed = $result.PassedCount
        # Files that could not even run (parse errors, failing top-level code) count as failures too.
        $failed = $result.FailedCount + $result.FailedContainersCount
        if ($failed -eq 0 -and ($result.FailedBlocksCount -gt 0 -or $result.Result -ne 'Passed')) { $failed = [Math]::Max(1, $result.FailedBlocksCount) }
    }
    elseif (-not $runError) {
        $runError = 'Invoke-Pester returned no result'
    }
    Write-Host "Pester: $passed passed, $failed failed"
    return ($failed -eq 0 -and -not $runError)
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        Invoke-Build
        $xunitFailed = $false
        & dotnet test AuditCmdlets.sln -c $Configuration --no-build -nologo
        if ($LASTEXITCODE -ne 0) { $xunitFailed = $true }
        $pesterPassed = Invoke-PesterSuite
        if ($xunitFailed -or -not $pesterPassed) { exit 1 }
    }
    'Pester' {
        Invoke-Build
        if (-not (Invoke-PesterSuite)) { exit 1 }
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
        $NoBuild = $false
        Invoke-Build
    }
}
