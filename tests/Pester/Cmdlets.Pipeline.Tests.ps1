#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# User-level contract of the cmdlets' output in the pipelines users write: Export-Csv / Import-Csv,
# ConvertTo-Html, ConvertTo-Json, Where-Object, Format-Table at 80 columns, binding by property name
# (Get-ConnectionReport | Get-ConnectionHistory) and $PSDefaultParameterValues. Against a real MariaDB
# holding a small simulated fleet with recorded history. Runs on Windows PowerShell 5.1 and pwsh 7.

BeforeDiscovery {
    # Every kind of output, the property that identifies its rows, and its key columns in the default table view.
    $outputKinds = @(
        @{ Kind = 'Get-ConnectionReport'; Key = 'ComputerId'; Columns = @('Computer', 'Status', '24h%') }
        @{ Kind = 'Get-ConnectionReport -Start/-End'; Key = 'ComputerId'; Columns = @('Computer', 'Online', 'Online%') }
        @{ Kind = 'Get-ConnectionHistory'; Key = 'ComputerId'; Columns = @('Computer', 'State', 'Start', 'End', 'Duration') }
        @{ Kind = 'Update-ConnectionAudit -PassThru'; Key = 'ComputerId'; Columns = @('ComputerId', 'State', 'Kind', 'LastContact') }
        @{ Kind = 'Invoke-DailyRollup -PassThru'; Key = 'Computers'; Columns = @('Day', 'Computers', 'OnlineMin', 'OfflineMin', 'UnknownMin') }
        @{ Kind = 'Install-AuditTable -PassThru'; Key = 'Table'; Columns = @('Table', 'Action') }
    )
}

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

    function ConvertFrom-JsonDate {
        # What ConvertFrom-Json gives back for a date: [datetime] (pwsh 7, and 5.1 for '\/Date(ms)\/'), or a string.
        param([object] $Value)
        if ($null -eq $Value) { return $null }
        if ($Value -is [datetime]) { return $Value }
        $text = [string]$Value
        if ($text -match '^/Date\((-?\d+)') { return ([datetime]'1970-01-01Z').ToUniversalTime().AddMilliseconds([long]$Matches[1]) }
        [datetime]::Parse($text, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind)
    }

    function ConvertFrom-CsvCell {
        # A number or date as Export-Csv wrote it: in the current culture (Windows PowerShell) or the invariant one.
        param([string] $Text, [type] $Type)
        foreach ($culture in [System.Globalization.CultureInfo]::CurrentCulture, [System.Globalization.CultureInfo]::InvariantCulture) {
            [double]$number = 0
            [datetime]$date = [datetime]::MinValue
            if ($Type -eq [double] -and [double]::TryParse($Text, [System.Globalization.NumberStyles]::Float, $culture, [ref]$number)) { return $number }
            if ($Type -eq [datetime] -and [datetime]::TryParse($Text, $culture, [System.Globalization.DateTimeStyles]::None, [ref]$date)) { return $date }
        }
        throw "'$Text' is not a $Type"
    }

    function Get-HeaderLines {
        # The lines of a rendered table above its '---' underline.
        param([string[]] $Lines)
        $header = New-Object System.Collections.Generic.List[string]
        foreach ($line in $Lines) {
            if ($line -match '^\s*-{2,}') { return $header.ToArray() }
            if ($line.Trim()) { $header.Add($line) }
        }
        $header.ToArray()
    }

    # A small fleet with two days of history recorded every 5 minutes.
    $cs = New-AuditTestDatabase -Name 'pipeline' -Agents 30 -Days 2 -Record -Install

    # Two computers whose current state the test knows for certain: one silent for 2 hours, one new and checking in now.
    $known = Invoke-AuditSql -ConnectionString $cs -Query @'
SELECT c.ComputerID AS OfflineId, c.Name AS OfflineName, cl.Name AS Client, c.ClientID AS ClientId, c.LocationID AS LocationId,
       (SELECT MAX(ComputerID) + 1 FROM computers) AS OnlineId
