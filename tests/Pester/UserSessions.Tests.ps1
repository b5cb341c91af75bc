#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# User sessions (issue 7), end to end: Get-UserSession on a Linux endpoint for real (utmp and wtmp files written
# here, for processes started here), every route that carries its output into the database (pipeline, -Json,
# -Payload, -Path, the aa_endpoint_inbox table drained by Import-AuditInbox), read back with Get-UserSessionReport
# and from ProVal's plugin_proval_usersessions; hostile payloads refused with nothing written; and the pipelines
# users write with the report.
# Runs on Windows PowerShell 5.1 and pwsh 7: ./build.ps1 -Task Pester. What reads utmp runs on x86_64 Linux only
# (the record layout written here is glibc's 384-byte x86_64 one); the hostile-input tests run everywhere.

BeforeDiscovery {
    $script:OnLinux = [bool](Get-Variable -Name IsLinux -ValueOnly -ErrorAction SilentlyContinue)
    $script:CanUtmp = $false
    if ($script:OnLinux) {
        $script:CanUtmp = [string][System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force

    $script:OnLinux = [bool](Get-Variable -Name IsLinux -ValueOnly -ErrorAction SilentlyContinue)
    $script:Epoch = New-Object DateTime 1970, 1, 1, 0, 0, 0, ([DateTimeKind]::Utc)
    $script:ServerScriptCheck = '^[A-Za-z0-9+/=]{1,60000}$'

    # utmp records: New-UtmpRecord and Write-UtmpFile in TestHelpers.psm1.
    function ConvertTo-TestDate {
        # Invoke-AuditSql returns dates as [datetime] on pwsh 7 and as ISO-8601 strings on 5.1.
        param([object] $Value)
        if ($null -eq $Value) { return $null }
        if ($Value -is [datetime]) { return $Value }
        [datetime]::Parse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture)
    }

    function ConvertTo-Base64 {
        param([string] $Text)
        [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Text))
    }

    function Get-TypeName {
        param([object] $InputObject)
        $InputObject.PSObject.TypeNames[0]
    }

    # Endpoint processes that are alive for the whole file (their pids go into the utmp files written here).
    $script:Live = @()
    $script:DeadPid = 0
    if ($script:OnLinux) {
        $script:Live = @(1..3 | ForEach-Object { Start-Process -FilePath 'sleep' -ArgumentList '300' -PassThru })
        $dead = Start-Process -FilePath 'sleep' -ArgumentList '0' -PassThru
        $dead.WaitForExit()
        $script:DeadPid = $dead.Id
        if (Test-Path -LiteralPath "/proc/$($script:DeadPid)") { throw "pid $($script:DeadPid) should be gone" }
    }
}

AfterAll {
    foreach ($process in $script:Live) { Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue }
}

