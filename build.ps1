<#
.SYNOPSIS
    Build tasks for PowerShell users (Windows PowerShell 5.1 or pwsh; on Linux: dotnet pwsh -NoProfile -File build.ps1).
.EXAMPLE
    ./build.ps1 -Task Build      # stage the importable module in module/AutomateAudit
.EXAMPLE
    ./build.ps1 -Task Test       # xunit suites, then the Pester suite (need MariaDB or $env:AUTOMATEAUDIT_TEST_MYSQL)
.EXAMPLE
    ./build.ps1 -Task Pester     # only the Pester suite (tests/Pester/*.Tests.ps1) on one sandbox MariaDB
.EXAMPLE
    ./build.ps1 -Task Package    # artifacts/AutomateAudit/<version>/ and artifacts/AutomateAudit.<version>.nupkg (PSResourceGet)
.EXAMPLE
    ./build.ps1 -Task Package -CertificateThumbprint 0123...CDEF   # the same, Authenticode-signed (Windows; docs/signing.md)
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Demo', 'Package', 'Benchmark', 'Help')]
    [string] $Task = 'Build',
    [string] $Configuration = 'Release',
    # Skip the build the task would start with (build.sh has just built).
    [switch] $NoBuild,
    # Pester: run only these test files (default every tests/Pester/*.Tests.ps1).
    [string[]] $TestPath,
    # Package: where the module folder (AutomateAudit/<version>/) and AutomateAudit.<version>.nupkg go (default artifacts/; a relative path is from the repository root).
    [string] $OutputPath,
    # Package: sign the packaged module (Windows only) with this code-signing certificate from Cert:\CurrentUser\My or Cert:\LocalMachine\My ...
    [string] $CertificateThumbprint,
    # ... or with the certificate in this .pfx file, opened with -CertificatePassword (a SecureString or a string).
    [string] $CertificatePath,
    [object] $CertificatePassword,
    # Package: the RFC 3161 timestamp server countersigning every signature (signatures then outlive the certificate).
    [string] $TimestampServer = 'http://timestamp.digicert.com'
)
$ErrorActionPreference = 'Stop'
Set-Location -Path $PSScriptRoot
# Decided before anything is built: signing needs Set-AuthenticodeSignature, which exists on Windows only.
$Sign = [bool]($CertificateThumbprint -or $CertificatePath)
if ($Sign -and $Task -ne 'Package') { throw '-CertificateThumbprint and -CertificatePath are for -Task Package only.' }
if ($CertificateThumbprint -and $CertificatePath) { throw 'Give either -CertificateThumbprint or -CertificatePath, not both.' }
if ($Sign -and -not (Get-Command -Name Set-AuthenticodeSignature -ErrorAction SilentlyContinue)) {
    throw ('Signing needs Set-AuthenticodeSignature, which exists only in PowerShell on Windows. Build the package here without ' +
        '-CertificateThumbprint/-CertificatePath, then sign it on Windows (docs/signing.md), or run ./build.ps1 -Task Package on Windows.')
}
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
    # Child pwsh processes the tests start write no colour codes (they would break the NUnit report when quoted in a reason).
    $env:NO_COLOR = '1'
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

<#
  The package: the staged module copied to <out>/AutomateAudit/<version>/ (checked with Test-ModuleManifest and against
  its FileList, signed when a certificate was given), then packed by PSResourceGet's Compress-PSResource into
  <out>/AutomateAudit.<version>.nupkg, the package Publish-PSResource -NupkgPath puts in any repository. Also the zip of
  the module folder. Returns the module folder and the .nupkg (FileInfo/DirectoryInfo).
#>
function Invoke-Package {
    $staged = Join-Path $PSScriptRoot 'module/AutomateAudit'
    $stagedManifest = Join-Path $staged 'AutomateAudit.psd1'
    if (-not (Test-Path -LiteralPath $stagedManifest)) { throw "The module is not staged at ${staged}: run ./build.ps1 -Task Build." }
    $version = (Import-PowerShellDataFile -Path $stagedManifest).ModuleVersion
    $out = if ($OutputPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath) } else { Join-Path $PSScriptRoot 'artifacts' }
    $moduleOut = Join-Path $out "AutomateAudit/$version"
    $nupkg = Join-Path $out "AutomateAudit.$version.nupkg"
    $zip = Join-Path $out "AutomateAudit-$version.zip"
    foreach ($old in @($moduleOut, $nupkg, $zip)) { if (Test-Path -LiteralPath $old) { Remove-Item -LiteralPath $old -Recurse -Force } }
    $null = New-Item -ItemType Directory -Path $moduleOut -Force
    Copy-Item -Path (Join-Path $staged '*') -Destination $moduleOut -Recurse -Force

    $manifestPath = Join-Path $moduleOut 'AutomateAudit.psd1'
    $null = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
    Assert-FileList -ModuleFolder $moduleOut -ManifestPath $manifestPath

    if ($Sign) { Invoke-ModuleSigning -ModuleFolder $moduleOut -Certificate (Get-SigningCertificate) }

    if (-not (Get-Command -Name Compress-PSResource -ErrorAction SilentlyContinue)) {
        throw 'Packing needs Microsoft.PowerShell.PSResourceGet 1.1 or later (it ships with PowerShell 7.4+; on Windows PowerShell: Install-Module Microsoft.PowerShell.PSResourceGet).'
    }
    Compress-PSResource -Path $moduleOut -DestinationPath $out
    if (-not (Test-Path -LiteralPath $nupkg)) { throw "Compress-PSResource did not write $nupkg." }
    Compress-Archive -Path (Join-Path $out 'AutomateAudit') -DestinationPath $zip -Force   # AutomateAudit/<version>/...
    Get-Item -LiteralPath $moduleOut, $nupkg, $zip
}

