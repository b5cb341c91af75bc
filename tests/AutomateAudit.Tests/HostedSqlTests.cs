using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using MySqlConnector;

namespace AutomateAudit.Tests
{
    /// <summary>Hosted servers: Install-AuditTable -Script, the dataview views and the recorder as a stored procedure.</summary>
    public class HostedSqlTests
    {
        private static MySqlConnection Open(string connectionString)
        {
            var connection = new MySqlConnection(new MySqlConnectionStringBuilder(connectionString) { AllowUserVariables = true }.ConnectionString);
            connection.Open();
            return connection;
        }

        private static void Run(MySqlConnection connection, string sql)
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = sql;
                command.CommandTimeout = 300;
                command.ExecuteNonQuery();
            }
        }

        /// <summary>Every row of a query as text, one line per row.</summary>
        private static List<string> Rows(MySqlConnection connection, string sql)
        {
            var rows = new List<string>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = sql;
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        var fields = new string[reader.FieldCount];
                        for (int i = 0; i < reader.FieldCount; i++)
                            fields[i] = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
                        rows.Add(string.Join("|", fields));
                    }
                }
            }
            return rows;
        }

        /// <summary>Everything the script could change: every table's rows (checksums) and shape, the views and the routines.</summary>
        private static List<string> Snapshot(MySqlConnection connection)
        {
            var snapshot = new List<string>();
            foreach (string table in Rows(connection, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"))
                snapshot.AddRange(Rows(connection, "CHECKSUM TABLE `" + table + "`"));
            snapshot.AddRange(Rows(connection, "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION"));
            snapshot.AddRange(Rows(connection, "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"));
            snapshot.AddRange(Rows(connection, "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"));
            snapshot.AddRange(Rows(connection, "SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION, ROUTINE_COMMENT FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME"));
            snapshot.AddRange(Rows(connection, "SELECT * FROM aa_schema_version ORDER BY component"));
            return snapshot;
        }

        [Fact]
        public void HostedScriptRunsTwiceStatementByStatementAndTheSecondRunChangesNothing()
        {
            string script = SchemaInstaller.Script("labtech");
            Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex("^\\s*DELIMITER", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.IgnoreCase), script);
            var statements = SchemaInstaller.SplitScript(script);
            Assert.Contains(statements, s => s.StartsWith("CREATE PROCEDURE `aa_record_connections`", StringComparison.Ordinal));
            Assert.Equal(SchemaInstaller.Tables.Count, statements.Count(s => s.StartsWith("CREATE TABLE IF NOT EXISTS", StringComparison.Ordinal)));
            // An Automate SQL string holds about 65,500 characters: each statement must fit in one SQL Execute step.
            Assert.All(statements, s => Assert.True(s.Length < 60000, "statement of " + s.Length + " characters"));

            string cs = SharedServer.NewAutomateDatabase("hosted_script");
            using var connection = Open(cs);
            Run(connection, "INSERT INTO clients (ClientID, Name) VALUES (1, 'Acme'); INSERT INTO locations (LocationID, ClientID, Name) VALUES (1, 1, 'HQ'); " +
                "INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, LastContact) VALUES (1, 1, 1, 'PC1', 'Windows 11', NOW())");
            foreach (string sql in statements) Run(connection, sql);
            var first = Snapshot(connection);
            foreach (string sql in statements) Run(connection, sql);
            Assert.Equal(first, Snapshot(connection));
            // The whole script in one go, as a client that sends multi-statement batches would.
            Run(connection, script);
            Assert.Equal(first, Snapshot(connection));

            var views = Rows(connection, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME");
            Assert.Equal(new[] { "aa_v_connection_report", "aa_v_idle_report", "aa_v_user_sessions" }, views);
            Assert.Equal(new[] { "aa_import_inbox", "aa_inbox_check_idle", "aa_inbox_check_sessions", "aa_inbox_dates", "aa_inbox_decode", "aa_inbox_texts", "aa_inbox_write", "aa_record_connections" },
                Rows(connection, "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME"));
            foreach (string view in views) Rows(connection, "SELECT * FROM `" + view + "`");
            Assert.Equal(new[] { "schema|" + SchemaInstaller.SchemaVersion }, Rows(connection, "SELECT component, version FROM aa_schema_version"));

            // The script leaves nothing for the module's own installer to do.
            using var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs));
            Assert.All(new SchemaInstaller(session).Plan(), plan => Assert.Empty(plan.Statements));

            // And the procedure it created records.
            Run(connection, "CALL aa_record_connections(15)");
            Assert.Equal(new[] { "connection|ok|1" }, Rows(connection, "SELECT job, status, rows_written FROM aa_run_log"));
            Assert.Equal(new[] { "1|1|0" }, Rows(connection, "SELECT computerid, state, removed FROM pvl_automate_connection_audit"));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ASchemaTwoInstallationGetsTheCoveringIndexesAndKeepsEveryRow(bool hostedScript)
        {
            const string indexes = "SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() " +
                "AND TABLE_NAME = 'pvl_automate_connection_audit' ORDER BY INDEX_NAME, SEQ_IN_INDEX";
            string fresh = SharedServer.NewAutomateDatabase("schema3_fresh");
            using (var session = AuditSession.Open(ConnectionSettings.FromConnectionString(fresh))) new SchemaInstaller(session).InstallAll();
            List<string> expected;
            using (var connection = Open(fresh)) expected = Rows(connection, indexes);
            Assert.Contains("ix_aa_audit_computer_changes|4|removed", expected);

            // An installation of schema 2, with history in it.
            string cs = SharedServer.NewAutomateDatabase("schema3_upgrade" + (hostedScript ? "_script" : ""));
            using var db = Open(cs);
            using (var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs))) new SchemaInstaller(session).InstallAll();
            Run(db, "INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', NOW()), (2, 'B', NOW() - INTERVAL 1 HOUR)");
            Run(db, "CALL aa_record_connections(15)");
            Run(db, "ALTER TABLE pvl_automate_connection_audit DROP INDEX ix_aa_audit_computer_changes, DROP INDEX ix_aa_audit_effective_changes, " +
                "ADD KEY ix_aa_audit_computer_effective (computerid, effective_utc), ADD KEY ix_aa_audit_effective (effective_utc); " +
                "UPDATE aa_schema_version SET version = 2 WHERE component = 'schema'");
            var rows = Rows(db, "SELECT * FROM pvl_automate_connection_audit ORDER BY id");
            Assert.Equal(2, rows.Count);

            if (hostedScript) foreach (string sql in SchemaInstaller.SplitScript(SchemaInstaller.Script())) Run(db, sql);
            else using (var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs))) new SchemaInstaller(session).InstallAll();

            Assert.Equal(expected, Rows(db, indexes));
            Assert.Equal(rows, Rows(db, "SELECT * FROM pvl_automate_connection_audit ORDER BY id"));
            Assert.Equal(new[] { "schema|" + SchemaInstaller.SchemaVersion }, Rows(db, "SELECT component, version FROM aa_schema_version"));
        }

        [Fact]
        public void HostedScriptUpgradesProValTablesAndAdoptsTheirRows()
        {
            string cs = SharedServer.NewAutomateDatabase("hosted_upgrade");
            using var connection = Open(cs);
            Run(connection,
                "CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME); " +
                "CREATE TABLE pvl_automate_connection_audit_daily (computerid INT, online INT, offline INT, datacollectiontime DATETIME); " +
                "INSERT INTO pvl_automate_connection_audit VALUES (5, 1, '2026-11-10 08:00:00', '2026-11-10 08:05:00'), (5, 0, '2026-11-10 09:00:00', '2026-11-10 09:20:00'); " +
                "INSERT INTO pvl_automate_connection_audit_daily VALUES (5, 600, 840, '2026-11-11 00:05:00')");
            var statements = SchemaInstaller.SplitScript(SchemaInstaller.Script());
            foreach (string sql in statements) Run(connection, sql);
            var first = Snapshot(connection);
            foreach (string sql in statements) Run(connection, sql);
            Assert.Equal(first, Snapshot(connection));

            using var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs));
            Assert.All(new SchemaInstaller(session).Plan(), plan => Assert.Empty(plan.Statements));
            Assert.Equal(new[] { "1|5", "2|5" }, Rows(connection, "SELECT id, computerid FROM pvl_automate_connection_audit ORDER BY id"));
            Assert.Equal(new[] { "0" }, Rows(connection, "SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc IS NULL"));
            // 09:00 New York (EST) is 14:00 UTC: the state continues from the last adopted row.
            Assert.Equal(new[] { "5|0|11/10/2026 14:00:00" }, Rows(connection, "SELECT computerid, state, effective_utc FROM aa_connection_state"));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void AdoptedEffectiveTimesNeverRunBackwardsInRecordingOrder(bool script)
        {
            // ProVal recorded local times. Across the 2026-11-01 fall-back in New York (01:00-02:00 twice) and after a
            // LastContact that went back, a row can read earlier than the one recorded before it: it is raised to the
            // running maximum of its computer's rows, and no other row changes.
            string cs = SharedServer.NewAutomateDatabase(script ? "adopt_steps_script" : "adopt_steps");
            using var connection = Open(cs);
            Run(connection,
                "CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME); " +
                "CREATE TABLE pvl_automate_connection_audit_daily (computerid INT, online INT, offline INT, datacollectiontime DATETIME); " +
                "INSERT INTO pvl_automate_connection_audit VALUES " +
                "(1, 1, '2026-11-01 00:50:00', '2026-11-01 00:55:00'), (1, 0, '2026-11-01 01:40:00', '2026-11-01 01:59:00'), " +
                "(1, 1, '2026-11-01 01:10:00', '2026-11-01 01:15:00'), (1, 0, '2026-11-01 01:20:00', '2026-11-01 01:40:00'), (1, 1, '2026-11-01 03:00:00', '2026-11-01 03:05:00'), " +
                "(2, 1, '2026-11-10 10:00:00', '2026-11-10 10:05:00'), (2, 0, '2026-11-10 09:00:00', '2026-11-10 10:30:00'), (2, 1, '2026-11-10 12:00:00', '2026-11-10 12:05:00'), " +
                "(3, 1, '2026-11-10 08:00:00', '2026-11-10 08:05:00'), (3, 0, '2026-11-10 09:00:00', '2026-11-10 09:20:00')");
            if (script)
            {
                foreach (string sql in SchemaInstaller.SplitScript(SchemaInstaller.Script())) Run(connection, sql);
            }
            else
            {
                using var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs));
                new SchemaInstaller(session).InstallAll();
            }
            // The server's zone (SYSTEM) reads an ambiguous 01:xx as EST (the later instant): 01:40 is 06:40 UTC, and the
            // rows recorded after it at 01:10 and 01:20 (06:10, 06:20 UTC) are raised to 06:40.
            Assert.Equal(new[]
            {
                "1|1|11/01/2026 04:50:00", "2|1|11/01/2026 06:40:00", "3|1|11/01/2026 06:40:00", "4|1|11/01/2026 06:40:00", "5|1|11/01/2026 08:00:00",
                "6|2|11/10/2026 15:00:00", "7|2|11/10/2026 15:00:00", "8|2|11/10/2026 17:00:00",
                "9|3|11/10/2026 13:00:00", "10|3|11/10/2026 14:00:00",
            }, Rows(connection, "SELECT id, computerid, effective_utc FROM pvl_automate_connection_audit ORDER BY id"));
        }

        [Fact]
        public void InstallingAgainRunsTheWholeTableAdoptionPassesOnlyForRowsClaimedNow()
        {
            string cs = SharedServer.NewAutomateDatabase("adopt_again");
            using var connection = Open(cs);
            Run(connection,
                "CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME); " +
                "INSERT INTO pvl_automate_connection_audit VALUES (3, 1, '2026-11-10 08:00:00', '2026-11-10 08:05:00'), (3, 0, '2026-11-10 09:00:00', '2026-11-10 09:20:00')");
            List<string> Install()
            {
                var statements = new List<string>();
                using (var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs), m => { if (m.StartsWith("SQL (", StringComparison.Ordinal)) statements.Add(m.Substring(m.IndexOf("): ", StringComparison.Ordinal) + 3)); }))
                    new SchemaInstaller(session).InstallAll();
                return statements;
            }
            bool StepBackFix(string sql) => sql.StartsWith("UPDATE `pvl_automate_connection_audit` a JOIN (SELECT id, m FROM", StringComparison.Ordinal);
            bool StateFromAdopted(string sql) => sql.StartsWith("INSERT INTO `aa_connection_state`", StringComparison.Ordinal);
            bool SummaryCopy(string sql) => sql.StartsWith("INSERT INTO `aa_connection_summary`", StringComparison.Ordinal);

            var first = Install();
            Assert.Contains(first, StepBackFix);
            Assert.Contains(first, StateFromAdopted);
            Assert.Contains(first, SummaryCopy);
            // Over the finished installation, nothing to claim: no pass over the whole table, no copy from before schema 2.
            var again = Install();
            Assert.Contains(again, sql => sql.StartsWith("UPDATE `pvl_automate_connection_audit` SET collected_utc", StringComparison.Ordinal));
            Assert.DoesNotContain(again, StepBackFix);
            Assert.DoesNotContain(again, StateFromAdopted);
            Assert.DoesNotContain(again, SummaryCopy);

            // ProVal's monitor, still running, adds a row that reads earlier than the one before it, and a new computer.
            Run(connection, "INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) VALUES " +
                "(3, 1, '2026-11-10 08:30:00', '2026-11-10 09:25:00'), (4, 1, '2026-11-10 10:00:00', '2026-11-10 10:05:00')");
            var claimed = Install();
            Assert.Contains(claimed, StepBackFix);
            Assert.Contains(claimed, StateFromAdopted);
            Assert.DoesNotContain(claimed, SummaryCopy);
            Assert.Equal(new[] { "3|11/10/2026 13:00:00", "3|11/10/2026 14:00:00", "3|11/10/2026 14:00:00", "4|11/10/2026 15:00:00" },
                Rows(connection, "SELECT computerid, effective_utc FROM pvl_automate_connection_audit ORDER BY id"));
            Assert.Equal(new[] { "3|0", "4|1" }, Rows(connection, "SELECT computerid, state FROM aa_connection_state ORDER BY computerid"));

            // A row without any usable time is never adopted, so it is not claimed (nor the passes run) on every install.
            Run(connection, "INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) VALUES (6, 1, NULL, NULL)");
            Assert.DoesNotContain(Install(), StepBackFix);

            // An install that stopped after claiming rows (its mark left behind): the next one runs the passes again.
            Run(connection, "INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) VALUES (5, 1, '2026-11-10 11:00:00', '2026-11-10 11:05:00')");
            Run(connection, ConnectionAuditTables.Audit.AdoptSql[0]);
            Run(connection, "INSERT INTO aa_schema_version (component, version, module_version, updated_utc) VALUES ('adoption', 0, 'test', UTC_TIMESTAMP())");
            Assert.Contains(Install(), StateFromAdopted);
            Assert.Equal(new[] { "3|0", "4|1", "5|1" }, Rows(connection, "SELECT computerid, state FROM aa_connection_state ORDER BY computerid"));
            Assert.Equal(new[] { "schema|" + SchemaInstaller.SchemaVersion }, Rows(connection, "SELECT component, version FROM aa_schema_version"));

            // The state table dropped since (an uninstall stopped half-way): recreated, and filled from the adopted rows again.
            Run(connection, "DROP TABLE aa_connection_state");
            Assert.Contains(Install(), StateFromAdopted);
            Assert.Equal(new[] { "3|1", "4|1", "5|1" }, Rows(connection, "SELECT computerid, state FROM aa_connection_state ORDER BY computerid"));
        }

        [Fact]
        public void HostedInstallAuditTableCreatesTheViewsAndTheProcedureIdempotently()
        {
            using var h = new Harness("hosted_install");
            var again = new SchemaInstaller(h.Db).InstallAll();
            foreach (string name in new[] { "aa_v_connection_report", "aa_v_user_sessions", "aa_v_idle_report", "aa_record_connections" })
            {
                var result = again.Single(r => r.Table == name);
                Assert.Equal(TableAction.Unchanged, result.Action);
            }
            Assert.Equal(3, h.Scalar("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"));
        }

        [Fact]
        public void HostedViewsShowTheDataviewColumns()
        {
            using var h = new Harness("hosted_views");
            // Server clock pinned at 2026-11-12 12:00 New York.
            h.Execute("SET timestamp = UNIX_TIMESTAMP('2026-11-12 12:00:00')");
            h.Execute("INSERT INTO clients (ClientID, Name) VALUES (1, 'Acme'); INSERT INTO locations (LocationID, ClientID, Name, ProbeID) VALUES (1, 1, 'HQ', 2); " +
                "INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, BiosFlash, Flags, LastUsername, LastContact) VALUES " +
                "(1, 1, 1, 'SRV1', 'Microsoft Windows Server 2022', '', 2048, 'admin', '2026-11-12 11:58:00'), " +
                "(2, 1, 1, 'LAP2', 'Microsoft Windows 11', 'Portable', 0, 'pat', '2026-11-12 09:00:00'), " +
                "(3, 1, 1, 'PC3', 'Microsoft Windows 10', '', 0, 'sam', '2026-11-12 11:59:00')");
            // Module rows for yesterday and 5 days ago; a ProVal-only row (day NULL) written at 00:05 for the day before yesterday.
            h.Execute("INSERT INTO pvl_automate_connection_audit_daily (computerid, online, offline, datacollectiontime, day, online_seconds, offline_seconds) VALUES " +
                "(1, 1440, 0, '2026-11-12 00:31:00', '2026-11-11', 86400, 0), (1, 1000, 440, '2026-11-07 00:31:00', '2026-11-07', 60000, 26400), " +
                "(1, 0, 0, '2026-11-12 00:31:00', '2026-11-12', 0, 0)");
            h.Execute("INSERT INTO pvl_automate_connection_audit_daily (computerid, online, offline, datacollectiontime) VALUES (1, 720, 720, '2026-11-11 00:05:00'), (1, 5, 5, '2026-11-12 00:05:00')");
            var row = Rows(h.Simulator, "SELECT `Client`, `Location`, `Computer`, `Form Factor`, `Status`, `Minutes Since Last Contact`, " +
                "`24 Hours Online Minutes`, `24 Hours Offline Minutes`, `24 Hours Online Percentage`, `7 Days Online Minutes`, `7 Days Offline Minutes`, " +
                "`7 Days Online`, `7 Days Unknown Minutes`, `30 Days Offline Percentage` FROM aa_v_connection_report ORDER BY computerid");
            Assert.Equal(3, row.Count);
            // 24 h = yesterday (the module's row wins over ProVal's for the same day); 7 d = 11-11 + ProVal's 11-10 + 11-07.
            Assert.Equal("Acme|HQ|SRV1|Virtual Server|Online|2|1440|0|100.00|3160|1160|2day 4hr 40min|5760|26.85", row[0]);
            Assert.StartsWith("Acme|HQ|LAP2|Laptop|Offline|180|0|0|NULL|", row[1]);
            Assert.StartsWith("Acme|HQ|PC3|Desktop|Online|1|", row[2]);

            h.Execute("INSERT INTO plugin_proval_usersessions (ComputerID, Username, State, LogonDate, SessionLength, `Timestamp`) VALUES " +
                "(2, 'old', 'Active', '2026-11-10 08:00:00', 10, '2026-11-10 09:00:00'), (2, 'pat', 'Active', '2026-11-12 08:00:00', 60, '2026-11-12 09:00:00'), " +
                "(2, 'admin', 'Disconnected', '2026-11-11 08:00:00', 1500, '2026-11-12 09:00:00')");
            Assert.Equal(new[] { "LAP2|Laptop|Offline|Yes|admin|Disconnected|1500", "LAP2|Laptop|Offline|Yes|pat|Active|60" },
                Rows(h.Simulator, "SELECT `Computer Name`, `Agent Type`, `Status`, `Probe PC`, `Logged in User`, `Session State`, `Session Length (Minute)` FROM aa_v_user_sessions ORDER BY `Logged in User`"));

            h.Execute("INSERT INTO pvl_report_idlemon (computerid, Username, Domain, IdleTime, IsAdmin, IsDomainAdmin, IsEnterpriseAdmin, ScriptRunTime) VALUES " +
                "(3, 'sam', 'CORP', '00:10:00.0000000', 'False', 'False', 'False', '2026-11-12 10:00:00'), " +
                "(3, 'sam', 'CORP', '00:00:05.0000000', 'False', 'False', 'False', '2026-11-12 11:00:00'), " +
                "(1, NULL, NULL, NULL, NULL, NULL, NULL, '2026-11-12 11:00:00')");
            Assert.Equal(new[] { "SRV1|Not Logged In|NULL", "PC3|sam|00:00:05.0000000" },
                Rows(h.Simulator, "SELECT `Computer`, `Username`, `Idle Time` FROM aa_v_idle_report ORDER BY computerid"));
        }

        [Fact]
        public void HostedProcedureRecordsExactlyAsTheRecorderOnTheSameFleet()
        {
            // Two days across the fall-back (2026-11-01 in New York), with agents added and removed, and a
            // stretch where recording stopped.
            var options = new FleetOptions { Agents = 120, Clients = 4, StartUtc = new DateTime(2026, 10, 31, 4, 0, 0, DateTimeKind.Utc), Days = 2, Seed = 11, AddedShare = 0.1, RemovedShare = 0.1, FlakyShare = 0.3 };
            using var viaCode = new Harness("hosted_eq_code");
            using var viaSql = new Harness("hosted_eq_sql");
            var simCode = new FleetSimulator(options);
            var simSql = new FleetSimulator(options);
            simCode.WriteDirectory(viaCode.Simulator);
            simSql.WriteDirectory(viaSql.Simulator);
            // Rolled days in both, so that reopening them is compared too.
            foreach (var h in new[] { viaCode, viaSql })
            {
                h.Execute("INSERT INTO aa_connection_rollup (day, start_utc, end_utc, computers, rolled_utc) VALUES " +
                    "('2026-10-31', '2026-10-31 04:00:00', '2026-11-01 04:00:00', 0, '2026-10-30 00:00:00'), " +
                    "('2026-11-01', '2026-11-01 04:00:00', '2026-11-02 05:00:00', 0, '2026-10-30 00:00:00'), " +
                    "('2026-11-02', '2026-11-02 05:00:00', '2026-11-03 05:00:00', 0, '2026-10-30 00:00:00')");
            }
            var recorder = new ConnectionRecorder(viaCode.Db);
            using var sqlRecorder = Open(viaSql.ConnectionString);
            var stopped = (new DateTime(2026, 11, 1, 14, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 1, 16, 40, 0, DateTimeKind.Utc));
            var replayCode = new HistoryReplay(simCode, options.StartUtc.AddSeconds(97), options.EndUtc) { Stopped = stopped };
            var replaySql = new HistoryReplay(simSql, options.StartUtc.AddSeconds(97), options.EndUtc) { Stopped = stopped };
            var codeCounts = new List<int>();
            var sqlCounts = new List<string>();
            int runs = replayCode.Run(viaCode.Simulator, t => { viaCode.Db.Server.UseSimulatedClock(t); codeCounts.Add(recorder.Record(TimeSpan.FromMinutes(15)).Changes.Count); });
            replaySql.Run(viaSql.Simulator, t =>
            {
                long seconds = (long)(t - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
                Run(sqlRecorder, "SET timestamp = " + seconds);
                Run(sqlRecorder, "CALL aa_record_connections(15)");
                sqlCounts.Add(Rows(sqlRecorder, "SELECT rows_written FROM aa_run_log ORDER BY id DESC LIMIT 1").Single());
            });
            Assert.True(runs > 500);
            Assert.Equal(codeCounts.Select(c => c.ToString(CultureInfo.InvariantCulture)), sqlCounts);
            Assert.Equal(Rows(viaCode.Simulator, "CHECKSUM TABLE computers")[0].Split('|')[1], Rows(viaSql.Simulator, "CHECKSUM TABLE computers")[0].Split('|')[1]);

            string history = "SELECT computerid, state, lastcontact, effective_utc, removed, datacollectiontime, collected_utc FROM pvl_automate_connection_audit ORDER BY id";
            var expected = Rows(viaCode.Simulator, history);
            Assert.True(expected.Count > 400, "history rows: " + expected.Count);
            Assert.Contains(expected, r => r.Split('|')[4] == "1");
            Assert.Equal(expected, Rows(viaSql.Simulator, history));
            string state = "SELECT computerid, state, lastcontact, lastcontact_utc, effective_utc, removed, updated_utc, first_seen_utc FROM aa_connection_state ORDER BY computerid";
            Assert.Equal(Rows(viaCode.Simulator, state), Rows(viaSql.Simulator, state));
            string rollup = "SELECT day, start_utc, end_utc FROM aa_connection_rollup ORDER BY day";
            Assert.Equal(Rows(viaCode.Simulator, rollup), Rows(viaSql.Simulator, rollup));
            string runLog = "SELECT id, job, started_utc, started_local, status, rows_written FROM aa_run_log ORDER BY id";
            Assert.Equal(Rows(viaCode.Simulator, runLog), Rows(viaSql.Simulator, runLog));
            // The runs are the same to the module's reports: the run log's coverage agrees too.
            Assert.Equal(new[] { "0" }, Rows(viaSql.Simulator, "SELECT COUNT(*) FROM aa_run_log WHERE status <> 'ok' OR finished_utc IS NULL"));
            Assert.Equal(new[] { "0" }, Rows(viaSql.Simulator, "SELECT IS_USED_LOCK('AutomateAudit.ConnectionAudit@" + viaSql.Settings.Database + "') IS NOT NULL"));
        }

        [Fact]
        public void HostedProcedureRefusesABadArgumentAndWritesNothing()
        {
            using var h = new Harness("hosted_bad");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', NOW())");
            var ex = Assert.Throws<MySqlException>(() => h.Execute("CALL aa_record_connections(0)"));
            Assert.Contains("offline_minutes", ex.Message);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_run_log"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            // A run that fails after it started is logged 'failed', rolled back, and its lock released.
            h.Execute("ALTER TABLE aa_connection_state ADD COLUMN broken INT NOT NULL");
            Assert.Throws<MySqlException>(() => h.Execute("CALL aa_record_connections(15)"));
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM aa_run_log WHERE status = 'failed' AND detail LIKE '%broken%'"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            Assert.Equal(1, h.Scalar("SELECT IS_FREE_LOCK('AutomateAudit.ConnectionAudit@" + h.Settings.Database + "')"));
        }

        [Fact]
        public void HostedProcedureDetectsChangesWithTheRecordersOwnSql()
        {
            // The procedure embeds the statement Update-ConnectionAudit runs, with its parameters as procedure variables.
            string body = string.Join("\n", HostedProcedures.RecordConnections("test").Statements);
            string expected = ConnectionHistoryStore.DetectChanges.Replace("@nowUtc", "v_now_utc").Replace("@nowLocal", "v_now_local").Replace("@offlineSeconds", "v_offline_seconds");
            Assert.Contains(expected, body);
            Assert.DoesNotContain("@nowUtc", body);
        }

        [Fact]
        public void HostedProcedureWaitsForTheRecordersLock()
        {
            using var h = new Harness("hosted_lock");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', NOW())");
            string lockName = ServerStore.LockName(ConnectionRecorder.LockName, h.Settings.Database);
            // The recorder's lock, held as Update-ConnectionAudit holds it during a run.
            Assert.Equal(1, h.Scalar("SELECT GET_LOCK('" + lockName + "', 0)"));
            using var caller = Open(h.ConnectionString);
            var call = System.Threading.Tasks.Task.Run(() => Run(caller, "CALL aa_record_connections(15)"));
            System.Threading.Thread.Sleep(1500);
            Assert.False(call.IsCompleted);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_run_log"));
            h.Execute("DO RELEASE_LOCK('" + lockName + "')");
            Assert.True(call.Wait(TimeSpan.FromSeconds(30)));
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM aa_run_log WHERE status = 'ok' AND rows_written = 1"));
            Assert.Equal(1, h.Scalar("SELECT IS_FREE_LOCK('" + lockName + "')"));
        }
    }
}