Describe 'Get-UserSession on Linux, for real: utmp and wtmp files' -Skip:(-not $CanUtmp) {
    BeforeAll {
        $alicePid = $Live[0].Id
        $bobPid = $Live[1].Id
        $carolPid = $Live[2].Id
        # Logon times with microseconds, as utmp records them.
        $aliceLogon = (Get-WholeSecondUtc -MinutesAgo 150).AddTicks(1234560)
        $bobLogon = (Get-WholeSecondUtc -MinutesAgo 95).AddTicks(9999990)
        $carolLogon = (Get-WholeSecondUtc -MinutesAgo 20).AddTicks(10)
        $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'utmp') -Records @(
            (New-UtmpRecord -Type 2 -ProcessId 0 -Line '~' -User 'reboot' -Time (Get-WholeSecondUtc -MinutesAgo 600))
            (New-UtmpRecord -Type 1 -ProcessId 53 -Line '~' -User 'runlevel' -Time (Get-WholeSecondUtc -MinutesAgo 599))
            (New-UtmpRecord -Type 7 -ProcessId $alicePid -Line 'pts/91' -Id 'ts/9' -User 'alice' -HostName '10.1.2.3' -Time $aliceLogon -Address ([byte[]](10, 1, 2, 3)))
            (New-UtmpRecord -Type 7 -ProcessId $bobPid -Line 'tty63' -Id '63' -User 'bob' -Time $bobLogon)
            (New-UtmpRecord -Type 7 -ProcessId $carolPid -Line 'pts/92' -Id 'ts/8' -User 'carol@corp.example' -HostName 'laptop.corp.example' -Time $carolLogon -Address ([byte[]](192, 0, 2, 10)))
            (New-UtmpRecord -Type 7 -ProcessId $DeadPid -Line 'pts/93' -Id 'ts/7' -User 'ghost' -HostName '203.0.113.9' -Time (Get-WholeSecondUtc -MinutesAgo 300) -Address ([byte[]](203, 0, 113, 9)))
            # A getty waiting for a login and a logged-out line, both on live pids: not user sessions.
            (New-UtmpRecord -Type 6 -ProcessId $alicePid -Line 'tty62' -Id '62' -User 'LOGIN' -Time (Get-WholeSecondUtc -MinutesAgo 598))
            (New-UtmpRecord -Type 8 -ProcessId $bobPid -Line 'pts/94' -Id 'ts/6' -Time (Get-WholeSecondUtc -MinutesAgo 30))
        )
    }

    It 'lists exactly the USER_PROCESS records whose process is alive (not the dead pid, not LOGIN or DEAD records)' {
        $sessions = @(Get-UserSession -UtmpPath $utmp -ErrorAction Stop)
        @($sessions | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('alice', 'bob', 'carol')
        @($sessions | Where-Object { (Get-TypeName $_) -ne 'AutomateAudit.Endpoint.UserSession' }) | Should -BeNullOrEmpty
        @($sessions | Where-Object { $_.SessionName -eq 'pts/93' -or $_.UserName -eq 'ghost' }) | Should -BeNullOrEmpty
    }

    It 'gives each session its terminal, address, id and exact logon time (Kind Local)' {
        $before = [DateTime]::UtcNow
        $sessions = @(Get-UserSession -UtmpPath $utmp -ErrorAction Stop)
        $after = [DateTime]::UtcNow
        $sessions.Count | Should -Be 3
        $expected = @{
            alice = @{ Line = 'pts/91'; Pid = $alicePid; Logon = $aliceLogon; ClientName = '10.1.2.3'; Address = '10.1.2.3'; Domain = $null; IsConsole = $false }
            bob   = @{ Line = 'tty63'; Pid = $bobPid; Logon = $bobLogon; ClientName = $null; Address = $null; Domain = $null; IsConsole = $true }
            carol = @{ Line = 'pts/92'; Pid = $carolPid; Logon = $carolLogon; ClientName = 'laptop.corp.example'; Address = '192.0.2.10'; Domain = 'corp.example'; IsConsole = $false }
        }
        foreach ($s in $sessions) {
            $e = $expected[$s.UserName]
            $s.SessionName | Should -Be $e.Line -Because $s.UserName
            $s.SessionId | Should -Be ([string]$e.Pid) -Because "$($s.UserName): without logind the session id is the login process id"
            $s.State.ToString() | Should -Be 'Active'
            $s.LogonTime | Should -Not -BeNullOrEmpty
            $s.LogonTime.Kind | Should -Be 'Local'
            $s.LogonTime.ToUniversalTime().Ticks | Should -Be $e.Logon.Ticks -Because "$($s.UserName)'s logon time is ut_tv to the microsecond"
            $s.ClientName | Should -Be $e.ClientName -Because $s.UserName
            $s.ClientAddress | Should -Be $e.Address -Because $s.UserName
            $s.IsConsole | Should -Be $e.IsConsole -Because $s.UserName
            $s.ComputerName | Should -Not -BeNullOrEmpty
            if ($e.Domain) { $s.Domain | Should -Be $e.Domain } else { $s.Domain | Should -Be $s.ComputerName -Because 'a local account has the host name as its domain' }
            $s.SessionLength | Should -BeGreaterOrEqual ([int][Math]::Floor(($before - $e.Logon).TotalMinutes))
            $s.SessionLength | Should -BeLessOrEqual ([int][Math]::Floor(($after - $e.Logon).TotalMinutes))
            $s.IsLocked | Should -BeNullOrEmpty -Because 'utmp does not say'
            $s.ConnectTime | Should -BeNullOrEmpty
            $s.DisconnectTime | Should -BeNullOrEmpty
        }
    }

    It 'takes idle time from the terminal''s access time, and gives null (never zero) where there is no terminal' {
        $sessions = @(Get-UserSession -UtmpPath $utmp -ErrorAction Stop)
        foreach ($s in $sessions) {
            $device = '/dev/' + $s.SessionName
            if (Test-Path -LiteralPath $device) {
                $atime = (Get-Item -LiteralPath $device -Force).LastAccessTimeUtc
                $s.LastInputTime.ToUniversalTime() | Should -Be $atime -Because $device
                $s.IdleTime | Should -Not -BeNullOrEmpty
                $s.IdleTime.TotalSeconds | Should -BeGreaterOrEqual 0
            }
            else {
                $s.IdleTime | Should -BeNullOrEmpty -Because "$device does not exist"
                $s.LastInputTime | Should -BeNullOrEmpty -Because "$device does not exist"
            }
        }
        # pts/91 and pts/92 are not real terminals here: at least those have no idle time.
        @($sessions | Where-Object { $null -eq $_.IdleTime }).Count | Should -BeGreaterOrEqual 1
    }

    It 'filters by -UserName (wildcards, case-insensitive) and -State' {
        @(Get-UserSession -UtmpPath $utmp -UserName 'A*', 'CAR*' | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('alice', 'carol')
        @(Get-UserSession -UtmpPath $utmp -State Active).Count | Should -Be 3
        @(Get-UserSession -UtmpPath $utmp -State Disconnected) | Should -BeNullOrEmpty
    }

    It '-AsPayload writes one line of base64 holding the envelope and the sessions' {
        $out = @(Get-UserSession -UtmpPath $utmp -AsPayload)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType [string]
        $out[0] | Should -MatchExactly $ServerScriptCheck
        $json = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($out[0]))
        $envelope = $json | ConvertFrom-Json
        $envelope.format | Should -Be 1
        $envelope.kind | Should -Be 'UserSessions'
        $envelope.generatedUtc | Should -Not -BeNullOrEmpty
        @($envelope.items | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('alice', 'bob', 'carol')
        $json | Should -Match '"LogonTime":"[0-9T:.-]+Z"' -Because 'the payload carries UTC instants'
    }

    It 'Format-Table | Out-String -Width 80: fits 80 columns and shows user, terminal and state' {
        $text = Get-UserSession -UtmpPath $utmp | Format-Table | Out-String -Width 80
        @($text -split "`r?`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        foreach ($value in 'alice', 'bob', 'carol', 'pts/91', 'tty63', 'Active') { $text | Should -Match ([regex]::Escape($value)) }
    }

    It 'a -UtmpPath that does not exist: an error naming the file, never an empty list (which would be saved as "no sessions")' {
        $missing = Join-Path $TestDrive 'no-such-utmp'
        $errors = $null
        $caught = $null
        $out = $null
        try { $out = @(Get-UserSession -UtmpPath $missing -ErrorVariable errors -ErrorAction SilentlyContinue) } catch { $caught = $_ }
        $all = @(@($errors) + @($caught) | Where-Object { $_ })
        $all.Count | Should -BeGreaterThan 0 -Because 'the file asked for is not there'
        (@($all | ForEach-Object { $_.Exception.Message }) -join "`n") | Should -Match ([regex]::Escape($missing))
        @($out | Where-Object { $_ }) | Should -BeNullOrEmpty
    }

    Context '-IncludeEvents -WtmpPath -Since' {
        BeforeAll {
            $daveLogon = (Get-WholeSecondUtc -MinutesAgo 300).AddTicks(5000000)
            $erinLogon = (Get-WholeSecondUtc -MinutesAgo 240).AddTicks(10)
            $daveLogoff = (Get-WholeSecondUtc -MinutesAgo 180).AddTicks(7654320)
            $erinLogoff = (Get-WholeSecondUtc -MinutesAgo 120)
            $wtmp = Write-UtmpFile -Path (Join-Path $TestDrive 'wtmp') -Records @(
                # Before -Since: replayed, never returned.
                (New-UtmpRecord -Type 7 -ProcessId 30990 -Line 'pts/11' -Id 'ts/1' -User 'frank' -Time (Get-WholeSecondUtc -MinutesAgo 1800))
                (New-UtmpRecord -Type 8 -ProcessId 30990 -Line 'pts/11' -Id 'ts/1' -Time (Get-WholeSecondUtc -MinutesAgo 1790))
                (New-UtmpRecord -Type 7 -ProcessId 31001 -Line 'pts/9' -Id 'ts/9' -User 'dave' -HostName '198.51.100.4' -Time $daveLogon -Address ([byte[]](198, 51, 100, 4)))
                (New-UtmpRecord -Type 7 -ProcessId 31002 -Line 'pts/10' -Id 'ts/0' -User 'erin' -Time $erinLogon)
                # logout(3) writes DEAD_PROCESS on the same line with an empty user.
                (New-UtmpRecord -Type 8 -ProcessId 31001 -Line 'pts/9' -Id 'ts/9' -Time $daveLogoff)
                (New-UtmpRecord -Type 8 -ProcessId 31002 -Line 'pts/10' -Id 'ts/0' -Time $erinLogoff)
            )
            $since = [DateTime]::Now.AddHours(-24)
            $all = @(Get-UserSession -UtmpPath $utmp -IncludeEvents -WtmpPath $wtmp -Since $since -ErrorAction Stop)
            $events = @($all | Where-Object { (Get-TypeName $_) -eq 'AutomateAudit.Endpoint.SessionEvent' })
        }

        It 'adds the Logon and Logoff events since -Since, oldest first, with exact times' {
            @($all | Where-Object { (Get-TypeName $_) -eq 'AutomateAudit.Endpoint.UserSession' }).Count | Should -Be 3 -Because 'the sessions still come too'
            $events.Count | Should -Be 4
            @($events | ForEach-Object { '{0} {1}' -f $_.UserName, $_.Kind }) | Should -Be @('dave Logon', 'erin Logon', 'dave Logoff', 'erin Logoff')
            @($events | ForEach-Object { $_.TimeCreated.ToUniversalTime().Ticks }) | Should -Be @($daveLogon.Ticks, $erinLogon.Ticks, $daveLogoff.Ticks, $erinLogoff.Ticks)
            @($events | ForEach-Object { [string]$_.TimeCreated.Kind } | Sort-Object -Unique) | Should -Be @('Local')
        }

        It 'gives the logoff the user, line, session id and address of its logon' {
            $logoff = @($events | Where-Object { $_.UserName -eq 'dave' -and $_.Kind.ToString() -eq 'Logoff' })
            $logoff.Count | Should -Be 1
            $logoff[0].SessionName | Should -Be 'pts/9'
            $logoff[0].SessionId | Should -Be '31001'
            $logoff[0].ClientAddress | Should -Be '198.51.100.4'
            @($events | Where-Object { $_.UserName -eq 'frank' }) | Should -BeNullOrEmpty -Because 'frank logged off before -Since'
        }

        It 'Format-Table of the events fits 80 columns and shows kind and user' {
            $text = $events | Format-Table | Out-String -Width 80
            @($text -split "`r?`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
            foreach ($value in 'Logon', 'Logoff', 'dave', 'erin') { $text | Should -Match $value }
        }

        It '-UserName filters the events too' {
            $only = @(Get-UserSession -UtmpPath $utmp -UserName 'erin' -IncludeEvents -WtmpPath $wtmp -Since $since)
            @($only | ForEach-Object { '{0} {1}' -f $_.UserName, $_.Kind }) | Should -Be @('erin Logon', 'erin Logoff')
        }
    }
}

Describe 'Get-UserSession in a fresh PowerShell (an endpoint)' -Skip:(-not $CanUtmp) {
    BeforeAll {
        $logon = (Get-WholeSecondUtc -MinutesAgo 42).AddTicks(4200000)
        $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'fresh-utmp') -Records @(
            (New-UtmpRecord -Type 7 -ProcessId $Live[0].Id -Line 'pts/91' -User 'alice' -HostName '10.1.2.3' -Time $logon -Address ([byte[]](10, 1, 2, 3)))
            (New-UtmpRecord -Type 7 -ProcessId $DeadPid -Line 'pts/93' -User 'ghost' -Time $logon)
        )
        $command = @'
$ErrorActionPreference = 'Stop'
Import-Module '{0}'
$sessions = @(Get-UserSession -UtmpPath '{1}')
$names = @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object {{ $_.GetName().Name }})
$json = ConvertTo-Json -InputObject $sessions[0] -Compress
$result = @{{
    Users = @($sessions | ForEach-Object {{ $_.UserName }})
    Kind = [string]$sessions[0].LogonTime.Kind
    LogonUtcTicks = $sessions[0].LogonTime.ToUniversalTime().Ticks
    OffsetMinutes = [TimeZoneInfo]::Local.GetUtcOffset([DateTime]::UtcNow).TotalMinutes
    # Prefixed, so that the ConvertFrom-Json reading this result leaves it as text.
    LogonInJson = 'text:' + [regex]::Match($json, '"LogonTime":"([^"]+)"').Groups[1].Value
    DatabaseLibraries = @($names | Where-Object {{ $_ -in @('MySqlConnector', 'Dapper') }})
    EndpointLoaded = $names -contains 'AutomateAudit.Endpoint'
}}
# The control: a database cmdlet does load the engine, so the check above can see it.
try {{ $null = Get-UserSessionReport -ConnectionString 'Server=127.0.0.1;Port=1;Database=x;User ID=u;Password=p;Connection Timeout=2' -ErrorAction SilentlyContinue }} catch {{ }}
$result.AfterDatabaseCmdlet = @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object {{ $_.GetName().Name }} | Where-Object {{ $_ -eq 'MySqlConnector' }} | Select-Object -Unique)
'RESULT:' + (ConvertTo-Json -InputObject $result -Compress)
'@ -f (Get-ModuleManifestPath), $utmp
        # A zone far from UTC, so a time that lost its kind or its offset shows.
        $savedTz = $env:TZ
        $env:TZ = 'Asia/Kolkata'
        try { $run = Invoke-FreshPowerShell -Command $command }
        finally { if ($null -eq $savedTz) { Remove-Item Env:TZ -ErrorAction SilentlyContinue } else { $env:TZ = $savedTz } }
        $line = @($run.Output -split "`r?`n" | Where-Object { $_ -like 'RESULT:*' }) | Select-Object -Last 1
        if ($run.ExitCode -ne 0 -or -not $line) { throw "The fresh PowerShell failed (exit code $($run.ExitCode)):`n$($run.Output)" }
        $result = $line.Substring('RESULT:'.Length) | ConvertFrom-Json
    }

    It 'lists the live session with its exact logon time in the local zone' {
        @($result.Users) | Should -Be @('alice')
        $result.OffsetMinutes | Should -Be 330 -Because 'the child ran in Asia/Kolkata'
        $result.Kind | Should -Be 'Local'
        $result.LogonUtcTicks | Should -Be $logon.Ticks
    }

    It 'keeps the UTC instant through ConvertTo-Json' {
        $text = ([string]$result.LogonInJson).Substring('text:'.Length)
        $text | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$' -Because 'ISO 8601 with its zone'
        [DateTimeOffset]::Parse($text, [System.Globalization.CultureInfo]::InvariantCulture).UtcDateTime.Ticks | Should -Be $logon.Ticks
    }

    It 'loads no database library (MySqlConnector, Dapper)' {
        $result.EndpointLoaded | Should -BeTrue -Because 'the assembly list is the real one'
        @($result.DatabaseLibraries) | Should -BeNullOrEmpty
        @($result.AfterDatabaseCmdlet) | Should -Be @('MySqlConnector') -Because 'the control: a database cmdlet loads the driver and the check sees it'
    }
}

