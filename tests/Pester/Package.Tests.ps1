#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The package as an admin gets it: ./build.ps1 -Task Package (run here in a fresh PowerShell, -NoBuild, into $TestDrive)
# makes AutomateAudit/<version>/ and AutomateAudit.<version>.nupkg; PSResourceGet publishes the .nupkg to a local file
# repository, installs it into an empty module path, and a fresh PowerShell imports it from there and runs cmdlets.
# Nothing touches the machine's real repositories or module paths: on Linux and macOS the PowerShell doing the
# PSResourceGet work gets a throwaway HOME (its repository list and CurrentUser scope live under it); on
# Windows, where those follow the user profile, the module is saved (Save-PSResource) into a temporary folder and the
# uniquely named repository is unregistered afterwards.
# Also: the manifest passes Test-ModuleManifest, exports exactly the assembly's cmdlets, and its FileList names exactly
# the files the module ships.

BeforeDiscovery {
    $script:OnWindowsHost = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
    $script:NoPSResourceGet = -not (Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet |
        Where-Object { $_.Version -ge [version]'1.1.0' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:StagedManifest = Get-ModuleManifestPath
    $script:Version = (Import-PowerShellDataFile -Path $script:StagedManifest).ModuleVersion
    $script:Out = Join-Path $TestDrive 'package'
    $script:PackagedFolder = Join-Path $script:Out "AutomateAudit/$($script:Version)"
    $script:PackagedManifest = Join-Path $script:PackagedFolder 'AutomateAudit.psd1'
    $script:Nupkg = Join-Path $script:Out "AutomateAudit.$($script:Version).nupkg"
    $script:OnWindows = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
    $script:RepositoryName = 'AALocal' + [guid]::NewGuid().ToString('N').Substring(0, 8)

    # The package task itself, as CI runs it (the build has just staged module/AutomateAudit).
    $script:PackageRun = Invoke-FreshPowerShell -File (Join-Path $script:Repo 'build.ps1') -ArgumentList @('-Task', 'Package', '-NoBuild', '-OutputPath', $script:Out)

    function Get-RelativeFile([string] $Folder) {
        $root = (Resolve-Path -LiteralPath $Folder).ProviderPath.TrimEnd('/', '\') + [System.IO.Path]::DirectorySeparatorChar
        @(Get-ChildItem -LiteralPath $Folder -Recurse -File | ForEach-Object { $_.FullName.Substring($root.Length) -replace '\\', '/' } | Sort-Object)
    }
}

AfterAll {
    # The PSResourceGet script unregisters its repository itself; this catches a run that died half-way (Windows:
    # the repository list is the user's own).
    if ($script:OnWindows -and (Get-Command -Name Get-PSResourceRepository -ErrorAction SilentlyContinue)) {
        if (Get-PSResourceRepository -Name $script:RepositoryName -ErrorAction SilentlyContinue) {
            Unregister-PSResourceRepository -Name $script:RepositoryName
        }
    }
}

Describe 'The package task' -Skip:$script:NoPSResourceGet {
    It 'makes the module folder and the .nupkg' {
        $script:PackageRun.ExitCode | Should -Be 0 -Because $script:PackageRun.Output
        $script:PackagedManifest | Should -Exist
        $script:Nupkg | Should -Exist
        Join-Path $script:Out "AutomateAudit-$($script:Version).zip" | Should -Exist
    }

    It 'ships exactly the staged module' {
        Get-RelativeFile $script:PackagedFolder | Should -Be (Get-RelativeFile (Split-Path -Parent $script:StagedManifest))
    }

    It 'packs every file of the module into the .nupkg' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($script:Nupkg)
        try {
            $entries = @($zip.Entries | ForEach-Object { [System.Uri]::UnescapeDataString($_.FullName) -replace '\\', '/' })
        }
        finally { $zip.Dispose() }
        $entries | Should -Contain 'AutomateAudit.nuspec'
        foreach ($file in Get-RelativeFile $script:PackagedFolder) { $entries | Should -Contain $file }
    }

    It 'stops with a clear error when asked to sign where Set-AuthenticodeSignature does not exist' -Skip:($script:OnWindowsHost) {
        $run = Invoke-FreshPowerShell -File (Join-Path $script:Repo 'build.ps1') -ArgumentList @('-Task', 'Package', '-NoBuild', '-OutputPath', (Join-Path $TestDrive 'signed'), '-CertificateThumbprint', 'ABCDEF')
        $run.ExitCode | Should -Not -Be 0
        $run.Output | Should -Match 'Set-AuthenticodeSignature'
        $run.Output | Should -Match 'Windows'
        Join-Path $TestDrive 'signed' | Should -Not -Exist
    }
}

Describe 'The manifest' {
    BeforeAll {
        $script:Manifest = Test-ModuleManifest -Path $script:StagedManifest -ErrorAction Stop
        $script:Data = Import-PowerShellDataFile -Path $script:StagedManifest
        # What the module really exports, in a fresh import; and the [Cmdlet] classes of its assembly.
        Get-Module -Name AutomateAudit | Remove-Module -Force
        $script:Imported = Import-Module -Name $script:StagedManifest -PassThru -Force
        $script:CmdletClasses = @($script:Imported.ImplementingAssembly.GetExportedTypes() |
            Where-Object { -not $_.IsAbstract -and [System.Management.Automation.Cmdlet].IsAssignableFrom($_) } |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" } | Sort-Object)
    }

    It 'passes Test-ModuleManifest with a version and a GUID' {
        $script:Manifest.Version | Should -Be ([version]$script:Data.ModuleVersion)
        $script:Manifest.Guid | Should -Not -Be ([guid]::Empty)
        $script:Manifest.Guid | Should -Be ([guid]$script:Data.GUID)
        $script:Manifest.Author | Should -Not -BeNullOrEmpty
        $script:Manifest.Description | Should -Not -BeNullOrEmpty
    }

    It 'lists as CmdletsToExport exactly the cmdlets the module exports' {
        @($script:Manifest.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($script:Imported.ExportedCmdlets.Keys | Sort-Object)
    }

    It 'lists as CmdletsToExport exactly the [Cmdlet] classes of AutomateAudit.dll' {
        $script:CmdletClasses.Count | Should -BeGreaterThan 0
        @($script:Data.CmdletsToExport | Sort-Object) | Should -Be $script:CmdletClasses
    }

    It 'exports no functions, aliases or variables' {
        $script:Data.FunctionsToExport | Should -BeNullOrEmpty
        $script:Data.AliasesToExport | Should -BeNullOrEmpty
        $script:Data.VariablesToExport | Should -BeNullOrEmpty
    }

    It 'has a FileList naming exactly the files the module ships' {
        $listed = @($script:Data.FileList | ForEach-Object { $_ -replace '\\', '/' } | Sort-Object)
        $present = Get-RelativeFile (Split-Path -Parent $script:StagedManifest)
        @($listed | Where-Object { $_ -notin $present }) | Should -BeNullOrEmpty -Because 'every file in FileList must be shipped'
        @($present | Where-Object { $_ -notin $listed }) | Should -BeNullOrEmpty -Because 'every shipped file must be in FileList (AutomateAudit.psd1)'
    }

    It 'has release notes, and a ProjectUri and LicenseUri only where they are real addresses' {
        $psData = $script:Data.PrivateData.PSData
        $psData.ReleaseNotes | Should -Not -BeNullOrEmpty
        $psData.ReleaseNotes | Should -Match ([regex]::Escape($script:Data.ModuleVersion))
        foreach ($key in 'ProjectUri', 'LicenseUri', 'IconUri') {
            if ($psData.ContainsKey($key)) {
                [uri]::IsWellFormedUriString($psData[$key], [System.UriKind]::Absolute) | Should -BeTrue -Because "$key must be an absolute address when present"
            }
        }
    }
}

Describe 'Installing through PSResourceGet' -Skip:$script:NoPSResourceGet {
    BeforeAll {
        $script:Work = Join-Path $TestDrive 'psresourceget'
        $script:Modules = Join-Path $script:Work 'Modules'
        $null = New-Item -ItemType Directory -Path (Join-Path $script:Work 'repo'), $script:Modules -Force
        $script:InstallScript = Join-Path $TestDrive 'install.ps1'
        Set-Content -LiteralPath $script:InstallScript -Encoding UTF8 -Value @'
param([string] $Nupkg, [string] $Work, [string] $Modules, [string] $RepositoryName)
$ErrorActionPreference = 'Stop'
$result = @{}
Import-Module Microsoft.PowerShell.PSResourceGet
Register-PSResourceRepository -Name $RepositoryName -Uri (Join-Path $Work 'repo') -Trusted
try {
    Publish-PSResource -NupkgPath $Nupkg -Repository $RepositoryName
    $found = Find-PSResource -Name AutomateAudit -Repository $RepositoryName
    $result.Found = "$($found.Name) $($found.Version)"
    if ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows) {
        # CurrentUser is the real profile on Windows: the same package, saved into the empty folder instead.
        Save-PSResource -Name AutomateAudit -Repository $RepositoryName -Path $Modules -IncludeXml -TrustRepository
        $result.Method = 'Save-PSResource'
    }
    else {
        Install-PSResource -Name AutomateAudit -Repository $RepositoryName -Scope CurrentUser -TrustRepository
        $result.Method = 'Install-PSResource'
    }
    $installed = @(Get-InstalledPSResource -Name AutomateAudit -Path $Modules)
    $result.InstalledLocation = $installed[0].InstalledLocation
    $result.InstalledVersion = "$($installed[0].Version)"
}
finally {
    Unregister-PSResourceRepository -Name $RepositoryName
    $result.Repositories = @(Get-PSResourceRepository | ForEach-Object Name)
}
'RESULT:' + (ConvertTo-Json -InputObject $result -Compress)
'@

        # Linux/macOS: HOME (and the XDG folders) of the child point into $TestDrive, so its repository list and its
        # CurrentUser module path ($HOME/.local/share/powershell/Modules) are new and empty.
        $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; XDG_CACHE_HOME = $env:XDG_CACHE_HOME }
        try {
            if (-not $script:OnWindows) {
                $fakeHome = Join-Path $script:Work 'home'
                $null = New-Item -ItemType Directory -Path $fakeHome -Force
                $env:HOME = $fakeHome
                $env:XDG_DATA_HOME = Join-Path $fakeHome '.local/share'
                $env:XDG_CONFIG_HOME = Join-Path $fakeHome '.config'
                $env:XDG_CACHE_HOME = Join-Path $fakeHome '.cache'
                # PSResourceGet 1.2's CurrentUser scope on Unix: $HOME/.local/share/powershell/Modules.
                $script:Modules = Join-Path $fakeHome '.local/share/powershell/Modules'
                # .NET answers "" for a special folder that does not exist, and PSResourceGet and NuGet would then keep
                # their settings in the current directory: create the folders first.
                foreach ($folder in $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:XDG_CACHE_HOME) { $null = New-Item -ItemType Directory -Path $folder -Force }
            }
            $run = Invoke-FreshPowerShell -File $script:InstallScript -ArgumentList @('-Nupkg', $script:Nupkg, '-Work', $script:Work, '-Modules', $script:Modules, '-RepositoryName', $script:RepositoryName)
        }
        finally {
            foreach ($name in $saved.Keys) { Set-Item -Path "Env:$name" -Value $saved[$name] -ErrorAction SilentlyContinue; if ($null -eq $saved[$name]) { Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue } }
        }
        $line = @($run.Output -split "`r?`n" | Where-Object { $_ -like 'RESULT:*' }) | Select-Object -Last 1
        if ($run.ExitCode -ne 0 -or -not $line) { throw "PSResourceGet failed (exit code $($run.ExitCode)):`n$($run.Output)" }
        $script:Installed = $line.Substring('RESULT:'.Length) | ConvertFrom-Json

        # A fresh PowerShell whose module path is the new folder (and PowerShell's own modules) only.
        $script:Utmp = Join-Path $TestDrive 'empty.utmp'
        $null = New-Item -ItemType File -Path $script:Utmp -Force
        $command = @'
$ErrorActionPreference = 'Stop'
$env:PSModulePath = '{0}' + [System.IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
Import-Module AutomateAudit
$result = @{{ ModuleBase = (Get-Module AutomateAudit).ModuleBase; Version = "$((Get-Module AutomateAudit).Version)" }}
$result.Commands = @(Get-Command -Module AutomateAudit | ForEach-Object Name | Sort-Object)
try {{ Install-AuditTable -ConnectionString 'Server=127.0.0.1;Port=1;Database=labtech;User ID=x;Password=y' -WhatIf -ErrorAction Stop; $result.Install = 'no error' }}
catch {{ $result.Install = $_.FullyQualifiedErrorId + ' ' + $_.Exception.Message }}
if (-not ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows)) {{
    $result.Sessions = @(Get-UserSession -UtmpPath '{1}' -ErrorAction Stop).Count
}}
'RESULT:' + (ConvertTo-Json -InputObject $result -Compress)
'@ -f ($script:Modules -replace "'", "''"), ($script:Utmp -replace "'", "''")
        $fresh = Invoke-FreshPowerShell -Command $command
        $line = @($fresh.Output -split "`r?`n" | Where-Object { $_ -like 'RESULT:*' }) | Select-Object -Last 1
        if ($fresh.ExitCode -ne 0 -or -not $line) { throw "The fresh PowerShell failed (exit code $($fresh.ExitCode)):`n$($fresh.Output)" }
        $script:Fresh = $line.Substring('RESULT:'.Length) | ConvertFrom-Json
    }

    It 'publishes the .nupkg to a local file repository and finds it there' {
        $script:Installed.Found | Should -Be "AutomateAudit $($script:Version)"
    }

    It 'installs it into the empty module path, not into a real one' {
        $script:Installed.InstalledVersion | Should -Be $script:Version
        $script:Installed.InstalledLocation | Should -BeLike "$($script:Work)*"
        Join-Path $script:Modules "AutomateAudit/$($script:Version)/AutomateAudit.psd1" | Should -Exist
    }

    It 'leaves no repository registered' {
        @($script:Installed.Repositories) | Should -Not -Contain $script:RepositoryName
    }

    It 'imports in a fresh PowerShell from the installed folder, with every cmdlet' {
        $script:Fresh.ModuleBase | Should -BeLike "$($script:Modules)*"
        $script:Fresh.Version | Should -Be $script:Version
        @($script:Fresh.Commands) | Should -Be @((Import-PowerShellDataFile -Path $script:PackagedManifest).CmdletsToExport | Sort-Object)
    }

    It 'runs a database cmdlet from the installed module: an unreachable server is a connection error' {
        $script:Fresh.Install | Should -BeLike 'DatabaseConnectionFailed*127.0.0.1:1*'
    }

    It 'runs an endpoint cmdlet from the installed module' -Skip:($script:OnWindowsHost) {
        $script:Fresh.Sessions | Should -Be 0
    }
}
