#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Idle time (issue 8), end to end: Get-IdleSample on a Linux endpoint for real (a real pty whose access time is set
# here, listed in a utmp file written here), the Linux sampler run for real in a fresh PowerShell (following a real
# pty whose input is scripted by moving its access time), the hourly summary of a log written by hand, IdleMon's
# idletime.json files, Register-/Unregister-IdleSampler without systemd; every route that carries idle reports
# into the database (pipeline, -Json, -Payload, -Path, aa_endpoint_inbox drained by Import-AuditInbox), read back
# with Get-IdleReport and from pvl_report_idlemon and aa_idle_hourly; hostile reports refused with nothing written;
# and the tables fitting 80 columns.
# Runs on Windows PowerShell 5.1 and pwsh 7: ./build.ps1 -Task Pester. What reads utmp runs on x86_64 Linux only
# (the record layout written here is glibc's 384-byte x86_64 one); the database tests run everywhere.

BeforeDiscovery {
    $script:OnLinux = [bool](Get-Variable -Name IsLinux -ValueOnly -ErrorAction SilentlyContinue)
    $script:CanUtmp = $false
    $script:CanPty = $false
    if ($script:OnLinux) {
        $script:CanUtmp = [string][System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
        # A real pty comes from util-linux's script, or from Python's pty module.
        $ptyMaker = @(Get-Command -Name 'script', 'python3' -CommandType Application -ErrorAction SilentlyContinue)
        $script:CanPty = $script:CanUtmp -and (Test-Path -LiteralPath '/dev/pts') -and $ptyMaker.Count -gt 0
    }
    # The sampler reads the system's sessions, and this system may have no /run/utmp: its run here needs a private
    # mount namespace (its own /run holding a utmp written here).
    $script:CanNamespace = $false
    if ($script:CanPty -and (Get-Command -Name 'unshare' -CommandType Application -ErrorAction SilentlyContinue)) {
        & unshare --mount --propagation private sh -c 'mount -t tmpfs tmpfs /run' 2>$null
        $script:CanNamespace = $LASTEXITCODE -eq 0
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force

    $script:OnLinux = [bool](Get-Variable -Name IsLinux -ValueOnly -ErrorAction SilentlyContinue)
    $script:Epoch = New-Object DateTime 1970, 1, 1, 0, 0, 0, ([DateTimeKind]::Utc)
    $script:ServerScriptCheck = '^[A-Za-z0-9+/=]{1,60000}$'
    $script:Invariant = [System.Globalization.CultureInfo]::InvariantCulture

    # utmp records: New-UtmpRecord and Write-UtmpFile in TestHelpers.psm1.
    function Get-HourStartUtc {
        # The start of the UTC hour holding an instant.
        param([datetime] $Utc)
        New-Object DateTime $Utc.Year, $Utc.Month, $Utc.Day, $Utc.Hour, 0, 0, ([DateTimeKind]::Utc)
    }

    function ConvertTo-IsoUtc {
        param([datetime] $Utc)
        $Utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $script:Invariant)
    }

    function ConvertTo-TestDate {
        # Invoke-AuditSql returns dates as [datetime] on pwsh 7 and as ISO-8601 strings on 5.1.
        param([object] $Value)
        if ($null -eq $Value) { return $null }
        if ($Value -is [datetime]) { return $Value }
        [datetime]::Parse([string]$Value, $script:Invariant)
    }

    function ConvertTo-Base64 {
        param([string] $Text)
        [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Text))
    }

    function Get-TypeName {
        param([object] $InputObject)
        $InputObject.PSObject.TypeNames[0]
    }

    function Test-FitsWidth {
        # The lines of a Format-Table rendering wider than the width (none expected).
        param([string] $Text, [int] $Width = 80)
        @($Text -split "`r?`n" | Where-Object { $_.TrimEnd().Length -gt $Width })
    }

    # --- child processes (Linux) ----------------------------------------------------------------------------
    $script:Started = New-Object System.Collections.ArrayList
    $script:ExtraPids = New-Object System.Collections.ArrayList
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('aa-idle-tests-' + [guid]::NewGuid().ToString('N').Substring(0, 8))

    function Start-Child {
        # Starts a program directly (no shell between), each argument one argv entry; remembered for AfterAll.
        param([string] $FilePath, [string[]] $ArgumentList)
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = $FilePath
        foreach ($argument in $ArgumentList) { $psi.ArgumentList.Add($argument) }
        $psi.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($psi)
        $null = $script:Started.Add($process)
        $process
    }

    function Start-Wrapped {
        # Runs a command through run.sh: stdin /dev/null, stdout and stderr into -OutFile; with -Utmp, inside a private
        # mount namespace whose /run is a fresh tmpfs holding that file as /run/utmp (the system's sessions, for the
        # child only).
        param([string] $OutFile, [string[]] $Command, [string] $Utmp)
        if ($Utmp) { Start-Child -FilePath 'unshare' -ArgumentList (@('--mount', '--propagation', 'private', 'sh', $script:RunSh, $Utmp, $OutFile) + $Command) }
        else { Start-Child -FilePath 'sh' -ArgumentList (@($script:RunSh, '-', $OutFile) + $Command) }
    }

    function Start-FreshPwsh {
        # A fresh PowerShell of the same kind as this one running -Script, through Start-Wrapped.
        param([string] $Script, [string] $OutFile, [string] $Utmp)
        $shell = Get-FreshPowerShellCommand
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
        Start-Wrapped -OutFile $OutFile -Utmp $Utmp -Command (@($shell.FilePath) + @($shell.ArgumentList) + @('-EncodedCommand', $encoded))
    }

    function Get-ChildProcessId {
        # The processes whose parent is -ParentId (from /proc/<pid>/stat: "pid (comm) state ppid ...").
        param([int] $ParentId)
        foreach ($dir in [System.IO.Directory]::GetDirectories('/proc')) {
            $name = [System.IO.Path]::GetFileName($dir)
            if ($name -notmatch '^\d+$') { continue }
            try { $stat = [System.IO.File]::ReadAllText("$dir/stat") } catch { continue }
            $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
            if ([int]$fields[1] -eq $ParentId) { [int]$name }
        }
    }

    function New-Pty {
        # A real pseudo-terminal held by a live process (sleep 300 under script, or under Python's pty.fork):
        # @{ Process; HolderPid; Device '/dev/pts/N'; Line 'pts/N' }.
        if (Get-Command -Name 'script' -CommandType Application -ErrorAction SilentlyContinue) {
            $process = Start-Wrapped -OutFile '/dev/null' -Command @('script', '-q', '-c', 'sleep 300', '/dev/null')
        }
        else {
            $py = Join-Path $script:Work 'pty.py'
            [System.IO.File]::WriteAllText($py, "import os, pty`npid, fd = pty.fork()`nif pid == 0:`n    os.execvp('sleep', ['sleep', '300'])`nos.waitpid(pid, 0)`n")
            $process = Start-Wrapped -OutFile '/dev/null' -Command @('python3', $py)
        }
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ([DateTime]::UtcNow -lt $deadline) {
            foreach ($child in @(Get-ChildProcessId -ParentId $process.Id)) {
                $target = [string](& readlink "/proc/$child/fd/0" 2>$null)
                if ($target -match '^/dev/pts/\d+$') {
                    $null = $script:ExtraPids.Add($child)
                    return [pscustomobject]@{ Process = $process; HolderPid = $child; Device = $target; Line = $target.Substring(5) }
                }
            }
            Start-Sleep -Milliseconds 100
        }
        throw "No pty: the child of process $($process.Id) never held /dev/pts/N on its standard input."
    }

    function Set-TerminalInput {
        # "Input" on a terminal, as `w` sees it: the device's access time.
        param([string] $Device, [datetime] $Utc)
        [System.IO.File]::SetLastAccessTimeUtc($Device, $Utc)
    }

    function Wait-File {
        param([string] $Path, [double] $Seconds)
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (Test-Path -LiteralPath $Path) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Test-Path -LiteralPath $Path
    }

    $script:Live = @()
    $script:DeadPid = 0
    if ($script:OnLinux) {
        $null = New-Item -ItemType Directory -Path $script:Work -Force
        $script:RunSh = Join-Path $script:Work 'run.sh'
        [System.IO.File]::WriteAllText($script:RunSh, (@(
                    '# run.sh UTMP OUT COMMAND...: UTMP "-" for none; otherwise /run becomes a tmpfs (a private mount namespace) holding UTMP as /run/utmp.'
                    'utmp="$1"; out="$2"; shift 2'
                    'if [ "$utmp" != "-" ]; then mount -t tmpfs tmpfs /run || exit 97; cp "$utmp" /run/utmp || exit 98; fi'
                    'exec "$@" </dev/null >"$out" 2>&1'
                ) -join "`n") + "`n")

        # Endpoint processes alive for the whole file (their pids go into the utmp files written here).
        $script:Live = @(1..5 | ForEach-Object { Start-Process -FilePath 'sleep' -ArgumentList '300' -PassThru })
        $dead = Start-Process -FilePath 'sleep' -ArgumentList '0' -PassThru
        $dead.WaitForExit()
        $script:DeadPid = $dead.Id

        # Slow children started now, so they run while other tests do: a sampler on this system as it is (no utmp
        # here: it follows nobody) and -WhatIf of Register-/Unregister-IdleSampler (printed by the host).
        $manifest = Get-ModuleManifestPath
        $script:PlainLog = Join-Path $script:Work 'plain/idle'
        $script:PlainOut = Join-Path $script:Work 'plain.out'
        $script:PlainSeconds = 3
        $script:PlainRun = Start-FreshPwsh -OutFile $script:PlainOut -Script (@'
$ErrorActionPreference = 'Stop'
Import-Module '@MANIFEST@'
$clock = [System.Diagnostics.Stopwatch]::StartNew()
Start-IdleSampler -LogDirectory '@LOG@' -Interval 1 -Seconds @SECONDS@ -WarningVariable warnings
'ELAPSED:' + $clock.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture)
'WARNINGS:' + @($warnings).Count
'@).Replace('@MANIFEST@', $manifest).Replace('@LOG@', $script:PlainLog).Replace('@SECONDS@', [string]$script:PlainSeconds)

        $script:WhatIfUnits = Join-Path $script:Work 'whatif-units'
        $script:WhatIfOut = Join-Path $script:Work 'whatif.out'
        $script:EtcExisted = Test-Path -LiteralPath '/etc/automateaudit'
        $script:WhatIfRun = Start-FreshPwsh -OutFile $script:WhatIfOut -Script (@'
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module '@MANIFEST@'
'BEGIN REGISTER'
Register-IdleSampler -UnitDirectory '@UNITS@' -ExcludeUser kiosk -IdleThreshold 600 -WhatIf
'BEGIN UNREGISTER'
Unregister-IdleSampler -UnitDirectory '@UNITS@' -WhatIf
'END'
'@).Replace('@MANIFEST@', $manifest).Replace('@UNITS@', $script:WhatIfUnits)

        # The sampler for real (checked by the last Describe): a fresh PowerShell in a private mount namespace whose
        # /run holds a utmp listing one real pty session (/dev and /proc are the system's, so it stats the real pty),
        # while a background runspace of this process types on that pty on a known pattern.
        $script:SamplerDriver = $null
        $canNamespace = $false
        $ptyMaker = @(Get-Command -Name 'script', 'python3' -CommandType Application -ErrorAction SilentlyContinue)
        if ([string][System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64' -and $ptyMaker.Count -gt 0 -and (Test-Path -LiteralPath '/dev/pts') -and (Get-Command -Name 'unshare' -CommandType Application -ErrorAction SilentlyContinue)) {
            $null = & unshare --mount --propagation private sh -c 'mount -t tmpfs tmpfs /run' 2>$null
            $canNamespace = $LASTEXITCODE -eq 0
        }
        if ($canNamespace) {
            $script:SamplerPty = New-Pty
            $script:SamplerUser = 'idlesampler'
            $script:SamplerSeconds = 20
            $script:SamplerUtmp = Write-UtmpFile -Path (Join-Path $script:Work 'sampler-utmp') -Records @(
                (New-UtmpRecord -Type 7 -ProcessId $script:SamplerPty.HolderPid -Line $script:SamplerPty.Line -Id 'ts/5' -User $script:SamplerUser -Time (Get-WholeSecondUtc -MinutesAgo 5))
            )
            $script:SamplerLog = Join-Path $script:Work 'sampler/idle'
            $script:SamplerOut = Join-Path $script:Work 'sampler.out'
            Set-TerminalInput -Device $script:SamplerPty.Device -Utc ([DateTime]::UtcNow)
            $script:SamplerRun = Start-FreshPwsh -OutFile $script:SamplerOut -Utmp $script:SamplerUtmp -Script (@'
$ErrorActionPreference = 'Stop'
Import-Module '@MANIFEST@'
$clock = [System.Diagnostics.Stopwatch]::StartNew()
Start-IdleSampler -LogDirectory '@LOG@' -Interval 1 -IdleThreshold 10 -Seconds @SECONDS@ -WarningVariable warnings
'ELAPSED:' + $clock.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture)
'WARNINGS:' + @($warnings).Count
'@).Replace('@MANIFEST@', $manifest).Replace('@LOG@', $script:SamplerLog).Replace('@SECONDS@', [string]$script:SamplerSeconds)

            $driver = [powershell]::Create()
            $null = $driver.AddScript({
                    param($Device, $NowFile, $Manifest, $Utmp, $Log, $User, $Process, $Seconds)
                    $t = @{}
                    try {
                        $ErrorActionPreference = 'Stop'
                        Import-Module $Manifest
                        # Typing until the sampler writes its first sample (PowerShell and the module take a while to load).
                        $deadline = [DateTime]::UtcNow.AddSeconds(120)
                        while (-not (Test-Path -LiteralPath $NowFile) -and -not $Process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                            [System.IO.File]::SetLastAccessTimeUtc($Device, [DateTime]::UtcNow)
                            Start-Sleep -Milliseconds 100
                        }
                        $t.Started = [DateTime]::UtcNow
                        if (-not (Test-Path -LiteralPath $NowFile)) { throw "The sampler never wrote $NowFile (exited: $($Process.HasExited))." }
                        # Active for 3 s; no input for 12 s (idle after the 10 s threshold); one input held still for 1.5 s
                        # (so that the next sample sees exactly it); then active until the sampler stops.
                        while (([DateTime]::UtcNow - $t.Started).TotalSeconds -lt 3) {
                            [System.IO.File]::SetLastAccessTimeUtc($Device, [DateTime]::UtcNow)
                            Start-Sleep -Milliseconds 200
                        }
                        $t.LastInput = [DateTime]::UtcNow
                        [System.IO.File]::SetLastAccessTimeUtc($Device, $t.LastInput)
                        Start-Sleep -Milliseconds 8000
                        $t.DuringAt = [DateTime]::UtcNow
                        $t.During = @(Get-IdleSample -UtmpPath $Utmp -LogDirectory $Log -UserName $User)
                        while (([DateTime]::UtcNow - $t.LastInput).TotalSeconds -lt 12) { Start-Sleep -Milliseconds 50 }
                        $t.Resumed = [DateTime]::UtcNow
                        [System.IO.File]::SetLastAccessTimeUtc($Device, $t.Resumed)
                        Start-Sleep -Milliseconds 1500
                        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds + 30)
                        while (-not $Process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                            [System.IO.File]::SetLastAccessTimeUtc($Device, [DateTime]::UtcNow)
                            Start-Sleep -Milliseconds 200
                        }
                        $t.Exited = [DateTime]::UtcNow
                    }
                    catch { $t.Error = [string]$_ }
                    $t
                }).AddParameters(@{
                    Device = $script:SamplerPty.Device; NowFile = (Join-Path $script:SamplerLog "$($script:SamplerUser).now"); Manifest = $manifest
                    Utmp = $script:SamplerUtmp; Log = $script:SamplerLog; User = $script:SamplerUser; Process = $script:SamplerRun; Seconds = $script:SamplerSeconds
                })
            $script:SamplerDriver = @{ PowerShell = $driver; Handle = $driver.BeginInvoke() }
        }
    }
}

AfterAll {
    if ($script:SamplerDriver) { try { $script:SamplerDriver.PowerShell.Stop(); $script:SamplerDriver.PowerShell.Dispose() } catch { } }
    foreach ($process in $script:Started) { try { if (-not $process.HasExited) { $process.Kill() } } catch { } }
    foreach ($id in $script:ExtraPids) { Stop-Process -Id $id -Force -ErrorAction SilentlyContinue }
    foreach ($process in $script:Live) { Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue }
    if ($script:OnLinux -and -not $script:EtcExisted -and (Test-Path -LiteralPath '/etc/automateaudit')) {
        Remove-Item -LiteralPath '/etc/automateaudit' -Recurse -Force -ErrorAction SilentlyContinue
    }
    if (Test-Path -LiteralPath $script:Work) { Remove-Item -LiteralPath $script:Work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Get-IdleSample on Linux, for real: a pty idle for 10 minutes' -Skip:(-not $CanPty) {
    BeforeAll {
        $pty = New-Pty
        $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'utmp') -Records @(
            (New-UtmpRecord -Type 2 -ProcessId 0 -Line '~' -User 'reboot' -Time (Get-WholeSecondUtc -MinutesAgo 600))
            (New-UtmpRecord -Type 7 -ProcessId $pty.HolderPid -Line $pty.Line -Id 'ts/1' -User 'idletest' -HostName '10.1.2.3' -Time (Get-WholeSecondUtc -MinutesAgo 45) -Address ([byte[]](10, 1, 2, 3)))
            # Sessions whose terminal does not exist here: no idle time can be read for them.
            (New-UtmpRecord -Type 7 -ProcessId $Live[0].Id -Line 'pts/191' -Id 'ts/2' -User 'root' -Time (Get-WholeSecondUtc -MinutesAgo 30))
            (New-UtmpRecord -Type 7 -ProcessId $Live[1].Id -Line 'pts/192' -Id 'ts/3' -User 'nobody' -Time (Get-WholeSecondUtc -MinutesAgo 20))
            (New-UtmpRecord -Type 7 -ProcessId $DeadPid -Line 'pts/193' -Id 'ts/4' -User 'ghost' -Time (Get-WholeSecondUtc -MinutesAgo 20))
            (New-UtmpRecord -Type 6 -ProcessId $Live[2].Id -Line 'tty62' -Id '62' -User 'LOGIN' -Time (Get-WholeSecondUtc -MinutesAgo 598))
        )
        $emptyLogs = Join-Path $TestDrive 'no-sampler'
        $null = New-Item -ItemType Directory -Path $emptyLogs
        $lastInput = [DateTime]::UtcNow.AddMinutes(-10)
        Set-TerminalInput -Device $pty.Device -Utc $lastInput
        $before = [DateTime]::UtcNow
        $samples = @(Get-IdleSample -UtmpPath $utmp -LogDirectory $emptyLogs -WarningVariable sampleWarnings -ErrorAction Stop)
        $after = [DateTime]::UtcNow
        $mine = @($samples | Where-Object { $_.UserName -eq 'idletest' })
    }

    It 'the session''s terminal is a real pty (a character device held by a live process)' {
        (& stat -c '%F' $pty.Device) | Should -Be 'character special file'
        $pty.Device | Should -Match '^/dev/pts/\d+$'
        Test-Path -LiteralPath "/proc/$($pty.HolderPid)" | Should -BeTrue
    }

    It 'lists exactly the live USER_PROCESS sessions (not the dead pid, not LOGIN or boot records), without warnings' {
        @($samples | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('idletest', 'nobody', 'root')
        @($samples | Where-Object { (Get-TypeName $_) -ne 'AutomateAudit.Endpoint.IdleSample' }) | Should -BeNullOrEmpty
        @($sampleWarnings) | Should -BeNullOrEmpty
    }

    It 'reads the pty idle for 10 minutes as 10 minutes (+/-5 s), Source Terminal, no sampler' {
        $mine.Count | Should -Be 1
        $s = $mine[0]
        $s.IdleTime | Should -Not -BeNullOrEmpty
        $s.IdleTime.TotalSeconds | Should -BeGreaterOrEqual (($before - $lastInput).TotalSeconds - 5)
        $s.IdleTime.TotalSeconds | Should -BeLessOrEqual (($after - $lastInput).TotalSeconds + 5)
        [Math]::Abs($s.IdleTime.TotalSeconds - 600) | Should -BeLessOrEqual 5
        $s.Source.ToString() | Should -Be 'Terminal'
        $s.SamplerRunning | Should -BeFalse
        $s.SamplerLastWrite | Should -BeNullOrEmpty
        $s.IsLocked | Should -BeNullOrEmpty -Because 'a terminal does not say'
        $s.SessionId | Should -Be ([string]$pty.HolderPid) -Because 'without logind the session id is the login process id'
        $s.ComputerName | Should -Not -BeNullOrEmpty
        $s.Domain | Should -Be $s.ComputerName -Because 'a local account has the host name as its domain'
        $s.Timestamp.Kind | Should -Be 'Local'
        $s.Timestamp.ToUniversalTime() | Should -BeGreaterOrEqual $before.AddSeconds(-1)
        $s.Timestamp.ToUniversalTime() | Should -BeLessOrEqual $after.AddSeconds(1)
    }

    It 'a session whose terminal does not exist has no idle time: null, never zero' {
        foreach ($name in 'root', 'nobody') {
            $s = @($samples | Where-Object { $_.UserName -eq $name })[0]
            $s.IdleTime | Should -BeNullOrEmpty -Because "$name's terminal does not exist"
            $s.Source.ToString() | Should -Be 'Terminal'
        }
    }

    It 'IsAdmin from the account files: root (uid 0) True, nobody False, an account unknown here null; never a domain flag' {
        @($samples | Where-Object { $_.UserName -eq 'root' })[0].IsAdmin | Should -BeTrue
        $nobody = @($samples | Where-Object { $_.UserName -eq 'nobody' })[0]
        $nobody.IsAdmin | Should -Not -BeNullOrEmpty -Because 'nobody is in /etc/passwd'
        $nobody.IsAdmin | Should -BeFalse
        $mine[0].IsAdmin | Should -BeNullOrEmpty -Because 'idletest is in no account file here'
        foreach ($s in $samples) {
            $s.IsDomainAdmin | Should -BeNullOrEmpty
            $s.IsEnterpriseAdmin | Should -BeNullOrEmpty
        }
    }

    It '-UserName filters (wildcards, case-insensitive)' {
        @(Get-IdleSample -UtmpPath $utmp -LogDirectory $emptyLogs -UserName 'IDLE*', 'no?ody' | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('idletest', 'nobody')
        @(Get-IdleSample -UtmpPath $utmp -LogDirectory $emptyLogs -UserName 'nomatch*') | Should -BeNullOrEmpty
    }

    It '-AsPayload writes one line of base64 holding an IdleSamples envelope with IdleTime as TimeSpan text' {
        $out = @(Get-IdleSample -UtmpPath $utmp -LogDirectory $emptyLogs -AsPayload)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType [string]
        $out[0] | Should -MatchExactly $ServerScriptCheck
        $json = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($out[0]))
        $envelope = $json | ConvertFrom-Json
        $envelope.format | Should -Be 1
        $envelope.kind | Should -Be 'IdleSamples'
        $envelope.generatedUtc | Should -Not -BeNullOrEmpty
        @($envelope.items | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('idletest', 'nobody', 'root')
        $idle = [TimeSpan]::ParseExact(([regex]::Match($json, '"UserName":"idletest"[^}]*"IdleTime":"([^"]+)"')).Groups[1].Value, 'c', $Invariant)
        $generated = [DateTimeOffset]::Parse(([regex]::Match($json, '"generatedUtc":"([^"]+)"')).Groups[1].Value, $Invariant).UtcDateTime
        $expectedIdle = ($generated - $lastInput).TotalSeconds
        [Math]::Abs($idle.TotalSeconds - $expectedIdle) | Should -BeLessOrEqual 5 -Because "the pty has been idle since the last input (IdleTime $idle)"
        $json | Should -Match '"Source":"Terminal"'
        $json | Should -Match '"Timestamp":"[0-9T:.-]+Z"' -Because 'the payload carries UTC instants'
    }

    It 'Format-Table | Out-String -Width 80: fits 80 columns and shows user, idle minutes and source' {
        $text = $samples | Format-Table | Out-String -Width 80
        Test-FitsWidth $text | Should -BeNullOrEmpty
        foreach ($value in 'idletest', 'root', 'nobody', 'Terminal') { $text | Should -Match ([regex]::Escape($value)) }
        $text | Should -Match 'idletest\s+\S+\s+10\s+Terminal' -Because 'IdleMin shows the 10 minutes'
    }

    It 'input on the terminal brings the idle time down at once' {
        Set-TerminalInput -Device $pty.Device -Utc ([DateTime]::UtcNow)
        $s = @(Get-IdleSample -UtmpPath $utmp -LogDirectory $emptyLogs -UserName 'idletest')[0]
        $s.IdleTime.TotalSeconds | Should -BeLessThan 5
        $s.IdleTime.TotalSeconds | Should -BeGreaterOrEqual 0
    }

    It 'a -UtmpPath that does not exist: a terminating error naming the file, never an empty list' {
        $missing = Join-Path $TestDrive 'no-such-utmp'
        $caught = $null
        $out = $null
        try { $out = @(Get-IdleSample -UtmpPath $missing -ErrorAction Stop) } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.Exception.Message | Should -Match ([regex]::Escape($missing))
        @($out | Where-Object { $_ }) | Should -BeNullOrEmpty
    }
}

Describe 'Get-IdleSample -Summary from an idle log written by hand' -Skip:(-not $OnLinux) {
    BeforeAll {
        # The documented format: "<UTC> <A|I|H|X> <session>", a heartbeat (H) every 5 minutes while the state holds.
        $h0 = (Get-HourStartUtc ([DateTime]::UtcNow)).AddHours(-3)
        function L([int] $Minute, [string] $Mark, [string] $Session) { '{0} {1} {2}' -f (ConvertTo-IsoUtc $h0.AddMinutes($Minute)), $Mark, $Session }
        $log = Join-Path $TestDrive 'logs'
        $null = New-Item -ItemType Directory -Path $log
        $text = (@(
                # Session 3: active 0-20, idle 20-35, active 35-45, then nothing until 70: after a gap over 10 minutes
                # only one heartbeat (5 minutes) is known, so 45-50 active and 50-70 unknown; idle 70-80; stopped at 80.
                (L 0 'A' '3'), (L 5 'H' '3'), (L 10 'H' '3'), (L 15 'H' '3'), (L 20 'I' '3'), (L 25 'H' '3'), (L 30 'H' '3'),
                # Session 7, interleaved (readers order lines by time): active 30-50, stopped at 50.
                (L 30 'A' '7'), (L 35 'H' '7'),
                (L 35 'A' '3'), (L 40 'H' '3'), (L 45 'H' '3'),
                (L 40 'H' '7'), (L 45 'H' '7'), (L 50 'X' '7'),
                'this line was edited by hand',
                (L 70 'I' '3'), (L 75 'H' '3'), (L 80 'X' '3')
            ) -join "`n") + "`n" + (L 85 'A' '3') # a half-written last line (no newline): ignored
        [System.IO.File]::WriteAllText((Join-Path $log 'loguser.log'), $text)
        [System.IO.File]::WriteAllText((Join-Path $log 'other.log'), ((L 0 'A' '9'), (L 5 'X' '9') -join "`n") + "`n")
        $hours = @(Get-IdleSample -Summary -LogDirectory $log -UserName 'loguser' -ErrorAction Stop)
        function Get-Hour([string] $Session, [int] $Offset) { @($hours | Where-Object { $_.SessionId -eq $Session -and $_.HourUtc -eq $h0.AddHours($Offset) }) }
    }

    It 'session 3, first hour: active 35, idle 15, unknown 10 (a gap leaves one heartbeat known)' {
        $h = Get-Hour '3' 0
        $h.Count | Should -Be 1
        @($h[0].ActiveMinutes, $h[0].IdleMinutes, $h[0].UnknownMinutes) | Should -Be @(35, 15, 10)
        $h[0].UserName | Should -Be 'loguser'
        $h[0].HourUtc.Kind | Should -Be 'Utc'
    }

    It 'session 3, second hour: idle 10, the rest unknown (the half-written line counts for nothing)' {
        $h = Get-Hour '3' 1
        $h.Count | Should -Be 1
        @($h[0].ActiveMinutes, $h[0].IdleMinutes, $h[0].UnknownMinutes) | Should -Be @(0, 10, 50)
    }

    It 'session 7 is counted apart: active 20 in the first hour' {
        $h = Get-Hour '7' 0
        $h.Count | Should -Be 1
        @($h[0].ActiveMinutes, $h[0].IdleMinutes, $h[0].UnknownMinutes) | Should -Be @(20, 0, 40)
    }

    It 'after the stop every hour up to now is unknown, never active or idle' {
        foreach ($session in '3', '7') {
            $later = @($hours | Where-Object { $_.SessionId -eq $session -and $_.HourUtc -ge $h0.AddHours(2) })
            $later.Count | Should -BeGreaterOrEqual 2 -Because "hours 2 and 3 (the current one) of session $session"
            foreach ($h in $later) {
                $h.ActiveMinutes | Should -Be 0
                $h.IdleMinutes | Should -Be 0
                $span = [Math]::Min(60, ([DateTime]::UtcNow - $h.HourUtc).TotalMinutes)
                [Math]::Abs($h.UnknownMinutes - $span) | Should -BeLessOrEqual 1
            }
        }
        @($hours | Where-Object { $_.HourUtc -lt $h0 }) | Should -BeNullOrEmpty -Because 'nothing is reported before the log starts'
        @($hours | ForEach-Object { $_.UserName } | Sort-Object -Unique) | Should -Be @('loguser')
    }

    It '-Since leaves out the hours that ended before it (the hour it falls in stays)' {
        $since = @(Get-IdleSample -Summary -LogDirectory $log -UserName 'loguser' -Since $h0.AddMinutes(90))
        @($since | Where-Object { $_.HourUtc -eq $h0 }) | Should -BeNullOrEmpty
        @($since | Where-Object { $_.SessionId -eq '3' -and $_.HourUtc -eq $h0.AddHours(1) -and $_.IdleMinutes -eq 10 }).Count | Should -Be 1
    }

    It 'without -UserName every user''s log is read' {
        $all = @(Get-IdleSample -Summary -LogDirectory $log)
        @($all | ForEach-Object { $_.UserName } | Sort-Object -Unique) | Should -Be @('loguser', 'other')
        @($all | Where-Object { $_.UserName -eq 'other' -and $_.HourUtc -eq $h0 -and $_.ActiveMinutes -eq 5 }).Count | Should -Be 1
    }

    It 'Format-Table of the hours fits 80 columns and shows user, session and minutes' {
        $text = $hours | Format-Table | Out-String -Width 80
        Test-FitsWidth $text | Should -BeNullOrEmpty
        $text | Should -Match 'loguser\s+3\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+35\s+15\s+10'
    }
}

Describe 'Get-IdleSample reads IdleMon''s idletime.json files' -Skip:(-not $CanUtmp) {
    BeforeAll {
        $profiles = Join-Path $TestDrive 'Users'
        function Write-IdleMonFile([string] $Folder, [string] $Json) {
            $folder = Join-Path $profiles $Folder
            $null = New-Item -ItemType Directory -Path $folder -Force
            $path = Join-Path $folder 'idletime.json'
            [System.IO.File]::WriteAllText($path, $Json)
            $path
        }
        # IdleMon's content (its Domain is the computer name for local accounts); the admin flags are the user's own claim.
        $normal = Write-IdleMonFile 'nobody' '{"Username":"nobody","Domain":"WS01","IdleTime":"00:00:07.2809998","IsAdmin":true,"IsDomainAdmin":true,"IsEnterpriseAdmin":false}'
        $dayLong = Write-IdleMonFile 'monday' '{"Username":"monday","Domain":"WS01","IdleTime":"1.02:03:04.5000000","IsAdmin":false,"IsDomainAdmin":false,"IsEnterpriseAdmin":false}'
        $malformed = Write-IdleMonFile 'carol' '{"Username":"carol","Domain":"WS01","IdleTime":'
        $stale = Write-IdleMonFile 'dave' '{"Username":"dave","Domain":"WS01","IdleTime":"00:03:00","IsAdmin":false,"IsDomainAdmin":false,"IsEnterpriseAdmin":false}'
        [System.IO.File]::SetLastWriteTimeUtc($stale, [DateTime]::UtcNow.AddHours(-3))
        $noSession = Write-IdleMonFile 'erin' '{"Username":"erin","Domain":"WS01","IdleTime":"00:01:00","IsAdmin":false,"IsDomainAdmin":false,"IsEnterpriseAdmin":false}'
        $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'idlemon-utmp') -Records @(
            (New-UtmpRecord -Type 7 -ProcessId $Live[0].Id -Line 'pts/181' -User 'nobody' -Time (Get-WholeSecondUtc -MinutesAgo 50))
            (New-UtmpRecord -Type 7 -ProcessId $Live[1].Id -Line 'pts/182' -User 'monday' -Time (Get-WholeSecondUtc -MinutesAgo 40))
            (New-UtmpRecord -Type 7 -ProcessId $Live[2].Id -Line 'pts/183' -User 'carol' -Time (Get-WholeSecondUtc -MinutesAgo 30))
            (New-UtmpRecord -Type 7 -ProcessId $Live[3].Id -Line 'pts/184' -User 'dave' -Time (Get-WholeSecondUtc -MinutesAgo 20))
        )
        $noLogs = Join-Path $TestDrive 'no-sampler'
        $null = New-Item -ItemType Directory -Path $noLogs
        $samples = @(Get-IdleSample -UtmpPath $utmp -ProfileRoot $profiles -LogDirectory $noLogs -WarningVariable monWarnings -WarningAction SilentlyContinue -ErrorAction Stop)
        function Get-Sample([string] $Name) { @($samples | Where-Object { $_.UserName -eq $Name }) }
    }

    It 'lists every session once, and no user IdleMon names without a session' {
        @($samples | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('carol', 'dave', 'monday', 'nobody')
        Test-Path -LiteralPath $noSession | Should -BeTrue -Because 'erin has a fresh file, but no session'
    }

    It 'fills in a session from a fresh file: Source IdleMon, the exact TimeSpan, stamped with the file''s write time' {
        $s = Get-Sample 'nobody'
        $s.Count | Should -Be 1
        $s[0].Source.ToString() | Should -Be 'IdleMon'
        $s[0].IdleTime | Should -Be ([TimeSpan]::FromTicks(72809998))
        $s[0].Timestamp.ToUniversalTime() | Should -Be (Get-Item -LiteralPath $normal).LastWriteTimeUtc
        $s[0].SamplerRunning | Should -BeFalse
    }

    It 'parses a day-long TimeSpan (1.02:03:04.5)' {
        $s = Get-Sample 'monday'
        $s[0].Source.ToString() | Should -Be 'IdleMon'
        $s[0].IdleTime | Should -Be (New-Object TimeSpan 1, 2, 3, 4, 500)
    }

    It 'takes the admin flags from the account files, never from the user''s file' {
        (Get-Sample 'nobody')[0].IsAdmin | Should -BeFalse -Because 'the file claims IsAdmin true, but nobody is in no admin group'
        (Get-Sample 'nobody')[0].IsDomainAdmin | Should -BeNullOrEmpty -Because 'the file claims IsDomainAdmin true; Linux has no domain flag'
    }

    It 'a malformed file: a warning naming it, its user keeps the terminal''s (unknown) figure, the others are still read' {
        @($monWarnings | Where-Object { [string]$_ -match [regex]::Escape($malformed) }).Count | Should -Be 1
        $s = Get-Sample 'carol'
        $s[0].Source.ToString() | Should -Be 'Terminal'
        $s[0].IdleTime | Should -BeNullOrEmpty
    }

    It 'a stale file (written 3 hours ago): skipped with a warning saying since when' {
        @($monWarnings | Where-Object { [string]$_ -match 'dave' -and [string]$_ -match 'not written since' }).Count | Should -Be 1
        $s = Get-Sample 'dave'
        $s[0].Source.ToString() | Should -Be 'Terminal'
        $s[0].IdleTime | Should -BeNullOrEmpty -Because 'the stale 3 minutes are not reported'
    }

    It 'warns exactly twice (the malformed and the stale file)' {
        @($monWarnings).Count | Should -Be 2 -Because (($monWarnings | ForEach-Object { [string]$_ }) -join ' | ')
    }

    It 'a running sampler wins over IdleMon' {
        $logs = Join-Path $TestDrive 'sampler-logs'
        $null = New-Item -ItemType Directory -Path $logs
        $written = Get-WholeSecondUtc
        # The sampler's current-sample file: "<UTC> <idle seconds> <locked> <session id>".
        [System.IO.File]::WriteAllText((Join-Path $logs 'monday.now'), ('{0} 42 0 {1}' -f (ConvertTo-IsoUtc $written), $Live[1].Id) + "`n")
        $s = @(Get-IdleSample -UtmpPath $utmp -ProfileRoot $profiles -LogDirectory $logs -UserName 'monday' -WarningAction SilentlyContinue)
        $s.Count | Should -Be 1
        $s[0].Source.ToString() | Should -Be 'Sampler'
        $s[0].IdleTime | Should -Be ([TimeSpan]::FromSeconds(42))
        $s[0].SamplerRunning | Should -BeTrue
        $s[0].SamplerLastWrite.ToUniversalTime() | Should -Be $written
        $s[0].IsLocked | Should -BeFalse
    }
}

Describe 'Register-IdleSampler and Unregister-IdleSampler on Linux without systemd' -Skip:(-not $OnLinux) {
    BeforeAll {
        $finished = $WhatIfRun.WaitForExit(60000)
        $whatIf = Get-Content -LiteralPath $WhatIfOut -Raw
        $register = ([regex]::Match($whatIf, '(?s)BEGIN REGISTER(.*)BEGIN UNREGISTER')).Groups[1].Value
        $unregister = ([regex]::Match($whatIf, '(?s)BEGIN UNREGISTER(.*)END')).Groups[1].Value
        function Get-Operation([string] $Text) {
            foreach ($m in [regex]::Matches($Text, 'What if: Performing the operation "([^"]+)"')) { $m.Groups[1].Value }
        }
        $isRoot = (& id -u) -eq '0'
        $canWriteForReal = $isRoot -and -not (Test-Path -LiteralPath '/etc/automateaudit') -and -not (Test-Path -LiteralPath '/var/lib/automateaudit')
    }

    It 'Register-IdleSampler -WhatIf lists its steps: the unit, the exclude list, systemctl daemon-reload and enable --now' {
        $finished | Should -BeTrue
        $WhatIfRun.ExitCode | Should -Be 0 -Because $whatIf
        $ops = @(Get-Operation $register)
        $ops.Count | Should -Be 4 -Because $register
        $ops[0] | Should -Be "Write $WhatIfUnits/automateaudit-idle.service"
        $ops[1] | Should -Be 'Write /etc/automateaudit/idle-exclude'
        $ops[2] | Should -Match '^Run \S*systemctl daemon-reload$'
        $ops[3] | Should -Match '^Run \S*systemctl enable --now automateaudit-idle\.service$'
    }

    It 'Unregister-IdleSampler -WhatIf lists its steps: disable, the unit, the exclude list, the logs, daemon-reload' {
        $ops = @(Get-Operation $unregister)
        $ops.Count | Should -Be 5 -Because $unregister
        $ops[0] | Should -Match 'systemctl disable --now automateaudit-idle\.service$'
        $ops[1] | Should -Be "Delete $WhatIfUnits/automateaudit-idle.service"
        $ops[2] | Should -Be 'Delete /etc/automateaudit/idle-exclude'
        $ops[3] | Should -Be 'Delete directory /var/lib/automateaudit/idle'
        $ops[4] | Should -Match 'systemctl daemon-reload$'
    }

    It '-WhatIf changed nothing' {
        Test-Path -LiteralPath $WhatIfUnits | Should -BeFalse
        if (-not $EtcExisted) { Test-Path -LiteralPath '/etc/automateaudit' | Should -BeFalse }
    }

    It 'an -ExcludeUser that is not a user name: a terminating error before anything is written' {
        $units = Join-Path $TestDrive 'bad-units'
        $caught = $null
        try { Register-IdleSampler -UnitDirectory $units -ExcludeUser 'bad user;rm' -Confirm:$false -ErrorAction Stop } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'IdleSamplerNotRegistered*'
        $caught.Exception.Message | Should -Match 'bad user;rm'
        Test-Path -LiteralPath $units | Should -BeFalse
    }

    It 'with a temporary -UnitDirectory: the unit is written, then systemctl fails with a clear terminating error; Unregister removes it' {
        if (-not $canWriteForReal) { Set-ItResult -Skipped -Because 'needs root, and no AutomateAudit under /etc or /var/lib to disturb (Register also writes /etc/automateaudit/idle-exclude)'; return }
        $units = Join-Path $TestDrive 'units'
        $unit = Join-Path $units 'automateaudit-idle.service'
        $caught = $null
        $done = $null
        # -OutVariable keeps what was written before the terminating error.
        try { $null = Register-IdleSampler -UnitDirectory $units -ExcludeUser 'kiosk' -IdleThreshold 600 -PassThru -Confirm:$false -OutVariable done -ErrorAction Stop } catch { $caught = $_ }
        try {
            $caught | Should -Not -BeNullOrEmpty -Because 'there is no systemd here'
            $caught.FullyQualifiedErrorId | Should -BeLike 'IdleSamplerNotRegistered*'
            $caught.Exception.Message | Should -Match 'systemctl daemon-reload'
            @($done) | Should -Be @("Write $unit", 'Write /etc/automateaudit/idle-exclude')

            $text = Get-Content -LiteralPath $unit -Raw
            $text | Should -Match '(?m)^\[Service\]$'
            $text | Should -Match '(?m)^User=root$'
            $text | Should -Match '(?m)^WantedBy=multi-user\.target$'
            $execStart = ([regex]::Match($text, '(?m)^ExecStart=(.*)$')).Groups[1].Value
            $execStart | Should -Match ([regex]::Escape("Import-Module '$(Get-ModuleManifestPath)'; Start-IdleSampler -IdleThreshold '600'"))
            $execStart | Should -Match '^"/[^"]*pwsh"' -Because 'the service runs an absolute pwsh'
            @(Get-Content -LiteralPath '/etc/automateaudit/idle-exclude' | Where-Object { $_ -notmatch '^#' }) | Should -Be @('kiosk')
            if (Get-Command -Name 'systemd-analyze' -CommandType Application -ErrorAction SilentlyContinue) {
                $verify = & systemd-analyze verify $unit 2>&1
                $LASTEXITCODE | Should -Be 0 -Because "systemd-analyze verify: $verify"
            }
        }
        finally {
            $removed = @(Unregister-IdleSampler -UnitDirectory $units -PassThru -Confirm:$false -ErrorAction Stop)
        }
        $removed.Count | Should -Be 5
        Test-Path -LiteralPath $unit | Should -BeFalse
        Test-Path -LiteralPath '/etc/automateaudit' | Should -BeFalse -Because 'the exclude list and its folder are removed'
    }
}

Describe 'Every route carries idle reports into the database, and Get-IdleReport reads them back' {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'idle_routes' -Agents 10 -Days 1 -Record -Install
        $server = @(Invoke-AuditSql -ConnectionString $cs -Query @'
SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) AS OffsetMinutes,
  (SELECT GROUP_CONCAT(CONCAT(ComputerID, '=', Name) ORDER BY ComputerID) FROM computers) AS Names
'@)[0]
        $offsetMinutes = [int]$server.OffsetMinutes
        $computerNames = @{}
        foreach ($pair in ([string]$server.Names -split ',')) { $kv = $pair -split '=', 2; $computerNames[[int]$kv[0]] = $kv[1] }
        if ($computerNames.Count -ne 10) { throw "Expected computers 1..10, got $($server.Names)" }

        function ConvertTo-ServerLocal {
            param([datetime] $Time)
            $Time.ToUniversalTime().AddMinutes($offsetMinutes)
        }

        # Objects shaped like Get-IdleSample's output (its type cannot be built here; every property is the same).
        function New-IdleObject {
            param([string] $UserName, [object] $IdleTime, [object] $IsAdmin, [object] $IsDomainAdmin, [object] $IsEnterpriseAdmin, [string] $SessionId)
            [pscustomobject]@{
                ComputerName = 'ENDPOINT'; AgentId = $null; UserName = $UserName; Domain = 'CORP'; SessionId = $SessionId
                Timestamp = [DateTime]::Now; IdleTime = $IdleTime; Source = 'Sampler'; IsLocked = $false; SamplerRunning = $true
                SamplerLastWrite = [DateTime]::Now; IsAdmin = $IsAdmin; IsDomainAdmin = $IsDomainAdmin; IsEnterpriseAdmin = $IsEnterpriseAdmin
            }
        }
        $objects = @(
            (New-IdleObject -UserName 'alice' -IdleTime ([TimeSpan]::FromSeconds(750)) -IsAdmin $true -IsDomainAdmin $false -IsEnterpriseAdmin $null -SessionId '2')
            (New-IdleObject -UserName 'bob' -IdleTime (New-Object TimeSpan 1, 2, 3, 4, 500) -IsAdmin $false -IsDomainAdmin $null -IsEnterpriseAdmin $false -SessionId '3')
            (New-IdleObject -UserName 'carol' -IdleTime $null -IsAdmin $null -IsDomainAdmin $null -IsEnterpriseAdmin $null -SessionId '4')
        )
        # What every route must leave in pvl_report_idlemon, as IdleMon writes it.
        $expected = @(
            @{ UserName = 'alice'; IdleTime = '00:12:30'; IdleMinutes = 12.5; IsAdmin = 'True'; IsDomainAdmin = 'False'; IsEnterpriseAdmin = $null }
            @{ UserName = 'bob'; IdleTime = '1.02:03:04.5000000'; IdleMinutes = [Math]::Round((New-Object TimeSpan 1, 2, 3, 4, 500).TotalMinutes, 2); IsAdmin = 'False'; IsDomainAdmin = $null; IsEnterpriseAdmin = 'False' }
            @{ UserName = 'carol'; IdleTime = $null; IdleMinutes = $null; IsAdmin = $null; IsDomainAdmin = $null; IsEnterpriseAdmin = $null }
        )

        function New-IdleItem {
            param([hashtable] $Expected, [object] $AgentId = $null)
            [ordered]@{
                AgentId = $AgentId; UserName = $Expected.UserName; Domain = 'CORP'; SessionId = '2'; Timestamp = (ConvertTo-IsoUtc ([DateTime]::UtcNow.AddSeconds(-5)))
                IdleTime = $Expected.IdleTime; Source = 'Sampler'; SamplerRunning = $true
                IsAdmin = $(if ($null -eq $Expected.IsAdmin) { $null } else { $Expected.IsAdmin -eq 'True' })
                IsDomainAdmin = $(if ($null -eq $Expected.IsDomainAdmin) { $null } else { $Expected.IsDomainAdmin -eq 'True' })
                IsEnterpriseAdmin = $(if ($null -eq $Expected.IsEnterpriseAdmin) { $null } else { $Expected.IsEnterpriseAdmin -eq 'True' })
            }
        }
        function New-HourItem {
            param([string] $UserName, [string] $SessionId, [datetime] $HourUtc, [int] $Active, [int] $Idle, [int] $Unknown)
            [ordered]@{ UserName = $UserName; SessionId = $SessionId; HourUtc = (ConvertTo-IsoUtc $HourUtc); ActiveMinutes = $Active; IdleMinutes = $Idle; UnknownMinutes = $Unknown }
        }
        function New-EnvelopeJson {
            param([object[]] $Items = @(), [object[]] $Hours = @(), [object] $AgentId = $null, [datetime] $GeneratedUtc = [DateTime]::UtcNow, [string] $ComputerName = 'ENDPOINT')
            $envelope = [ordered]@{
                format = 1; kind = 'IdleSamples'; computerName = $ComputerName; agentId = $AgentId
                generatedUtc = $GeneratedUtc.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $Invariant)
                items = @($Items); hours = @($Hours)
            }
            ConvertTo-Json -InputObject $envelope -Depth 6 -Compress
        }
        $items = @($expected | ForEach-Object { New-IdleItem -Expected $_ })

        # Hours of activity (UTC), sent with computer 2's report.
        $hourNow = Get-HourStartUtc ([DateTime]::UtcNow)
        $h3 = $hourNow.AddHours(-3)
        $h2 = $hourNow.AddHours(-2)
        $hours2 = @(
            (New-HourItem 'alice' '7' $h3 40 16 4), (New-HourItem 'alice' '7' $h2 10 50 0), (New-HourItem 'bob' '9' $h2 30 0 30)
            # dave: two sessions in the same hour.
            (New-HourItem 'dave' '11' $h3 40 16 4), (New-HourItem 'dave' '12' $h3 30 0 30)
        )

        # What each computer's latest report must hold in pvl_report_idlemon (checked in one query at the end).
        $provalExpected = @{}

        function Assert-SavedIdle {
            # Get-IdleReport's latest report of the computer holds exactly these rows (and pvl_report_idlemon, checked at the end).
            param([int] $ComputerId, [object[]] $Expected)
            $provalExpected[$ComputerId] = $Expected
            $before = (ConvertTo-ServerLocal ([DateTime]::UtcNow)).AddMinutes(-2)
            $rows = @(Get-IdleReport -ConnectionString $cs -ComputerId $ComputerId -ErrorAction Stop)
            @($rows | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @($Expected | ForEach-Object { $_.UserName } | Sort-Object)
            foreach ($e in $Expected) {
                $row = @($rows | Where-Object { $_.UserName -eq $e.UserName })[0]
                (Get-TypeName $row) | Should -Be 'AutomateAudit.Engine.Idle.IdleReportRow'
                $row.ComputerId | Should -Be $ComputerId
                $row.Computer | Should -Be $computerNames[$ComputerId]
                $row.Client | Should -Not -BeNullOrEmpty
                $row.Status | Should -BeIn @('Online', 'Offline')
                if ($e.ContainsKey('IdleTimePattern')) { $row.IdleTime | Should -Match $e.IdleTimePattern -Because $e.UserName }
                else { $row.IdleTime | Should -Be $e.IdleTime -Because "$($e.UserName)'s IdleTime, as IdleMon writes it" }
                if ($e.ContainsKey('IdleMinutes')) { $row.IdleMinutes | Should -Be $e.IdleMinutes -Because $e.UserName }
                $row.IsAdmin | Should -Be $e.IsAdmin -Because "$($e.UserName)'s IsAdmin"
                $row.IsDomainAdmin | Should -Be $e.IsDomainAdmin -Because "$($e.UserName)'s IsDomainAdmin"
                $row.IsEnterpriseAdmin | Should -Be $e.IsEnterpriseAdmin -Because "$($e.UserName)'s IsEnterpriseAdmin"
                $row.ScriptRunTime | Should -BeGreaterOrEqual $before -Because 'ScriptRunTime is the database clock (server local time)'
                $row.ScriptRunTime | Should -BeLessOrEqual $before.AddMinutes(4)
            }
        }

        function Get-IdleState {
            # What Get-IdleReport shows of some computers: each latest report's rows, with their ScriptRunTime.
            param([int[]] $ComputerId)
            @(Get-IdleReport -ConnectionString $cs -ComputerId $ComputerId -ErrorAction Stop | ForEach-Object {
                    '{0}/{1}/{2}/{3:yyyy-MM-dd HH:mm:ss}' -f $_.ComputerId, $_.UserName, $_.IdleTime, $_.ScriptRunTime }) -join ';'
        }
    }

    It 'the pipeline: objects shaped like Get-IdleSample''s output | Save-IdleSample -ComputerId' {
        $saved = @($objects | Save-IdleSample -ConnectionString $cs -ComputerId 1 -PassThru -ErrorAction Stop)
        $saved.Count | Should -Be 1
        $saved[0].Status | Should -Be 'Saved'
        $saved[0].Kind | Should -Be 'IdleSamples'
        $saved[0].ComputerId | Should -Be 1
        $saved[0].Items | Should -Be 3
        Assert-SavedIdle -ComputerId 1 -Expected $expected
    }

    It '-Json with an envelope holding samples and hours (the hours go to aa_idle_hourly, in UTC)' {
        $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 2 -Json (New-EnvelopeJson -Items $items -Hours $hours2 -AgentId 2) -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        $saved[0].Items | Should -Be 3
        $saved[0].Events | Should -Be $hours2.Count -Because 'the hours are counted in Events'
        Assert-SavedIdle -ComputerId 2 -Expected $expected
        $stored = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT user_name, session_id, hour_utc, active_minutes, idle_minutes, unknown_minutes FROM aa_idle_hourly WHERE computerid = 2 ORDER BY user_name, session_id, hour_utc')
        @($stored | ForEach-Object { '{0}/{1}/{2:yyyy-MM-ddTHH:mm}/{3}/{4}/{5}' -f $_.user_name, $_.session_id, (ConvertTo-TestDate $_.hour_utc), $_.active_minutes, $_.idle_minutes, $_.unknown_minutes }) |
            Should -Be @($hours2 | ForEach-Object { '{0}/{1}/{2}/{3}/{4}/{5}' -f $_.UserName, $_.SessionId, $_.HourUtc.Substring(0, 16), $_.ActiveMinutes, $_.IdleMinutes, $_.UnknownMinutes } | Sort-Object)
    }

    It '-Json with plain ConvertTo-Json of the objects (TimeSpans as ConvertTo-Json writes them)' {
        $json = $objects | ConvertTo-Json -Depth 3
        $json | Should -Match '"Ticks"' -Because 'ConvertTo-Json writes a TimeSpan as an object'
        $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 3 -Json $json -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        Assert-SavedIdle -ComputerId 3 -Expected $expected
    }

    It '-Payload with the one-line base64 form' {
        $payload = ConvertTo-Base64 (New-EnvelopeJson -Items $items -AgentId 4)
        $payload | Should -MatchExactly $ServerScriptCheck
        $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 4 -Payload $payload -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        Assert-SavedIdle -ComputerId 4 -Expected $expected
    }

    It '-Path: a file in its upload folder ''<computer> (5)'', without -ComputerId' {
        $folder = Join-Path $TestDrive ('Uploads/Client 001/{0} (5)' -f $computerNames[5])
        $null = New-Item -ItemType Directory -Path $folder -Force
        $file = Join-Path $folder 'idle.json'
        [System.IO.File]::WriteAllText($file, (New-EnvelopeJson -Items $items))
        $saved = @(Save-IdleSample -ConnectionString $cs -Path $file -PassThru -ErrorAction Stop)
        $saved.Count | Should -Be 1
        $saved[0].ComputerId | Should -Be 5
        $saved[0].Status | Should -Be 'Saved'
        Assert-SavedIdle -ComputerId 5 -Expected $expected
    }

    It 'the inbox: the payload inserted as Automate''s SQL Execute step would, then Import-AuditInbox' {
        $payload = ConvertTo-Base64 (New-EnvelopeJson -Items $items -Hours @(New-HourItem 'alice' '2' $h3 5 55 0) -AgentId 6)
        $payload | Should -MatchExactly $ServerScriptCheck
        $null = Invoke-AuditSql -ConnectionString $cs -Query ("INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (6, '{0}')" -f $payload)
        $imported = @(Import-AuditInbox -ConnectionString $cs -PassThru -WarningVariable warnings -ErrorAction Stop)
        @($warnings) | Should -BeNullOrEmpty
        $imported.Count | Should -Be 1
        $imported[0].Status | Should -Be 'Saved'
        $imported[0].Kind | Should -Be 'IdleSamples'
        $imported[0].ComputerId | Should -Be 6
        $imported[0].Items | Should -Be 3
        $imported[0].InboxId | Should -Not -BeNullOrEmpty
        Assert-SavedIdle -ComputerId 6 -Expected $expected
        $check = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT (SELECT COUNT(*) FROM aa_endpoint_inbox) AS Left_, (SELECT COUNT(*) FROM aa_idle_hourly WHERE computerid = 6 AND active_minutes = 5 AND idle_minutes = 55) AS Hours')[0]
        [int]$check.Left_ | Should -Be 0 -Because 'an applied payload is deleted'
        [int]$check.Hours | Should -Be 1
    }

    It 'a report with nobody logged on writes ProVal''s ''Not Logged In'' row, and the dataview shows only the latest report' {
        Start-Sleep -Milliseconds 1100 # a later ScriptRunTime (whole seconds) than computer 3's first report
        $saved = @(@() | Save-IdleSample -ConnectionString $cs -ComputerId 3 -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        $saved[0].Items | Should -Be 0
        Assert-SavedIdle -ComputerId 3 -Expected @(@{ UserName = 'Not Logged In'; IdleTime = $null; IdleMinutes = $null; IsAdmin = $null; IsDomainAdmin = $null; IsEnterpriseAdmin = $null; Domain = $null })
        $all = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM pvl_report_idlemon WHERE computerid = 3')[0]
        [int]$all.N | Should -Be 4 -Because 'ProVal''s table keeps the earlier report''s rows (retention deletes them)'
    }

    It '-RetainDays deletes rows older than that from pvl_report_idlemon and aa_idle_hourly, and nothing newer' {
        $countsSql = "SELECT (SELECT COUNT(*) FROM pvl_report_idlemon WHERE Username = 'olduser') AS OldProVal, (SELECT COUNT(*) FROM aa_idle_hourly WHERE user_name = 'olduser') AS OldHours, " +
            "(SELECT COUNT(*) FROM pvl_report_idlemon WHERE Username <> 'olduser') AS ProVal, (SELECT COUNT(*) FROM aa_idle_hourly WHERE user_name <> 'olduser') AS Hours"
        $insertAndCount = @'
INSERT INTO pvl_report_idlemon (computerid, Username, Domain, IdleTime, IsAdmin, IsDomainAdmin, IsEnterpriseAdmin, ScriptRunTime)
  VALUES (1, 'olduser', 'CORP', '00:01:00', 'False', 'False', 'False', NOW() - INTERVAL 40 DAY);
INSERT INTO aa_idle_hourly (computerid, user_name, domain, session_id, hour_utc, active_minutes, idle_minutes, unknown_minutes, updated_utc)
  VALUES (1, 'olduser', NULL, '1', DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL 40 DAY, '%Y-%m-%d %H:00:00'), 10, 20, 30, UTC_TIMESTAMP() - INTERVAL 40 DAY);
@COUNTS@
'@.Replace('@COUNTS@', $countsSql)
        $before = @(Invoke-AuditSql -ConnectionString $cs -Query $insertAndCount)[0]
        @([int]$before.OldProVal, [int]$before.OldHours) | Should -Be @(1, 1)
        $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 4 -Payload (ConvertTo-Base64 (New-EnvelopeJson -Items $items)) -RetainDays 30 -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        $after = @(Invoke-AuditSql -ConnectionString $cs -Query $countsSql)[0]
        @([int]$after.OldProVal, [int]$after.OldHours) | Should -Be @(0, 0)
        [int]$after.ProVal | Should -Be ([int]$before.ProVal + 3) -Because 'only the new report was added, nothing recent deleted'
        [int]$after.Hours | Should -Be ([int]$before.Hours)
    }

    It '-WhatIf writes nothing' {
        $before = Get-IdleState -ComputerId 1, 2
        $before | Should -Match '^1/alice/'
        $out = @($objects | Save-IdleSample -ConnectionString $cs -ComputerId 1 -PassThru -WhatIf)
        $out += @(Save-IdleSample -ConnectionString $cs -ComputerId 2 -Json (New-EnvelopeJson -Items @(New-IdleItem -Expected @{ UserName = 'whatif'; IdleTime = '00:00:01' })) -PassThru -WhatIf)
        $out | Should -BeNullOrEmpty
        Get-IdleState -ComputerId 1, 2 | Should -Be $before
    }

    Context 'Get-IdleReport -Start/-End: active and idle minutes per user beside the online minutes' {
        BeforeAll {
            $fullStart = ConvertTo-ServerLocal $h3
            $fullEnd = ConvertTo-ServerLocal $hourNow.AddHours(-1)
            $full = @(Get-IdleReport -ConnectionString $cs -ComputerId 2 -Start $fullStart -End $fullEnd -ErrorAction Stop)
            function Get-Row([object[]] $Rows, [string] $Name) { @($Rows | Where-Object { $_.UserName -eq $Name }) }
        }

        It 'lists each user with hours in the window once' {
            @($full | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('alice', 'bob', 'dave')
            foreach ($row in $full) {
                (Get-TypeName $row) | Should -Be 'AutomateAudit.Engine.Idle.IdleWindowRow'
                $row.ComputerId | Should -Be 2
                $row.Computer | Should -Be $computerNames[2]
                $row.WindowStart | Should -Be $fullStart
                $row.WindowEnd | Should -Be $fullEnd
            }
        }

        It 'sums the hours sent: alice active 50, idle 66 (56.9 % idle); bob active 30, idle 0' {
            $alice = Get-Row $full 'alice'
            @($alice[0].ActiveMinutes, $alice[0].IdleMinutes, $alice[0].UnknownMinutes) | Should -Be @(50, 66, 4)
            $alice[0].IdlePercent | Should -Be 56.9
            $bob = Get-Row $full 'bob'
            @($bob[0].ActiveMinutes, $bob[0].IdleMinutes, $bob[0].UnknownMinutes) | Should -Be @(30, 0, 90)
            $bob[0].IdlePercent | Should -Be 0
        }

        It 'prorates the hours at the window''s edges (half of each hour)' {
            $half = @(Get-IdleReport -ConnectionString $cs -ComputerId 2 -Start $fullStart.AddMinutes(30) -End $fullStart.AddMinutes(90) -UserName 'alice', 'bob')
            $alice = Get-Row $half 'alice'
            @($alice[0].ActiveMinutes, $alice[0].IdleMinutes, $alice[0].UnknownMinutes) | Should -Be @(25, 33, 2)
            $alice[0].IdlePercent | Should -Be 56.9
            $bob = Get-Row $half 'bob'
            @($bob[0].ActiveMinutes, $bob[0].IdleMinutes, $bob[0].UnknownMinutes) | Should -Be @(15, 0, 45)
        }

        It 'OnlineMinutes and OfflineMinutes are the connection audit''s for the same window' {
            $connection = @(Get-ConnectionReport -ConnectionString $cs -ComputerId 2 -Start $fullStart -End $fullEnd -ErrorAction Stop)
            $connection.Count | Should -Be 1
            ($connection[0].OnlineMinutes + $connection[0].OfflineMinutes) | Should -BeGreaterThan 0 -Because 'the fleet was recorded for a day'
            foreach ($row in $full) {
                $row.OnlineMinutes | Should -Be $connection[0].OnlineMinutes
                $row.OfflineMinutes | Should -Be $connection[0].OfflineMinutes
            }
        }

        It 'a user with two sessions in the same hour: no minute count is negative' {
            $dave = @(Get-IdleReport -ConnectionString $cs -ComputerId 2 -Start $fullStart -End $fullStart.AddHours(1) -UserName 'dave')
            $dave.Count | Should -Be 1
            $dave[0].ActiveMinutes | Should -BeGreaterOrEqual 0
            $dave[0].IdleMinutes | Should -BeGreaterOrEqual 0
            $dave[0].UnknownMinutes | Should -BeGreaterOrEqual 0 -Because "dave's sessions sent active 40+30 and idle 16+0 minutes of one hour (row: active $($dave[0].ActiveMinutes), idle $($dave[0].IdleMinutes), unknown $($dave[0].UnknownMinutes))"
        }

        It '-UserName filters; a window with no hours gives no rows' {
            @(Get-IdleReport -ConnectionString $cs -ComputerId 2 -Start $fullStart -End $fullEnd -UserName 'b*' | ForEach-Object { $_.UserName }) | Should -Be @('bob')
            @(Get-IdleReport -ConnectionString $cs -ComputerId 2 -Start $fullStart.AddDays(-5) -End $fullStart.AddDays(-4)) | Should -BeNullOrEmpty
        }

        It '-End not after -Start: a terminating InvalidWindow error' {
            $caught = $null
            try { $null = Get-IdleReport -ConnectionString $cs -Start $fullEnd -End $fullStart -ErrorAction Stop } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -BeLike 'InvalidWindow*'
        }

        It 'an older report than the one saved (Stale): a warning, ProVal''s rows untouched, only its completed hours kept' {
            $generated = [DateTime]::UtcNow.AddHours(-3)
            $hours = @((New-HourItem 'zed' '5' $hourNow.AddHours(-5) 20 40 0), (New-HourItem 'zed' '5' (Get-HourStartUtc $generated) 1 2 3))
            $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 2 -Json (New-EnvelopeJson -Items @(New-IdleItem -Expected @{ UserName = 'zed'; IdleTime = '00:00:01' }) -Hours $hours -GeneratedUtc $generated) -PassThru -WarningVariable staleWarnings -WarningAction SilentlyContinue -ErrorAction Stop)
            $saved[0].Status | Should -Be 'Stale'
            @($staleWarnings).Count | Should -Be 1
            [string]@($staleWarnings)[0] | Should -Match 'Computer 2'
            Assert-SavedIdle -ComputerId 2 -Expected $expected
            $zed = @(Invoke-AuditSql -ConnectionString $cs -Query "SELECT hour_utc, active_minutes FROM aa_idle_hourly WHERE computerid = 2 AND user_name = 'zed'")
            $zed.Count | Should -Be 1 -Because 'the hour still going on when the report was made is left alone'
            [int]$zed[0].active_minutes | Should -Be 20
        }
    }

    Context 'Get-IdleSample''s real output on Linux, through every route' -Skip:(-not $CanPty) {
        BeforeAll {
            $pty = New-Pty
            Set-TerminalInput -Device $pty.Device -Utc ([DateTime]::UtcNow.AddMinutes(-10))
            $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'routes-utmp') -Records @(
                (New-UtmpRecord -Type 7 -ProcessId $pty.HolderPid -Line $pty.Line -User 'idletest' -Time (Get-WholeSecondUtc -MinutesAgo 45))
                (New-UtmpRecord -Type 7 -ProcessId $Live[4].Id -Line 'pts/191' -User 'root' -Time (Get-WholeSecondUtc -MinutesAgo 30))
            )
            $nobodyThere = Write-UtmpFile -Path (Join-Path $TestDrive 'empty-utmp') -Records @(
                (New-UtmpRecord -Type 7 -ProcessId $DeadPid -Line 'pts/193' -User 'ghost' -Time (Get-WholeSecondUtc -MinutesAgo 20))
            )
            $noLogs = Join-Path $TestDrive 'no-sampler'
            $null = New-Item -ItemType Directory -Path $noLogs -Force
            $real = @(Get-IdleSample -UtmpPath $utmp -LogDirectory $noLogs -ErrorAction Stop)
            if ($real.Count -ne 2) { throw "Get-IdleSample returned $($real.Count) samples, expected 2" }
            $hostName = $real[0].ComputerName
            $realExpected = @(
                @{ UserName = 'idletest'; IdleTimePattern = '^00:(09:5\d|1\d:\d\d)(\.\d{1,7})?$'; IsAdmin = $null; IsDomainAdmin = $null; IsEnterpriseAdmin = $null; Domain = $hostName }
                @{ UserName = 'root'; IdleTime = $null; IsAdmin = 'True'; IsDomainAdmin = $null; IsEnterpriseAdmin = $null; Domain = $hostName }
            )
        }

        It 'Get-IdleSample | Save-IdleSample' {
            $saved = @(Get-IdleSample -UtmpPath $utmp -LogDirectory $noLogs | Save-IdleSample -ConnectionString $cs -ComputerId 7 -PassThru -ErrorAction Stop)
            $saved[0].Status | Should -Be 'Saved'
            $saved[0].Items | Should -Be 2
            Assert-SavedIdle -ComputerId 7 -Expected $realExpected
            (@(Get-IdleReport -ConnectionString $cs -ComputerId 7 -UserName 'idletest')[0].IdleMinutes) | Should -BeGreaterOrEqual 9.9
        }

        It '-Json with Get-IdleSample -AsJson' {
            $json = Get-IdleSample -UtmpPath $utmp -LogDirectory $noLogs -AsJson
            $json | Should -BeOfType [string]
            $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 8 -Json $json -PassThru -ErrorAction Stop)
            $saved[0].Status | Should -Be 'Saved'
            Assert-SavedIdle -ComputerId 8 -Expected $realExpected
        }

        It '-Payload with Get-IdleSample -AsPayload' {
            $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 9 -Payload (Get-IdleSample -UtmpPath $utmp -LogDirectory $noLogs -AsPayload) -PassThru -ErrorAction Stop)
            $saved[0].Status | Should -Be 'Saved'
            Assert-SavedIdle -ComputerId 9 -Expected $realExpected
        }

        It 'the inbox with Get-IdleSample -AsPayload, then Import-AuditInbox' {
            $payload = Get-IdleSample -UtmpPath $utmp -LogDirectory $noLogs -AsPayload
            $payload | Should -MatchExactly $ServerScriptCheck
            $null = Invoke-AuditSql -ConnectionString $cs -Query ("INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (10, '{0}')" -f $payload)
            $imported = @(Import-AuditInbox -ConnectionString $cs -PassThru -WarningVariable warnings -ErrorAction Stop)
            @($warnings) | Should -BeNullOrEmpty
            $imported.Count | Should -Be 1
            $imported[0].Status | Should -Be 'Saved'
            $imported[0].ComputerId | Should -Be 10
            Assert-SavedIdle -ComputerId 10 -Expected $realExpected
        }

        It 'nobody logged on: Get-IdleSample writes nothing and Save-IdleSample writes ''Not Logged In''' {
            @(Get-IdleSample -UtmpPath $nobodyThere -LogDirectory $noLogs) | Should -BeNullOrEmpty
            Start-Sleep -Milliseconds 1100
            $saved = @(Get-IdleSample -UtmpPath $nobodyThere -LogDirectory $noLogs | Save-IdleSample -ConnectionString $cs -ComputerId 7 -PassThru -ErrorAction Stop)
            $saved[0].Status | Should -Be 'Saved'
            Assert-SavedIdle -ComputerId 7 -Expected @(@{ UserName = 'Not Logged In'; IdleTime = $null; IdleMinutes = $null; IsAdmin = $null; IsDomainAdmin = $null; IsEnterpriseAdmin = $null; Domain = $null })
        }
    }

    Context 'Tables of the reports' {
        BeforeAll {
            $latest = @(Get-IdleReport -ConnectionString $cs -ErrorAction Stop)
            $window = @(Get-IdleReport -ConnectionString $cs -Start (ConvertTo-ServerLocal $h3) -End (ConvertTo-ServerLocal $hourNow.AddHours(-1)) -ErrorAction Stop)
        }

        It 'Format-Table of Get-IdleReport fits 80 columns and shows computer, user and idle minutes' {
            $latest.Count | Should -BeGreaterThan 10
            $text = $latest | Format-Table | Out-String -Width 80
            Test-FitsWidth $text | Should -BeNullOrEmpty
            foreach ($value in 'alice', 'bob', 'carol', 'Not Logged In', $computerNames[1], '12.5') { $text | Should -Match ([regex]::Escape($value)) }
        }

        It 'Format-Table of Get-IdleReport -Start/-End fits 80 columns and shows the minutes' {
            $window.Count | Should -BeGreaterOrEqual 3
            $text = $window | Format-Table | Out-String -Width 80
            Test-FitsWidth $text | Should -BeNullOrEmpty
            $text | Should -Match 'alice\s+50\s+66\s+4\s+56\.9'
        }

        It 'Format-Table of Save-IdleSample -PassThru fits 80 columns' {
            $saved = @(Save-IdleSample -ConnectionString $cs -ComputerId 1 -Json (New-EnvelopeJson -Items $items) -PassThru -ErrorAction Stop)
            $text = $saved | Format-Table | Out-String -Width 80
            Test-FitsWidth $text | Should -BeNullOrEmpty
            $text | Should -Match 'IdleSamples'
            $text | Should -Match 'Saved'
        }

        It 'Get-ConnectionReport -ComputerId | Get-IdleReport binds by property name' {
            $piped = @(Get-ConnectionReport -ConnectionString $cs -ComputerId 1, 2 -ErrorAction Stop | Get-IdleReport -ConnectionString $cs -ErrorAction Stop)
            @($piped | ForEach-Object { $_.ComputerId } | Sort-Object -Unique) | Should -Be @(1, 2)
            $direct = @(Get-IdleReport -ConnectionString $cs -ComputerId 1, 2)
            @($piped | ForEach-Object { '{0}/{1}' -f $_.ComputerId, $_.UserName } | Sort-Object) | Should -Be @($direct | ForEach-Object { '{0}/{1}' -f $_.ComputerId, $_.UserName } | Sort-Object)
        }
    }

    It 'pvl_report_idlemon holds each computer''s latest report in ProVal''s columns, as IdleMon writes them' {
        $provalExpected.Count | Should -BeGreaterOrEqual 6
        $rows = @(Invoke-AuditSql -ConnectionString $cs -Query ('SELECT p.computerid AS ComputerId, p.Username, p.Domain, p.IdleTime, p.IsAdmin, p.IsDomainAdmin, p.IsEnterpriseAdmin FROM pvl_report_idlemon p ' +
                'JOIN (SELECT computerid, MAX(ScriptRunTime) AS latest FROM pvl_report_idlemon GROUP BY computerid) m ON m.computerid = p.computerid AND m.latest = p.ScriptRunTime ' +
                'ORDER BY p.computerid, p.Username'))
        foreach ($id in $provalExpected.Keys) {
            $expectedRows = @($provalExpected[$id])
            $proval = @($rows | Where-Object { [int]$_.ComputerId -eq $id })
            @($proval | ForEach-Object { [string]$_.Username }) | Should -Be @($expectedRows | ForEach-Object { $_.UserName } | Sort-Object) -Because "computer $id"
            foreach ($p in $proval) {
                $e = @($expectedRows | Where-Object { $_.UserName -eq $p.Username })[0]
                $because = "pvl_report_idlemon of computer $id, $($p.Username)"
                if ($e.ContainsKey('IdleTimePattern')) { [string]$p.IdleTime | Should -Match $e.IdleTimePattern -Because $because }
                else { $p.IdleTime | Should -Be $e.IdleTime -Because $because }
                $p.IsAdmin | Should -Be $e.IsAdmin -Because $because
                $p.IsDomainAdmin | Should -Be $e.IsDomainAdmin -Because $because
                $p.IsEnterpriseAdmin | Should -Be $e.IsEnterpriseAdmin -Because $because
                if ($e.ContainsKey('Domain')) { $p.Domain | Should -Be $e.Domain -Because $because }
                else { $p.Domain | Should -Be 'CORP' -Because $because }
            }
        }
    }
}