Describe 'Every route carries Get-UserSession output into the database' -Skip:(-not $CanUtmp) {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'usersessions_routes' -Agents 5 -Install
        # Computer 5 moves to a second client, so client filters have something to leave out.
        $server = @(Invoke-AuditSql -ConnectionString $cs -Query @'
INSERT INTO clients (ClientID, Name) VALUES (902, 'Other Client');
INSERT INTO locations (LocationID, ClientID, Name) VALUES (902, 902, 'Other HQ');
UPDATE computers SET ClientID = 902, LocationID = 902 WHERE ComputerID = 5;
SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) AS OffsetMinutes,
  (SELECT GROUP_CONCAT(CONCAT(ComputerID, '=', Name) ORDER BY ComputerID) FROM computers) AS Names
'@)[0]
        $offsetMinutes = [int]$server.OffsetMinutes
        $computerNames = @{}
        foreach ($pair in ([string]$server.Names -split ',')) { $kv = $pair -split '=', 2; $computerNames[[int]$kv[0]] = $kv[1] }
        if ($computerNames.Count -ne 5) { throw "Expected computers 1..5, got $($server.Names)" }

        function ConvertTo-ServerLocal {
            param([datetime] $Time)
            $Time.ToUniversalTime().AddMinutes($offsetMinutes)
        }

        # Whole-second logon times: ProVal's DATETIME columns hold seconds.
        $logons = @{ alice = Get-WholeSecondUtc -MinutesAgo 180; bob = Get-WholeSecondUtc -MinutesAgo 120; carol = Get-WholeSecondUtc -MinutesAgo 60 }
        $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'routes-utmp') -Records @(
            (New-UtmpRecord -Type 7 -ProcessId $Live[0].Id -Line 'pts/91' -User 'alice' -HostName '10.1.2.3' -Time $logons.alice -Address ([byte[]](10, 1, 2, 3)))
            (New-UtmpRecord -Type 7 -ProcessId $Live[1].Id -Line 'tty63' -User 'bob' -Time $logons.bob)
            (New-UtmpRecord -Type 7 -ProcessId $Live[2].Id -Line 'pts/92' -User 'carol' -HostName '192.0.2.10' -Time $logons.carol -Address ([byte[]](192, 0, 2, 10)))
            (New-UtmpRecord -Type 7 -ProcessId $DeadPid -Line 'pts/93' -User 'ghost' -Time $logons.alice)
        )
        $sessions = @(Get-UserSession -UtmpPath $utmp -ErrorAction Stop)
        if ($sessions.Count -ne 3) { throw "Get-UserSession returned $($sessions.Count) sessions, expected 3" }

        function Assert-SavedSessions {
            # Get-UserSessionReport and ProVal's table hold exactly these sessions for the computer.
            param([int] $ComputerId, [object[]] $Expected)
            $rows = @(Get-UserSessionReport -ConnectionString $cs -ComputerId $ComputerId -ErrorAction Stop)
            $rows.Count | Should -Be $Expected.Count -Because "computer $ComputerId reported $($Expected.Count) session(s)"
            @($rows | ForEach-Object { $_.LoggedInUser } | Sort-Object) | Should -Be @($Expected | ForEach-Object { $_.UserName } | Sort-Object)
            foreach ($s in $Expected) {
                $row = @($rows | Where-Object { $_.LoggedInUser -eq $s.UserName })[0]
                $row.ComputerId | Should -Be $ComputerId
                $row.Computer | Should -Be $computerNames[$ComputerId]
                $row.SessionState | Should -Be ([string]$s.State) -Because $s.UserName
                $row.LogonDate | Should -Be (ConvertTo-ServerLocal $s.LogonTime) -Because "$($s.UserName)'s logon, in server local time"
                $row.SessionName | Should -Be $s.SessionName
                $row.SessionId | Should -Be $s.SessionId
                $row.ClientAddress | Should -Be $s.ClientAddress
                $row.Domain | Should -Be $s.Domain
                $row.SessionLength | Should -BeGreaterOrEqual $s.SessionLength
                $row.Timestamp | Should -Not -BeNullOrEmpty
                $row.LastReport | Should -Not -BeNullOrEmpty
            }
            $proval = @(Invoke-AuditSql -ConnectionString $cs -Query "SELECT Username, State, LogonDate, SessionLength, ``Timestamp`` AS Saved FROM plugin_proval_usersessions WHERE ComputerID = $ComputerId ORDER BY Username")
            @($proval | ForEach-Object { [string]$_.Username }) | Should -Be @($Expected | ForEach-Object { $_.UserName } | Sort-Object)
            foreach ($p in $proval) {
                $s = @($Expected | Where-Object { $_.UserName -eq $p.Username })[0]
                [string]$p.State | Should -Be ([string]$s.State)
                ConvertTo-TestDate $p.LogonDate | Should -Be (ConvertTo-ServerLocal $s.LogonTime) -Because "ProVal's LogonDate is server local time"
                [int]$p.SessionLength | Should -BeGreaterOrEqual $s.SessionLength
                $p.Saved | Should -Not -BeNullOrEmpty
            }
        }
    }

    It 'the pipeline: Get-UserSession | Save-UserSession -ComputerId' {
        $saved = @(Get-UserSession -UtmpPath $utmp | Save-UserSession -ConnectionString $cs -ComputerId 1 -PassThru -ErrorAction Stop)
        $saved.Count | Should -Be 1
        $saved[0].Status | Should -Be 'Saved'
        $saved[0].ComputerId | Should -Be 1
        $saved[0].Items | Should -Be 3
        Assert-SavedSessions -ComputerId 1 -Expected $sessions
    }

    It '-Json with the text of Get-UserSession -AsJson' {
        $json = Get-UserSession -UtmpPath $utmp -AsJson
        $json | Should -BeOfType [string]
        $saved = @(Save-UserSession -ConnectionString $cs -ComputerId 2 -Json $json -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        Assert-SavedSessions -ComputerId 2 -Expected $sessions
    }

    It '-Json with plain Get-UserSession | ConvertTo-Json (replaces what the computer reported before)' {
        $two = @($sessions | Where-Object { $_.UserName -ne 'carol' })
        $json = Get-UserSession -UtmpPath $utmp -UserName alice, bob | ConvertTo-Json
        $saved = @(Save-UserSession -ConnectionString $cs -ComputerId 2 -Json $json -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        $saved[0].Items | Should -Be 2
        Assert-SavedSessions -ComputerId 2 -Expected $two
    }

    It '-Payload with Get-UserSession -AsPayload' {
        $payload = Get-UserSession -UtmpPath $utmp -AsPayload
        $saved = @(Save-UserSession -ConnectionString $cs -ComputerId 3 -Payload $payload -PassThru -ErrorAction Stop)
        $saved[0].Status | Should -Be 'Saved'
        Assert-SavedSessions -ComputerId 3 -Expected $sessions
    }

    It '-Path: a file in its upload folder ''WS00004 (4)'', without -ComputerId' {
        $folder = Join-Path $TestDrive ('Uploads/Client 001/{0} (4)' -f $computerNames[4])
        $null = New-Item -ItemType Directory -Path $folder -Force
        $file = Join-Path $folder 'usersessions.json'
        Get-UserSession -UtmpPath $utmp -AsJson | Set-Content -LiteralPath $file -Encoding UTF8
        $saved = @(Save-UserSession -ConnectionString $cs -Path $file -PassThru -ErrorAction Stop)
        $saved.Count | Should -Be 1
        $saved[0].ComputerId | Should -Be 4
        $saved[0].Status | Should -Be 'Saved'
        Assert-SavedSessions -ComputerId 4 -Expected $sessions
    }

    It 'the inbox: the payload inserted as Automate''s SQL Execute step would, then Import-AuditInbox' {
        $payload = Get-UserSession -UtmpPath $utmp -AsPayload
        $payload | Should -MatchExactly $ServerScriptCheck -Because 'the server-side script checks the variable before the INSERT'
        $null = Invoke-AuditSql -ConnectionString $cs -Query ("INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (5, '{0}')" -f $payload)
        $imported = @(Import-AuditInbox -ConnectionString $cs -PassThru -WarningVariable warnings -ErrorAction Stop)
        @($warnings) | Should -BeNullOrEmpty
        $imported.Count | Should -Be 1
        $imported[0].Status | Should -Be 'Saved'
        $imported[0].ComputerId | Should -Be 5
        $imported[0].Items | Should -Be 3
        $imported[0].InboxId | Should -Not -BeNullOrEmpty
        Assert-SavedSessions -ComputerId 5 -Expected $sessions
        $left = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM aa_endpoint_inbox')[0]
        [int]$left.N | Should -Be 0 -Because 'an applied payload is deleted'
    }

    It '-WhatIf writes nothing' {
        $before = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 4 | ForEach-Object { $_.LoggedInUser } | Sort-Object)
        $before.Count | Should -Be 3
        $out = @(Get-UserSession -UtmpPath $utmp -UserName alice | Save-UserSession -ConnectionString $cs -ComputerId 4 -PassThru -WhatIf)
        $out | Should -BeNullOrEmpty
        @(Get-UserSessionReport -ConnectionString $cs -ComputerId 4 | ForEach-Object { $_.LoggedInUser } | Sort-Object) | Should -Be $before
    }

    Context 'Get-UserSessionReport -Start/-End: who was logged on in a window' {
        BeforeAll {
            # Report A shows alice, bob and carol; report B, a moment later, only alice and carol (bob has gone, no
            # logoff recorded); report C adds dave's logon and logoff from wtmp.
            $reportA = @(Get-UserSession -UtmpPath $utmp | Save-UserSession -ConnectionString $cs -ComputerId 1 -PassThru -ErrorAction Stop)[0]
            Start-Sleep -Milliseconds 1100
            $reportB = @(Get-UserSession -UtmpPath $utmp -UserName alice, carol | Save-UserSession -ConnectionString $cs -ComputerId 1 -PassThru -ErrorAction Stop)[0]
            $daveLogon = Get-WholeSecondUtc -MinutesAgo 360
            $daveLogoff = Get-WholeSecondUtc -MinutesAgo 300
            $wtmp = Write-UtmpFile -Path (Join-Path $TestDrive 'window-wtmp') -Records @(
                (New-UtmpRecord -Type 7 -ProcessId 31001 -Line 'pts/95' -User 'dave' -HostName '198.51.100.4' -Time $daveLogon -Address ([byte[]](198, 51, 100, 4)))
                (New-UtmpRecord -Type 8 -ProcessId 31001 -Line 'pts/95' -Time $daveLogoff)
            )
            $payload = Get-UserSession -UtmpPath $utmp -UserName alice, carol, dave -IncludeEvents -WtmpPath $wtmp -Since ([DateTime]::Now.AddDays(-1)) -AsPayload
            $reportC = @(Save-UserSession -ConnectionString $cs -ComputerId 1 -Payload $payload -PassThru -ErrorAction Stop)[0]
            $windowStart = ConvertTo-ServerLocal $daveLogon.AddMinutes(-60)
            $window = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 1 -Start $windowStart -ErrorAction Stop)
        }

        It 'saved the three reports' {
            @($reportA.Status, $reportB.Status, $reportC.Status) | Should -Be @('Saved', 'Saved', 'Saved')
            $reportC.Events | Should -Be 2
        }

        It 'lists everyone logged on during the window, each once' {
            @($window | ForEach-Object { $_.UserName } | Sort-Object) | Should -Be @('alice', 'bob', 'carol', 'dave')
        }

        It 'bob, gone from the second report: ends when last seen (EndKind LastSeen)' {
            $bob = @($window | Where-Object { $_.UserName -eq 'bob' })[0]
            $bob.StartKind | Should -Be 'Logon'
            $bob.Start | Should -Be (ConvertTo-ServerLocal $logons.bob)
            $bob.EndKind | Should -Be 'LastSeen'
            $bob.End | Should -Not -BeNullOrEmpty
            [Math]::Abs(($bob.End - $reportA.Generated).TotalSeconds) | Should -BeLessOrEqual 1 -Because 'the last report that showed bob was report A'
            $bob.End | Should -BeLessThan $reportB.Generated
        }

        It 'alice and carol, still there: open' {
            foreach ($name in 'alice', 'carol') {
                $row = @($window | Where-Object { $_.UserName -eq $name })[0]
                $row.StartKind | Should -Be 'Logon'
                $row.Start | Should -Be (ConvertTo-ServerLocal $logons[$name])
                $row.EndKind | Should -Be 'Open'
                $row.End | Should -BeNullOrEmpty
                $row.MinutesInWindow | Should -BeGreaterThan 0
            }
        }

        It 'dave, logged off by a wtmp event: exact start and end' {
            $dave = @($window | Where-Object { $_.UserName -eq 'dave' })[0]
            $dave.StartKind | Should -Be 'Logon'
            $dave.Start | Should -Be (ConvertTo-ServerLocal $daveLogon)
            $dave.EndKind | Should -Be 'Exact'
            $dave.End | Should -Be (ConvertTo-ServerLocal $daveLogoff)
            $dave.MinutesInWindow | Should -Be 60
        }

        It 'a narrow window holds only who was there, for the minutes inside it' {
            $narrow = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 1 -Start (ConvertTo-ServerLocal $daveLogoff.AddMinutes(-30)) -End (ConvertTo-ServerLocal $daveLogoff.AddMinutes(15)))
            @($narrow | ForEach-Object { $_.UserName }) | Should -Be @('dave')
            $narrow[0].MinutesInWindow | Should -Be 30
            $empty = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 1 -Start (ConvertTo-ServerLocal $daveLogon.AddMinutes(-50)) -End (ConvertTo-ServerLocal $daveLogon.AddMinutes(-10)))
            $empty | Should -BeNullOrEmpty -Because 'nobody was logged on before dave'
            @(Get-UserSessionReport -ConnectionString $cs -ComputerId 1 -Start $windowStart -UserName 'b*' | ForEach-Object { $_.UserName }) | Should -Be @('bob')
        }
    }

    Context 'Pipelines users write with Get-UserSessionReport' {
        BeforeAll {
            $rows = @(Get-UserSessionReport -ConnectionString $cs -ErrorAction Stop)
            if ($rows.Count -lt 10) { throw "Expected the sessions saved above, got $($rows.Count) rows" }
            $users = @($rows | ForEach-Object { $_.LoggedInUser } | Sort-Object -Unique)
            $propertyNames = @($rows[0].PSObject.Properties | ForEach-Object { $_.Name })
        }

        It 'has every column of the dataview' {
            foreach ($name in 'Client', 'Location', 'Computer', 'LastLoggedInUser', 'AgentType', 'AssetTag', 'FriendlyName', 'Manufacturer',
                'OperatingSystem', 'OsVersion', 'Status', 'MasterPC', 'ProbePC', 'LoggedInUser', 'Domain', 'SessionId', 'SessionName',
                'SessionState', 'ClientAddress', 'LogonDate', 'SessionLength', 'IdleMinutes', 'IsLocked', 'Timestamp', 'LastReport') {
                $propertyNames | Should -Contain $name
            }
            @($rows | Where-Object { $_.Status -notin @('Online', 'Offline') }) | Should -BeNullOrEmpty
        }

        It 'Export-Csv | Import-Csv: flat columns, no type names in the cells' {
            $csv = Join-Path $TestDrive 'sessions.csv'
            $rows | Export-Csv -LiteralPath $csv -NoTypeInformation -Encoding UTF8
            (Get-Content -LiteralPath $csv -TotalCount 1) | Should -Not -Match '^#TYPE'
            $back = @(Import-Csv -LiteralPath $csv)
            $back.Count | Should -Be $rows.Count
            @($back[0].PSObject.Properties | ForEach-Object { $_.Name }) | Should -Be $propertyNames
            @($back | ForEach-Object { $_.LoggedInUser } | Sort-Object -Unique) | Should -Be $users
            foreach ($row in $back) {
                foreach ($p in $row.PSObject.Properties) {
                    $p.Value | Should -Not -Match '^(System|AutomateAudit|Microsoft)\.' -Because "$($p.Name) is a flat value"
                    $p.Value | Should -Not -Match '^@\{' -Because "$($p.Name) is a flat value"
                }
            }
        }

        It '-IncludeAllColumns: flat prefixed columns that Export-Csv keeps' {
            $all = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 3 -IncludeAllColumns -ErrorAction Stop)
            $all.Count | Should -Be 3
            $names = @($all[0].PSObject.Properties | ForEach-Object { $_.Name })
            @($names | Where-Object { $_ -like 'Client_*' }) | Should -Not -BeNullOrEmpty
            @($names | Where-Object { $_ -like 'Location_*' }) | Should -Not -BeNullOrEmpty
            @($names | Where-Object { $_ -like 'Computer_*' }) | Should -Not -BeNullOrEmpty
            $csv = Join-Path $TestDrive 'all-columns.csv'
            $all | Export-Csv -LiteralPath $csv -NoTypeInformation -Encoding UTF8
            $back = @(Import-Csv -LiteralPath $csv)
            @($back[0].PSObject.Properties | ForEach-Object { $_.Name }) | Should -Be $names
            foreach ($p in $back[0].PSObject.Properties) { $p.Value | Should -Not -Match '^(System|AutomateAudit|Microsoft)\.' -Because $p.Name }
        }

        It 'ConvertTo-Json: one flat object per row' {
            $back = @($rows | ConvertTo-Json -Depth 3 | ConvertFrom-Json)
            $back.Count | Should -Be $rows.Count
            @($back | ForEach-Object { $_.LoggedInUser } | Sort-Object -Unique) | Should -Be $users
            foreach ($row in $back) {
                foreach ($p in $row.PSObject.Properties) {
                    if ($null -ne $p.Value) {
                        ($p.Value -is [System.Management.Automation.PSCustomObject] -or $p.Value -is [array]) | Should -BeFalse -Because "$($p.Name) is a scalar"
                    }
                }
            }
        }

        It 'Format-Table | Out-String -Width 80: fits 80 columns and shows who is logged on where' {
            $text = $rows | Format-Table | Out-String -Width 80
            $lines = @($text -split "`r?`n")
            @($lines | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
            foreach ($user in $users) { $text | Should -Match ([regex]::Escape($user)) -Because 'the table shows the logged-in user' }
            foreach ($id in 1..5) { $text | Should -Match ([regex]::Escape($computerNames[$id])) -Because 'the table shows the computer' }
            $text | Should -Match 'Active' -Because 'the table shows the session state'
        }

        It 'Format-Table of the window rows fits 80 columns and shows user, start and end kind' {
            $window = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 1 -Start ([DateTime]::Now.AddDays(-1)))
            $window.Count | Should -BeGreaterThan 0
            $text = $window | Format-Table | Out-String -Width 80
            @($text -split "`r?`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
            foreach ($row in $window) { $text | Should -Match ([regex]::Escape($row.UserName)) }
            $text | Should -Match 'LastSeen'
            $text | Should -Match 'Exact'
        }

        It 'Get-ConnectionReport -Client X | Get-UserSessionReport binds by property name' {
            $direct = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 5)
            $direct.Count | Should -BeGreaterThan 0 -Because 'computer 5 (another client) has reported too'
            $connection = @(Get-ConnectionReport -ConnectionString $cs -Client 'Client 001' -ErrorAction Stop)
            @($connection | ForEach-Object { $_.ComputerId } | Sort-Object) | Should -Be @(1, 2, 3, 4)
            $piped = @($connection | Get-UserSessionReport -ConnectionString $cs -ErrorAction Stop)
            @($piped | ForEach-Object { $_.ComputerId } | Sort-Object -Unique) | Should -Be @(1, 2, 3, 4)
            $byClient = @(Get-UserSessionReport -ConnectionString $cs -Client 'Client 001')
            @($piped | ForEach-Object { '{0}/{1}' -f $_.ComputerId, $_.LoggedInUser } | Sort-Object) | Should -Be @($byClient | ForEach-Object { '{0}/{1}' -f $_.ComputerId, $_.LoggedInUser } | Sort-Object)
        }
    }
}