FROM computers c JOIN clients cl ON cl.ClientID = c.ClientID
ORDER BY c.ComputerID LIMIT 1
'@
    $offlineId = [int]$known.OfflineId
    $onlineId = [int]$known.OnlineId
    $client = [string]$known.Client
    $null = Invoke-AuditSql -ConnectionString $cs -Query (@'
UPDATE computers SET LastContact = NOW() - INTERVAL 2 HOUR WHERE ComputerID = {0};
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, LastContact, Uptime, DateAdded, BiosFlash)
VALUES ({1}, {2}, {3}, 'PESTER-NEW', 'Microsoft Windows 11 Pro x64', NOW(), 5, NOW(), 'Desktop')
'@ -f $offlineId, $onlineId, [int]$known.ClientId, [int]$known.LocationId)
    $changes = @(Update-ConnectionAudit -ConnectionString $cs -PassThru -Confirm:$false)

    $calendar = Invoke-AuditSql -ConnectionString $cs -Query 'SELECT CURDATE() AS Today, NOW() AS Now, (SELECT COUNT(*) FROM computers) AS Computers'
    $today = (ConvertTo-TestDate $calendar.Today).Date
    $computerCount = [int]$calendar.Computers

    $report = @(Get-ConnectionReport -ConnectionString $cs)
    $window = @(Get-ConnectionReport -ConnectionString $cs -Start $today.AddDays(-2) -End $today)
    $history = @(Get-ConnectionHistory -ConnectionString $cs -Start $today.AddDays(-2) -End $today)
    $rolled = @(Invoke-DailyRollup -ConnectionString $cs -PassThru -Confirm:$false)
    $tables = @(Install-AuditTable -ConnectionString $cs -PassThru -Confirm:$false)

    $outputs = @{
        'Get-ConnectionReport'             = $report
        'Get-ConnectionReport -Start/-End' = $window
        'Get-ConnectionHistory'            = $history
        'Update-ConnectionAudit -PassThru' = $changes
        'Invoke-DailyRollup -PassThru'     = $rolled
        'Install-AuditTable -PassThru'     = $tables
    }
}

Describe 'The fleet the pipelines run on' {
    It 'has a report row per computer in Automate and every kind of output to pipe' {
        $report.Count | Should -Be $computerCount
        $report.Count | Should -BeGreaterThan 10
        foreach ($kind in $outputs.Keys) { $outputs[$kind].Count | Should -BeGreaterThan 0 -Because "$kind must give rows to test with" }
        ($changes | Where-Object ComputerId -eq $onlineId).Kind | Should -Be 'FirstSeen'
    }

    It 'minutes add up to the window for every row: 24 h, 7 d, 30 d, a custom window, the periods of each computer' {
        $wrong = @(foreach ($row in $report) {
            if ($row.Online24hMinutes + $row.Offline24hMinutes + $row.Unknown24hMinutes -ne 1440) { "$($row.Computer) 24 h" }
            if ($row.Online7dMinutes + $row.Offline7dMinutes + $row.Unknown7dMinutes -ne 10080) { "$($row.Computer) 7 d" }
            if ($row.Online30dMinutes + $row.Offline30dMinutes + $row.Unknown30dMinutes -ne 43200) { "$($row.Computer) 30 d" }
            if ($row.Observed30dMinutes -ne $row.Online30dMinutes + $row.Offline30dMinutes) { "$($row.Computer) observed 30 d" }
        })
        $wrong | Should -BeNullOrEmpty

        $windowMinutes = @($window | ForEach-Object WindowMinutes | Sort-Object -Unique)
        $windowMinutes.Count | Should -Be 1
        @($window | Where-Object { $_.OnlineMinutes + $_.OfflineMinutes + $_.UnknownMinutes -ne $_.WindowMinutes }).Computer | Should -BeNullOrEmpty

        $groups = @($history | Group-Object ComputerId)
        $groups.Count | Should -Be $computerCount
        $wrong = @(foreach ($group in $groups) {
            $periods = @($group.Group | Sort-Object Start)
            if ($periods[0].Start -ne $today.AddDays(-2) -or $periods[-1].End -ne $today) { "computer $($group.Name) does not cover the window" }
            for ($i = 1; $i -lt $periods.Count; $i++) { if ($periods[$i].Start -ne $periods[$i - 1].End) { "computer $($group.Name): gap or overlap at period $i" } }
            foreach ($period in $periods) {
                # DurationMinutes is rounded to hundredths; the instants themselves are exact.
                if ([math]::Abs($period.DurationMinutes - ($period.EndUtc - $period.StartUtc).TotalMinutes) -gt 0.005) { "computer $($group.Name): DurationMinutes $($period.DurationMinutes) does not match its Start and End" }
            }
            $sum = (($periods[-1].EndUtc - $periods[0].StartUtc).TotalMinutes)
            if ($sum -ne $windowMinutes[0]) { "computer $($group.Name): periods span $sum minutes" }
        })
        $wrong | Should -BeNullOrEmpty
    }

    It 'shows a computer known to be offline as Offline and one checking in now as Online' {
        ($report | Where-Object ComputerId -eq $offlineId).Status | Should -Be 'Offline'
        ($report | Where-Object ComputerId -eq $onlineId).Status | Should -Be 'Online'
        $wrong = @(foreach ($row in ($report | Where-Object { $null -ne $_.MinutesSinceLastContact })) {
            if ($row.MinutesSinceLastContact -le 13 -and $row.Status -ne 'Online') { "$($row.Computer) checked in $($row.MinutesSinceLastContact) minutes ago but is $($row.Status)" }
            if ($row.MinutesSinceLastContact -ge 17 -and $row.Status -ne 'Offline') { "$($row.Computer) checked in $($row.MinutesSinceLastContact) minutes ago but is $($row.Status)" }
        })
        $wrong | Should -BeNullOrEmpty
    }
}

