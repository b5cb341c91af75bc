# Helpers for the Pester suite (tests/Pester/*.Tests.ps1). Windows PowerShell 5.1 and pwsh 7.
#
# The database tests share ONE sandbox MariaDB per test run: ./build.ps1 -Task Pester starts it (keyed on
# $env:AUTOMATEAUDIT_SANDBOX_ROOT) and stops it at the end. Run alone (Invoke-Pester on one file), the first
# Start-AuditSandbox starts a sandbox in <repo>/.sandbox/pester and leaves it running: Stop-AuditSandbox.
# $env:AUTOMATEAUDIT_TEST_MYSQL (a connection string whose user may create databases) uses an existing
# server instead.
#
# Everything that touches the database from here goes through the sandbox tool
# (tests/AutomateAudit.Sandbox, built by ./build.sh build), so a test session never loads MySqlConnector
# itself: only the module under test does.
#
#   Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
#   Import-Module (Get-ModuleManifestPath) -Force
#   $cs = New-AuditTestDatabase -Name 'report' -Agents 50 -Days 3 -Record
#   Get-ConnectionReport -ConnectionString $cs
#   Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM computers'   # -> @{ N = 50 }

Set-StrictMode -Version 2.0

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$script:AdminConnectionStrings = @{}
$script:DatabaseCounter = 0

function Get-RepoRoot {
    <# .SYNOPSIS The repository root (the folder holding AuditCmdlets.sln). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:RepoRoot
}

function Get-ModuleManifestPath {
    <# .SYNOPSIS The staged module's manifest: <repo>/module/AutomateAudit/AutomateAudit.psd1 (built by ./build.sh build). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $path = Join-Path $script:RepoRoot 'module/AutomateAudit/AutomateAudit.psd1'
    if (-not (Test-Path -LiteralPath $path)) {
        throw "The module is not built: $path is missing. Run ./build.sh build (or dotnet build AuditCmdlets.sln -c Release)."
    }
    $path
}

function Get-SandboxToolPath {
    <# .SYNOPSIS The built sandbox tool (AutomateAudit.Sandbox.dll), for the configuration in $env:CONFIGURATION (Release by default). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $configurations = @()
    if ($env:CONFIGURATION) { $configurations += $env:CONFIGURATION }
    $configurations += 'Release', 'Debug'
    foreach ($configuration in $configurations) {
        $path = Join-Path $script:RepoRoot "tests/AutomateAudit.Sandbox/bin/$configuration/net10.0/AutomateAudit.Sandbox.dll"
        if (Test-Path -LiteralPath $path) { return $path }
    }
    throw "The sandbox tool is not built (tests/AutomateAudit.Sandbox/bin/<configuration>/net10.0/AutomateAudit.Sandbox.dll). Run ./build.sh build."
}

function Invoke-SandboxTool {
    <#
    .SYNOPSIS
        Runs the sandbox tool with the given arguments; returns its standard output (lines) and throws,
        with its standard error, when it fails.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [string[]] $ArgumentList)
    $tool = Get-SandboxToolPath
    $errorFile = [System.IO.Path]::GetTempFileName()
    try {
        # Native stderr redirected to a file must not turn into a terminating error on 5.1.
        $ErrorActionPreference = 'Continue'
        $output = & dotnet $tool @ArgumentList 2> $errorFile
        $exitCode = $LASTEXITCODE
        if ($exitCode -ne 0) {
            $errorText = (Get-Content -LiteralPath $errorFile -Raw)
            throw "sandbox $($ArgumentList[0]) failed (exit code $exitCode): $errorText"
        }
        $output
    }
    finally {
        Remove-Item -LiteralPath $errorFile -Force -ErrorAction SilentlyContinue
    }
}

function Get-SandboxRoot {
    if (-not $env:AUTOMATEAUDIT_SANDBOX_ROOT) {
        $env:AUTOMATEAUDIT_SANDBOX_ROOT = Join-Path $script:RepoRoot '.sandbox/pester'
    }
    [System.IO.Path]::GetFullPath($env:AUTOMATEAUDIT_SANDBOX_ROOT)
}

function Start-AuditSandbox {
    <#
    .SYNOPSIS
        Starts the test run's sandbox MariaDB (once: later calls, from any test file, reuse it) and returns
        the admin connection string (a user that may create databases; no database selected).
    .DESCRIPTION
        Keyed on $env:AUTOMATEAUDIT_SANDBOX_ROOT (default <repo>/.sandbox/pester). With
        $env:AUTOMATEAUDIT_TEST_MYSQL set, returns that server's connection string and starts nothing.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($env:AUTOMATEAUDIT_TEST_MYSQL) { return $env:AUTOMATEAUDIT_TEST_MYSQL }
    $root = Get-SandboxRoot
    if ($script:AdminConnectionStrings.ContainsKey($root)) { return $script:AdminConnectionStrings[$root] }
    # The tool itself is idempotent: a server already running in $root is reused.
    $json = (Invoke-SandboxTool -ArgumentList @('start', '--root', $root)) -join "`n"
    $state = $json | ConvertFrom-Json
    $script:AdminConnectionStrings[$root] = $state.AdminConnectionString
    $state.AdminConnectionString
}

