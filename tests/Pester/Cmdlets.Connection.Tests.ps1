#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# User-level contract of the connection-audit cmdlets, one Describe per cmdlet, against a real MariaDB:
# what a user gets on the main path (checked minute values), and the errors a user meets.
# Runs on Windows PowerShell 5.1 and pwsh 7: ./build.ps1 -Task Pester.
#
# Most scenarios here are built through the documented ProVal upgrade path: a ProVal
# pvl_automate_connection_audit table with known rows is adopted by Install-AuditTable, so every minute of
# history is known exactly ("History adopted from a ProVal table counts as observed from its first row to
# the module's first run"). Relative to the database server's calendar (D = today, server local time; days
# are counted in the server's own minutes, so a DST day of 23 or 25 hours changes nothing):
#   101 CON-ON    Contoso/HQ       online since D-3 00:00, LastContact now
#   102 CON-OFF   Contoso/HQ       online D-3 00:00, offline since D-2 00:00 (its last check-in)
#   103 CON-LATE  Contoso/Branch   online since D-3 00:00, LastContact 2 hours ago (recorded offline by the first run)
#   104 FAB-SRV   Fabrikam/Main    online since D-3 00:00, LastContact now, a server OS
#   105 FAB-NEW   Fabrikam/Main    (the read-only scenario only) added after the first run: no history at all
# Nothing depends on the time of day the tests run at (CON-OFF's last check-in is always more than a day old).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force

    function ConvertTo-TestDate {
        # Invoke-AuditSql returns dates as [datetime] on pwsh 7 and as ISO-8601 strings on 5.1.
        param([object] $Value)
        if ($null -eq $Value) { return $null }
        if ($Value -is [datetime]) { return $Value }
        [datetime]::Parse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture)
    }

    function Get-WhatIfText {
        # ShouldProcess writes -WhatIf messages to the host only: a transcript is the one portable way to read them.
        param([scriptblock] $Script)
        $path = Join-Path $TestDrive ('whatif-{0}.txt' -f [guid]::NewGuid().ToString('N'))
        $null = Start-Transcript -Path $path -Force
        try { $null = & $Script } finally { $null = Stop-Transcript }
        $text = Get-Content -LiteralPath $path -Raw
        # The host wraps long lines at its width and may add ANSI styling: undo both before matching.
        ($text -replace "\x1b\[[0-9;]*m", '') -replace "\r?\n", ''
    }

    # The server's calendar: today and the minutes of the last three days (23, 24 or 25 hours at DST).
    $ServerDaysSql = @'
SELECT CURDATE() AS Today, NOW() AS Now,
  (UNIX_TIMESTAMP(CURDATE() - INTERVAL 3 DAY) - UNIX_TIMESTAMP(CURDATE() - INTERVAL 4 DAY)) DIV 60 AS M4,
  (UNIX_TIMESTAMP(CURDATE() - INTERVAL 2 DAY) - UNIX_TIMESTAMP(CURDATE() - INTERVAL 3 DAY)) DIV 60 AS M3,
  (UNIX_TIMESTAMP(CURDATE() - INTERVAL 1 DAY) - UNIX_TIMESTAMP(CURDATE() - INTERVAL 2 DAY)) DIV 60 AS M2,
  (UNIX_TIMESTAMP(CURDATE()) - UNIX_TIMESTAMP(CURDATE() - INTERVAL 1 DAY)) DIV 60 AS M1,
  (UNIX_TIMESTAMP(NOW()) - UNIX_TIMESTAMP(CURDATE())) DIV 60 AS MinutesToday
'@

    function ConvertTo-ServerDays {
        param([object] $Row)
        $today = (ConvertTo-TestDate $Row.Today).Date
        [pscustomobject]@{
            Today        = $today
            Now          = ConvertTo-TestDate $Row.Now
            D1           = $today.AddDays(-1)
            D2           = $today.AddDays(-2)
            D3           = $today.AddDays(-3)
            D4           = $today.AddDays(-4)
            M1           = [int]$Row.M1
            M2           = [int]$Row.M2
            M3           = [int]$Row.M3
            M4           = [int]$Row.M4
            MinutesToday = [int]$Row.MinutesToday
        }
    }

    function New-ProValScenario {
        # The scenario of the header: Automate rows, ProVal's table and rows, then Install-AuditTable and a first
        # Update-ConnectionAudit. Returns the connection string, the install and first-run results, and the calendar.
        param([string] $Name, [switch] $WithNewComputer)
        $cs = New-AuditTestDatabase -Name $Name
        $calendar = Invoke-AuditSql -ConnectionString $cs -Query (@'
INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso'), (2, 'Fabrikam');
INSERT INTO locations (LocationID, ClientID, Name) VALUES (1, 1, 'HQ'), (2, 1, 'Branch'), (3, 2, 'Main');
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, LastContact, Uptime, DateAdded, BiosFlash, LastUsername) VALUES
  (101, 1, 1, 'CON-ON',   'Microsoft Windows 11 Pro x64',               NOW(),                        900, CURDATE() - INTERVAL 90 DAY, 'Desktop',  'jsmith'),
  (102, 1, 1, 'CON-OFF',  'Microsoft Windows 11 Pro x64',               CURDATE() - INTERVAL 2 DAY,   900, CURDATE() - INTERVAL 90 DAY, 'Portable', 'mgarcia'),
  (103, 1, 2, 'CON-LATE', 'Microsoft Windows 10 Pro x64',               NOW() - INTERVAL 2 HOUR,      900, CURDATE() - INTERVAL 90 DAY, 'Desktop',  'akhan'),
  (104, 2, 3, 'FAB-SRV',  'Microsoft Windows Server 2022 Standard x64', NOW(),                        900, CURDATE() - INTERVAL 90 DAY, 'Desktop',  'lchen');
CREATE TABLE IF NOT EXISTS pvl_automate_connection_audit (
  computerid INT NOT NULL, state TINYINT NOT NULL, lastcontact DATETIME NULL, datacollectiontime DATETIME NULL
) ENGINE=InnoDB;
INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) VALUES
  (101, 1, CURDATE() - INTERVAL 3 DAY, CURDATE() - INTERVAL 3 DAY + INTERVAL 2 MINUTE),
  (102, 1, CURDATE() - INTERVAL 3 DAY, CURDATE() - INTERVAL 3 DAY + INTERVAL 2 MINUTE),
  (103, 1, CURDATE() - INTERVAL 3 DAY, CURDATE() - INTERVAL 3 DAY + INTERVAL 2 MINUTE),
  (104, 1, CURDATE() - INTERVAL 3 DAY, CURDATE() - INTERVAL 3 DAY + INTERVAL 2 MINUTE),
  (102, 0, CURDATE() - INTERVAL 2 DAY, CURDATE() - INTERVAL 2 DAY + INTERVAL 17 MINUTE);