Describe 'Export-Csv, then Import-Csv: <Kind>' -ForEach $outputKinds {
    BeforeAll {
        $objects = $outputs[$Kind]
        $path = Join-Path $TestDrive ('{0}.csv' -f ($Kind -replace '[^A-Za-z]', '_'))
        $objects | Export-Csv -Path $path -NoTypeInformation
        $imported = @(Import-Csv -Path $path)
    }

    It 'gives the same number of rows' {
        $objects.Count | Should -BeGreaterThan 0
        $imported.Count | Should -Be $objects.Count
        @($imported | ForEach-Object { $_.$Key }) | Should -Be @($objects | ForEach-Object { [string]$_.$Key })
    }

    It 'gives flat columns: one per property, no type names or arrays in any cell' {
        $properties = @($objects[0].PSObject.Properties.Name)
        @($imported[0].PSObject.Properties.Name) | Should -Be $properties
        (Get-Content -LiteralPath $path -TotalCount 1) | Should -Not -Match '#TYPE'
        $bad = @(foreach ($row in $imported) {
            foreach ($property in $row.PSObject.Properties) {
                if ([string]$property.Value -match 'System\.Object\[\]|System\.Collections|^System\.|^AutomateAudit\.|^@\{') { "$($property.Name) = '$($property.Value)'" }
            }
        })
        $bad | Should -BeNullOrEmpty -Because 'every cell must hold a plain value'
    }
}

Describe 'Export-Csv: the report''s values survive' {
    It 'keeps minutes as integers, percentages as numbers and dates as dates' {
        $path = Join-Path $TestDrive 'report-values.csv'
        $report | Export-Csv -Path $path -NoTypeInformation
        $imported = @(Import-Csv -Path $path)
        $imported.Count | Should -Be $report.Count
        $wrong = @(for ($i = 0; $i -lt $report.Count; $i++) {
            $in = $imported[$i]
            $out = $report[$i]
            if ($in.ComputerId -ne [string]$out.ComputerId) { "row $i ComputerId" }
            if ($in.Online30dMinutes -notmatch '^\d+$' -or [int]$in.Online30dMinutes -ne $out.Online30dMinutes) { "row $i Online30dMinutes '$($in.Online30dMinutes)'" }
            if ([int]$in.Unknown30dMinutes -ne $out.Unknown30dMinutes) { "row $i Unknown30dMinutes" }
            if ($in.Status -ne $out.Status) { "row $i Status" }
            if ($null -ne $out.Online30dPercent -and (ConvertFrom-CsvCell $in.Online30dPercent ([double])) -ne $out.Online30dPercent) { "row $i Online30dPercent '$($in.Online30dPercent)'" }
            if ($null -ne $out.LastContact -and (ConvertFrom-CsvCell $in.LastContact ([datetime])) -ne $out.LastContact) { "row $i LastContact '$($in.LastContact)'" }
        })
        $wrong | Should -BeNullOrEmpty
        @($report | Where-Object { $null -ne $_.Online30dPercent }).Count | Should -BeGreaterThan 0
    }

    It 'appends Update-ConnectionAudit -PassThru runs to one change log (help example 3)' {
        $logCs = New-AuditTestDatabase -Name 'pipeline_changelog'
        $null = Invoke-AuditSql -ConnectionString $logCs -Query @'
INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso');
INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact, Uptime) VALUES
  (1, 1, 0, 'LOG-1', NOW(), 10), (2, 1, 0, 'LOG-2', NOW(), 10), (3, 1, 0, 'LOG-3', NOW() - INTERVAL 1 HOUR, 10)
'@
        $null = Install-AuditTable -ConnectionString $logCs -Confirm:$false
        $path = Join-Path $TestDrive 'changes.csv'

        Update-ConnectionAudit -ConnectionString $logCs -PassThru -Confirm:$false | Export-Csv -Path $path -Append -NoTypeInformation
        $null = Invoke-AuditSql -ConnectionString $logCs -Query 'UPDATE computers SET LastContact = NOW() - INTERVAL 30 MINUTE WHERE ComputerID = 2'
        Update-ConnectionAudit -ConnectionString $logCs -PassThru -Confirm:$false | Export-Csv -Path $path -Append -NoTypeInformation

        $log = @(Import-Csv -Path $path)
        $log.Count | Should -Be 4
        @($log | ForEach-Object { '{0}:{1}:{2}' -f $_.ComputerId, $_.State, $_.Kind }) | Should -Be @('1:Online:FirstSeen', '2:Online:FirstSeen', '3:Offline:FirstSeen', '2:Offline:Changed')
        foreach ($column in 'ComputerId', 'State', 'Kind', 'LastContact', 'EffectiveUtc') { $log[0].PSObject.Properties.Name | Should -Contain $column }
        foreach ($row in $log) { { $null = ConvertFrom-CsvCell $row.EffectiveUtc ([datetime]) } | Should -Not -Throw }
    }
}