function Stop-AuditSandbox {
    <# .SYNOPSIS Stops the sandbox MariaDB of $env:AUTOMATEAUDIT_SANDBOX_ROOT (or -Root) and deletes its data. #>
    [CmdletBinding()]
    param([string] $Root)
    if (-not $Root) { $Root = Get-SandboxRoot }
    $Root = [System.IO.Path]::GetFullPath($Root)
    $null = Invoke-SandboxTool -ArgumentList @('stop', '--root', $Root)
    $script:AdminConnectionStrings.Remove($Root)
}

function New-AuditTestDatabase {
    <#
    .SYNOPSIS
        Creates a fresh database (unique name per call) on the sandbox holding Automate's fixture schema and
        returns its connection string.
    .PARAMETER Name
        A readable part of the database name (letters, digits, _; other characters are replaced).
    .PARAMETER Agents
        Seeds a simulated fleet of this many agents (clients, locations, contacts, computers checking in).
    .PARAMETER Days
        How many days back the simulated fleet starts (default 7); with -Record, the days of history recorded.
    .PARAMETER Record
        Records -Days of history every 5 minutes through the engine on a simulated clock (needs -Agents);
        creates the module's tables.
    .PARAMETER Install
        Runs Install-AuditTable from the module: in this session when the caller has imported it, else in a
        child PowerShell.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [int] $Agents = 0,
        [int] $Days = 7,
        [switch] $Record,
        [switch] $Install
    )
    $admin = Start-AuditSandbox
    $script:DatabaseCounter++
    $readable = ($Name.ToLowerInvariant() -replace '[^a-z0-9_]', '_')
    if ($readable.Length -gt 24) { $readable = $readable.Substring(0, 24) }
    $suffix = [guid]::NewGuid().ToString('N').Substring(0, 6)
    $database = 'pt_{0}_{1}_{2}_{3}' -f $readable, $PID, $script:DatabaseCounter, $suffix

    $arguments = @('new-database', '--admin', $admin, '--name', $database, '--days', [string]$Days)
    if ($Agents -gt 0) { $arguments += @('--agents', [string]$Agents) }
    if ($Record) { $arguments += '--record' }
    $connectionString = (@(Invoke-SandboxTool -ArgumentList $arguments) | Where-Object { $_ } | Select-Object -Last 1)

    if ($Install) {
        if (Get-Command -Name Install-AuditTable -Module AutomateAudit -ErrorAction SilentlyContinue) {
            $null = AutomateAudit\Install-AuditTable -ConnectionString $connectionString -Confirm:$false -ErrorAction Stop
        }
        else {
            $command = "`$ErrorActionPreference = 'Stop'; Import-Module '{0}'; `$null = Install-AuditTable -ConnectionString `$env:AA_INSTALL_CS -Confirm:`$false" -f (Get-ModuleManifestPath)
            $env:AA_INSTALL_CS = $connectionString
            try {
                $result = Invoke-FreshPowerShell -Command $command
                if ($result.ExitCode -ne 0) { throw "Install-AuditTable failed in a child PowerShell: $($result.Output)" }
            }
            finally {
                Remove-Item -Path Env:AA_INSTALL_CS -ErrorAction SilentlyContinue
            }
        }
    }
    $connectionString
}

function Invoke-AuditSql {
    <#
    .SYNOPSIS
        Runs SQL (through the sandbox tool) and returns the rows of its last result set as PSCustomObjects.
    .DESCRIPTION
        Values come back as JSON types: numbers, strings, $null; dates as ISO-8601 strings
        ('2026-10-21T04:00:00'; pwsh 7 turns them into [datetime]). Statements without a result set return nothing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $ConnectionString,
        [Parameter(Mandatory = $true)] [string] $Query
    )
    $base64 = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Query))
    $json = (Invoke-SandboxTool -ArgumentList @('sql', '--cs', $ConnectionString, '--query-base64', $base64)) -join "`n"
    $rows = $json | ConvertFrom-Json
    foreach ($row in $rows) { $row }
}

