#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The Automate kit (issue 9, examples/automate/): every file parses and says which Automate step it is and which
# variables it reads; every script runs under pwsh with Automate's variables substituted as Automate does it (plain
# text), in a fresh PowerShell (an endpoint, or the server's shell), against a sandbox MariaDB:
#   the inbox route end to end (endpoint payload -> Variable Check regex -> SQL Execute -> Import-AuditInbox -> report),
#   the regex against hostile variables, the per-computer cap of the insert, the direct route (File Upload + Save-UserSession),
#   the server jobs as LTServer Shell Execute bodies and as Task Scheduler commands, the deploy step and its version check,
#   and the idle sampler registration (-WhatIf).
# What reads utmp runs on x86_64 Linux only (glibc's 384-byte record, written here for live processes).

BeforeDiscovery {
    $script:OnLinux = [bool](Get-Variable -Name IsLinux -ValueOnly -ErrorAction SilentlyContinue)
    $script:CanUtmp = $false
    if ($script:OnLinux) {
        $script:CanUtmp = [string][System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
    }
    $kitRoot = Join-Path $PSScriptRoot '../../examples/automate'
    $script:KitFiles = @(Get-ChildItem -LiteralPath $kitRoot -File | Where-Object { $_.Name -ne 'README.md' } |
        ForEach-Object { @{ Name = $_.Name } })
    $script:PowerShellFiles = @($script:KitFiles | Where-Object { $_.Name -like '*.ps1' })
    $script:ShellFiles = @($script:KitFiles | Where-Object { $_.Name -like '*.shell.txt' })
    $script:StepFiles = @($script:KitFiles | Where-Object { $_.Name -ne '53-server-register-scheduled-tasks.ps1' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force

    $script:KitRoot = [System.IO.Path]::GetFullPath((Join-Path (Get-RepoRoot) 'examples/automate'))
    $script:ModuleDir = Split-Path -Parent (Get-ModuleManifestPath)
    $script:ModuleVersion = [string](Import-PowerShellDataFile -LiteralPath (Get-ModuleManifestPath)).ModuleVersion
    $script:Marker = 'PASTE BELOW THIS LINE'
    $script:Epoch = New-Object DateTime 1970, 1, 1, 0, 0, 0, ([DateTimeKind]::Utc)

    function Get-KitText {
        param([string] $Name)
        [System.IO.File]::ReadAllText((Join-Path $script:KitRoot $Name))
    }

    function Get-KitHeader {
        param([string] $Name)
        $text = Get-KitText $Name
        $at = $text.IndexOf($script:Marker)
        if ($at -lt 0) { return $text }
        $text.Substring(0, $at)
    }

    function Get-KitBody {
        # What the admin pastes into the Automate step: everything after the marker line.
        param([string] $Name)
        $text = Get-KitText $Name
        $at = $text.IndexOf($script:Marker)
        if ($at -lt 0) { throw "$Name has no '$($script:Marker)' line" }
        $rest = $text.Substring($at)
        $rest.Substring($rest.IndexOf("`n") + 1).Trim()
    }

    function Expand-KitVariable {
        # Automate's substitution: plain text replacement of %name% and @name@, no escaping.
        param([string] $Text, [hashtable] $Values)
        foreach ($key in $Values.Keys) { $Text = $Text.Replace([string]$key, [string]$Values[$key]) }
        $Text
    }

    function Invoke-KitScript {
        # An "Execute Script" step: the substituted body as a script file in a fresh PowerShell; returns @{ ExitCode; Output }.
        param([string] $Name, [hashtable] $Values = @{}, [string] $Prefix = '')
        $body = Expand-KitVariable -Text (Get-KitBody $Name) -Values $Values
        $file = Join-Path $TestDrive ('step-' + [guid]::NewGuid().ToString('N') + '.ps1')
        [System.IO.File]::WriteAllText($file, $Prefix + [Environment]::NewLine + $body, (New-Object System.Text.UTF8Encoding $false))
        Remove-AnsiEscape (Invoke-FreshPowerShell -File $file)
    }

    function Remove-AnsiEscape {
        # Error text from a child pwsh carries colour escapes; the test report (NUnit XML) cannot hold them.
        param([object] $Run)
        [pscustomobject]@{ ExitCode = $Run.ExitCode; Output = ([string]$Run.Output -replace '\x1b\[[0-9;?]*[A-Za-z]', '') }
    }

    function Get-ShellCommandText {
        # The PowerShell of a one-line  powershell.exe ... -Command "..."  command line.
        param([string] $CommandLine)
        $m = [regex]::Match($CommandLine, '^powershell\.exe [^"]*-Command "(?<command>[^"]*)"$')
        if (-not $m.Success) { throw "Not a powershell.exe -Command ""..."" line: $CommandLine" }
        $m.Groups['command'].Value
    }

    function Invoke-KitShell {
        # An "LTServer Shell Execute" step: the substituted command line's PowerShell, in a fresh PowerShell.
        param([string] $Name, [hashtable] $Values)
        $line = Expand-KitVariable -Text (Get-KitBody $Name) -Values $Values
        Remove-AnsiEscape (Invoke-FreshPowerShell -Command (Get-ShellCommandText $line))
    }

    function Get-OutputLine {
        param([object] $Run)
        @(([string]$Run.Output) -split "`r?`n" | Where-Object { $_.Trim() })
    }

    # utmp / wtmp records: New-UtmpRecord and Write-UtmpFile in TestHelpers.psm1.

    # The database, as a server job sees it: -Server -Port -Database and a credential from Import-Clixml.
    function Get-ServerValues {
        # A database account of its own, with a password (the sandbox's root has none, and Import-Clixml cannot read
        # back an empty SecureString), holding every right on the test database only.
        param([string] $ConnectionString)
        $builder = New-Object System.Data.Common.DbConnectionStringBuilder
        # Methods, not PowerShell's dictionary syntax (which would read and write keys named like the properties).
        $builder.set_ConnectionString($ConnectionString)
        $database = [string]$builder.get_Item('Database')
        $user = 'kit' + [guid]::NewGuid().ToString('N').Substring(0, 12)
        $secret = 'Kit-' + [guid]::NewGuid().ToString('N')
        $null = Invoke-AuditSql -ConnectionString $ConnectionString -Query (("CREATE USER '{0}'@'127.0.0.1' IDENTIFIED BY '{1}'; CREATE USER '{0}'@'localhost' IDENTIFIED BY '{1}'; " +
            "GRANT ALL ON ``{2}``.* TO '{0}'@'127.0.0.1'; GRANT ALL ON ``{2}``.* TO '{0}'@'localhost'") -f $user, $secret, $database)
        $credential = New-Object System.Management.Automation.PSCredential $user, (ConvertTo-SecureString $secret -AsPlainText -Force)
        $credFile = Join-Path $TestDrive ('cred-' + [guid]::NewGuid().ToString('N') + '.xml')
        $credential | Export-Clixml -LiteralPath $credFile
        $port = 3306
        if ($builder.ContainsKey('Port')) { $port = [int]$builder.get_Item('Port') }
        @{
            '@aa_modulepath@' = $script:ModuleDir
            '@aa_dbserver@'   = [string]$builder.get_Item('Server')
            '@aa_dbport@'     = [string]$port
            '@aa_dbname@'     = [string]$builder.get_Item('Database')
            '@aa_credfile@'   = $credFile
        }
    }

    $script:Regex = Get-KitBody '22-server-check-payload.regex.txt'
    $script:InsertSql = Get-KitBody '23-server-insert-inbox.sql'

    $script:Live = @()
    if ([bool](Get-Variable -Name IsLinux -ValueOnly -ErrorAction SilentlyContinue)) {
        $script:Live = @(Start-Process -FilePath 'sleep' -ArgumentList '600' -PassThru)
    }
}

AfterAll {
    foreach ($process in $script:Live) { Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue }
}

Describe 'Every file of the kit' {
    It '<Name>: its header names the Automate step' -ForEach $KitFiles {
        Get-KitHeader $Name | Should -Match 'Automate step\s*:'
    }

    It '<Name>: a step body after the paste line, and a header saying what it reads and sets' -ForEach $StepFiles {
        $header = Get-KitHeader $Name
        $header | Should -Match 'Reads\s*:'
        $header | Should -Match 'Sets\s*:'
        Get-KitBody $Name | Should -Not -BeNullOrEmpty
    }

    It '<Name>: the body uses only the Automate variables its header lists, and no other at-sign or percent sign' -ForEach $StepFiles {
        # Automate substitutes %name% and @name@ anywhere in the text: a stray one in the body could be taken for a variable.
        $header = Get-KitHeader $Name
        $body = Get-KitBody $Name
        $tokens = @([regex]::Matches($body, '(@[A-Za-z_][A-Za-z0-9_]*@|%[A-Za-z_][A-Za-z0-9_]*%)') | ForEach-Object { $_.Value } | Sort-Object -Unique)
        foreach ($token in $tokens) { $header | Should -Match ([regex]::Escape($token)) -Because "$token is used in the body" }
        $rest = $body
        foreach ($token in $tokens) { $rest = $rest.Replace($token, '') }
        $rest | Should -Not -Match '[@%]' -Because 'the only at-signs and percent signs are the variables'
    }

    It '<Name> parses as PowerShell without errors (whole file and pasted body)' -ForEach $PowerShellFiles {
        $tokens = $null
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $KitRoot $Name), [ref]$tokens, [ref]$errors)
        @($errors) | Should -BeNullOrEmpty
        if ($Name -ne '53-server-register-scheduled-tasks.ps1') {
            $null = [System.Management.Automation.Language.Parser]::ParseInput((Get-KitBody $Name), [ref]$tokens, [ref]$errors)
            @($errors) | Should -BeNullOrEmpty
        }
    }

    It '<Name>: one powershell.exe -Command line whose PowerShell parses, with no double quote inside' -ForEach $ShellFiles {
        $body = Get-KitBody $Name
        @($body -split "`r?`n").Count | Should -Be 1
        $command = Get-ShellCommandText $body
        $command | Should -Not -BeNullOrEmpty
        $tokens = $null
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($command, [ref]$tokens, [ref]$errors)
        @($errors) | Should -BeNullOrEmpty
    }

    It 'the SQL step is one non-empty statement with the cap of 20 pending payloads' {
        $InsertSql | Should -Not -BeNullOrEmpty
        $InsertSql | Should -Match '^INSERT INTO aa_endpoint_inbox \(computerid, payload\) SELECT %computerid%, ''@payload@'' FROM DUAL WHERE'
        $InsertSql | Should -Match "status = 'pending'\) < 20;?$"
        @($InsertSql -split ';' | Where-Object { $_.Trim() }).Count | Should -Be 1
    }

    It 'the Variable Check regex is the one the module documents' {
        $Regex | Should -BeExactly '^[A-Za-z0-9+/=]{1,60000}$'
    }

    It 'README.md covers every kit file, the Linux prerequisites and hosted servers' {
        $readme = Get-KitText 'README.md'
        foreach ($file in $KitFiles) { $readme | Should -Match ([regex]::Escape($file.Name)) }
        $readme | Should -Match '/usr/local/ltechagent/state'
        $readme | Should -Match 'computer_id'
        $readme | Should -Match '(?i)hosted'
    }
}

Describe 'The Variable Check regex and the SQL Execute cap' {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'kit_cap' -Agents 5 -Install
        $good = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes('{"format":1}'))
    }

    It 'refuses a hostile variable: <Case>' -ForEach @(
        @{ Case = 'a quote'; Value = "abc'def" }
        @{ Case = 'SQL after a quote'; Value = "QUJD', 'x'); DELETE FROM computers; -- " }
        @{ Case = 'a backslash'; Value = 'QUJD\' }
        @{ Case = 'a newline and a quote'; Value = "QUJD`n'" }
        @{ Case = 'an error message'; Value = 'Import-Module : The specified module was not loaded' }
        @{ Case = 'nothing'; Value = '' }
        @{ Case = '60,001 characters'; Value = 'A' * 60001 }
    ) {
        $Value -match $Regex | Should -BeFalse
        $Value -cmatch $Regex | Should -BeFalse
    }

    It 'accepts one line of base64' {
        $good -cmatch $Regex | Should -BeTrue
        ('A' * 60000) -cmatch $Regex | Should -BeTrue
    }

    It 'the SQL Execute step stops at 20 pending payloads per computer (the 21st is not inserted), and only pending ones count' {
        $statement = Expand-KitVariable -Text $InsertSql -Values @{ '%computerid%' = '5'; '@payload@' = $good }
        $null = Invoke-AuditSql -ConnectionString $cs -Query ((1..21 | ForEach-Object { $statement.TrimEnd(';') }) -join ";`n")
        $count = 'SELECT COUNT(*) AS N FROM aa_endpoint_inbox WHERE computerid = {0} AND status = ''pending'''
        [int]@(Invoke-AuditSql -ConnectionString $cs -Query ($count -f 5))[0].N | Should -Be 20
        # Another computer is not held back by computer 5's backlog.
        $other = Expand-KitVariable -Text $InsertSql -Values @{ '%computerid%' = '4'; '@payload@' = $good }
        $null = Invoke-AuditSql -ConnectionString $cs -Query $other
        [int]@(Invoke-AuditSql -ConnectionString $cs -Query ($count -f 4))[0].N | Should -Be 1
        # A rejected payload frees its place.
        $null = Invoke-AuditSql -ConnectionString $cs -Query "UPDATE aa_endpoint_inbox SET status = 'rejected', reason = 'test' WHERE computerid = 5 ORDER BY id LIMIT 1"
        $null = Invoke-AuditSql -ConnectionString $cs -Query ((1..2 | ForEach-Object { $statement.TrimEnd(';') }) -join ";`n")
        [int]@(Invoke-AuditSql -ConnectionString $cs -Query ($count -f 5))[0].N | Should -Be 20
        [int]@(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM aa_endpoint_inbox WHERE computerid = 5')[0].N | Should -Be 21
    }
}

Describe 'The inbox route, end to end: endpoint step on Linux, regex, SQL Execute, Import-AuditInbox, report' -Skip:(-not $CanUtmp) {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'kit_inbox' -Agents 5 -Install
        $server = Get-ServerValues -ConnectionString $cs
        $logon = Get-WholeSecondUtc -MinutesAgo 90
        $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'utmp') -Records @(
            (New-UtmpRecord -Type 7 -ProcessId $Live[0].Id -Line 'pts/71' -Id 'ts/7' -User 'kitalice' -HostName '10.9.8.7' -Time $logon)
        )
        $wtmp = Write-UtmpFile -Path (Join-Path $TestDrive 'wtmp') -Records @(
            (New-UtmpRecord -Type 7 -ProcessId $Live[0].Id -Line 'pts/71' -Id 'ts/7' -User 'kitalice' -HostName '10.9.8.7' -Time $logon)
            (New-UtmpRecord -Type 7 -ProcessId 31077 -Line 'pts/72' -Id 'ts/2' -User 'kitbob' -Time (Get-WholeSecondUtc -MinutesAgo 80))
            (New-UtmpRecord -Type 8 -ProcessId 31077 -Line 'pts/72' -Id 'ts/2' -Time (Get-WholeSecondUtc -MinutesAgo 30))
        )
        $endpoint = @{ '@aa_modulepath@' = $ModuleDir; '@aa_utmp@' = $utmp; '@aa_wtmp@' = $wtmp; '@aa_sincehours@' = '3' }
        $run = Invoke-KitScript -Name '20-endpoint-collect-sessions.ps1' -Values $endpoint
        $lines = @(Get-OutputLine $run)
        $payload = if ($lines.Count) { $lines[-1].Trim() } else { '' }
    }

    It 'the session step (Execute Script) writes exactly one line: the payload' {
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $lines.Count | Should -Be 1 -Because $run.Output
        $json = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($payload)) | ConvertFrom-Json
        $json.kind | Should -Be 'UserSessions'
        @($json.items | ForEach-Object { $_.UserName }) | Should -Be @('kitalice')
        @($json.events | ForEach-Object { '{0} {1}' -f $_.UserName, $_.Kind }) | Should -Contain 'kitbob Logoff'
    }

    It 'the Variable Check regex accepts it, and the SQL Execute step puts it in the inbox as pending' {
        $payload -cmatch $Regex | Should -BeTrue
        $sql = Expand-KitVariable -Text $InsertSql -Values @{ '%computerid%' = '3'; '@payload@' = $payload }
        $null = Invoke-AuditSql -ConnectionString $cs -Query $sql
        $rows = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT computerid, status, payload FROM aa_endpoint_inbox')
        $rows.Count | Should -Be 1
        [int]$rows[0].computerid | Should -Be 3
        [string]$rows[0].status | Should -Be 'pending'
        [string]$rows[0].payload | Should -BeExactly $payload
    }

    It 'Import-AuditInbox (52, LTServer Shell Execute) applies it; Get-UserSessionReport shows the session' {
        $import = Invoke-KitShell -Name '52-server-import-inbox.shell.txt' -Values $server
        $import.ExitCode | Should -Be 0 -Because $import.Output
        $import.Output | Should -Match 'Saved\s+1'
        [int]@(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM aa_endpoint_inbox')[0].N | Should -Be 0 -Because 'an applied payload is deleted'
        $report = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 3 -ErrorAction Stop)
        @($report | ForEach-Object { $_.LoggedInUser }) | Should -Be @('kitalice')
        $report[0].SessionName | Should -Be 'pts/71'
        $report[0].SessionState | Should -Be 'Active'
        $window = @(Get-UserSessionReport -ConnectionString $cs -ComputerId 3 -Start ([DateTime]::Now.AddDays(-1)) -ErrorAction Stop)
        @($window | ForEach-Object { $_.UserName } | Sort-Object -Unique) | Should -Contain 'kitbob' -Because 'the logoff event travelled too'
    }

    It 'the idle step (Execute Script) makes a payload that passes the regex, goes in by the same SQL step and is applied' {
        $idleValues = @{ '@aa_modulepath@' = $ModuleDir; '@aa_utmp@' = $utmp; '@aa_idlelogdir@' = (Join-Path $TestDrive 'idle-log'); '@aa_sincehours@' = '2' }
        $idle = Invoke-KitScript -Name '21-endpoint-collect-idle.ps1' -Values $idleValues
        $idle.ExitCode | Should -Be 0 -Because $idle.Output
        $idleLines = @(Get-OutputLine $idle)
        $idleLines.Count | Should -Be 1 -Because $idle.Output
        $idlePayload = $idleLines[0].Trim()
        $idlePayload -cmatch $Regex | Should -BeTrue
        ([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($idlePayload)) | ConvertFrom-Json).kind | Should -Not -Be 'UserSessions'
        $sql = Expand-KitVariable -Text $InsertSql -Values @{ '%computerid%' = '4'; '@payload@' = $idlePayload }
        $null = Invoke-AuditSql -ConnectionString $cs -Query $sql
        $import = Invoke-KitShell -Name '52-server-import-inbox.shell.txt' -Values $server
        $import.ExitCode | Should -Be 0 -Because $import.Output
        $import.Output | Should -Match 'Saved\s+1'
        [int]@(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT COUNT(*) AS N FROM aa_endpoint_inbox')[0].N | Should -Be 0
        @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT Username FROM pvl_report_idlemon WHERE computerid = 4' | ForEach-Object { [string]$_.Username }) | Should -Contain 'kitalice'
    }
}