Describe 'Hostile endpoint input is refused, with nothing written' {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'usersessions_hostile' -Agents 5 -Install

        function New-SessionItem {
            param([string] $UserName = 'alice', [object] $LogonTime = $null, [object] $IsConsole = $false, [object] $AgentId = $null)
            if ($null -eq $LogonTime) { $LogonTime = [DateTime]::UtcNow.AddHours(-1).ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture) }
            [ordered]@{ AgentId = $AgentId; UserName = $UserName; SessionId = '4242'; SessionName = 'pts/1'; State = 'Active'; LogonTime = $LogonTime; IsConsole = $IsConsole }
        }

        function New-EnvelopeJson {
            param([object[]] $Items, [object] $AgentId = $null, [int] $Format = 1)
            $envelope = [ordered]@{
                format       = $Format
                kind         = 'UserSessions'
                computerName = 'WS00002'
                agentId      = $AgentId
                generatedUtc = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture)
                items        = @($Items)
                events       = @()
            }
            ConvertTo-Json -InputObject $envelope -Depth 6 -Compress
        }

        $tenThousand = '{"format":1,"kind":"UserSessions","generatedUtc":"' + [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture) +
            '","items":[' + ((1..10000 | ForEach-Object { '{"UserName":"u' + $_ + '","SessionId":"' + $_ + '","State":"Active"}' }) -join ',') + '],"events":[]}'
        $hostile = @{
            'not base64'                  = 'not base64!!'
            'not JSON'                    = ConvertTo-Base64 'this is not JSON, just text from a compromised endpoint'
            'a mismatched AgentId'        = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem) -AgentId 99)
            'a mismatched AgentId in an item' = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem -AgentId 98))
            'a newer format version'      = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem) -Format 2)
            'a 5,000-character user name' = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem -UserName ('a' * 5000)))
            'a SQL fragment in a user name' = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem -UserName "x'); DROP TABLE computers; --"))
            'a wrong type'                = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem -IsConsole 'yes'))
            'a date before 2000'          = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem -LogonTime '1970-01-01T00:00:00Z'))
            'a date without a time zone'  = ConvertTo-Base64 (New-EnvelopeJson -Items @(New-SessionItem -LogonTime '2026-01-01T10:00:00'))
            '10,000 sessions'             = $tenThousand
            '3 MB of JSON'                = '{"format":1,"kind":"UserSessions","items":[],"pad":"' + ('A' * 3000000) + '"}'
            'a 3 MB payload'              = 'A' * 3000000
        }

        # Something legitimate first, so "nothing written" is measured against tables that hold rows.
        $null = Save-UserSession -ConnectionString $cs -ComputerId 2 -Json (New-EnvelopeJson -Items @(New-SessionItem -UserName 'legit')) -ErrorAction Stop
        $countsSql = 'SELECT (SELECT COUNT(*) FROM plugin_proval_usersessions) AS ProVal, (SELECT COUNT(*) FROM aa_session_current) AS Current, ' +
            '(SELECT COUNT(*) FROM aa_session_history) AS History, (SELECT COUNT(*) FROM aa_report_status) AS Reports, (SELECT COUNT(*) FROM computers) AS Computers'
        function Get-Counts {
            $c = @(Invoke-AuditSql -ConnectionString $cs -Query $countsSql)[0]
            'ProVal={0} Current={1} History={2} Reports={3} Computers={4}' -f $c.ProVal, $c.Current, $c.History, $c.Reports, $c.Computers
        }
        $before = Get-Counts
        if ($before -ne 'ProVal=1 Current=1 History=1 Reports=1 Computers=5') { throw "Unexpected starting counts: $before" }
    }

    It 'Save-UserSession <Route> with <Name>: a PayloadRejected error naming the problem, nothing written, not terminating' -ForEach @(
        @{ Name = 'not base64'; Route = 'Payload'; Pattern = 'base64' }
        @{ Name = 'not JSON'; Route = 'Payload'; Pattern = 'JSON is not valid' }
        @{ Name = 'a mismatched AgentId'; Route = 'Payload'; Pattern = 'agent 99.*computer 2' }
        @{ Name = 'a mismatched AgentId in an item'; Route = 'Payload'; Pattern = 'agent 98.*computer 2' }
        @{ Name = 'a newer format version'; Route = 'Payload'; Pattern = 'format version 2' }
        @{ Name = 'a 5,000-character user name'; Route = 'Payload'; Pattern = 'UserName.*5000 characters' }
        @{ Name = 'a SQL fragment in a user name'; Route = 'Payload'; Pattern = 'UserName.*cannot have' }
        @{ Name = 'a wrong type'; Route = 'Payload'; Pattern = 'IsConsole.*true or false' }
        @{ Name = 'a date before 2000'; Route = 'Payload'; Pattern = 'LogonTime.*outside' }
        @{ Name = 'a date without a time zone'; Route = 'Payload'; Pattern = 'LogonTime.*time zone' }
        @{ Name = '10,000 sessions'; Route = 'Json'; Pattern = '10000 sessions' }
        @{ Name = '3 MB of JSON'; Route = 'Json'; Pattern = '3000\d\d\d characters' }
        @{ Name = 'a 3 MB payload'; Route = 'Payload'; Pattern = '3000000 characters' }
    ) {
        $arguments = @{ ConnectionString = $cs; ComputerId = 2; PassThru = $true }
        $arguments[$Route] = $hostile[$Name]
        $errors = $null
        $caught = $null
        $out = $null
        try { $out = @(Save-UserSession @arguments -ErrorVariable errors -ErrorAction SilentlyContinue) } catch { $caught = $_ }

        $record = $caught
        if (-not $record) { $record = @($errors)[0] }
        $record | Should -Not -BeNullOrEmpty -Because 'the payload is refused'
        @($errors).Count | Should -Be 1
        $record.FullyQualifiedErrorId | Should -BeLike 'PayloadRejected*'
        $record.Exception.Message | Should -Match $Pattern
        $record.Exception.Message.Length | Should -BeLessThan 2000 -Because 'the message names the problem without echoing the payload'
        @($out | Where-Object { $_ }) | Should -BeNullOrEmpty -Because 'nothing was saved'
        Get-Counts | Should -Be $before
        $caught | Should -BeNullOrEmpty -Because 'a refused payload is a non-terminating error (ErrorId PayloadRejected), so a batch goes on'
    }

    Context 'through the inbox' {
        BeforeAll {
            $inboxCases = @(
                @{ Name = 'not JSON'; Pattern = 'JSON is not valid' }
                @{ Name = 'a mismatched AgentId'; Pattern = 'agent 99.*computer 2' }
                @{ Name = 'a newer format version'; Pattern = 'format version 2' }
                @{ Name = 'a 5,000-character user name'; Pattern = 'UserName.*5000 characters' }
                @{ Name = 'a SQL fragment in a user name'; Pattern = 'UserName.*cannot have' }
                @{ Name = 'a wrong type'; Pattern = 'IsConsole.*true or false' }
                @{ Name = 'a date before 2000'; Pattern = 'LogonTime.*outside' }
            )
            $statements = foreach ($case in $inboxCases) {
                $payload = $hostile[$case.Name]
                # The server-side script's check; what fails it never reaches the inbox.
                if ($payload -cnotmatch $ServerScriptCheck) { throw "$($case.Name) would not pass the server's check" }
                "INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (2, '$payload')"
            }
            $null = Invoke-AuditSql -ConnectionString $cs -Query ($statements -join ";`n")
            $first = @(Import-AuditInbox -ConnectionString $cs -PassThru -WarningVariable firstWarnings -WarningAction SilentlyContinue -ErrorAction Stop)
            $second = @(Import-AuditInbox -ConnectionString $cs -PassThru -WarningVariable secondWarnings -WarningAction SilentlyContinue -ErrorAction Stop)
            $inbox = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT id, computerid, status, reason, payload FROM aa_endpoint_inbox ORDER BY id')
        }

        It 'warns once per rejected payload, naming the problem' {
            @($firstWarnings).Count | Should -Be $inboxCases.Count
            for ($i = 0; $i -lt $inboxCases.Count; $i++) {
                [string]@($firstWarnings)[$i] | Should -Match $inboxCases[$i].Pattern -Because $inboxCases[$i].Name
                [string]@($firstWarnings)[$i] | Should -Match 'computer 2'
            }
        }

        It 'leaves them in aa_endpoint_inbox with status rejected and a reason' {
            $inbox.Count | Should -Be $inboxCases.Count
            for ($i = 0; $i -lt $inboxCases.Count; $i++) {
                [string]$inbox[$i].status | Should -Be 'rejected'
                [string]$inbox[$i].reason | Should -Match $inboxCases[$i].Pattern -Because $inboxCases[$i].Name
                [string]$inbox[$i].payload | Should -Be $hostile[$inboxCases[$i].Name] -Because 'the text stays for whoever investigates'
            }
        }

        It 'writes nothing' {
            Get-Counts | Should -Be $before
        }

        It '-PassThru lists them; a second Import-AuditInbox does not warn again but still lists them' {
            $first.Count | Should -Be $inboxCases.Count
            @($first | ForEach-Object { $_.Status } | Sort-Object -Unique) | Should -Be @('Rejected')
            @($first | ForEach-Object { [long]$_.InboxId } | Sort-Object) | Should -Be @($inbox | ForEach-Object { [long]$_.id } | Sort-Object)
            @($secondWarnings) | Should -BeNullOrEmpty
            $second.Count | Should -Be $inboxCases.Count
            @($second | ForEach-Object { $_.Status } | Sort-Object -Unique) | Should -Be @('Rejected')
            foreach ($r in $second) { $r.Reason | Should -Not -BeNullOrEmpty }
        }
    }
}
