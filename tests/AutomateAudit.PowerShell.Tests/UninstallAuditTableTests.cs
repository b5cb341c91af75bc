using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Testing;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>
    /// Uninstall-AuditTable drops exactly the module's objects (aa_* tables, views, routines, events, triggers and
    /// automateaudit_* ones) and leaves ProVal's tables, with every row, column and index, and Automate's own tables as
    /// they were.
    /// </summary>
    public class UninstallAuditTableTests
    {
        private static readonly string[] OwnedTables =
        {
            "aa_connection_rollup", "aa_connection_state", "aa_connection_summary", "aa_endpoint_inbox", "aa_idle_hourly", "aa_report_status", "aa_run_log", "aa_schema_version",
            "aa_session_current", "aa_session_history",
        };

        private static readonly string[] ProValTables =
        {
            "plugin_proval_usersessions", "pvl_automate_connection_audit", "pvl_automate_connection_audit_daily", "pvl_report_idlemon",
        };

        /// <summary>Views and routines the module's SQL kit creates (named like the real ones), and look-alikes it must keep.</summary>
        private static readonly string[] OwnedOthers = { "VIEW aa_test_v_report", "VIEW automateaudit_test_v_sessions", "PROCEDURE aa_test_record", "FUNCTION automateaudit_test_fn_minutes", "EVENT aa_test_every_5_minutes", "TRIGGER aa_test_run_log_guard" };

        private static string[] Objects(MySqlConnection c) => c.Query<string>(
            "SELECT CONCAT(CASE WHEN TABLE_TYPE = 'VIEW' THEN 'VIEW ' ELSE 'TABLE ' END, TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() " +
            "UNION ALL SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() " +
            "UNION ALL SELECT CONCAT('EVENT ', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() " +
            "UNION ALL SELECT CONCAT('TRIGGER ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")
            .OrderBy(n => n, StringComparer.Ordinal).ToArray();

        /// <summary>"TYPE name" of an object named like the module's (aa_*, automateaudit_*).</summary>
        private static bool IsOwned(string typeAndName)
        {
            string name = typeAndName.Substring(typeAndName.IndexOf(' ') + 1);
            return name.StartsWith("aa_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("automateaudit_", StringComparison.OrdinalIgnoreCase);
        }

        private static long Checksum(MySqlConnection c, string table) =>
            Convert.ToInt64(c.QuerySingle<(string Table, long Checksum)>("CHECKSUM TABLE `" + table + "`").Checksum);

        /// <summary>Every base table that is not the module's: its checksum, row count, columns with types, and indexes.</summary>
        private static Dictionary<string, string> KeptState(MySqlConnection c)
        {
            var tables = c.Query<string>("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE 'aa!_%' ESCAPE '!'").ToList();
            return tables.ToDictionary(t => t, t =>
                Checksum(c, t) + "|" + c.QuerySingle<long>("SELECT COUNT(*) FROM `" + t + "`") + "|" +
                string.Join(",", c.Query<string>("SELECT CONCAT(COLUMN_NAME, ':', COLUMN_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @t ORDER BY ORDINAL_POSITION", new { t })) + "|" +
                string.Join(",", c.Query<string>("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @t ORDER BY INDEX_NAME", new { t })));
        }

        /// <summary>An installed database with a recorded day, rolled up; rows in every ProVal table; the kit's views and routines.</summary>
        private static (string Cs, MySqlConnection Db, PsSession Ps) InstalledWithData(string purpose)
        {
            string cs = SharedServer.NewAutomateDatabase(purpose);
            var ps = new PsSession();
            ps.Run("Install-AuditTable -ConnectionString $cs -Confirm:$false", ("cs", cs));
            var db = new MySqlConnection(cs);
            db.Open();
            DateTime now = DateTime.UtcNow;
            var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddDays(-2);
            var simulator = new FleetSimulator(new FleetOptions { Agents = 20, Clients = 2, StartUtc = start, Days = 2, Seed = 7 });
            simulator.WriteDirectory(db);
            FleetRecording.Record(cs, simulator, db, start.AddSeconds(97), DateTime.UtcNow.AddMinutes(-1));
            simulator.ApplyUntil(db, DateTime.UtcNow);
            ps.Run("Update-ConnectionAudit -ConnectionString $cs -Confirm:$false; Invoke-DailyRollup -ConnectionString $cs -Confirm:$false", ("cs", cs));
            db.Execute(@"INSERT INTO pvl_report_idlemon (computerid, Username, Domain, IdleTime, IsAdmin, IsDomainAdmin, IsEnterpriseAdmin, ScriptRunTime)
                           VALUES (1, 'jsmith', 'CORP', '0:12:30.5', 'False', 'False', 'False', NOW() - INTERVAL 1 HOUR);
                         INSERT INTO plugin_proval_usersessions (ComputerID, Username, State, LogonDate, SessionLength, `Timestamp`)
                           VALUES (1, 'CORP\\jsmith', 'Active', NOW() - INTERVAL 3 HOUR, 125, NOW() - INTERVAL 1 HOUR);
                         CREATE VIEW aa_test_v_report AS SELECT computerid, state FROM aa_connection_state;
                         CREATE VIEW automateaudit_test_v_sessions AS SELECT 1 AS n;
                         CREATE PROCEDURE aa_test_record() SELECT COUNT(*) FROM aa_connection_state;
                         CREATE FUNCTION automateaudit_test_fn_minutes(x INT) RETURNS INT DETERMINISTIC RETURN x * 60;
                         CREATE EVENT aa_test_every_5_minutes ON SCHEDULE EVERY 5 MINUTE DISABLE DO CALL aa_test_record();
                         CREATE TRIGGER aa_test_run_log_guard BEFORE INSERT ON aa_run_log FOR EACH ROW SET NEW.detail = NEW.detail;
                         -- Look-alikes that are not the module's: an underscore is not a wildcard here.
                         CREATE TABLE aab_keep (id INT PRIMARY KEY); INSERT INTO aab_keep VALUES (1), (2);
                         CREATE VIEW aax_view AS SELECT 1 AS n;
                         CREATE VIEW pvl_v_connection_audit AS SELECT computerid FROM pvl_automate_connection_audit;
                         CREATE PROCEDURE pvl_proc() SELECT 1;");
            Assert.True(db.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit") > 0);
            Assert.True(db.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily") > 0);
            Assert.True(db.QuerySingle<long>("SELECT COUNT(*) FROM aa_connection_state") > 0);
            return (cs, db, ps);
        }

        [Fact]
        public void DropsExactlyTheModulesObjectsAndKeepsProValsTablesWithEveryRow()
        {
            var (cs, db, ps) = InstalledWithData("ps_uninstall");
            using (db)
            using (ps)
            {
                var before = Objects(db);
                var kept = KeptState(db);
                Assert.Equal(new[] { "aab_keep", "clients", "computers", "contacts", "locations" }.Concat(ProValTables).OrderBy(t => t, StringComparer.Ordinal),
                    kept.Keys.OrderBy(t => t, StringComparer.Ordinal));
                long stateRows = db.QuerySingle<long>("SELECT COUNT(*) FROM aa_connection_state");

                var output = ps.Run("Uninstall-AuditTable -ConnectionString $cs -Confirm:$false -PassThru", ("cs", cs));

                // Install-AuditTable may create views and procedures of its own (aa_*): those go too.
                var expected = before.Where(IsOwned).ToArray();
                Assert.Empty(OwnedTables.Select(t => "TABLE " + t).Concat(OwnedOthers).Except(expected));
                Assert.Equal(expected, output.Select(o => ((string)o.Properties["Type"].Value).ToUpperInvariant() + " " + o.Properties["Name"].Value).OrderBy(n => n, StringComparer.Ordinal));
                Assert.All(output, o => Assert.Equal("Removed", o.Properties["Action"].Value.ToString()));
                Assert.Equal(stateRows, (long)output.Single(o => (string)o.Properties["Name"].Value == "aa_connection_state").Properties["Rows"].Value);
                // The events and routines go before the views and tables they use; the schema version last.
                var order = output.Select(o => (string)o.Properties["Name"].Value).ToList();
                Assert.Equal("EVENT", ((string)output[0].Properties["Type"].Value).ToUpperInvariant());
                Assert.Equal("aa_schema_version", order.Last());

                Assert.Equal(before.Except(expected).ToArray(), Objects(db));
                Assert.Equal(kept, KeptState(db));

                // Nothing left: a second run does nothing and says so.
                Assert.Empty(ps.Run("Uninstall-AuditTable -ConnectionString $cs -Confirm:$false -PassThru", ("cs", cs)));
                // Reinstalling afterwards works and keeps the ProVal rows.
                ps.Run("Install-AuditTable -ConnectionString $cs -Confirm:$false", ("cs", cs));
                foreach (string table in ProValTables)
                    Assert.Equal(kept[table].Split('|')[1], db.QuerySingle<long>("SELECT COUNT(*) FROM `" + table + "`").ToString());
            }
        }

        [Fact]
        public void WhatIfDropsNothingAndListsEveryObject()
        {
            var (cs, db, ps) = InstalledWithData("ps_uninstall_whatif");
            using (db)
            using (ps)
            {
                var before = Objects(db);
                var kept = KeptState(db);
                var output = ps.Run("Uninstall-AuditTable -ConnectionString $cs -WhatIf -PassThru", ("cs", cs));
                Assert.Equal(before.Count(IsOwned), output.Count);
                Assert.True(output.Count >= OwnedTables.Length + OwnedOthers.Length);
                Assert.All(output, o => Assert.Equal("Skipped", o.Properties["Action"].Value.ToString()));
                Assert.Equal(before, Objects(db));
                Assert.Equal(kept, KeptState(db));
            }
        }

        [Fact]
        public void ConfirmImpactIsHighSoAPlainRunAsksFirst()
        {
            using var ps = new PsSession();
            var impact = ps.Run("(Get-Command Uninstall-AuditTable).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact");
            Assert.Equal("High", Assert.Single(impact).ToString());
            var parameters = ps.Run("(Get-Command Uninstall-AuditTable).Parameters.Keys").Select(p => p.ToString()).ToList();
            foreach (string name in new[] { "ConnectionString", "Server", "Port", "Database", "Credential", "SslMode", "PassThru", "WhatIf", "Confirm" })
                Assert.Contains(name, parameters);

            // With the default $ConfirmPreference (High) and a host that cannot prompt, nothing is dropped.
            var (cs, db, session) = InstalledWithData("ps_uninstall_prompt");
            using (db)
            using (session)
            {
                var before = Objects(db);
                var (_, errors) = session.TryRun("Uninstall-AuditTable -ConnectionString $cs", ("cs", cs));
                Assert.NotEmpty(errors);
                Assert.Equal(before, Objects(db));
            }
        }

        [Fact]
        public void AnUnreachableServerGivesOneClearError()
        {
            using var ps = new PsSession();
            var (_, errors) = ps.TryRun("Uninstall-AuditTable -ConnectionString 'Server=127.0.0.1;Port=1;Database=labtech;User ID=x;Password=Sup3rSecret' -Confirm:$false");
            var error = Assert.Single(errors);
            Assert.Equal("DatabaseConnectionFailed,AutomateAudit.Cmdlets.UninstallAuditTableCommand", error.FullyQualifiedErrorId);
            Assert.DoesNotContain("Sup3rSecret", error.ToString());
        }
    }
}