Describe 'The direct route: JSON file, File Upload, Save-UserSession by LTServer Shell Execute' -Skip:(-not $CanUtmp) {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'kit_direct' -Agents 5 -Install
        $server = Get-ServerValues -ConnectionString $cs
        $utmp = Write-UtmpFile -Path (Join-Path $TestDrive 'direct-utmp') -Records @(
            (New-UtmpRecord -Type 7 -ProcessId $Live[0].Id -Line 'pts/73' -Id 'ts/3' -User 'kitcarol' -Time (Get-WholeSecondUtc -MinutesAgo 40))
        )
        $emptyWtmp = Write-UtmpFile -Path (Join-Path $TestDrive 'direct-wtmp') -Records @()
        $uploadFile = Join-Path $TestDrive 'endpoint/upload/sessions.json'
        $run = Invoke-KitScript -Name '30-endpoint-write-sessions-json.ps1' -Values @{
            '@aa_modulepath@' = $ModuleDir; '@aa_uploadfile@' = $uploadFile; '@aa_utmp@' = $utmp; '@aa_wtmp@' = $emptyWtmp }
        $computerName = [string]@(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT Name FROM computers WHERE ComputerID = 2')[0].Name
    }

    It 'the endpoint step writes the JSON file and prints its path' {
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-OutputLine $run) | Should -Be @($uploadFile)
        $json = [System.IO.File]::ReadAllText($uploadFile) | ConvertFrom-Json
        @($json.items | ForEach-Object { $_.UserName }) | Should -Be @('kitcarol')
        Test-Path -LiteralPath ($uploadFile + '.partial') | Should -BeFalse
    }

    It 'the server step finds the uploaded file by %computerid% and saves it' {
        # File Upload's layout: Uploads/<ClientName>/<ComputerName (ComputerID)>/<file>.
        $uploads = Join-Path $TestDrive 'LTShare/Uploads'
        $folder = Join-Path $uploads ("Client 001/$computerName (2)")
        $null = New-Item -ItemType Directory -Path $folder -Force
        Copy-Item -LiteralPath $uploadFile -Destination (Join-Path $folder 'sessions.json')
        # Another computer whose id ends in 2 is not picked up.
        $null = New-Item -ItemType Directory -Path (Join-Path $uploads 'Client 001/WS-OTHER (12)') -Force
        Copy-Item -LiteralPath $uploadFile -Destination (Join-Path $uploads 'Client 001/WS-OTHER (12)/sessions.json')
        $values = $server.Clone()
        $values['%computerid%'] = '2'
        $values['@aa_uploads@'] = $uploads
        $save = Invoke-KitShell -Name '31-server-save-uploaded-sessions.shell.txt' -Values $values
        $save.ExitCode | Should -Be 0 -Because $save.Output
        $save.Output | Should -Match '\b2\s+Saved\b'
        @(Get-UserSessionReport -ConnectionString $cs -ComputerId 2 -ErrorAction Stop | ForEach-Object { $_.LoggedInUser }) | Should -Be @('kitcarol')
        @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT DISTINCT ComputerID FROM plugin_proval_usersessions' | ForEach-Object { [int]$_.ComputerID }) | Should -Be @(2)
    }
}