Describe 'Hostile idle reports are refused, with nothing written' {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'idle_hostile' -Agents 5 -Install
        $hourNow = Get-HourStartUtc ([DateTime]::UtcNow)

        function New-HostileItem {
            param([string] $UserName = 'alice', [object] $IdleTime = '00:05:00', [object] $AgentId = $null, [object] $Timestamp = $null)
            if ($null -eq $Timestamp) { $Timestamp = ConvertTo-IsoUtc ([DateTime]::UtcNow.AddSeconds(-5)) }
            [ordered]@{ AgentId = $AgentId; UserName = $UserName; Domain = 'CORP'; SessionId = '2'; Timestamp = $Timestamp; IdleTime = $IdleTime; Source = 'Sampler'; SamplerRunning = $true; IsAdmin = $false }
        }
        function New-HostileHour {
            param([string] $UserName = 'alice', [object] $HourUtc = $null, [int] $Active = 30, [int] $Idle = 20, [int] $Unknown = 10)
            if ($null -eq $HourUtc) { $HourUtc = ConvertTo-IsoUtc $hourNow.AddHours(-1) }
            [ordered]@{ UserName = $UserName; SessionId = '2'; HourUtc = $HourUtc; ActiveMinutes = $Active; IdleMinutes = $Idle; UnknownMinutes = $Unknown }
        }
        function New-HostileEnvelope {
            param([object[]] $Items = @(), [object[]] $Hours = @(), [object] $AgentId = $null, [int] $Format = 1, [string] $Kind = 'IdleSamples')
            $envelope = [ordered]@{
                format = $Format; kind = $Kind; computerName = 'WS00002'; agentId = $AgentId
                generatedUtc = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $Invariant)
                items = @($Items); hours = @($Hours)
            }
            ConvertTo-Json -InputObject $envelope -Depth 6 -Compress
        }

        $manySamples = '{"format":1,"kind":"IdleSamples","generatedUtc":"' + (ConvertTo-IsoUtc ([DateTime]::UtcNow)) + '","items":[' +
            ((1..2001 | ForEach-Object { '{"UserName":"u' + $_ + '","Timestamp":"' + (ConvertTo-IsoUtc ([DateTime]::UtcNow)) + '","Source":"Sampler"}' }) -join ',') + '],"hours":[]}'
        $hostile = @{
            'a negative IdleTime'              = New-HostileEnvelope -Items @(New-HostileItem -IdleTime '-00:05:00')
            'an IdleTime of 5000 days'         = New-HostileEnvelope -Items @(New-HostileItem -IdleTime '5000.00:00:00')
            'an IdleTime that is not a duration' = New-HostileEnvelope -Items @(New-HostileItem -IdleTime 'five minutes')
            'a 60-character user name'         = New-HostileEnvelope -Items @(New-HostileItem -UserName ('u' * 60))
            'a SQL fragment in a user name'    = New-HostileEnvelope -Items @(New-HostileItem -UserName "x'); DROP TABLE computers; --")
            'a bad sample after a good one'    = New-HostileEnvelope -Items @((New-HostileItem -UserName 'good'), (New-HostileItem -UserName ('u' * 60)))
            'a mismatched AgentId'             = New-HostileEnvelope -Items @(New-HostileItem) -AgentId 99
            'a mismatched AgentId in an item'  = New-HostileEnvelope -Items @(New-HostileItem -AgentId 98)
            'a Timestamp without a time zone'  = New-HostileEnvelope -Items @(New-HostileItem -Timestamp '2026-01-01T10:00:00')
            'an hour with 90 minutes'          = New-HostileEnvelope -Items @(New-HostileItem) -Hours @(New-HostileHour -Active 60 -Idle 30 -Unknown 0)
            'negative minutes'                 = New-HostileEnvelope -Hours @(New-HostileHour -Active -5)
            'an hour not on the hour'          = New-HostileEnvelope -Hours @(New-HostileHour -HourUtc (ConvertTo-IsoUtc $hourNow.AddMinutes(-30)))
            'an hour in the future'            = New-HostileEnvelope -Hours @(New-HostileHour -HourUtc (ConvertTo-IsoUtc $hourNow.AddDays(3)))
            'the same hour twice'              = New-HostileEnvelope -Hours @((New-HostileHour), (New-HostileHour))
            'a SQL fragment in an hour''s user' = New-HostileEnvelope -Hours @(New-HostileHour -UserName "x'); DROP TABLE computers; --")
            'a newer format version'           = New-HostileEnvelope -Items @(New-HostileItem) -Format 2
            'a user-session report'            = New-HostileEnvelope -Items @(New-HostileItem) -Kind 'UserSessions'
            '2001 samples'                     = $manySamples
        }

        # Something legitimate first, so "nothing written" is measured against tables that hold rows.
        $null = Save-IdleSample -ConnectionString $cs -ComputerId 2 -Json (New-HostileEnvelope -Items @(New-HostileItem -UserName 'legit') -Hours @(New-HostileHour -UserName 'legit')) -ErrorAction Stop
        $countsSql = 'SELECT (SELECT COUNT(*) FROM pvl_report_idlemon) AS ProVal, (SELECT COUNT(*) FROM aa_idle_hourly) AS Hours, ' +
            '(SELECT COUNT(*) FROM aa_report_status) AS Reports, (SELECT COUNT(*) FROM computers) AS Computers'
        function Get-Counts {
            $c = @(Invoke-AuditSql -ConnectionString $cs -Query $countsSql)[0]
            'ProVal={0} Hours={1} Reports={2} Computers={3}' -f $c.ProVal, $c.Hours, $c.Reports, $c.Computers
        }
        $start = @(Invoke-AuditSql -ConnectionString $cs -Query ($countsSql + ', TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) AS OffsetMinutes'))[0]
        $before = 'ProVal={0} Hours={1} Reports={2} Computers={3}' -f $start.ProVal, $start.Hours, $start.Reports, $start.Computers
        if ($before -ne 'ProVal=1 Hours=1 Reports=1 Computers=5') { throw "Unexpected starting counts: $before" }
        # Per report, what the module shows (cheap): every computer's latest rows and every user's hours over a wide window.
        $offsetMinutes = [int]$start.OffsetMinutes
        $wideStart = [DateTime]::UtcNow.AddMinutes($offsetMinutes).AddDays(-5)
        $wideEnd = [DateTime]::UtcNow.AddMinutes($offsetMinutes).AddDays(5)
        function Get-Shown {
            $latest = @(Get-IdleReport -ConnectionString $cs -ErrorAction Stop | ForEach-Object { '{0}/{1}/{2}/{3:yyyy-MM-dd HH:mm:ss}' -f $_.ComputerId, $_.UserName, $_.IdleTime, $_.ScriptRunTime })
            $hours = @(Get-IdleReport -ConnectionString $cs -Start $wideStart -End $wideEnd -ErrorAction Stop | ForEach-Object { '{0}/{1}/{2}/{3}' -f $_.ComputerId, $_.UserName, $_.ActiveMinutes, $_.IdleMinutes })
            (@($latest) + @($hours)) -join ';'
        }
        $shown = Get-Shown
        if ($shown -notmatch '^2/legit/00:05:00/.*;2/legit/30/20$') { throw "Unexpected starting reports: $shown" }

        function Invoke-Refused {
            # Runs Save-IdleSample; returns @{ Record; Errors; Caught; Out }.
            param([hashtable] $Arguments, [object[]] $Pipeline)
            $errors = $null
            $caught = $null
            $out = $null
            try {
                if ($Pipeline) { $out = @($Pipeline | Save-IdleSample @Arguments -ErrorVariable errors -ErrorAction SilentlyContinue) }
                else { $out = @(Save-IdleSample @Arguments -ErrorVariable errors -ErrorAction SilentlyContinue) }
            }
            catch { $caught = $_ }
            $record = $caught
            if (-not $record) { $record = @($errors)[0] }
            @{ Record = $record; Errors = @($errors); Caught = $caught; Out = @($out | Where-Object { $_ }) }
        }
    }

    It 'Save-IdleSample <Route> with <Name>: a PayloadRejected error naming the problem, nothing written, not terminating' -ForEach @(
        @{ Name = 'a negative IdleTime'; Route = 'Payload'; Pattern = "items\[0\]: 'IdleTime' is negative" }
        @{ Name = 'an IdleTime of 5000 days'; Route = 'Payload'; Pattern = "items\[0\]: 'IdleTime' is negative or longer than 10 years" }
        @{ Name = 'an IdleTime that is not a duration'; Route = 'Json'; Pattern = "'IdleTime' is not a duration" }
        @{ Name = 'a 60-character user name'; Route = 'Payload'; Pattern = "'UserName' is 60 characters long; the column holds 50" }
        @{ Name = 'a SQL fragment in a user name'; Route = 'Payload'; Pattern = "'UserName' holds characters a UserName cannot have" }
        @{ Name = 'a bad sample after a good one'; Route = 'Payload'; Pattern = "items\[1\]: 'UserName' is 60 characters" }
        @{ Name = 'a mismatched AgentId'; Route = 'Payload'; Pattern = 'agent 99.*computer 2' }
        @{ Name = 'a mismatched AgentId in an item'; Route = 'Payload'; Pattern = 'items\[0\].*agent 98.*computer 2' }
        @{ Name = 'a Timestamp without a time zone'; Route = 'Json'; Pattern = "'Timestamp'.*time zone" }
        @{ Name = 'an hour with 90 minutes'; Route = 'Payload'; Pattern = 'hours\[0\].*more than an hour' }
        @{ Name = 'negative minutes'; Route = 'Payload'; Pattern = 'hours\[0\].*negative' }
        @{ Name = 'an hour not on the hour'; Route = 'Payload'; Pattern = "hours\[0\]: 'HourUtc' is not the start of an hour" }
        @{ Name = 'an hour in the future'; Route = 'Payload'; Pattern = "hours\[0\]: 'HourUtc' is outside" }
        @{ Name = 'the same hour twice'; Route = 'Payload'; Pattern = 'hours\[1\] repeats an hour' }
        @{ Name = 'a SQL fragment in an hour''s user'; Route = 'Payload'; Pattern = "hours\[0\]: 'UserName' holds characters" }
        @{ Name = 'a newer format version'; Route = 'Payload'; Pattern = 'format version 2' }
        @{ Name = 'a user-session report'; Route = 'Payload'; Pattern = "'UserSessions', not IdleSamples" }
        @{ Name = '2001 samples'; Route = 'Json'; Pattern = '2001 samples; at most 2000' }
    ) {
        $arguments = @{ ConnectionString = $cs; ComputerId = 2; PassThru = $true }
        $arguments[$Route] = if ($Route -eq 'Payload') { ConvertTo-Base64 $hostile[$Name] } else { $hostile[$Name] }
        $result = Invoke-Refused -Arguments $arguments
        $result.Record | Should -Not -BeNullOrEmpty -Because 'the report is refused'
        $result.Errors.Count | Should -Be 1
        $result.Record.FullyQualifiedErrorId | Should -BeLike 'PayloadRejected*'
        $result.Record.Exception.Message | Should -Match $Pattern
        $result.Record.Exception.Message.Length | Should -BeLessThan 2000 -Because 'the message names the problem without echoing the payload'
        $result.Out | Should -BeNullOrEmpty -Because 'nothing was saved'
        Get-Shown | Should -Be $shown
        $result.Caught | Should -BeNullOrEmpty -Because 'a refused report is a non-terminating error, so a batch goes on'
    }

    It 'the pipeline route: an object with a negative IdleTime is refused the same way' {
        $object = [pscustomobject]@{ UserName = 'alice'; Domain = 'CORP'; SessionId = '2'; Timestamp = [DateTime]::Now; IdleTime = [TimeSpan]::FromMinutes(-5); Source = 'Sampler'; SamplerRunning = $true }
        $result = Invoke-Refused -Arguments @{ ConnectionString = $cs; ComputerId = 2; PassThru = $true } -Pipeline @($object)
        $result.Errors.Count | Should -Be 1
        $result.Record.FullyQualifiedErrorId | Should -BeLike 'PayloadRejected*'
        $result.Record.Exception.Message | Should -Match "'IdleTime' is negative"
        $result.Caught | Should -BeNullOrEmpty
        Get-Shown | Should -Be $shown
    }

    It 'the -Path route: a file with a 90-minute hour is refused, naming nothing written' {
        $folder = Join-Path $TestDrive 'Uploads/Client 001/WS00002 (2)'
        $null = New-Item -ItemType Directory -Path $folder -Force
        $file = Join-Path $folder 'idle.json'
        [System.IO.File]::WriteAllText($file, $hostile['an hour with 90 minutes'])
        $result = Invoke-Refused -Arguments @{ ConnectionString = $cs; Path = $file; PassThru = $true }
        $result.Errors.Count | Should -Be 1
        $result.Record.FullyQualifiedErrorId | Should -BeLike 'PayloadRejected*'
        $result.Record.Exception.Message | Should -Match 'more than an hour'
        $result.Caught | Should -BeNullOrEmpty
        Get-Shown | Should -Be $shown
    }

    It 'after every refused report: the row counts of pvl_report_idlemon, aa_idle_hourly and aa_report_status are unchanged' {
        Get-Counts | Should -Be $before
    }

    Context 'through the inbox' {
        BeforeAll {
            $inboxCases = @(
                @{ Name = 'a negative IdleTime'; Pattern = "'IdleTime' is negative" }
                @{ Name = 'a 60-character user name'; Pattern = "'UserName' is 60 characters" }
                @{ Name = 'a SQL fragment in a user name'; Pattern = "'UserName' holds characters" }
                @{ Name = 'a mismatched AgentId'; Pattern = 'agent 99.*computer 2' }
                @{ Name = 'an hour with 90 minutes'; Pattern = 'more than an hour' }
                @{ Name = 'a newer format version'; Pattern = 'format version 2' }
            )
            $statements = foreach ($case in $inboxCases) {
                $payload = ConvertTo-Base64 $hostile[$case.Name]
                if ($payload -cnotmatch $ServerScriptCheck) { throw "$($case.Name) would not pass the server's check" }
                "INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (2, '$payload')"
            }
            $null = Invoke-AuditSql -ConnectionString $cs -Query ($statements -join ";`n")
            $first = @(Import-AuditInbox -ConnectionString $cs -PassThru -WarningVariable firstWarnings -WarningAction SilentlyContinue -ErrorAction Stop)
            $inbox = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT id, computerid, status, reason FROM aa_endpoint_inbox ORDER BY id')
        }

        It 'warns once per rejected report, naming the problem and the computer' {
            @($firstWarnings).Count | Should -Be $inboxCases.Count
            for ($i = 0; $i -lt $inboxCases.Count; $i++) {
                [string]@($firstWarnings)[$i] | Should -Match $inboxCases[$i].Pattern -Because $inboxCases[$i].Name
                [string]@($firstWarnings)[$i] | Should -Match 'computer 2'
            }
        }

        It 'leaves them in aa_endpoint_inbox with status rejected and a reason; -PassThru lists them' {
            $inbox.Count | Should -Be $inboxCases.Count
            for ($i = 0; $i -lt $inboxCases.Count; $i++) {
                [string]$inbox[$i].status | Should -Be 'rejected'
                [string]$inbox[$i].reason | Should -Match $inboxCases[$i].Pattern -Because $inboxCases[$i].Name
            }
            $first.Count | Should -Be $inboxCases.Count
            @($first | ForEach-Object { $_.Status } | Sort-Object -Unique) | Should -Be @('Rejected')
        }

        It 'writes nothing' {
            Get-Counts | Should -Be $before
        }
    }
}