Describe 'ConvertTo-Html' {
    It 'renders one table row per report row with a header per property, no type names' {
        $html = $report | ConvertTo-Html -Title 'Uptime' | Out-String

        ([regex]::Matches($html, '<tr>')).Count | Should -Be ($report.Count + 1)
        foreach ($column in 'Computer', 'Status', 'Online30dPercent', 'Unknown30dMinutes', 'DaysSinceDataCollection') { $html | Should -Match "<th>$column</th>" }
        $html | Should -Not -Match 'System\.Object\[\]|AutomateAudit\.Engine'
        @($report | Where-Object { $html -notmatch ('<td>{0}</td>' -f [regex]::Escape($_.Computer)) }).Computer | Should -BeNullOrEmpty
    }

    It 'renders the help''s -Property example with exactly those columns' {
        $rows = @(Get-ConnectionReport -ConnectionString $cs -Client $client)
        $html = $rows | ConvertTo-Html -Property Computer, Status, Online30d, Online30dPercent, Unknown30dMinutes | Out-String

        ([regex]::Matches($html, '<th>')).Count | Should -Be 5
        ([regex]::Matches($html, '<tr>')).Count | Should -Be ($rows.Count + 1)
        foreach ($row in $rows) {
            $html | Should -Match ('<tr><td>{0}</td><td>{1}</td><td>{2}</td>' -f [regex]::Escape($row.Computer), $row.Status, [regex]::Escape($row.Online30d))
        }
    }

    It 'renders the outage list' {
        $outages = @($history | Where-Object State -eq 'Offline')
        $outages.Count | Should -BeGreaterThan 0
        $html = $outages | ConvertTo-Html -Property Computer, Client, Start, End, DurationMinutes | Out-String
        ([regex]::Matches($html, '<tr>')).Count | Should -Be ($outages.Count + 1)
        $html | Should -Not -Match 'System\.Object\[\]'
    }
}