'@ + $ServerDaysSql)
        $install = @(Install-AuditTable -ConnectionString $cs -PassThru -Confirm:$false -ErrorAction Stop)
        $firstRun = @(Update-ConnectionAudit -ConnectionString $cs -PassThru -Confirm:$false -ErrorAction Stop)
        if ($WithNewComputer) {
            $null = Invoke-AuditSql -ConnectionString $cs -Query @'
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, LastContact, Uptime, DateAdded, BiosFlash)
VALUES (105, 2, 3, 'FAB-NEW', 'Microsoft Windows 11 Pro x64', NOW(), 5, NOW(), 'Desktop')
'@
        }
        [pscustomobject]@{
            ConnectionString = $cs
            Install          = $install
            FirstRun         = $firstRun
            Days             = ConvertTo-ServerDays $calendar
        }
    }

    $script:Secret = 'Sup3r$ecretPa55'
    $script:Credential = New-Object System.Management.Automation.PSCredential('auditor', (ConvertTo-SecureString $script:Secret -AsPlainText -Force))
    $script:Unreachable = @{ Server = '127.0.0.1'; Port = 1; Credential = $script:Credential }
    $script:UnreachableCs = 'Server=127.0.0.1;Port=1;Database=labtech;User ID=auditor;Password=' + $script:Secret
    $script:NotInstalledCs = New-AuditTestDatabase -Name 'conn_not_installed'
}

Describe 'Every database cmdlet: the errors a user meets (<Command>)' -ForEach @(
    @{ Command = 'Install-AuditTable'; Writes = $true }
    @{ Command = 'Update-ConnectionAudit'; Writes = $true }
    @{ Command = 'Invoke-DailyRollup'; Writes = $true }
    @{ Command = 'Get-ConnectionReport'; Writes = $false }
    @{ Command = 'Get-ConnectionHistory'; Writes = $false }
) {
    BeforeAll {
        # Writers are called as a scheduled task would call them: never prompting.
        $NoPrompt = @{}
        if ($Writes) { $NoPrompt.Confirm = $false }
    }

    It 'without -Server or -ConnectionString: one terminating error that names what to pass' {
        $PSDefaultParameterValues = @{}
        $errors = $null
        $caught = $null
        try { $null = & $Command @NoPrompt -ErrorVariable errors } catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty -Because 'nothing can be done without a database'
        @($errors).Count | Should -Be 1
        $caught.Exception.Message | Should -Match '-Server'
        $caught.Exception.Message | Should -Match '-ConnectionString'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'an unreachable server (-Server/-Port/-Credential): a terminating error naming user@host:port/db, never the password' {
        $errors = $null
        $caught = $null
        $verbose = New-Object System.Collections.Generic.List[string]
        try {
            & $Command @Unreachable @NoPrompt -Verbose -ErrorVariable errors 4>&1 | ForEach-Object { $verbose.Add([string]$_) }
        }
        catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        @($errors).Count | Should -Be 1
        $caught.Exception.Message | Should -BeLike '*auditor@127.0.0.1:1/labtech*'
        $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
        $everything = ($caught | Out-String) + $caught.Exception.ToString() + [string]$caught.TargetObject + ($verbose -join "`n")
        $everything | Should -Not -BeLike "*$Secret*"
    }

    It 'an unreachable server (-ConnectionString with a password): names user@host:port/db, never the password' {
        $caught = $null
        try { $null = & $Command -ConnectionString $UnreachableCs @NoPrompt } catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        $caught.Exception.Message | Should -BeLike '*auditor@127.0.0.1:1/labtech*'
        (($caught | Out-String) + $caught.Exception.ToString() + [string]$caught.TargetObject) | Should -Not -BeLike "*$Secret*"
    }
}

Describe 'Every cmdlet that needs the audit tables, before Install-AuditTable ran' {
    It '<Command>: a terminating error telling to run Install-AuditTable' -ForEach @(
        @{ Command = 'Update-ConnectionAudit'; NoPrompt = @{ Confirm = $false } }
        @{ Command = 'Invoke-DailyRollup'; NoPrompt = @{ Confirm = $false } }
        @{ Command = 'Get-ConnectionReport'; NoPrompt = @{} }
        @{ Command = 'Get-ConnectionHistory'; NoPrompt = @{} }
    ) {
        $errors = $null
        $caught = $null
        try { $null = & $Command -ConnectionString $NotInstalledCs @NoPrompt -ErrorVariable errors } catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        @($errors).Count | Should -Be 1
        $caught.Exception.Message | Should -Match 'Install-AuditTable'
    }

    It 'none of them created a table behind the user''s back' {
        $tables = @(Invoke-AuditSql -ConnectionString $NotInstalledCs -Query 'SELECT TABLE_NAME AS T FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()' | ForEach-Object { [string]$_.T })
        $tables | Should -Contain 'computers'
        @($tables | Where-Object { $_ -like 'aa_*' -or $_ -like 'pvl_*' -or $_ -like 'plugin_*' }) | Should -BeNullOrEmpty
    }
}

Describe 'Install-AuditTable' {
    BeforeAll {
        $expectedTables = @(
            'pvl_automate_connection_audit', 'pvl_automate_connection_audit_daily', 'pvl_report_idlemon', 'plugin_proval_usersessions',
            'aa_connection_state', 'aa_connection_rollup', 'aa_connection_summary', 'aa_run_log', 'aa_schema_version',
            'aa_session_current', 'aa_session_history', 'aa_report_status', 'aa_endpoint_inbox', 'aa_idle_hourly')
        $freshCs = New-AuditTestDatabase -Name 'install_fresh'
        function Get-TableNames([string] $cs) {
            @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT TABLE_NAME AS T FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()' |
                ForEach-Object { [string]$_.T })
        }
    }

    It '-WhatIf creates nothing and shows the DDL it would run' {
        $text = Get-WhatIfText { Install-AuditTable -ConnectionString $freshCs -WhatIf }

        $after = Get-TableNames $freshCs
        $after | Should -Contain 'computers'
        @($after | Where-Object { $_ -like 'aa_*' -or $_ -like 'pvl_*' -or $_ -like 'plugin_*' }) | Should -BeNullOrEmpty
        $text | Should -Match 'CREATE TABLE'
        $text | Should -Match 'pvl_automate_connection_audit'
    }

    It 'creates every table on a fresh database and reports each with -PassThru' {
        $results = @(Install-AuditTable -ConnectionString $freshCs -PassThru -Confirm:$false)

        @($results.Table | Sort-Object) | Should -Be @($expectedTables | Sort-Object)
        foreach ($result in $results) { $result.Action | Should -Be 'Created' -Because "$($result.Table) did not exist" }
        $tables = Get-TableNames $freshCs
        foreach ($table in $expectedTables) { $tables | Should -Contain $table }
    }

    It 'is idempotent: a second run reports Unchanged for every table' {
        $results = @(Install-AuditTable -ConnectionString $freshCs -PassThru -Confirm:$false)

        $results.Count | Should -Be $expectedTables.Count
        foreach ($result in $results) { $result.Action | Should -Be 'Unchanged' -Because "$($result.Table) is already up to date" }
    }

    It 'writes nothing to the pipeline without -PassThru' {
        $output = @(Install-AuditTable -ConnectionString $freshCs -Confirm:$false)
        $output.Count | Should -Be 0
        # ... and did its work all the same (the tables are there).
        (Get-TableNames $freshCs) | Should -Contain 'aa_run_log'
    }

    It 'adopts an existing ProVal table: keeps its rows and columns, leaves Automate''s tables alone' {
        $cs = New-AuditTestDatabase -Name 'install_adopt'
        $before = Invoke-AuditSql -ConnectionString $cs -Query @'
INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso');
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact, Uptime) VALUES (7, 1, 0, 'PC7', NOW(), 10);
CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME);
INSERT INTO pvl_automate_connection_audit VALUES
  (7, 1, NOW() - INTERVAL 3 HOUR, NOW() - INTERVAL 3 HOUR),
  (7, 0, NOW() - INTERVAL 2 HOUR, NOW() - INTERVAL 2 HOUR),
  (7, 1, NOW() - INTERVAL 1 HOUR, NOW() - INTERVAL 1 HOUR);