<# The manifest's FileList and the module folder name the same files (FileList uses \ or /). #>
function Assert-FileList([string] $ModuleFolder, [string] $ManifestPath) {
    $listed = @((Import-PowerShellDataFile -Path $ManifestPath).FileList | ForEach-Object { $_ -replace '\\', '/' })
    $root = (Resolve-Path -LiteralPath $ModuleFolder).ProviderPath.TrimEnd('/', '\') + [System.IO.Path]::DirectorySeparatorChar
    $present = @(Get-ChildItem -LiteralPath $ModuleFolder -Recurse -File | ForEach-Object { $_.FullName.Substring($root.Length) -replace '\\', '/' })
    $missing = @($listed | Where-Object { $_ -notin $present })
    $unlisted = @($present | Where-Object { $_ -notin $listed })
    if ($missing -or $unlisted) {
        throw ("AutomateAudit.psd1's FileList does not match the module folder. Listed but missing: $($missing -join ', '). " +
            "Shipped but not listed (add to FileList): $($unlisted -join ', ').")
    }
}

<# The code-signing certificate named by -CertificateThumbprint (certificate stores) or -CertificatePath (.pfx). #>
function Get-SigningCertificate {
    if ($CertificateThumbprint) {
        $thumbprint = $CertificateThumbprint -replace '\s', ''
        $certificate = @('Cert:\CurrentUser\My', 'Cert:\LocalMachine\My' | ForEach-Object { Get-ChildItem -Path (Join-Path $_ $thumbprint) -ErrorAction SilentlyContinue }) | Select-Object -First 1
        if (-not $certificate) { throw "No certificate with thumbprint $thumbprint in Cert:\CurrentUser\My or Cert:\LocalMachine\My." }
    }
    else {
        $password = $CertificatePassword
        if ($password -is [string]) { $password = ConvertTo-SecureString -String $password -AsPlainText -Force }
        if ($null -eq $password) { $password = New-Object System.Security.SecureString }
        $pfx = (Resolve-Path -LiteralPath $CertificatePath).ProviderPath
        $certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $pfx, $password
    }
    if (-not $certificate.HasPrivateKey) { throw "The certificate $($certificate.Subject) has no private key here: it cannot sign." }
    $codeSigning = '1.3.6.1.5.5.7.3.3'
    $usages = @($certificate.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] } |
        ForEach-Object { $_.EnhancedKeyUsages } | ForEach-Object { $_.Value })
    if ($usages -notcontains $codeSigning) { throw "The certificate $($certificate.Subject) is not a code-signing certificate (no Code Signing enhanced key usage)." }
    $certificate
}

<#
  Authenticode-signs the module folder: every PowerShell file (.psd1, .psm1, .ps1, .ps1xml; what AllSigned checks),
  the module's own binaries (AutomateAudit*.dll/.exe), and any bundled binary without a valid signature of its own
  (binaries already signed by their publisher, such as Microsoft's, keep that signature). SHA-256, timestamped.
#>
function Invoke-ModuleSigning([string] $ModuleFolder, $Certificate) {
    $files = Get-ChildItem -LiteralPath $ModuleFolder -Recurse -File | Where-Object {
        $_.Extension -in '.psd1', '.psm1', '.ps1', '.ps1xml' -or
        ($_.Extension -in '.dll', '.exe' -and ($_.Name -like 'AutomateAudit*' -or (Get-AuthenticodeSignature -FilePath $_.FullName).Status -ne 'Valid'))
    }
    foreach ($file in $files) {
        $signature = Set-AuthenticodeSignature -FilePath $file.FullName -Certificate $Certificate -HashAlgorithm SHA256 -TimestampServer $TimestampServer -IncludeChain NotRoot
        if ($signature.Status -ne 'Valid') { throw "Signing $($file.FullName) failed: $($signature.Status) $($signature.StatusMessage)" }
        Write-Host "Signed $($file.FullName.Substring($ModuleFolder.Length + 1))"
    }
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
        Invoke-Package
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