Describe 'ConvertTo-Json round trips' {
    It 'the report: same rows, same values, dates survive' {
        # Windows PowerShell 5.1's ConvertFrom-Json writes an array as one object: enumerate it.
        $back = @(($report | ConvertTo-Json -Depth 3 | ConvertFrom-Json) | ForEach-Object { $_ })

        $back.Count | Should -Be $report.Count
        $wrong = @(for ($i = 0; $i -lt $report.Count; $i++) {
            foreach ($property in 'ComputerId', 'Computer', 'Client', 'Status', 'Online7dMinutes', 'Unknown30dMinutes', 'Online30dPercent', 'DaysSinceDataCollection') {
                if ($back[$i].$property -ne $report[$i].$property) { "row $i $property '$($back[$i].$property)' <> '$($report[$i].$property)'" }
            }
            foreach ($date in 'LastContact', 'DataCollectedSince') {
                if ($null -eq $report[$i].$date) { if ($null -ne $back[$i].$date) { "row $i $date should be empty" }; continue }
                if ((ConvertFrom-JsonDate $back[$i].$date).ToUniversalTime() -ne $report[$i].$date.ToUniversalTime()) { "row $i $date '$($back[$i].$date)' <> '$($report[$i].$date)'" }
            }
        })
        $wrong | Should -BeNullOrEmpty
        @($report | Where-Object { $null -ne $_.DataCollectedSince }).Count | Should -BeGreaterThan 0
    }

    It 'the outage list: same periods, start and end survive' {
        # Windows PowerShell 5.1's ConvertFrom-Json writes an array as one object: enumerate it.
        $back = @(($history | ConvertTo-Json -Depth 3 | ConvertFrom-Json) | ForEach-Object { $_ })

        $back.Count | Should -Be $history.Count
        $wrong = @(for ($i = 0; $i -lt $history.Count; $i++) {
            foreach ($property in 'ComputerId', 'State', 'DurationMinutes', 'Duration', 'Open') {
                if ($back[$i].$property -ne $history[$i].$property) { "period $i $property '$($back[$i].$property)' <> '$($history[$i].$property)'" }
            }
            foreach ($date in 'Start', 'End', 'StartUtc', 'EndUtc') {
                if ((ConvertFrom-JsonDate $back[$i].$date).ToUniversalTime() -ne $history[$i].$date.ToUniversalTime()) { "period $i $date '$($back[$i].$date)' <> '$($history[$i].$date)'" }
            }
        })
        $wrong | Should -BeNullOrEmpty
    }
}

Describe 'Where-Object on report rows' {
    It 'Online30dPercent -lt 100 keeps the computers with offline time (and those never observed)' {
        $below = @($report | Where-Object Online30dPercent -lt 100)

        $below.Count | Should -BeGreaterThan 0
        $below.Count | Should -BeLessThan $report.Count
        @($below.ComputerId) | Should -Contain $offlineId
        # A computer with no observed time has no percentage ($null), and PowerShell's $null -lt 100 is true.
        @($below | Where-Object { $_.Offline30dMinutes -eq 0 -and $_.Observed30dMinutes -gt 0 }).Computer | Should -BeNullOrEmpty
        @($report | Where-Object { $below.ComputerId -notcontains $_.ComputerId -and $_.Offline30dMinutes -gt 0 }).Computer | Should -BeNullOrEmpty
    }

    It 'Online30dPercent -lt 100 with observed time: exactly the computers with offline time' {
        $below = @($report | Where-Object { $_.Observed30dMinutes -gt 0 -and $_.Online30dPercent -lt 100 })
        $offline = @($report | Where-Object Offline30dMinutes -gt 0)

        $below.Count | Should -BeGreaterThan 0
        @($below.ComputerId | Sort-Object) | Should -Be @($offline.ComputerId | Sort-Object)
    }

    It 'Status -eq Offline keeps the silent computers, and filtered rows still export cleanly' {
        $offline = @($report | Where-Object Status -eq 'Offline')
        @($offline.ComputerId) | Should -Contain $offlineId
        @($offline.ComputerId) | Should -Not -Contain $onlineId
        $path = Join-Path $TestDrive 'offline.csv'
        $offline | Export-Csv -Path $path -NoTypeInformation
        @(Import-Csv -Path $path).Count | Should -Be $offline.Count
    }
}

Describe 'Format-Table at 80 columns: <Kind>' -ForEach $outputKinds {
    BeforeAll {
        $text = $outputs[$Kind] | Format-Table | Out-String -Width 80
        $lines = @(($text -replace "\x1b\[[0-9;]*m", '') -split "\r?\n")
    }

    It 'fits in 80 columns' {
        $outputs[$Kind].Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty -Because 'no line may be wider than 80 columns'
    }

    It 'shows the key columns, each header whole on one line' {
        $header = @(Get-HeaderLines $lines)
        $header.Count | Should -Be 1 -Because "a header wrapped over lines is unreadable: $($header -join ' / ')"
        foreach ($column in $Columns) {
            $header[0] | Should -Match ('(^|\s){0}(\s|$)' -f [regex]::Escape($column)) -Because "'$column' is a key column of $Kind"
        }
    }

    It 'does not cut off the values of the key columns' {
        $body = @($lines | Select-Object -Skip 2 | Where-Object { $_.Trim() })
        $body.Count | Should -BeGreaterThan 0
        $cut = @($body | Where-Object { $_ -match ([char]0x2026 + '|\.\.\.') })
        $cut.Count | Should -Be 0 -Because "truncated values hide what the user looks for, e.g. '$(@($cut)[0])'"
    }
}