Describe 'The server jobs run against the database' {
    BeforeAll {
        $cs = New-AuditTestDatabase -Name 'kit_jobs' -Agents 5 -Days 3 -Record
        $server = Get-ServerValues -ConnectionString $cs
        function Get-JobCounts {
            $c = @(Invoke-AuditSql -ConnectionString $cs -Query 'SELECT (SELECT COUNT(*) FROM aa_run_log) AS Runs, (SELECT COUNT(*) FROM pvl_automate_connection_audit_daily) AS Daily')[0]
            [pscustomobject]@{ Runs = [int]$c.Runs; Daily = [int]$c.Daily }
        }
    }

    It '50 (Update-ConnectionAudit as LTServer Shell Execute) records a run' {
        $before = Get-JobCounts
        $run = Invoke-KitShell -Name '50-server-record-connections.shell.txt' -Values $server
        $run.ExitCode | Should -Be 0 -Because $run.Output
        (Get-JobCounts).Runs | Should -BeGreaterThan $before.Runs
    }

    It '51 (Invoke-DailyRollup as LTServer Shell Execute) rolls up the finished days' {
        $run = Invoke-KitShell -Name '51-server-daily-rollup.shell.txt' -Values $server
        $run.ExitCode | Should -Be 0 -Because $run.Output
        (Get-JobCounts).Daily | Should -BeGreaterThan 0
    }

    It '52 (Import-AuditInbox as LTServer Shell Execute) runs on an empty inbox' {
        $run = Invoke-KitShell -Name '52-server-import-inbox.shell.txt' -Values $server
        $run.ExitCode | Should -Be 0 -Because $run.Output
    }

    Context '53: the Task Scheduler commands (-WhatIf: nothing registered, the command lines written)' {
        BeforeAll {
            $tasks = @(& (Join-Path $KitRoot '53-server-register-scheduled-tasks.ps1') -Server $server['@aa_dbserver@'] -Port ([int]$server['@aa_dbport@']) `
                -Database $server['@aa_dbname@'] -CredentialPath $server['@aa_credfile@'] -ModulePath $ModuleDir -WhatIf)
        }

        It 'writes the three tasks as powershell.exe -NoProfile -Command "..." with the credential from Import-Clixml' {
            @($tasks | ForEach-Object { $_.Name }) | Should -Be @('\AutomateAudit\Record connections', '\AutomateAudit\Import inbox', '\AutomateAudit\Daily rollup')
            foreach ($task in $tasks) {
                $task.Execute | Should -Be 'powershell.exe'
                $task.Argument | Should -Match '^-NoProfile .*-Command ".*Import-Clixml .*"$'
            }
        }

        It 'each task''s command runs against the database: <_>' -ForEach @('Record connections', 'Import inbox', 'Daily rollup') {
            $taskName = "\AutomateAudit\$_"
            $task = @($tasks | Where-Object { $_.Name -eq $taskName })[0]
            $task | Should -Not -BeNullOrEmpty
            $before = Get-JobCounts
            $run = Remove-AnsiEscape (Invoke-FreshPowerShell -Command (Get-ShellCommandText ('powershell.exe ' + $task.Argument)))
            $run.ExitCode | Should -Be 0 -Because $run.Output
            if ($taskName -like '*Record connections') { (Get-JobCounts).Runs | Should -BeGreaterThan $before.Runs }
        }

        It 'refuses to register without -TaskCredential (when not -WhatIf)' {
            { & (Join-Path $KitRoot '53-server-register-scheduled-tasks.ps1') -Server 'db' -CredentialPath 'x.xml' -Confirm:$false } | Should -Throw '*TaskCredential*'
        }
    }
}

Describe 'The deploy step, on this machine into a temporary folder' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        # What ./build.sh package makes: a zip holding the AutomateAudit folder.
        $zip = Join-Path $TestDrive "AutomateAudit-$ModuleVersion.zip"
        [System.IO.Compression.ZipFile]::CreateFromDirectory($ModuleDir, $zip, [System.IO.Compression.CompressionLevel]::Fastest, $true)
        $root = Join-Path $TestDrive 'opt/automateaudit'
        $installed = Join-Path $root 'AutomateAudit'
        $installedManifest = Join-Path $installed 'AutomateAudit.psd1'
        $values = @{ '@aa_version@' = $ModuleVersion; '@aa_package@' = $zip; '@aa_installroot@' = $root }

        function Set-InstalledVersion {
            param([string] $Version)
            $text = [System.IO.File]::ReadAllText($installedManifest)
            $text = [regex]::Replace($text, "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$Version'")
            [System.IO.File]::WriteAllText($installedManifest, $text)
        }
    }

    It 'installs into the install root''s AutomateAudit folder and prints the version' {
        $run = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values $values
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-OutputLine $run) | Should -Be @($ModuleVersion)
        Test-Path -LiteralPath $installedManifest | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $installed 'dependencies/AutomateAudit.Endpoint.dll') | Should -BeTrue
        @(Get-ChildItem -LiteralPath $root | ForEach-Object { $_.Name }) | Should -Be @('AutomateAudit') -Because 'no staging folder is left behind'
        $check = Remove-AnsiEscape (Invoke-FreshPowerShell -Command "Import-Module '$installed'; (Get-Module AutomateAudit).Version.ToString(); (Get-Command Get-UserSession).Name")
        $check.ExitCode | Should -Be 0 -Because $check.Output
        @(Get-OutputLine $check) | Should -Be @($ModuleVersion, 'Get-UserSession')
    }

    It 'a second run with the same version changes nothing and prints the installed version' {
        $keep = Join-Path $installed 'marker.txt'
        Set-Content -LiteralPath $keep -Value 'still here'
        $run = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values $values
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-OutputLine $run) | Should -Be @($ModuleVersion)
        Test-Path -LiteralPath $keep | Should -BeTrue -Because 'the installed copy was not replaced'
    }

    It 'a newer installed version is kept (version unset: the package is opened and compared)' {
        Set-InstalledVersion '99.0.0'
        $newer = $values.Clone()
        $newer.Remove('@aa_version@')
        $run = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values $newer
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-OutputLine $run) | Should -Be @('99.0.0')
        Test-Path -LiteralPath (Join-Path $installed 'marker.txt') | Should -BeTrue
    }

    It 'an older installed version is replaced' {
        Set-InstalledVersion '0.0.1'
        $run = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values $values
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-OutputLine $run) | Should -Be @($ModuleVersion)
        Test-Path -LiteralPath (Join-Path $installed 'marker.txt') | Should -BeFalse -Because 'the old copy was replaced whole'
        [string](Import-PowerShellDataFile -LiteralPath $installedManifest).ModuleVersion | Should -Be $ModuleVersion
        @(Get-ChildItem -LiteralPath $root | ForEach-Object { $_.Name }) | Should -Be @('AutomateAudit')
    }

    It 'installs from a .nupkg (module at the root), leaving the package metadata out' {
        $nupkgDir = Join-Path $TestDrive 'nupkg-content'
        Copy-Item -LiteralPath $ModuleDir -Destination $nupkgDir -Recurse
        Set-Content -LiteralPath (Join-Path $nupkgDir '[Content_Types].xml') -Value '<Types/>'
        Set-Content -LiteralPath (Join-Path $nupkgDir 'AutomateAudit.nuspec') -Value '<package/>'
        $null = New-Item -ItemType Directory -Path (Join-Path $nupkgDir '_rels')
        Set-Content -LiteralPath (Join-Path $nupkgDir '_rels/.rels') -Value '<Relationships/>'
        $nupkg = Join-Path $TestDrive "AutomateAudit.$ModuleVersion.nupkg"
        [System.IO.Compression.ZipFile]::CreateFromDirectory($nupkgDir, $nupkg, [System.IO.Compression.CompressionLevel]::Fastest, $false)
        $otherRoot = Join-Path $TestDrive 'from-nupkg'
        $run = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values @{ '@aa_version@' = $ModuleVersion; '@aa_package@' = $nupkg; '@aa_installroot@' = $otherRoot }
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-OutputLine $run) | Should -Be @($ModuleVersion)
        $names = @(Get-ChildItem -LiteralPath (Join-Path $otherRoot 'AutomateAudit') -Force | ForEach-Object { $_.Name })
        $names | Should -Contain 'AutomateAudit.psd1'
        $names | Should -Not -Contain '_rels'
        $names | Should -Not -Contain '[Content_Types].xml'
        $names | Should -Not -Contain 'AutomateAudit.nuspec'
    }

    It 'with aa_sha256 set, a package with another hash is refused and nothing changes' {
        $hash = (Get-FileHash -LiteralPath $zip -Algorithm SHA256).Hash
        $otherRoot = Join-Path $TestDrive 'hash-checked'
        $wrong = $values.Clone()
        $wrong['@aa_installroot@'] = $otherRoot
        $wrong['@aa_sha256@'] = ('0' * 64)
        $run = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values $wrong
        $run.ExitCode | Should -Not -Be 0
        $run.Output | Should -Match 'refused'
        Test-Path -LiteralPath (Join-Path $otherRoot 'AutomateAudit') | Should -BeFalse
        $right = $wrong.Clone()
        $right['@aa_sha256@'] = $hash
        $run = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values $right
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-OutputLine $run) | Should -Be @($ModuleVersion)
    }

    It 'a missing package fails with a message that is not a version (the output check catches it)' {
        $missing = Invoke-KitScript -Name '10-endpoint-deploy-module.ps1' -Values @{ '@aa_version@' = '9.9.9'; '@aa_package@' = (Join-Path $TestDrive 'none.zip'); '@aa_installroot@' = (Join-Path $TestDrive 'nothing') }
        $missing.ExitCode | Should -Not -Be 0
        $missing.Output | Should -Match 'File Download'
        $missing.Output | Should -Not -Match '^\d+\.\d+\.\d+(\.\d+)?$'
        Test-Path -LiteralPath (Join-Path $TestDrive 'nothing/AutomateAudit') | Should -BeFalse
    }
}

Describe 'Registering the idle sampler (-WhatIf here)' {
    It 'the Linux branch runs with -WhatIf: the service and exclusions it would write, nothing written' -Skip:(-not $OnLinux) {
        $run = Invoke-KitScript -Name '40-endpoint-register-idle-sampler.ps1' -Prefix '$WhatIfPreference = $true' -Values @{
            '@aa_modulepath@' = $ModuleDir; '@aa_idle_exclude@' = 'kiosk, svc-scanner' }
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'What if: .*automateaudit-idle\.service'
        $run.Output | Should -Match 'What if: .*idle-exclude'
    }

    It 'the Windows branch calls Register-IdleSampler -ExcludeUser ... -Confirm:$false -PassThru (parse-checked: it needs Windows)' {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput((Get-KitBody '40-endpoint-register-idle-sampler.ps1'), [ref]$null, [ref]$null)
        $calls = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'Register-IdleSampler' }, $true))
        $calls.Count | Should -Be 4
        foreach ($call in $calls) {
            $text = $call.Extent.Text
            $text | Should -Match '-Confirm:\$false'
            $text | Should -Match '-PassThru'
        }
        @($calls | Where-Object { $_.Extent.Text -match '-ExcludeUser \$exclude' }).Count | Should -Be 2
    }
}