Describe 'Start-IdleSampler on this system as it is, in a fresh PowerShell' -Skip:(-not $OnLinux) {
    It 'runs -Seconds, exits 0, creates its log directory' {
        $finished = $PlainRun.WaitForExit(60000)
        $finished | Should -BeTrue
        $text = Get-Content -LiteralPath $PlainOut -Raw
        $PlainRun.ExitCode | Should -Be 0 -Because $text
        $elapsed = [double]::Parse(([regex]::Match($text, 'ELAPSED:([0-9.]+)')).Groups[1].Value, $Invariant)
        $elapsed | Should -BeGreaterOrEqual $PlainSeconds
        $elapsed | Should -BeLessThan ($PlainSeconds + 5)
        Test-Path -LiteralPath $PlainLog -PathType Container | Should -BeTrue
        $sessions = @(Get-ChildItem -Path '/run/systemd/sessions' -File -ErrorAction SilentlyContinue)
        if (-not (Test-Path -LiteralPath '/run/utmp') -and -not (Test-Path -LiteralPath '/var/run/utmp') -and $sessions.Count -eq 0) {
            @(Get-ChildItem -LiteralPath $PlainLog) | Should -BeNullOrEmpty -Because 'this system has no sessions to follow'
            $text | Should -Match 'WARNINGS:0'
        }
    }
}

