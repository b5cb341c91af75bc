# AutomateAudit kit: put the module on an endpoint, with a version check.
#
# Automate step : Execute Script, PowerShell, run as admin (Windows: the agent's LocalSystem; Linux: root through
#                 pwsh, see README.md). Store the output in a variable, e.g. aa_installed.
# Before it     : File Download (agent) of the package from LTShare:
#                   source       Transfer/AutomateAudit/<version>.zip   (the zip of ./build.sh package, or the .nupkg)
#                   destination  %windir%\Temp\AutomateAudit-<version>.zip   (Linux agents: /tmp/AutomateAudit-<version>.zip)
# Reads         : @aa_version@      the version being deployed, e.g. 0.1.0 (a Variable Set step at the top of the script;
#                                   the File Download step above uses the same variable)
#                 @aa_package@      optional: the downloaded .zip or .nupkg; default <temp>/AutomateAudit-<version>.zip
#                 @aa_installroot@  optional: default C:\ProgramData\AutomateAudit (Linux: /opt/automateaudit); the
#                                   module lands in <installroot>\AutomateAudit, the folder every other step imports
#                 @aa_sha256@       optional, recommended: the package's SHA-256 (Get-FileHash); when set, a package
#                                   with another hash is refused (Windows\Temp and /tmp are writable by every user,
#                                   who could put a file there first)
# Sets          : the step's output: one line, the ModuleVersion installed when the step ends (e.g. 0.1.0). Anything
#                 else in the output is an error message: check the variable with the regex ^\d+\.\d+\.\d+(\.\d+)?$
# Behaviour     : replaces the installed module only when its ModuleVersion is older than the package's (a second run,
#                 or an older package, changes nothing); the new copy is staged beside the old one and swapped in by
#                 renaming, so a failed copy never leaves a half-installed module.
#                 Windows: C:\ProgramData lets every user create folders, and SYSTEM imports this module, so the install
#                 root is made Administrators-owned, writable only by SYSTEM and Administrators (read for Users); a
#                 root a user created first is deleted, never trusted. (Not run in the tests: they run on Linux.)
# Variables     : Automate substitutes @name@ as plain text; a variable the script never set is left as typed, and then
#                 the default applies. The body holds no other at-sign or percent sign, so nothing else is substituted.
#
#### PASTE BELOW THIS LINE ####
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Get-KitSetting([string] $Value, [string] $Default) {
    # An Automate variable that was never set stays as typed (it starts with the at-sign): use the default.
    if ([string]::IsNullOrWhiteSpace($Value) -or $Value.StartsWith([string][char]64)) { return $Default }
    $Value.Trim()
}
function Get-ManifestVersion([string] $Manifest) {
    if (-not (Test-Path -LiteralPath $Manifest)) { return $null }
    [version] (Import-PowerShellDataFile -LiteralPath $Manifest).ModuleVersion
}
$onWindows = [System.IO.Path]::DirectorySeparatorChar -eq [char]92
$tempDir = if ($onWindows) { Join-Path $env:windir 'Temp' } else { '/tmp' }
$defaultRoot = if ($onWindows) { Join-Path $env:ProgramData 'AutomateAudit' } else { '/opt/automateaudit' }

$version = Get-KitSetting '@aa_version@' ''
$package = Get-KitSetting '@aa_package@' (Join-Path $tempDir ('AutomateAudit-' + $version + '.zip'))
$installRoot = Get-KitSetting '@aa_installroot@' $defaultRoot
$expectedHash = Get-KitSetting '@aa_sha256@' ''
$target = Join-Path $installRoot 'AutomateAudit'
if ($onWindows) {
    # SYSTEM imports what is here: only SYSTEM and Administrators may write it. A root someone else owns is not ours.
    if (Test-Path -LiteralPath $installRoot) {
        $owner = (Get-Acl -LiteralPath $installRoot).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
        if ($owner -notin 'S-1-5-18', 'S-1-5-32-544') { Remove-Item -LiteralPath $installRoot -Recurse -Force }
    }
    if (-not (Test-Path -LiteralPath $installRoot)) { $null = New-Item -ItemType Directory -Path $installRoot }
    $acl = Get-Acl -LiteralPath $installRoot
    $acl.SetSecurityDescriptorSddlForm('O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)')
    Set-Acl -LiteralPath $installRoot -AclObject $acl
    # Everything below it: owned by Administrators, with only the permissions it inherits from the root.
    if (Get-ChildItem -LiteralPath $installRoot -Force) {
        $children = Join-Path $installRoot '*'
        $null = & icacls.exe $children /setowner '*S-1-5-32-544' /T /C /Q
        $null = & icacls.exe $children /reset /T /C /Q
    }
}
$installed = Get-ManifestVersion (Join-Path $target 'AutomateAudit.psd1')

if ($installed -and $version -and $installed -ge [version]$version) {
    # Already this version or newer: nothing to unpack.
    Write-Output $installed.ToString()
}
else {
    if (-not (Test-Path -LiteralPath $package)) { throw "The package $package is not there: run the File Download step first." }
    if ($expectedHash) {
        $actualHash = (Get-FileHash -LiteralPath $package -Algorithm SHA256).Hash
        if ($actualHash -ne $expectedHash) { throw "The package $package has SHA-256 $actualHash, not ${expectedHash}: refused." }
    }
    $work = Join-Path $tempDir ('AutomateAudit-deploy-' + [guid]::NewGuid().ToString('N'))
    try {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        [System.IO.Compression.ZipFile]::ExtractToDirectory($package, $work)
        # The zip of ./build.sh package holds AutomateAudit/; a .nupkg holds the module at its root.
        $manifest = Get-ChildItem -LiteralPath $work -Recurse -Filter 'AutomateAudit.psd1' |
            Sort-Object { $_.FullName.Length } | Select-Object -First 1
        if (-not $manifest) { throw "$package holds no AutomateAudit.psd1." }
        $packaged = Get-ManifestVersion $manifest.FullName
        if ($version -and $packaged -ne [version]$version) { throw "$package holds AutomateAudit $packaged, not $version." }
        if ($installed -and $installed -ge $packaged) {
            Write-Output $installed.ToString()
        }
        else {
            $null = New-Item -ItemType Directory -Path $installRoot -Force
            $staged = $target + '.new'
            $previous = $target + '.old'
            foreach ($leftover in $staged, $previous) {
                if (Test-Path -LiteralPath $leftover) { Remove-Item -LiteralPath $leftover -Recurse -Force }
            }
            $null = New-Item -ItemType Directory -Path $staged
            # The .nupkg's own metadata is not part of the module.
            Get-ChildItem -LiteralPath $manifest.DirectoryName -Force |
                Where-Object { $_.Name -notin '_rels', 'package', '[Content_Types].xml' -and $_.Extension -ne '.nuspec' } |
                ForEach-Object { Copy-Item -LiteralPath $_.FullName -Destination $staged -Recurse -Force }
            if (Test-Path -LiteralPath $target) {
                try { Move-Item -LiteralPath $target -Destination $previous }
                catch { throw "AutomateAudit $installed at $target is in use (a PowerShell that imported it is still running): $($_.Exception.Message)" }
            }
            Move-Item -LiteralPath $staged -Destination $target
            if (Test-Path -LiteralPath $previous) { Remove-Item -LiteralPath $previous -Recurse -Force -ErrorAction SilentlyContinue }
            Write-Output (Get-ManifestVersion (Join-Path $target 'AutomateAudit.psd1')).ToString()
        }
    }
    finally {
        if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