function Get-FreshPowerShellCommand {
    <#
    .SYNOPSIS
        How to start a fresh PowerShell of the same kind as this one: @{ FilePath; ArgumentList } (pwsh run
        through 'dotnet pwsh' is started as dotnet <PSHOME>/pwsh.dll).
    #>
    [CmdletBinding()]
    param()
    $processPath = (Get-Process -Id $PID).Path
    $leaf = [System.IO.Path]::GetFileNameWithoutExtension($processPath)
    if ($leaf -eq 'dotnet') {
        return @{ FilePath = $processPath; ArgumentList = @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive') }
    }
    @{ FilePath = $processPath; ArgumentList = @('-NoProfile', '-NonInteractive') }
}

function Invoke-FreshPowerShell {
    <#
    .SYNOPSIS
        Runs a script file (with arguments) or a command in a new PowerShell process; returns
        @{ ExitCode; Output } (Output: stdout and stderr, one string).
    #>
    [CmdletBinding(DefaultParameterSetName = 'File')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'File')] [string] $File,
        [Parameter(ParameterSetName = 'File')] [string[]] $ArgumentList = @(),
        [Parameter(Mandatory = $true, ParameterSetName = 'Command')] [string] $Command
    )
    $shell = Get-FreshPowerShellCommand
    $arguments = @($shell.ArgumentList)
    if ($PSCmdlet.ParameterSetName -eq 'File') { $arguments += @('-File', $File) + $ArgumentList }
    else {
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Command))
        $arguments += @('-EncodedCommand', $encoded)
    }
    $ErrorActionPreference = 'Continue'
    $output = & $shell.FilePath @arguments 2>&1 | ForEach-Object { "$_" }
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join [Environment]::NewLine) }
}


# --- utmp records for tests: x86_64 glibc struct utmp, 384 bytes, little-endian ---------------------------------
$script:UtmpEpoch = New-Object DateTime 1970, 1, 1, 0, 0, 0, ([DateTimeKind]::Utc)

function New-UtmpRecord {
    # ut_type: 1 RUN_LVL, 2 BOOT_TIME, 6 LOGIN_PROCESS, 7 USER_PROCESS, 8 DEAD_PROCESS.
    param(
        [int] $Type,
        [int] $ProcessId,
        [string] $Line = '',
        [string] $User = '',
        [string] $HostName = '',
        [datetime] $Time,
        [byte[]] $Address,
        [string] $Id = ''
    )
    $b = New-Object byte[] 384
    [BitConverter]::GetBytes([int16]$Type).CopyTo($b, 0)
    [BitConverter]::GetBytes([int32]$ProcessId).CopyTo($b, 4)
    foreach ($field in @(@($Line, 8, 32), @($Id, 40, 4), @($User, 44, 32), @($HostName, 76, 256))) {
        if ($field[0]) {
            $bytes = [System.Text.Encoding]::UTF8.GetBytes([string]$field[0])
            [Array]::Copy($bytes, 0, $b, [int]$field[1], [Math]::Min([int]$field[2], $bytes.Length))
        }
    }
    $ticks = $Time.ToUniversalTime().Ticks - $script:UtmpEpoch.Ticks
    $rest = [long]0
    $seconds = [Math]::DivRem([long]$ticks, [long]10000000, [ref]$rest)
    [BitConverter]::GetBytes([int32]$seconds).CopyTo($b, 340)
    [BitConverter]::GetBytes([int32]($rest / 10)).CopyTo($b, 344)
    if ($Address) { [Array]::Copy($Address, 0, $b, 348, [Math]::Min(16, $Address.Length)) }
    , $b
}

function Write-UtmpFile {
    param([string] $Path, [object[]] $Records)
    $stream = New-Object System.IO.MemoryStream
    foreach ($record in $Records) { $stream.Write([byte[]]$record, 0, ([byte[]]$record).Length) }
    [System.IO.File]::WriteAllBytes($Path, $stream.ToArray())
    $Path
}

function Get-WholeSecondUtc {
    # Now (UTC) to the whole second, minus some minutes.
    param([double] $MinutesAgo = 0)
    $now = [DateTime]::UtcNow
    (New-Object DateTime ($now.Ticks - ($now.Ticks % 10000000)), ([DateTimeKind]::Utc)).AddMinutes(-$MinutesAgo)
}

Export-ModuleMember -Function New-UtmpRecord, Write-UtmpFile, Get-WholeSecondUtc, Get-RepoRoot, Get-ModuleManifestPath, Get-SandboxToolPath, Invoke-SandboxTool,
    Start-AuditSandbox, Stop-AuditSandbox, New-AuditTestDatabase, Invoke-AuditSql,
    Get-FreshPowerShellCommand, Invoke-FreshPowerShell