# Last, so that the sampler's run (started by the top-level BeforeAll) overlaps the tests above.
Describe 'Start-IdleSampler for real, in a fresh PowerShell, following a pty with scripted input' -Skip:(-not $CanNamespace) {
    BeforeAll {
        if (-not $SamplerDriver) { throw 'The sampler run was not started (no private mount namespace in the run phase?).' }
        $timeline = @($SamplerDriver.PowerShell.EndInvoke($SamplerDriver.Handle))[0]
        if ($timeline.Error) { throw "The scripted input failed: $($timeline.Error)`n$(Get-Content -LiteralPath $SamplerOut -Raw -ErrorAction SilentlyContinue)" }
        $run = $SamplerRun
        if (-not $run.WaitForExit(10000)) { throw "The sampler did not stop after -Seconds $SamplerSeconds." }
        $seconds = $SamplerSeconds
        $user = $SamplerUser
        $sessionId = [string]$SamplerPty.HolderPid
        $log = $SamplerLog
        $output = Get-Content -LiteralPath $SamplerOut -Raw
        $lines = @(Get-Content -LiteralPath (Join-Path $log "$user.log") | Where-Object { $_ })
        $during = @($timeline.During)
    }

    It 'runs for -Seconds and exits with code 0, without warnings' {
        $run.ExitCode | Should -Be 0 -Because $output
        $elapsed = [double]::Parse(([regex]::Match($output, 'ELAPSED:([0-9.]+)')).Groups[1].Value, $Invariant)
        $elapsed | Should -BeGreaterOrEqual $seconds
        $elapsed | Should -BeLessThan ($seconds + 5)
        $output | Should -Match 'WARNINGS:0'
    }

    It 'logs the scripted input: active from its start, idle from the last input, active again from the new input, stopped' {
        $parsed = foreach ($line in $lines) {
            $f = $line.Split(' ')
            [pscustomobject]@{ Utc = [DateTime]::ParseExact($f[0], "yyyy-MM-dd'T'HH:mm:ss'Z'", $Invariant, [System.Globalization.DateTimeStyles]'AdjustToUniversal, AssumeUniversal'); Mark = $f[1]; Session = $f[2] }
        }
        ($lines -join "`n") | Should -Match '^\d{4}-' -Because 'the log has lines'
        @($parsed | ForEach-Object { $_.Mark }) -join '' | Should -Be 'AIAX' -Because ($lines -join "`n")
        @($parsed | ForEach-Object { $_.Session } | Sort-Object -Unique) | Should -Be @($sessionId)
        # The first sample, just before the driver saw it.
        $parsed[0].Utc | Should -BeLessOrEqual $timeline.Started
        $parsed[0].Utc | Should -BeGreaterThan $timeline.Started.AddSeconds(-3)
        # Lines are dated to the second (the log's resolution): within one sample interval (1 s) of the script.
        ($timeline.LastInput - $parsed[1].Utc).TotalSeconds | Should -BeGreaterOrEqual 0 -Because 'idle starts at the last input, not at the threshold'
        ($timeline.LastInput - $parsed[1].Utc).TotalSeconds | Should -BeLessThan 1
        ($timeline.Resumed - $parsed[2].Utc).TotalSeconds | Should -BeGreaterOrEqual 0 -Because 'active again from the input that ended the idle stretch'
        ($timeline.Resumed - $parsed[2].Utc).TotalSeconds | Should -BeLessThan 1
        $parsed[3].Utc | Should -BeGreaterThan $timeline.Resumed
        $parsed[3].Utc | Should -BeLessOrEqual $timeline.Exited
    }

    It 'while it runs, Get-IdleSample reports the sampler''s figure (Source Sampler, SamplerRunning True)' {
        $during.Count | Should -Be 1
        $during[0].Source.ToString() | Should -Be 'Sampler'
        $during[0].SamplerRunning | Should -BeTrue
        $during[0].SamplerLastWrite | Should -Not -BeNullOrEmpty
        ($timeline.DuringAt - $during[0].SamplerLastWrite.ToUniversalTime()).TotalSeconds | Should -BeLessThan 3 -Because 'the sampler writes its .now file every interval'
        $expected = ($timeline.DuringAt - $timeline.LastInput).TotalSeconds
        $during[0].IdleTime.TotalSeconds | Should -BeGreaterOrEqual ($expected - 2.5)
        $during[0].IdleTime.TotalSeconds | Should -BeLessOrEqual ($expected + 0.5)
        $during[0].IsLocked | Should -BeFalse
    }

    It '-Summary holds the session''s hour(s): whole minutes that add up, nearly all unknown' {
        $hours = @(Get-IdleSample -Summary -LogDirectory $log -UserName $user)
        $hours.Count | Should -BeGreaterThan 0
        $hours.Count | Should -BeLessOrEqual 2
        $now = [DateTime]::UtcNow
        foreach ($h in $hours) {
            (Get-TypeName $h) | Should -Be 'AutomateAudit.Endpoint.IdleHour'
            $h.UserName | Should -Be $user
            $h.SessionId | Should -Be $sessionId
            $span = [Math]::Min(60, ($now - $h.HourUtc).TotalMinutes)
            [Math]::Abs(($h.ActiveMinutes + $h.IdleMinutes + $h.UnknownMinutes) - $span) | Should -BeLessOrEqual 1
        }
        ($hours | Measure-Object -Property ActiveMinutes -Sum).Sum + ($hours | Measure-Object -Property IdleMinutes -Sum).Sum | Should -BeLessOrEqual 1 -Because 'it sampled for 20 seconds'
    }

    It 'after it stopped (X in the log), Get-IdleSample does not report its last figure as current' {
        # Two minutes without input since the sampler stopped: the terminal says so; the sampler's .now file is frozen.
        Set-TerminalInput -Device $SamplerPty.Device -Utc ([DateTime]::UtcNow.AddMinutes(-2))
        $after = @(Get-IdleSample -UtmpPath $SamplerUtmp -LogDirectory $log -UserName $user)
        $after.Count | Should -Be 1
        $after[0].SamplerLastWrite | Should -Not -BeNullOrEmpty -Because 'the sampler did run for this user'
        $after[0].SamplerRunning | Should -BeFalse -Because 'the sampler wrote its stop line and exited'
        $after[0].IdleTime.TotalSeconds | Should -BeGreaterOrEqual 115 -Because 'the user has been idle for 2 minutes'
    }
}
