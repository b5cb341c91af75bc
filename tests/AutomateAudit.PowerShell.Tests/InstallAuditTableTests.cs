using System;
using System.Linq;
using AutomateAudit.Testing;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.PowerShell.Tests
{
    public class InstallAuditTableTests
    {
        /// <summary>The schema version this module installs (SchemaInstaller.SchemaVersion, internal to the engine).</summary>
        private const int SchemaVersion = 4;

        private static readonly string[] ModuleTables =
        {
            "aa_connection_rollup", "aa_connection_state", "aa_connection_summary", "aa_endpoint_inbox", "aa_idle_hourly", "aa_report_status", "aa_run_log", "aa_schema_version",
            "aa_session_current", "aa_session_history", "plugin_proval_usersessions",
            "pvl_automate_connection_audit", "pvl_automate_connection_audit_daily", "pvl_report_idlemon",
        };

        private static string[] Tables(MySqlConnection c) =>
            c.Query<string>("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME").ToArray();

        private static long Checksum(MySqlConnection c, string table) =>
            Convert.ToInt64(c.QuerySingle<(string Table, long Checksum)>("CHECKSUM TABLE `" + table + "`").Checksum);

        [Fact]
        public void CreatesEveryTableThenChangesNothingTheSecondTime()
        {
            string cs = SharedServer.NewAutomateDatabase("ps_install");
            using var ps = new PsSession();
            using var db = new MySqlConnection(cs);
            db.Open();
            var automateBefore = new[] { "clients", "locations", "computers", "contacts" }.Select(t => Checksum(db, t)).ToArray();

            var first = ps.Run("Install-AuditTable -ConnectionString $cs -PassThru", ("cs", cs));
            Assert.Equal(ModuleTables, first.Select(r => (string)r.Properties["Table"].Value).OrderBy(t => t, StringComparer.Ordinal).ToArray());
            Assert.All(first, r => Assert.Equal("Created", r.Properties["Action"].Value.ToString()));
            Assert.Equal(ModuleTables.Concat(new[] { "clients", "computers", "contacts", "locations" }).OrderBy(t => t, StringComparer.Ordinal), Tables(db));

            var second = ps.Run("Install-AuditTable -ConnectionString $cs -PassThru", ("cs", cs));
            Assert.Equal(ModuleTables.Length, second.Count);
            Assert.All(second, r => Assert.Equal("Unchanged", r.Properties["Action"].Value.ToString()));
            Assert.Equal(automateBefore, new[] { "clients", "locations", "computers", "contacts" }.Select(t => Checksum(db, t)).ToArray());
            Assert.Equal(SchemaVersion, db.QuerySingle<int>("SELECT version FROM aa_schema_version WHERE component = 'schema'"));
        }

        [Fact]
        public void WhatIfShowsTheDdlAndCreatesNothing()
        {
            string cs = SharedServer.NewAutomateDatabase("ps_whatif");
            using var ps = new PsSession();
            using var db = new MySqlConnection(cs);
            db.Open();
            var before = Tables(db);
            var output = ps.Run("Install-AuditTable -ConnectionString $cs -WhatIf -PassThru", ("cs", cs));
            Assert.Equal(before, Tables(db));
            Assert.Equal(ModuleTables.Length, output.Count);
            Assert.All(output, r => Assert.Equal("Skipped", r.Properties["Action"].Value.ToString()));

            // Installed, with a row ProVal's monitor wrote since: -WhatIf adopts nothing either.
            ps.Run("Install-AuditTable -ConnectionString $cs", ("cs", cs));
            db.Execute("INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) VALUES (7, 1, NOW(), NOW())");
            ps.Run("Install-AuditTable -ConnectionString $cs -WhatIf", ("cs", cs));
            Assert.Equal(1, db.QuerySingle<int>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc IS NULL"));
            ps.Run("Install-AuditTable -ConnectionString $cs", ("cs", cs));
            Assert.Equal(0, db.QuerySingle<int>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc IS NULL"));
        }

        [Fact]
        public void AdoptsExistingProValTablesWithoutLosingARow()
        {
            string cs = SharedServer.NewAutomateDatabase("ps_adopt");
            using var db = new MySqlConnection(cs);
            db.Open();
            // The shapes ProVal's scripts create, with history in them.
            db.Execute(@"CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME);
                CREATE TABLE pvl_automate_connection_audit_daily (computerid INT, online INT, offline INT, datacollectiontime DATETIME);
                CREATE TABLE pvl_report_idlemon (computerid INT, Username VARCHAR(50), Domain VARCHAR(50), IdleTime VARCHAR(50), IsAdmin VARCHAR(5), IsDomainAdmin VARCHAR(5), IsEnterpriseAdmin VARCHAR(5), ScriptRunTime DATETIME);
                CREATE TABLE plugin_proval_usersessions (ComputerID INT, Username VARCHAR(50), State VARCHAR(20), LogonDate DATETIME, SessionLength INT, Timestamp DATETIME);
                INSERT INTO pvl_automate_connection_audit VALUES
                  (1, 1, '2026-11-20 08:00:00', '2026-11-20 08:05:00'), (1, 0, '2026-11-20 12:00:00', '2026-11-20 12:20:00'),
                  (2, 1, '2026-11-20 09:00:00', '2026-11-20 09:05:00');
                INSERT INTO pvl_automate_connection_audit_daily VALUES (1, 1000, 440, '2026-11-21 00:05:00'), (2, 1440, 0, '2026-11-21 00:05:00');
                INSERT INTO pvl_report_idlemon VALUES (1, 'jsmith', 'CORP', '0:12:30.5', 'False', 'False', 'False', '2026-11-20 10:00:00');
                INSERT INTO plugin_proval_usersessions VALUES (1, 'CORP\\jsmith', 'Active', '2026-11-20 07:55:00', 125, '2026-11-20 10:00:00');");
            var proValColumns = db.Query<string>("SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ':', COLUMN_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'p%'").ToList();

            using var ps = new PsSession();
            const string install = "Install-AuditTable -ConnectionString $cs -PassThru -WarningVariable w -WarningAction SilentlyContinue; $w | ForEach-Object { [string]$_.Message }";
            var output = ps.Run(install, ("cs", cs));
            var result = output.Where(o => !(o.BaseObject is string)).ToDictionary(r => (string)r.Properties["Table"].Value, r => r);
            // The adopted days get their figures; those not rolled up in full are named, with what to run for their daily rows.
            string warning = Assert.Single(output.Where(o => o.BaseObject is string).Select(o => (string)o.BaseObject));
            Assert.Matches("^\\d+ days of adopted ProVal history \\(2026-11-20 to \\d{4}-\\d{2}-\\d{2}\\) got only the figures the reports read\\. Run Invoke-DailyRollup", warning);
            Assert.True(db.QuerySingle<long>("SELECT COUNT(*) FROM aa_connection_rollup WHERE provisional = 1") > 0);
            Assert.Equal("Upgraded", result["pvl_automate_connection_audit"].Properties["Action"].Value.ToString());
            Assert.Equal(3L, result["pvl_automate_connection_audit"].Properties["Rows"].Value);
            Assert.Contains("adopted", (string)result["pvl_automate_connection_audit"].Properties["Changes"].Value);

            // Every published column is still there with its type, and every row survived.
            var after = db.Query<string>("SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ':', COLUMN_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'p%'").ToList();
            Assert.Empty(proValColumns.Except(after));
            Assert.Equal(3, db.QuerySingle<int>("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            // ProVal's two daily rows, beside the rows of the days the install rolled up (yesterday, and the first day of the 7-day window).
            Assert.Equal(2, db.QuerySingle<int>("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE datacollectiontime = '2026-11-21 00:05:00' AND online + offline = 1440"));
            Assert.Equal(0, db.QuerySingle<int>("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE datacollectiontime <> '2026-11-21 00:05:00' AND day NOT IN (CURDATE() - INTERVAL 1 DAY, CURDATE() - INTERVAL 7 DAY)"));
            Assert.Equal(1, db.QuerySingle<int>("SELECT COUNT(*) FROM pvl_report_idlemon WHERE Username = 'jsmith'"));
            Assert.Equal(1, db.QuerySingle<int>("SELECT COUNT(*) FROM plugin_proval_usersessions WHERE SessionLength = 125"));
            // Tables ProVal's scripts still write to are not altered at all.
            Assert.Equal(8, db.QuerySingle<int>("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'pvl_report_idlemon'"));
            Assert.Equal(6, db.QuerySingle<int>("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'plugin_proval_usersessions'"));
            // ProVal history is continued: effective times filled, current state taken from the latest row.
            Assert.Equal(0, db.QuerySingle<int>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc IS NULL OR id IS NULL"));
            Assert.Equal(new[] { (1, 0), (2, 1) }, db.Query<(int, int)>("SELECT computerid, state FROM aa_connection_state ORDER BY computerid").ToArray());

            var again = ps.Run(install, ("cs", cs));
            Assert.Equal(ModuleTables.Length, again.Count); // no warning: nothing was adopted this time
            Assert.All(again, r => Assert.Equal("Unchanged", r.Properties["Action"].Value.ToString()));
        }

        [Fact]
        public void AnOlderSchemaStopsTheOtherCmdletsUntilInstallAuditTableRunsAgain()
        {
            string cs = SharedServer.NewAutomateDatabase("ps_outdated");
            using var ps = new PsSession();
            using var db = new MySqlConnection(cs);
            db.Open();
            ps.Run("Install-AuditTable -ConnectionString $cs", ("cs", cs));
            // As a database installed by the previous module version: schema 1, no long-term summary yet.
            db.Execute("UPDATE aa_schema_version SET version = 1 WHERE component = 'schema'; DROP TABLE aa_connection_summary");

            var (_, errors) = ps.TryRun("Update-ConnectionAudit -ConnectionString $cs -Confirm:$false", ("cs", cs));
            var error = Assert.Single(errors);
            Assert.StartsWith("SchemaOutdated,", error.FullyQualifiedErrorId);
            Assert.Contains("Run Install-AuditTable", error.ToString());
            Assert.Equal(0, db.QuerySingle<long>("SELECT COUNT(*) FROM aa_run_log"));

            ps.Run("Install-AuditTable -ConnectionString $cs", ("cs", cs));
            Assert.Equal(SchemaVersion, db.QuerySingle<int>("SELECT version FROM aa_schema_version WHERE component = 'schema'"));
            Assert.Contains("aa_connection_summary", Tables(db));
            ps.Run("Update-ConnectionAudit -ConnectionString $cs -Confirm:$false", ("cs", cs));
            Assert.Equal(1, db.QuerySingle<long>("SELECT COUNT(*) FROM aa_run_log WHERE status = 'ok'"));

            // Tables a newer module version installed: a clear error, nothing written.
            db.Execute("UPDATE aa_schema_version SET version = @v WHERE component = 'schema'", new { v = SchemaVersion + 1 });
            var (_, newer) = ps.TryRun("Update-ConnectionAudit -ConnectionString $cs -Confirm:$false", ("cs", cs));
            Assert.StartsWith("SchemaNewer,", Assert.Single(newer).FullyQualifiedErrorId);
            Assert.Contains("Update this module", newer[0].ToString());
            Assert.Equal(1, db.QuerySingle<long>("SELECT COUNT(*) FROM aa_run_log"));
            var (_, install) = ps.TryRun("Install-AuditTable -ConnectionString $cs -Confirm:$false", ("cs", cs));
            Assert.StartsWith("SchemaNewer,", Assert.Single(install).FullyQualifiedErrorId);
            Assert.Equal(SchemaVersion + 1, db.QuerySingle<int>("SELECT version FROM aa_schema_version WHERE component = 'schema'"));
        }

        [Fact]
        public void AnUnreachableServerGivesOneClearErrorWithoutThePassword()
        {
            using var ps = new PsSession();
            var (_, errors) = ps.TryRun(
                "$cred = [pscredential]::new('audit', [Net.NetworkCredential]::new('', 'Sup3rSecret!').SecurePassword); " +
                "Install-AuditTable -Server 127.0.0.1 -Port 1 -Credential $cred");
            var error = Assert.Single(errors);
            Assert.Equal("DatabaseConnectionFailed,AutomateAudit.Cmdlets.InstallAuditTableCommand", error.FullyQualifiedErrorId);
            Assert.Contains("127.0.0.1:1", error.ToString());
            Assert.DoesNotContain("Sup3rSecret", error.ToString());
            Assert.DoesNotContain("Sup3rSecret", error.Exception.ToString());
        }

        [Fact]
        public void BadCredentialsGiveOneClearErrorWithoutThePassword()
        {
            var builder = new MySqlConnectionStringBuilder(SharedServer.Instance.AdminConnectionString) { UserID = "nobody", Password = "Sup3rSecret!", Database = "mysql" };
            using var ps = new PsSession();
            var (_, errors) = ps.TryRun("Install-AuditTable -ConnectionString $cs", ("cs", builder.ConnectionString));
            var error = Assert.Single(errors);
            Assert.Contains("nobody@127.0.0.1", error.ToString());
            Assert.DoesNotContain("Sup3rSecret", error.ToString());
            Assert.DoesNotContain("Sup3rSecret", error.Exception.ToString());
        }

        [Fact]
        public void ConnectionSettingsComeFromPSDefaultParameterValues()
        {
            string cs = SharedServer.NewAutomateDatabase("ps_defaults");
            using var ps = new PsSession();
            var output = ps.Run("$PSDefaultParameterValues['*-AuditTable:ConnectionString'] = $cs; Install-AuditTable -PassThru", ("cs", cs));
            Assert.Equal(ModuleTables.Length, output.Count);
        }

        [Fact]
        public void NeitherServerNorConnectionStringIsAClearError()
        {
            using var ps = new PsSession();
            var (_, errors) = ps.TryRun("Install-AuditTable");
            Assert.Contains("-Server", Assert.Single(errors).ToString());
        }
    }
}

namespace AutomateAudit.PowerShell.Tests
{
    using System.IO;
    using System.Text.RegularExpressions;

    public class GrantTests
    {
        /// <summary>The README's grant list is enough for every cmdlet, and nothing more is needed.</summary>
        [Fact]
        public void EveryCmdletWorksWithOnlyTheGrantsTheReadmeLists()
        {
            string cs = SharedServer.NewAutomateDatabase("ps_grants");
            var builder = new MySqlConnectionStringBuilder(cs);
            string database = builder.Database;
            string user = "aa_" + Guid.NewGuid().ToString("N").Substring(0, 10);
            string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
            string block = Regex.Match(readme, @"### MySQL grants.*?```sql\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
            var statements = block.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("CREATE USER") || l.StartsWith("GRANT")).ToList();
            Assert.True(statements.Count >= 10, "the README's grant block was not found");
            using (var admin = new MySqlConnection(SharedServer.Instance.AdminConnectionString))
            {
                admin.Open();
                foreach (string statement in statements)
                {
                    admin.Execute(statement.Replace("'automateaudit'@'%'", "'" + user + "'@'127.0.0.1'")
                        .Replace("IDENTIFIED BY '...'", "IDENTIFIED BY 'Gr4nts!'").Replace("labtech.", "`" + database + "`."));
                }
            }
            using var fixture = new MySqlConnection(cs);
            fixture.Open();
            fixture.Execute("INSERT INTO clients (ClientID, Name) VALUES (1, 'Acme'); INSERT INTO locations (LocationID, ClientID, Name) VALUES (1, 1, 'HQ'); " +
                            "INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact) VALUES (1, 1, 1, 'PC1', NOW()), (2, 1, 1, 'PC2', NOW() - INTERVAL 1 HOUR)");
            string limited = new MySqlConnectionStringBuilder(cs) { UserID = user, Password = "Gr4nts!" }.ConnectionString;

            using var ps = new PsSession();
            var (output, errors) = ps.TryRun(
                "$PSDefaultParameterValues['*:ConnectionString'] = $cs; " +
                "Install-AuditTable -PassThru; Update-ConnectionAudit -PassThru; Invoke-DailyRollup -PassThru; Get-ConnectionReport; Get-ConnectionHistory",
                ("cs", limited));
            Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.ToString())));
            Assert.Equal(2, output.Count(o => o.TypeNames[0].EndsWith("ConnectionReportRow")));
        }
    }
}

namespace AutomateAudit.PowerShell.Tests
{
    public class ConnectionParameterTests
    {
        [Fact]
        public void AConnectionStringAndSeparateConnectionPartsAreRejectedTogether()
        {
            using var ps = new PsSession();
            var (_, errors) = ps.TryRun("Install-AuditTable -ConnectionString 'Server=x' -SslMode Required");
            var error = Assert.Single(errors);
            Assert.Equal("InvalidConnectionParameters,AutomateAudit.Cmdlets.InstallAuditTableCommand", error.FullyQualifiedErrorId);
        }

        [Fact]
        public void AReportOnADatabaseWithoutTheModuleTablesSaysWhatToDo()
        {
            string cs = AutomateAudit.Testing.SharedServer.NewAutomateDatabase("ps_noschema");
            using var ps = new PsSession();
            var (_, errors) = ps.TryRun("Get-ConnectionReport -ConnectionString $cs", ("cs", cs));
            Assert.Contains("Install-AuditTable", Assert.Single(errors).ToString());
        }
    }
}