Describe 'Binding by property name' {
    BeforeAll {
        $clientRows = @(Get-ConnectionReport -ConnectionString $cs -Client $client)
        $clientIds = @($clientRows.ComputerId | Sort-Object)
    }

    It 'Get-ConnectionReport -Client X | Get-ConnectionHistory lists the periods of exactly those computers' {
        $clientIds.Count | Should -BeGreaterThan 1
        $clientIds.Count | Should -BeLessThan $report.Count

        $periods = @(Get-ConnectionReport -ConnectionString $cs -Client $client | Get-ConnectionHistory -ConnectionString $cs -Start $today.AddDays(-2) -End $today)

        @($periods.ComputerId | Sort-Object -Unique) | Should -Be $clientIds
        foreach ($period in $periods) { $period.Client | Should -Be $client }
        $expected = @($history | Where-Object { $clientIds -contains $_.ComputerId })
        $periods.Count | Should -Be $expected.Count
    }

    It 'the help''s example: report | Where-Object | Get-ConnectionHistory -State Offline' {
        $flagged = @(Get-ConnectionReport -ConnectionString $cs -Client $client | Where-Object Online7dPercent -lt 100)
        $flagged.Count | Should -BeGreaterThan 0

        $outages = @(Get-ConnectionReport -ConnectionString $cs -Client $client | Where-Object Online7dPercent -lt 100 | Get-ConnectionHistory -ConnectionString $cs -State Offline)

        $outages.Count | Should -BeGreaterThan 0
        @($outages.ComputerId) | Should -Contain $offlineId
        foreach ($outage in $outages) {
            $outage.State | Should -Be 'Offline'
            @($flagged.ComputerId) | Should -Contain $outage.ComputerId
        }
    }

    It 'report rows piped into a -Start/-End report give window rows for the same computers' {
        $rows = @(Get-ConnectionReport -ConnectionString $cs -Client $client | Get-ConnectionReport -ConnectionString $cs -Start $today.AddDays(-2) -End $today)
        @($rows.ComputerId | Sort-Object) | Should -Be $clientIds
        foreach ($row in $rows) { $row.WindowMinutes | Should -Be $window[0].WindowMinutes }
    }

    It 'binds Client, ComputerName and ComputerId from any object' {
        @([pscustomobject]@{ Client = $client } | Get-ConnectionReport -ConnectionString $cs).ComputerId | Sort-Object | Should -Be $clientIds
        $byName = @([pscustomobject]@{ ComputerName = [string]$known.OfflineName } | Get-ConnectionReport -ConnectionString $cs)
        @($byName.ComputerId) | Should -Be @($offlineId)
        $byId = @(@([pscustomobject]@{ ComputerId = $offlineId }, [pscustomobject]@{ ComputerId = $onlineId }) | Get-ConnectionReport -ConnectionString $cs)
        @($byId.ComputerId | Sort-Object) | Should -Be @($offlineId, $onlineId)
    }
}

Describe '$PSDefaultParameterValues' {
    It 'sets the connection once for every cmdlet of the module, as the README shows' {
        $PSDefaultParameterValues = @{}
        foreach ($name in (Get-Command -Module AutomateAudit).Name) { $PSDefaultParameterValues["${name}:ConnectionString"] = $cs }

        $rows = @(Get-ConnectionReport -ComputerId $offlineId)
        $rows.Count | Should -Be 1
        $rows[0].Status | Should -Be 'Offline'
        @(Get-ConnectionHistory -ComputerId $offlineId -Start $today.AddDays(-2) -End $today).Count | Should -BeGreaterThan 0
        @(Install-AuditTable -PassThru -Confirm:$false | Where-Object Action -ne 'Unchanged').Count | Should -Be 0
    }

    It 'an explicit -ConnectionString wins over a session default for -Server and -Credential' {
        # The README's setup: -Server and -Credential set once per session. Then a one-off report from another database.
        $PSDefaultParameterValues = @{}
        $credential = New-Object System.Management.Automation.PSCredential('automateaudit', (ConvertTo-SecureString 'not-used' -AsPlainText -Force))
        foreach ($name in (Get-Command -Module AutomateAudit).Name) {
            $PSDefaultParameterValues["${name}:Server"] = 'automate-db.invalid'
            $PSDefaultParameterValues["${name}:Credential"] = $credential
        }

        $rows = @(Get-ConnectionReport -ConnectionString $cs -ComputerId $offlineId)

        $rows.Count | Should -Be 1
        $rows[0].ComputerId | Should -Be $offlineId
    }
}
