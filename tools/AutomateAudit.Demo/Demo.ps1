# The AutomateAudit demo: what an Automate admin's scheduled jobs and reports do, against the sandbox.
# Step Install: create the module's tables. Step Report: record, roll up, report.
param(
    [Parameter(Mandatory)] [string] $ConnectionString,
    [Parameter(Mandatory)] [string] $Module,
    [ValidateSet('Install', 'Report')] [string] $Step = 'Report'
)
$ErrorActionPreference = 'Stop'
# Each block is formatted on its own: pwsh would otherwise lay every later object out in the first table's columns.
Import-Module $Module
$PSDefaultParameterValues['*:ConnectionString'] = $ConnectionString

if ($Step -eq 'Install') {
    '== Install-AuditTable -PassThru'
    Install-AuditTable -PassThru | ForEach-Object { [pscustomobject]@{ Table = $_.Table; Action = $_.Action; Changes = $_.Changes } } | Format-Table -AutoSize | Out-String -Width 4096 | ForEach-Object { $_.TrimEnd() }
    return
}

'== Update-ConnectionAudit -PassThru   (the 5-minute job; here it records what changed since the last simulated run)'
$changes = @(Update-ConnectionAudit -PassThru)
"{0} change(s) recorded" -f $changes.Count
$changes | ForEach-Object { [pscustomobject]@{ ComputerId = $_.ComputerId; State = $_.State; Kind = $_.Kind; LastContact = $_.LastContact } } | Format-Table -AutoSize | Out-String -Width 4096 | ForEach-Object { $_.TrimEnd() }

''
'== Invoke-DailyRollup -PassThru   (the nightly job; backfills every completed day not yet rolled up)'
Invoke-DailyRollup -PassThru | ForEach-Object {
    [pscustomobject]@{ Day = $_.Day.ToString('yyyy-MM-dd'); Minutes = $_.DayMinutes; Computers = $_.Computers; Online = $_.OnlineMinutes; Offline = $_.OfflineMinutes; Unknown = $_.UnknownMinutes; Ms = $_.DurationMs }
} | Format-Table -AutoSize | Out-String -Width 4096 | ForEach-Object { $_.TrimEnd() }

''
'== Get-ConnectionReport   (the dataview: 24 hours, 7 days, 30 days ending now; first 25 computers)'
$report = @(Get-ConnectionReport)
$report | Where-Object ComputerId -le 25 | ForEach-Object {
    [pscustomobject]@{
        Computer = $_.Computer; Client = $_.Client; Status = $_.Status; 'Form factor' = $_.FormFactor
        'Online 24h' = $_.Online24h; '24h %' = $_.Online24hPercent; 'Online 7d' = $_.Online7d; '7d %' = $_.Online7dPercent
        '30d %' = $_.Online30dPercent; 'Observed 30d' = $_.Observed30dMinutes; 'Unknown 30d' = $_.Unknown30dMinutes; 'Days of data' = $_.DaysSinceDataCollection
    }
} | Format-Table -Property * -AutoSize | Out-String -Width 4096 | ForEach-Object { $_.TrimEnd() }
"{0} computers reported; {1} offline now." -f $report.Count, @($report | Where-Object Status -eq 'Offline').Count

''
'== Least available servers over 7 days'
$servers = @($report | Where-Object { $_.FormFactor -like '*Server' -and $_.Observed7dMinutes -gt 0 })
$byAvailability = [Linq.Enumerable]::OrderBy([object[]]$servers, [Func[object, double]] { param($s) $s.Online7dPercent })
[Linq.Enumerable]::Take($byAvailability, 8) | ForEach-Object {
    [pscustomobject]@{ Computer = $_.Computer; Client = $_.Client; 'Online 7d %' = $_.Online7dPercent; 'Offline 7d' = $_.Offline7d; 'Unknown 7d' = $_.Unknown7dMinutes }
} | Format-Table -AutoSize | Out-String -Width 4096 | ForEach-Object { $_.TrimEnd() }

''
'== Get-ConnectionHistory -State Offline -MinimumMinutes 60   (outages of the first 10 computers, last 3 days)'
# The first 10 computers Automate still has: the simulated fleet removes a few, at random.
$firstTen = @($report | Sort-Object ComputerId | Select-Object -First 10 -ExpandProperty ComputerId)
Get-ConnectionHistory -ComputerId $firstTen -Start ([datetime]::Now.AddDays(-3)) -State Offline -MinimumMinutes 60 | ForEach-Object {
    [pscustomobject]@{ Computer = $_.Computer; Start = $_.Start; End = $_.End; Duration = $_.Duration; 'Still going' = $_.Open }
} | Format-Table -AutoSize | Out-String -Width 4096 | ForEach-Object { $_.TrimEnd() }