CHECKSUM TABLE computers, clients
'@
        $results = @(Install-AuditTable -ConnectionString $cs -PassThru -Confirm:$false)

        $audit = $results | Where-Object Table -eq 'pvl_automate_connection_audit'
        $audit.Action | Should -Be 'Upgraded'
        $audit.Rows | Should -Be 3
        $rows = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT computerid, state, lastcontact, datacollectiontime FROM pvl_automate_connection_audit ORDER BY lastcontact')
        $rows.Count | Should -Be 3
        @($rows.state | ForEach-Object { [int]$_ }) | Should -Be @(1, 0, 1)
        $after = Invoke-AuditSql -ConnectionString $cs -Query 'CHECKSUM TABLE computers, clients'
        @($after | ForEach-Object { [string]$_.Checksum }) | Should -Be @($before | ForEach-Object { [string]$_.Checksum })
    }

    It 'rolls up the adopted days the report needs, warns which still wait for Invoke-DailyRollup; -WhatIf adopts nothing, and once they are rolled up nothing is said' {
        $cs = New-AuditTestDatabase -Name 'install_adopt_days'
        $first = (Invoke-AuditSql -ConnectionString $cs -Query @'
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact, Uptime) VALUES (7, 0, 0, 'PC7', NOW(), 10);
CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME);
INSERT INTO pvl_automate_connection_audit VALUES (7, 1, CURDATE() - INTERVAL 3 DAY + INTERVAL 1 HOUR, CURDATE() - INTERVAL 3 DAY + INTERVAL 1 HOUR);
SELECT DATE_FORMAT(CURDATE() - INTERVAL 3 DAY, '%Y-%m-%d') AS D
'@).D
        $days = ConvertTo-ServerDays (Invoke-AuditSql -ConnectionString $cs -Query $ServerDaysSql)
        $verbose = @(Install-AuditTable -ConnectionString $cs -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue -Verbose 4>&1 | ForEach-Object { "$_" })
        # D-3 and D-2 get their figures only; D-1 (yesterday, once complete) is rolled up in full. -Verbose says how long each took.
        @($verbose -match '^Adopted history: the figures of [23] days written in \d+ ms\.$').Count | Should -Be 1
        @($warned).Count | Should -Be 1
        "$($warned[0])" | Should -Match ('^2 days of adopted ProVal history \(' + $first + ' to \d{4}-\d{2}-\d{2}\) got only the figures the reports read\. Run Invoke-DailyRollup')
        [int](Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM aa_connection_rollup WHERE provisional = 1').N | Should -Be 2
        $window = Get-ConnectionReport -ConnectionString $cs -Start $days.D3 -End $days.D1
        "$($window.OnlineMinutes):$($window.OfflineMinutes):$($window.UnknownMinutes)" | Should -Be "$($days.M3 - 60 + $days.M2):0:60"

        $rolled = @(Invoke-DailyRollup -ConnectionString $cs -PassThru -Confirm:$false)
        @($rolled | Select-Object -First 2 | ForEach-Object { $_.Day.ToString('yyyy-MM-dd') }) | Should -Be @($first, $days.D2.ToString('yyyy-MM-dd'))
        [int](Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM aa_connection_rollup WHERE provisional = 1').N | Should -Be 0
        $window = Get-ConnectionReport -ConnectionString $cs -Start $days.D3 -End $days.D1
        "$($window.OnlineMinutes):$($window.OfflineMinutes):$($window.UnknownMinutes)" | Should -Be "$($days.M3 - 60 + $days.M2):0:60"
        $null = Invoke-AuditSql -ConnectionString $cs -Query 'INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) VALUES (8, 1, NOW(), NOW())'
        $null = Install-AuditTable -ConnectionString $cs -WhatIf -WarningVariable whatIfWarned -WarningAction SilentlyContinue
        @($whatIfWarned).Count | Should -Be 0
        [int](Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM pvl_automate_connection_audit WHERE effective_utc IS NULL').N | Should -Be 1

        $null = Install-AuditTable -ConnectionString $cs -Confirm:$false -WarningVariable againWarned -WarningAction SilentlyContinue
        @($againWarned).Count | Should -Be 0
        [int](Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM pvl_automate_connection_audit WHERE effective_utc IS NULL').N | Should -Be 0
    }
}

Describe 'Update-ConnectionAudit' {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'update'
        $null = Invoke-AuditSql -ConnectionString $cs -Query @'
INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso');
INSERT INTO locations (LocationID, ClientID, Name) VALUES (1, 1, 'HQ');
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact, Uptime) VALUES
  (201, 1, 1, 'UPD-1', NOW(), 100),
  (202, 1, 1, 'UPD-2', NOW(), 100),
  (203, 1, 1, 'UPD-3', NOW() - INTERVAL 1 HOUR, 100)
'@
        $null = Install-AuditTable -ConnectionString $cs -Confirm:$false
        function Get-AuditRows {
            @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT computerid AS ComputerId, state AS State, lastcontact AS LastContact FROM pvl_automate_connection_audit ORDER BY id')
        }
    }

    It 'the first run records every computer once, with its current state' {
        $changes = @(Update-ConnectionAudit -ConnectionString $cs -PassThru -Confirm:$false)

        $changes.Count | Should -Be 3
        @($changes | Sort-Object ComputerId | ForEach-Object { '{0}:{1}' -f $_.ComputerId, $_.State }) | Should -Be @('201:Online', '202:Online', '203:Offline')
        $rows = Get-AuditRows
        $rows.Count | Should -Be 3
        @($rows | Sort-Object { [int]$_.ComputerId } | ForEach-Object { [int]$_.State }) | Should -Be @(1, 1, 0)
    }

    It 'a run with nothing changed records nothing' {
        $changes = @(Update-ConnectionAudit -ConnectionString $cs -PassThru -Confirm:$false)
        $changes.Count | Should -Be 0
        (Get-AuditRows).Count | Should -Be 3
    }

    It '-WhatIf records nothing and says how many changes it would record' {
        $before = @(Invoke-AuditSql -ConnectionString $cs -Query @'
UPDATE computers SET LastContact = NOW() - INTERVAL 40 MINUTE WHERE ComputerID = 202;
UPDATE computers SET LastContact = NOW() WHERE ComputerID = 203;
SELECT id FROM pvl_automate_connection_audit
'@)
        $before.Count | Should -Be 3

        $text = Get-WhatIfText { Update-ConnectionAudit -ConnectionString $cs -WhatIf }

        (Get-AuditRows).Count | Should -Be $before.Count
        $text | Should -Match 'What if'
        $text | Should -Match '\b2\b[^"]*change' -Because 'two computers changed state (202 went offline, 203 came back)'
    }

    It '-Confirm:$false records the pending changes once, each at the computer''s LastContact' {
        $expected = Invoke-AuditSql -ConnectionString $cs -Query 'SELECT LastContact FROM computers WHERE ComputerID = 202'

        $changes = @(Update-ConnectionAudit -ConnectionString $cs -PassThru -Confirm:$false)

        $changes.Count | Should -Be 2
        $offline = $changes | Where-Object ComputerId -eq 202
        $offline.State | Should -Be 'Offline'
        $offline.LastContact | Should -Be (ConvertTo-TestDate $expected.LastContact) -Because 'going offline takes effect at the last check-in before the silence'
        ($changes | Where-Object ComputerId -eq 203).State | Should -Be 'Online'
        # Recorded once: the next run finds nothing new.
        @(Update-ConnectionAudit -ConnectionString $cs -PassThru -Confirm:$false).Count | Should -Be 0
        (Get-AuditRows).Count | Should -Be 5
    }

    It 'records a computer that left Automate as removed' {
        $null = Invoke-AuditSql -ConnectionString $cs -Query 'DELETE FROM computers WHERE ComputerID = 201'

        $changes = @(Update-ConnectionAudit -ConnectionString $cs -PassThru -Confirm:$false)

        $changes.Count | Should -Be 1
        $changes[0].ComputerId | Should -Be 201
        [string]$changes[0].Kind | Should -Be 'Removed'
        (Get-AuditRows).Count | Should -Be 6
    }

    It '-OfflineAfter decides when silence counts as offline' {
        $null = Invoke-AuditSql -ConnectionString $cs -Query 'UPDATE computers SET LastContact = NOW() - INTERVAL 20 MINUTE WHERE ComputerID = 203'

        @(Update-ConnectionAudit -ConnectionString $cs -OfflineAfter 30 -PassThru -Confirm:$false).Count | Should -Be 0 -Because '20 minutes of silence is within 30'
        $changes = @(Update-ConnectionAudit -ConnectionString $cs -OfflineAfter 15 -PassThru -Confirm:$false)
        $changes.Count | Should -Be 1
        $changes[0].ComputerId | Should -Be 203
        $changes[0].State | Should -Be 'Offline'
    }
}

Describe 'Invoke-DailyRollup' {
    BeforeAll {
        $scenario = New-ProValScenario -Name 'rollup'
        $cs = $scenario.ConnectionString
        $days = $scenario.Days
        $windowBefore = @(Get-ConnectionReport -ConnectionString $cs -Start $days.D3 -End $days.Today | Sort-Object ComputerId)
        function Get-DailyRows([datetime] $Day) {
            @(Invoke-AuditSql -ConnectionString $cs -Query ("SELECT computerid AS ComputerId, online AS Online, offline AS Offline, unknown AS Unknown FROM pvl_automate_connection_audit_daily WHERE day = '{0:yyyy-MM-dd}' ORDER BY computerid" -f $Day))
        }
        function Get-DailyCount { [int](Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM pvl_automate_connection_audit_daily').N }
    }

    It '-WhatIf writes nothing and lists the days it would roll up' {
        # Install-AuditTable gave the adopted days their figures (D-3 and D-2 provisionally): both are still due.
        $countsSql = 'SELECT (SELECT COUNT(*) FROM pvl_automate_connection_audit_daily) AS Daily, (SELECT COUNT(*) FROM aa_connection_rollup WHERE provisional = 0) AS Rolled, ' +
            '(SELECT COUNT(*) FROM aa_connection_rollup WHERE provisional = 1) AS Provisional'
        $before = Invoke-AuditSql -ConnectionString $cs -Query $countsSql
        [int]$before.Provisional | Should -Be 2

        $text = Get-WhatIfText { $script:whatIfOutput = @(Invoke-DailyRollup -ConnectionString $cs -WhatIf -PassThru) }

        @($script:whatIfOutput).Count | Should -Be 0
        $text | Should -Match ([regex]::Escape($days.D3.ToString('yyyy-MM-dd')))
        $text | Should -Match ([regex]::Escape($days.D2.ToString('yyyy-MM-dd')))
        $counts = Invoke-AuditSql -ConnectionString $cs -Query $countsSql
        "$($counts.Daily):$($counts.Rolled):$($counts.Provisional)" | Should -Be "$($before.Daily):$($before.Rolled):$($before.Provisional)"
    }

    It '-PassThru returns one object per completed day rolled up, with exact minutes' {
        $rolled = @(Invoke-DailyRollup -ConnectionString $cs -PassThru -Confirm:$false)

        $rolled.Count | Should -BeGreaterThan 0
        @($rolled | ForEach-Object { $_.Day.Date } | Sort-Object -Unique).Count | Should -Be $rolled.Count -Because 'one object per day'
        foreach ($day in $rolled) {
            $day.Day | Should -BeLessThan $days.Today -Because 'only completed days are rolled up'
            ($day.OnlineMinutes + $day.OfflineMinutes + $day.UnknownMinutes) | Should -Be ($day.Computers * $day.DayMinutes)
        }
        $d3 = $rolled | Where-Object { $_.Day.Date -eq $days.D3 }
        $d3 | Should -Not -BeNullOrEmpty -Because 'D-3 is complete and holds the adopted history'
        $d3.Computers | Should -Be 4
        $d3.DayMinutes | Should -Be $days.M3
        $d3.OnlineMinutes | Should -Be (4 * $days.M3)
        $d3.OfflineMinutes | Should -Be 0
        $d3.UnknownMinutes | Should -Be 0
        $d2 = $rolled | Where-Object { $_.Day.Date -eq $days.D2 }
        $d2 | Should -Not -BeNullOrEmpty -Because 'D-2 is complete too'
        $d2.Computers | Should -Be 4
        $d2.DayMinutes | Should -Be $days.M2
        $d2.OnlineMinutes | Should -Be (3 * $days.M2)
        $d2.OfflineMinutes | Should -Be $days.M2 -Because 'CON-OFF was offline all day'
        $d2.UnknownMinutes | Should -Be 0
    }

    It 'writes ProVal''s daily rows: online and offline minutes per computer per day' {
        $rows = Get-DailyRows $days.D3
        $rows.Count | Should -Be 4
        foreach ($row in $rows) {
            [int]$row.Online | Should -Be $days.M3
            [int]$row.Offline | Should -Be 0
        }
        $rows = Get-DailyRows $days.D2
        @($rows | ForEach-Object { '{0}:{1}:{2}' -f $_.ComputerId, $_.Online, $_.Offline }) |
            Should -Be @("101:$($days.M2):0", "102:0:$($days.M2)", "103:$($days.M2):0", "104:$($days.M2):0")
        $yesterday = Get-DailyRows $days.D1
        if ($yesterday.Count -gt 0) {
            # Yesterday is final from 00:30 on: CON-OFF was offline all of it.
            $offline = $yesterday | Where-Object { [int]$_.ComputerId -eq 102 }
            [int]$offline.Online | Should -Be 0
            [int]$offline.Offline | Should -Be $days.M1
        }
    }

    It 'a second run finds nothing left to roll up' {
        $count = Get-DailyCount
        @(Invoke-DailyRollup -ConnectionString $cs -PassThru -Confirm:$false).Count | Should -Be 0
        Get-DailyCount | Should -Be $count
    }

    It '-Day rolls a day up again and writes identical rows' {
        $before = Get-DailyRows $days.D2
        $rolled = @(Invoke-DailyRollup -ConnectionString $cs -Day $days.D2 -PassThru -Confirm:$false)

        $rolled.Count | Should -Be 1
        $rolled[0].Day.Date | Should -Be $days.D2
        $rolled[0].OfflineMinutes | Should -Be $days.M2
        $after = Get-DailyRows $days.D2
        ($after | ConvertTo-Json -Compress) | Should -Be ($before | ConvertTo-Json -Compress)
    }

    It 'reports read the same minutes before and after the rollup' {
        $windowAfter = @(Get-ConnectionReport -ConnectionString $cs -Start $days.D3 -End $days.Today | Sort-Object ComputerId)
        $windowAfter.Count | Should -Be $windowBefore.Count
        for ($i = 0; $i -lt $windowAfter.Count; $i++) {
            $windowAfter[$i].ComputerId | Should -Be $windowBefore[$i].ComputerId
            $windowAfter[$i].OnlineMinutes | Should -Be $windowBefore[$i].OnlineMinutes
            $windowAfter[$i].OfflineMinutes | Should -Be $windowBefore[$i].OfflineMinutes
            $windowAfter[$i].UnknownMinutes | Should -Be $windowBefore[$i].UnknownMinutes
        }
    }

    It 'applies retention: old raw history goes, each computer keeps its last change before the cut-off, reports stay the same' {
        $oldCs = New-AuditTestDatabase -Name 'rollup_retention'
        $null = Invoke-AuditSql -ConnectionString $oldCs -Query @'
INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso');
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact, Uptime) VALUES (1, 1, 0, 'OLD-1', NOW(), 10), (2, 1, 0, 'OLD-2', NOW(), 10);
CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME);
INSERT INTO pvl_automate_connection_audit VALUES
  (1, 1, CURDATE() - INTERVAL 60 DAY, CURDATE() - INTERVAL 60 DAY),
  (1, 0, CURDATE() - INTERVAL 55 DAY, CURDATE() - INTERVAL 55 DAY),
  (1, 1, CURDATE() - INTERVAL 50 DAY, CURDATE() - INTERVAL 50 DAY),
  (1, 0, CURDATE() - INTERVAL 10 DAY, CURDATE() - INTERVAL 10 DAY),
  (1, 1, CURDATE() - INTERVAL 9 DAY, CURDATE() - INTERVAL 9 DAY),
  (2, 1, CURDATE() - INTERVAL 60 DAY, CURDATE() - INTERVAL 60 DAY)
'@
        $null = Install-AuditTable -ConnectionString $oldCs -Confirm:$false
        $null = Update-ConnectionAudit -ConnectionString $oldCs -Confirm:$false
        $before = @(Get-ConnectionReport -ConnectionString $oldCs | Sort-Object ComputerId)

        $rolled = @(Invoke-DailyRollup -ConnectionString $oldCs -RetainDays 30 -RetainHistoryDays 45 -PassThru -Confirm:$false)

        $rolled.Count | Should -BeGreaterOrEqual 29 -Because 'every completed day within -RetainDays is backfilled'
        $check = @(Invoke-AuditSql -ConnectionString $oldCs -Query @'
SELECT a.computerid AS ComputerId, DATEDIFF(CURDATE(), DATE(a.lastcontact)) AS DaysAgo FROM pvl_automate_connection_audit a ORDER BY a.computerid, a.lastcontact;
'@)
        @($check | ForEach-Object { '{0}:{1}' -f $_.ComputerId, $_.DaysAgo }) | Should -Be @('1:50', '1:10', '1:9', '2:60') -Because 'history older than 45 days goes, except the last change before the cut-off, which still gives the state'
        $daily = Invoke-AuditSql -ConnectionString $oldCs -Query 'SELECT MIN(DATEDIFF(CURDATE(), day)) AS Newest, MAX(DATEDIFF(CURDATE(), day)) AS Oldest FROM pvl_automate_connection_audit_daily'
        [int]$daily.Oldest | Should -BeLessOrEqual 30
        [int]$daily.Newest | Should -BeGreaterOrEqual 1
        $after = @(Get-ConnectionReport -ConnectionString $oldCs | Sort-Object ComputerId)
        @($after | ForEach-Object { '{0}:{1}:{2}:{3}' -f $_.ComputerId, $_.Online30dMinutes, $_.Offline30dMinutes, $_.Unknown30dMinutes }) |
            Should -Be @($before | ForEach-Object { '{0}:{1}:{2}:{3}' -f $_.ComputerId, $_.Online30dMinutes, $_.Offline30dMinutes, $_.Unknown30dMinutes })
        ($after | Where-Object ComputerId -eq 1).Offline30dMinutes | Should -BeIn @(1439, 1440, 1441) -Because 'OLD-1 was offline for one day, 10 days ago'
    }

    It 'keeps 13 months of summary figures: -WhatIf counts each table, a window past them is unknown with a warning' {
        # ProVal history of 16 months: OLD-1 online throughout, offline for D-300 .. D-290.
        $longCs = New-AuditTestDatabase -Name 'rollup_summary'
        $null = Invoke-AuditSql -ConnectionString $longCs -Query @'
INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso');
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact, Uptime) VALUES (1, 1, 0, 'OLD-1', NOW(), 10);
CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME);
INSERT INTO pvl_automate_connection_audit VALUES
  (1, 1, CURDATE() - INTERVAL 490 DAY, CURDATE() - INTERVAL 490 DAY),
  (1, 0, CURDATE() - INTERVAL 300 DAY, CURDATE() - INTERVAL 300 DAY),
  (1, 1, CURDATE() - INTERVAL 290 DAY, CURDATE() - INTERVAL 290 DAY)
'@
        $null = Install-AuditTable -ConnectionString $longCs -Confirm:$false
        $null = Update-ConnectionAudit -ConnectionString $longCs -Confirm:$false
        # Longer retention first, so that the default one has rows of every table to delete.
        $null = Invoke-DailyRollup -ConnectionString $longCs -RetainDays 60 -RetainSummaryMonths 15 -RetainHistoryDays 600 -Confirm:$false
        $calendar = Invoke-AuditSql -ConnectionString $longCs -Query @'
SELECT CURDATE() AS Today, DATE_FORMAT(CURDATE(), '%Y-%m-01') - INTERVAL 13 MONTH AS SummaryFrom,
  (SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE day < CURDATE() - INTERVAL 30 DAY) AS Daily,
  (SELECT COUNT(*) FROM aa_connection_summary WHERE month < DATE_FORMAT(CURDATE(), '%Y-%m-01') - INTERVAL 13 MONTH) AS Summary
'@
        $today = (ConvertTo-TestDate $calendar.Today).Date
        $summaryFrom = (ConvertTo-TestDate $calendar.SummaryFrom).Date
        [int]$calendar.Daily | Should -Be 30 -Because 'days D-60 .. D-31 have daily rows'
        [int]$calendar.Summary | Should -BeGreaterThan 0 -Because 'the months before the 13 kept were rolled up with -RetainSummaryMonths 15'

        $text = Get-WhatIfText { Invoke-DailyRollup -ConnectionString $longCs -WhatIf }
        $text | Should -Match ('Retention would delete {0} row\(s\) of pvl_automate_connection_audit_daily, {1} row\(s\) of aa_connection_summary, 2 row\(s\) of pvl_automate_connection_audit' -f $calendar.Daily, $calendar.Summary)
        $null = Invoke-DailyRollup -ConnectionString $longCs -Confirm:$false
        $left = Invoke-AuditSql -ConnectionString $longCs -Query "SELECT (SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE day < CURDATE() - INTERVAL 30 DAY) AS Daily, (SELECT COUNT(*) FROM aa_connection_summary WHERE month < DATE_FORMAT(CURDATE(), '%Y-%m-01') - INTERVAL 13 MONTH) AS Summary, (SELECT COUNT(*) FROM pvl_automate_connection_audit) AS Raw"
        @([int]$left.Daily, [int]$left.Summary, [int]$left.Raw) | Should -Be @(0, 0, 1)

        # 13 months back: served from the summary, exact, no warning.
        $minutes = Invoke-AuditSql -ConnectionString $longCs -Query (@'
SELECT (UNIX_TIMESTAMP(CURDATE()) - UNIX_TIMESTAMP('{0:yyyy-MM-dd}')) DIV 60 AS Window13,
  (UNIX_TIMESTAMP(CURDATE() - INTERVAL 290 DAY) - UNIX_TIMESTAMP(CURDATE() - INTERVAL 300 DAY)) DIV 60 AS Outage,
  (UNIX_TIMESTAMP('{1:yyyy-MM-dd}') - UNIX_TIMESTAMP('{2:yyyy-MM-dd}')) DIV 60 AS Lost,
  (UNIX_TIMESTAMP(CURDATE()) - UNIX_TIMESTAMP('{2:yyyy-MM-dd}')) DIV 60 AS Window15
'@ -f $today.AddMonths(-13), $summaryFrom, $today.AddMonths(-15))
        $year = @(Get-ConnectionReport -ConnectionString $longCs -Start $today.AddMonths(-13) -End $today -WarningVariable yearWarnings -WarningAction SilentlyContinue)
        $year.Count | Should -Be 1
        $year[0].OfflineMinutes | Should -Be ([int]$minutes.Outage)
        $year[0].OnlineMinutes | Should -Be ([int]$minutes.Window13 - [int]$minutes.Outage)
        $year[0].UnknownMinutes | Should -Be 0
        @($yearWarnings).Count | Should -Be 0

        # 15 months back: the part before the summary's first month is unknown, never online, and the warning says so.
        $longer = @(Get-ConnectionReport -ConnectionString $longCs -Start $today.AddMonths(-15) -End $today -WarningVariable warnings -WarningAction SilentlyContinue)
        $longer[0].UnknownMinutes | Should -Be ([int]$minutes.Lost)
        $longer[0].OnlineMinutes + $longer[0].OfflineMinutes + $longer[0].UnknownMinutes | Should -Be ([int]$minutes.Window15)
        @($warnings).Count | Should -Be 1
        [string]$warnings[0] | Should -BeLike ('{0:yyyy-MM-dd}..{1:yyyy-MM-dd} (*) of the window predate the history AutomateAudit holds*counted as unknown for every computer, never as online or offline.' -f $today.AddMonths(-15), $summaryFrom)
    }

    It 'refuses -RetainDays below 30 before touching the database' {
        $caught = $null
        try { Invoke-DailyRollup @Unreachable -RetainDays 10 } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
    }

    It 'refuses -RetainSummaryMonths that does not reach back as far as -RetainDays, before touching the database' {
        $caught = $null
        try { Invoke-DailyRollup @Unreachable -RetainDays 90 -RetainSummaryMonths 3 } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'InvalidRetention*'
        [string]$caught | Should -Match 'at least 4'
    }
}

Describe 'Reading a known history' {
    # One scenario, read by both report cmdlets (nothing here writes).
    BeforeAll {
        $scenario = New-ProValScenario -Name 'report' -WithNewComputer
        $cs = $scenario.ConnectionString
        $days = $scenario.Days
    }

    Describe 'Get-ConnectionReport' {
        BeforeAll {
            $rolling = @(Get-ConnectionReport -ConnectionString $cs)
            function Get-Row([int] $Id) { $rolling | Where-Object ComputerId -eq $Id }
        }

        It 'the first run after adopting ProVal''s table recorded only CON-LATE going offline' {
            # The precondition of the figures below.
            $scenario.FirstRun.Count | Should -Be 1
            $scenario.FirstRun[0].ComputerId | Should -Be 103
            $scenario.FirstRun[0].State | Should -Be 'Offline'
        }

        It 'writes one row per computer with the dataview''s columns' {
            $rolling.Count | Should -Be 5
            @($rolling.ComputerId | Sort-Object) | Should -Be @(101, 102, 103, 104, 105)
            $row = Get-Row 101
            $row.Client | Should -Be 'Contoso'
            $row.Location | Should -Be 'HQ'
            $row.Computer | Should -Be 'CON-ON'
            $row.OperatingSystem | Should -Be 'Microsoft Windows 11 Pro x64'
            $row.LastLoggedInUser | Should -Be 'jsmith'
            $row.FormFactor | Should -Be 'Desktop'
            (Get-Row 102).FormFactor | Should -Be 'Laptop'
            (Get-Row 104).FormFactor | Should -Be 'Physical Server'
        }

        It 'Status is Online for a computer whose LastContact is now and Offline for one 2 hours old' {
            (Get-Row 101).Status | Should -Be 'Online'
            (Get-Row 104).Status | Should -Be 'Online'
            (Get-Row 103).Status | Should -Be 'Offline'
            (Get-Row 103).MinutesSinceLastContact | Should -BeIn @(119, 120, 121)
            (Get-Row 102).Status | Should -Be 'Offline'
        }

        It 'Online + Offline + Unknown = the window for every row and window (24 h, 7 d, 30 d)' {
            foreach ($row in $rolling) {
                ($row.Online24hMinutes + $row.Offline24hMinutes + $row.Unknown24hMinutes) | Should -Be 1440 -Because "$($row.Computer) 24 h"
                ($row.Online7dMinutes + $row.Offline7dMinutes + $row.Unknown7dMinutes) | Should -Be 10080 -Because "$($row.Computer) 7 d"
                ($row.Online30dMinutes + $row.Offline30dMinutes + $row.Unknown30dMinutes) | Should -Be 43200 -Because "$($row.Computer) 30 d"
                $row.Observed7dMinutes | Should -Be ($row.Online7dMinutes + $row.Offline7dMinutes)
            }
        }

        It 'counts the known history exactly' {
            $on = Get-Row 101
            $on.Online24hMinutes | Should -Be 1440
            $on.Offline24hMinutes | Should -Be 0
            $on.Online24hPercent | Should -Be 100
            $observed = $days.M3 + $days.M2 + $days.M1 + $days.MinutesToday
            $on.Observed7dMinutes | Should -BeIn @(($observed - 1), $observed, ($observed + 1)) -Because 'observed since the first ProVal row (D-3 00:00)'
            $on.Online7dMinutes | Should -Be $on.Observed7dMinutes

            $off = Get-Row 102
            $off.Online24hMinutes | Should -Be 0
            $off.Offline24hMinutes | Should -Be 1440
            $off.Offline24hPercent | Should -Be 100
            $off.Online7dMinutes | Should -Be $days.M3
            # Percentages are computed from exact seconds, the minutes shown are rounded: allow the last digit.
            [math]::Abs($off.Online7dPercent - 100.0 * $off.Online7dMinutes / $off.Observed7dMinutes) | Should -BeLessOrEqual 0.011

            $late = Get-Row 103
            $late.Offline24hMinutes | Should -BeIn @(119, 120, 121) -Because 'it went silent 2 hours ago'
            $late.Online24hMinutes | Should -Be (1440 - $late.Offline24hMinutes)
        }

        It 'says how long it has known each computer' {
            $row = Get-Row 101
            $row.DataCollectedSince | Should -Be $days.D3
            $expected = ($days.Now - $days.D3).TotalDays
            [math]::Abs($row.DaysSinceDataCollection - $expected) | Should -BeLessThan 0.01
        }

        It 'a computer without any history is all Unknown, with no error' {
            $errors = $null
            $row = @(Get-ConnectionReport -ConnectionString $cs -ComputerId 105 -ErrorVariable errors)
            @($errors).Count | Should -Be 0
            $row.Count | Should -Be 1
            $row[0].Status | Should -Be 'Online'
            $row[0].Unknown24hMinutes | Should -Be 1440
            $row[0].Observed24hMinutes | Should -Be 0
        }

        It 'with -Start/-End counts any window exactly' {
            $window = @(Get-ConnectionReport -ConnectionString $cs -Start $days.D3 -End $days.D1)
            $window.Count | Should -Be 5
            $minutes = $days.M3 + $days.M2
            foreach ($row in $window) {
                $row.WindowStart | Should -Be $days.D3
                $row.WindowEnd | Should -Be $days.D1
                $row.WindowMinutes | Should -Be $minutes
                ($row.OnlineMinutes + $row.OfflineMinutes + $row.UnknownMinutes) | Should -Be $row.WindowMinutes
                $row.ObservedMinutes | Should -Be ($row.OnlineMinutes + $row.OfflineMinutes)
            }
            $on = $window | Where-Object ComputerId -eq 101
            $on.OnlineMinutes | Should -Be $minutes
            $on.UnknownMinutes | Should -Be 0
            $on.OnlinePercent | Should -Be 100
            ($window | Where-Object ComputerId -eq 103).OnlineMinutes | Should -Be $minutes
            ($window | Where-Object ComputerId -eq 104).OnlineMinutes | Should -Be $minutes
            $off = $window | Where-Object ComputerId -eq 102
            $off.OnlineMinutes | Should -Be $days.M3
            $off.OfflineMinutes | Should -Be $days.M2
            $off.UnknownMinutes | Should -Be 0
            $off.OnlinePercent | Should -Be ([math]::Round(100.0 * $days.M3 / $minutes, 2))
            $off.OfflinePercent | Should -Be ([math]::Round(100.0 * $days.M2 / $minutes, 2))
            ($window | Where-Object ComputerId -eq 105).UnknownMinutes | Should -Be $minutes
        }

        It 'time before the history starts is Unknown, and percentages rest on the observed time' {
            $window = @(Get-ConnectionReport -ConnectionString $cs -Start $days.D4 -End $days.D2 -ComputerId 101, 102, 103)
            $window.Count | Should -Be 3
            foreach ($row in $window) {
                $row.UnknownMinutes | Should -Be $days.M4
                $row.OnlineMinutes | Should -Be $days.M3
                $row.ObservedMinutes | Should -Be $days.M3
                $row.OnlinePercent | Should -Be 100
            }
        }

        It 'filters by client, location and computer name, with wildcards' {
            @(Get-ConnectionReport -ConnectionString $cs -Client 'Contoso').ComputerId | Sort-Object | Should -Be @(101, 102, 103)
            @(Get-ConnectionReport -ConnectionString $cs -Client 'Fab*').ComputerId | Sort-Object | Should -Be @(104, 105)
            @(Get-ConnectionReport -ConnectionString $cs -Location 'Branch').ComputerId | Should -Be @(103)
            @(Get-ConnectionReport -ConnectionString $cs -Computer 'CON-O*').ComputerId | Sort-Object | Should -Be @(101, 102)
            @(Get-ConnectionReport -ConnectionString $cs -ComputerId 104, 101).ComputerId | Sort-Object | Should -Be @(101, 104)
        }

        It 'a computer id that names no computer: a non-terminating ComputerNotFound error, and rows for the others' {
            $errors = $null
            $caught = $null
            $rows = $null
            try { $rows = @(Get-ConnectionReport -ConnectionString $cs -ComputerId 101, 999999 -ErrorAction SilentlyContinue -ErrorVariable errors) } catch { $caught = $_ }

            $caught | Should -BeNullOrEmpty -Because 'one unknown id must not end the command'
            @($rows.ComputerId) | Should -Be @(101)
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ComputerNotFound*'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Match '999999'
        }

        It 'a client name that names no client: a non-terminating ClientNotFound error, and rows for the others' {
            $errors = $null
            $rows = @(Get-ConnectionReport -ConnectionString $cs -Client 'Contoso', 'NoSuchClient' -ErrorAction SilentlyContinue -ErrorVariable errors)

            @($rows.ComputerId | Sort-Object) | Should -Be @(101, 102, 103)
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ClientNotFound*'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Match 'NoSuchClient'
        }

        It 'a location name that names no location: a non-terminating LocationNotFound error, and rows for the others' {
            $errors = $null
            $rows = @(Get-ConnectionReport -ConnectionString $cs -Location 'Branch', 'NoSuchLocation' -ErrorAction SilentlyContinue -ErrorVariable errors)

            @($rows.ComputerId) | Should -Be @(103)
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'LocationNotFound*'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Match 'NoSuchLocation'
        }

        It 'a computer name that names no computer: a non-terminating ComputerNotFound error, and rows for the others' {
            $errors = $null
            $rows = @(Get-ConnectionReport -ConnectionString $cs -Computer 'CON-ON', 'NoSuchPC' -ErrorAction SilentlyContinue -ErrorVariable errors)

            @($rows.ComputerId) | Should -Be @(101)
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ComputerNotFound*'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Match 'NoSuchPC'
        }

        It 'a piped computer id that names no computer: a ComputerNotFound error, and rows for the others' {
            $errors = $null
            $rows = @(@([pscustomobject]@{ ComputerId = 104 }, [pscustomobject]@{ ComputerId = 999998 }) |
                Get-ConnectionReport -ConnectionString $cs -ErrorAction SilentlyContinue -ErrorVariable errors)

            @($rows.ComputerId) | Should -Be @(104)
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ComputerNotFound*'
            $errors[0].Exception.Message | Should -Match '999998'
        }

        It 'with -Start alone the window ends now' {
            $window = @(Get-ConnectionReport -ConnectionString $cs -Start $days.D1 -ComputerId 101)
            $window.Count | Should -Be 1
            $expected = $days.M1 + $days.MinutesToday
            $window[0].WindowMinutes | Should -BeGreaterOrEqual $expected
            $window[0].WindowMinutes | Should -BeLessOrEqual ($expected + 2)
            $window[0].OnlineMinutes | Should -Be $window[0].WindowMinutes
        }

        It 'a wildcard that matches nothing writes no error' {
            $errors = $null
            $rows = @(Get-ConnectionReport -ConnectionString $cs -Client 'NoSuch*', 'Fabrikam' -ErrorVariable errors)
            @($errors).Count | Should -Be 0
            @($rows.ComputerId | Sort-Object) | Should -Be @(104, 105)
        }

        It '-End before -Start: an error about the window, raised before any connection is attempted' {
            $errors = $null
            $caught = $null
            try { $null = Get-ConnectionReport @Unreachable -Start $days.D1 -End $days.D3 -ErrorVariable errors } catch { $caught = $_ }

            $caught | Should -Not -BeNullOrEmpty
            @($errors).Count | Should -Be 1
            $caught.Exception.Message | Should -Match '-End'
            $caught.Exception.Message | Should -Match '-Start'
            $caught.Exception.Message | Should -Not -Match '127\.0\.0\.1|connect'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It '-End equal to -Start: the same error, before any connection' {
            $caught = $null
            try { $null = Get-ConnectionReport @Unreachable -Start $days.D1 -End $days.D1 } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.Exception.Message | Should -Match '-End'
            $caught.Exception.Message | Should -Not -Match '127\.0\.0\.1|connect'
        }
    }

    Describe 'Get-ConnectionHistory' {

        It 'lists the periods of a computer that cover the window exactly, in order, with durations' {
            $periods = @(Get-ConnectionHistory -ConnectionString $cs -ComputerId 102 -Start $days.D4 -End $days.D1)

            @($periods.State) | Should -Be @('Unknown', 'Online', 'Offline')
            @($periods.Start) | Should -Be @($days.D4, $days.D3, $days.D2)
            @($periods.End) | Should -Be @($days.D3, $days.D2, $days.D1)
            @($periods.DurationMinutes) | Should -Be @($days.M4, $days.M3, $days.M2)
            foreach ($period in $periods) {
                $period.Computer | Should -Be 'CON-OFF'
                $period.Client | Should -Be 'Contoso'
                $period.Location | Should -Be 'HQ'
                ($period.EndUtc - $period.StartUtc).TotalMinutes | Should -Be $period.DurationMinutes
            }
            $periods[2].Open | Should -BeTrue -Because 'the outage runs to the end of the window'
            $periods[0].Open | Should -BeFalse
        }

        It 'defaults to the 7 days ending now, the last period open' {
            $periods = @(Get-ConnectionHistory -ConnectionString $cs -ComputerId 101)

            $periods.Count | Should -Be 2
            $periods[0].State | Should -Be 'Unknown'
            $periods[1].State | Should -Be 'Online'
            $periods[1].Start | Should -Be $days.D3
            $periods[1].Open | Should -BeTrue
            $span = ($periods[1].End - $periods[0].Start).TotalMinutes
            $span | Should -BeGreaterOrEqual 10079
            $span | Should -BeLessOrEqual 10081
            [math]::Abs(($periods | Measure-Object DurationMinutes -Sum).Sum - $span) | Should -BeLessThan 0.02
        }

        It '-State Offline -MinimumMinutes gives the outage list' {
            $outages = @(Get-ConnectionHistory -ConnectionString $cs -State Offline -MinimumMinutes 60)
            @($outages.ComputerId | Sort-Object) | Should -Be @(102, 103)
            foreach ($outage in $outages) {
                $outage.State | Should -Be 'Offline'
                $outage.DurationMinutes | Should -BeGreaterOrEqual 60
            }
            $long = @(Get-ConnectionHistory -ConnectionString $cs -State Offline -MinimumMinutes 200)
            @($long.ComputerId) | Should -Be @(102) -Because 'CON-LATE has been offline for 2 hours only'
        }

        It 'a computer id that names no computer: a non-terminating ComputerNotFound error, and periods for the others' {
            $errors = $null
            $caught = $null
            $periods = $null
            try { $periods = @(Get-ConnectionHistory -ConnectionString $cs -ComputerId 104, 999999 -ErrorAction SilentlyContinue -ErrorVariable errors) } catch { $caught = $_ }

            $caught | Should -BeNullOrEmpty
            @($periods.ComputerId | Sort-Object -Unique) | Should -Be @(104)
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ComputerNotFound*'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Match '999999'
        }

        It 'a client name that names no client: a non-terminating ClientNotFound error, and periods for the others' {
            $errors = $null
            $periods = @(Get-ConnectionHistory -ConnectionString $cs -Client 'NoSuchClient', 'Fabrikam' -ErrorAction SilentlyContinue -ErrorVariable errors)

            @($periods.ComputerId | Sort-Object -Unique) | Should -Be @(104, 105)
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ClientNotFound*'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Match 'NoSuchClient'
        }

        It 'a wildcard that matches nothing, or a computer with no history, writes no error' {
            $errors = $null
            $periods = @(Get-ConnectionHistory -ConnectionString $cs -Location 'NoSuch*', 'Main' -ErrorVariable errors)
            @($errors).Count | Should -Be 0
            @($periods.ComputerId | Sort-Object -Unique) | Should -Be @(104, 105)
            $new = @($periods | Where-Object ComputerId -eq 105)
            $new.Count | Should -Be 1
            $new[0].State | Should -Be 'Unknown'
        }

        It '-End before -Start: an error about the window, raised before any connection is attempted' {
            $errors = $null
            $caught = $null
            try { $null = Get-ConnectionHistory @Unreachable -Start $days.D1 -End $days.D3 -ErrorVariable errors } catch { $caught = $_ }

            $caught | Should -Not -BeNullOrEmpty
            @($errors).Count | Should -Be 1
            $caught.Exception.Message | Should -Match '-End'
            $caught.Exception.Message | Should -Match '-Start'
            $caught.Exception.Message | Should -Not -Match '127\.0\.0\.1|connect'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
    }
}
