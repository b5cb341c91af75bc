using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.Tests
{
    /// <summary>
    /// Server settings the module meets on production servers, each on a private MariaDB started for it. The
    /// rest of the suite runs in the strictest sql_mode; here the server's default mode gets a smoke run, and a
    /// server logging statements (binlog_format=STATEMENT) is refused before anything is written.
    /// </summary>
    public class ServerSettingsTests
    {
        [Fact]
        public void AStatementFormatBinaryLogIsRefusedBeforeAnythingIsWritten()
        {
            using var server = MariaDbServer.StartPrivate(binlogFormat: "STATEMENT");
            string cs = server.CreateDatabase("labtech");
            AutomateSchema.Create(cs);
            using (var raw = new MySqlConnection(cs))
            {
                raw.Open();
                Assert.Equal("STATEMENT", raw.QuerySingle<string>("SELECT @@binlog_format"));
                Assert.Equal(1, raw.QuerySingle<int>("SELECT @@log_bin"));
                raw.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'PC1', NOW())");
            }
            using var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs));
            var install = Assert.Throws<AuditDatabaseException>(() => new SchemaInstaller(session).InstallAll());
            Assert.Contains("binlog_format", install.Message);
            Assert.Contains("ROW", install.Message);
            Assert.Contains("Nothing was written", install.Message);

            // Tables put in place by hand: the recorder refuses too, and writes no run and no change.
            using (var raw = new MySqlConnection(cs))
            {
                raw.Open();
                foreach (TableSpec table in SchemaInstaller.Tables) raw.Execute(table.CreateSql());
                var ex = Assert.Throws<AuditDatabaseException>(() => new ConnectionRecorder(session).Record(TimeSpan.FromMinutes(15)));
                Assert.Contains("binlog_format", ex.Message);
                Assert.Equal(0, raw.QuerySingle<long>("SELECT COUNT(*) FROM aa_run_log"));
                Assert.Equal(0, raw.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            }
        }

        [Fact]
        public void AFullCycleRunsInTheServersDefaultSqlModeWithNoValuesFunction()
        {
            using var server = MariaDbServer.StartPrivate(sqlMode: MariaDbServer.ServerDefaultSqlMode);
            string cs = server.CreateDatabase("labtech");
            AutomateSchema.Create(cs);
            var statements = new List<string>();
            using var session = AuditSession.Open(ConnectionSettings.FromConnectionString(cs), line => statements.Add(line));
            using var raw = new MySqlConnection(cs);
            raw.Open();
            Assert.DoesNotContain("STRICT_ALL_TABLES", raw.QuerySingle<string>("SELECT @@GLOBAL.sql_mode"));

            new SchemaInstaller(session).InstallAll();
            DateTime now = DateTime.UtcNow;
            var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddDays(-3);
            var simulator = new FleetSimulator(new FleetOptions { Agents = 40, Clients = 3, StartUtc = start, Days = 3, Seed = 7 });
            simulator.WriteDirectory(raw);
            int runs = FleetRecording.Record(cs, simulator, raw, start.AddSeconds(97), now.AddMinutes(-2));
            Assert.True(runs > 500);
            session.Server.UseSimulatedClock(now);
            var rolled = new DailyRollup(session, ServerClock.Read(session.Server)).RollUpAll(new RollupOptions());
            Assert.InRange(rolled.Count, 2, 3);
            var rows = new ConnectionReports(session, ServerClock.Read(session.Server), ConnectionRecorder.DefaultOfflineAfter).Rolling.Rows(new ComputerFilter()).ToList();
            Assert.InRange(rows.Count, 30, 45); // agents come and go in the simulation
            Assert.Equal(raw.QuerySingle<long>("SELECT COUNT(*) FROM computers"), rows.Count);
            Assert.All(rows, r => Assert.Equal(1440, r.Online24hMinutes + r.Offline24hMinutes + r.Unknown24hMinutes));
            Assert.Contains(rows, r => r.Online24hMinutes > 0);

            // Upserts are INSERT ... SELECT (from a derived table or a staged temporary table): VALUES() in ON DUPLICATE KEY UPDATE is deprecated in MySQL 8.0.20+.
            Assert.Contains(statements, s => s.Contains("ON DUPLICATE KEY UPDATE"));
            Assert.DoesNotContain(statements, s => s.Contains("VALUES(", StringComparison.OrdinalIgnoreCase) && s.Contains("ON DUPLICATE KEY"));
        }
    }
}
