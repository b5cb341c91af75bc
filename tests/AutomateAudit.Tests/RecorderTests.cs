using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using Dapper;

namespace AutomateAudit.Tests
{
    public class RecorderTests
    {
        private static readonly DateTime Start = new DateTime(2026, 11, 10, 5, 0, 0, DateTimeKind.Utc);

        private static FleetSimulator SmallFleet(int agents = 60, int days = 2) =>
            new FleetSimulator(new FleetOptions { Agents = agents, Clients = 4, StartUtc = Start, Days = days, Seed = 7, AddedShare = 0.1, RemovedShare = 0.1 });

        [Fact]
        public void FirstRunRecordsEveryComputerOnceAndASteadyRunRecordsNothing()
        {
            using var h = new Harness("rec_first");
            var sim = SmallFleet();
            sim.WriteDirectory(h.Simulator);
            DateTime t = Start.AddMinutes(2);
            sim.ApplyUntil(h.Simulator, t);
            long computers = h.Scalar("SELECT COUNT(*) FROM computers");
            var first = h.RecordAt(t);
            Assert.True(computers > 0);
            Assert.Equal(computers, first.Changes.Count);
            Assert.All(first.Changes, c => Assert.Equal(ChangeKind.FirstSeen, c.Kind));
            Assert.Equal(computers, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));

            var again = h.RecordAt(t.AddSeconds(30));
            Assert.Empty(again.Changes);
            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM aa_run_log WHERE status = 'ok'"));
        }

        [Fact]
        public void AnOutageIsRecordedAtTheLastCheckInAndTheReturnAtTheFirst()
        {
            using var h = new Harness("rec_outage");
            h.Execute("INSERT INTO clients (ClientID, Name) VALUES (1, 'Acme'); INSERT INTO locations (LocationID, ClientID, Name) VALUES (1, 1, 'HQ')");
            // Server clock: America/New_York. 2026-11-10 05:00 UTC = 00:00 local.
            h.Execute("INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact) VALUES (42, 1, 1, 'PC42', '2026-11-10 00:00:00')");
            h.RecordAt(Start);
            // Last check-in 00:10, then silence; the 00:30 run sees 20 minutes of silence.
            h.Execute("UPDATE computers SET LastContact = '2026-11-10 00:10:00'");
            Assert.Empty(h.RecordAt(Start.AddMinutes(20)).Changes);
            var offline = h.RecordAt(Start.AddMinutes(30)).Changes.Single();
            Assert.Equal("Offline", offline.State);
            Assert.Equal(Start.AddMinutes(10), offline.EffectiveUtc);
            h.Execute("UPDATE computers SET LastContact = '2026-11-10 01:02:00'");
            var online = h.RecordAt(Start.AddMinutes(65)).Changes.Single();
            Assert.Equal("Online", online.State);
            Assert.Equal(Start.AddMinutes(62), online.EffectiveUtc);
            Assert.Equal(3, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE computerid = 42"));
            // ProVal's columns hold what its dataviews expect.
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE state = 0 AND lastcontact = '2026-11-10 00:10:00' AND datacollectiontime = '2026-11-10 00:30:00'"));
        }

        [Fact]
        public void ARemovedComputerIsRecordedAsRemovedOnce()
        {
            using var h = new Harness("rec_removed");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', '2026-11-10 00:00:00'), (2, 'B', '2026-11-10 00:00:00')");
            h.RecordAt(Start);
            h.Execute("DELETE FROM computers WHERE ComputerID = 2");
            var removed = h.RecordAt(Start.AddMinutes(5)).Changes.Single();
            Assert.Equal(ChangeKind.Removed, removed.Kind);
            Assert.Empty(h.RecordAt(Start.AddMinutes(10)).Changes);
        }

        [Fact]
        public void ARemovalAndANewComputerInTheSameRunAreBothRecorded()
        {
            // The run looks for removed computers only when the counts say one can exist: a new computer must not
            // hide a removal made in the same five minutes.
            using var h = new Harness("rec_removed_added");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', '2026-11-10 00:00:00'), (2, 'B', '2026-11-10 00:00:00')");
            h.RecordAt(Start);
            h.Execute("DELETE FROM computers WHERE ComputerID = 2; INSERT INTO computers (ComputerID, Name, LastContact) VALUES (3, 'C', '2026-11-10 00:04:00')");
            var changes = h.RecordAt(Start.AddMinutes(5)).Changes;
            Assert.Equal(new[] { (2, ChangeKind.Removed), (3, ChangeKind.FirstSeen) }, changes.Select(c => (c.ComputerId, c.Kind)).ToArray());
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_connection_state WHERE computerid = 2 AND removed = 0"));
            Assert.Empty(h.RecordAt(Start.AddMinutes(10)).Changes);
        }

        [Fact]
        public void TheSieveFindsExactlyTheChangesTheFullTestFinds()
        {
            // The recorder first sieves computers with one plain time conversion, then applies the DST-aware test.
            // Against every kind of computer and recorded state, around a DST fall-back (America/New_York, repeated
            // 01:00-02:00 on 2026-11-01), just after a spring-forward (2026-03-08) and on an ordinary day, the sieve must
            // pass every change the full test finds.
            using var h = new Harness("rec_sieve");
            var random = new Random(11);
            var offsets = new[] { -40 * 60, -27 * 60 - 30, -27 * 60, -26 * 60, -90, -76, -75, -74, -61, -60, -59, -46, -45, -44, -20, -16, -15, -14, -10, -1, 0, 1, 30, 59, 60, 61, 120 };
            var nowsUtc = new[] { new DateTime(2026, 11, 1, 5, 20, 0), new DateTime(2026, 11, 1, 6, 5, 0), new DateTime(2026, 11, 1, 6, 40, 0), new DateTime(2026, 11, 1, 7, 10, 0), new DateTime(2026, 11, 10, 15, 0, 0), new DateTime(2026, 3, 8, 7, 10, 0), new DateTime(2026, 3, 8, 7, 40, 0) };
            var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
            string exact = ConnectionHistoryStore.DetectStateChanges.Replace("(" + ConnectionHistoryStore.MayHaveChanged + ") AND ", "");
            Assert.NotEqual(ConnectionHistoryStore.DetectStateChanges, exact);
            int checkedRows = 0, found = 0;
            // SYSTEM (the fixture's server runs in the zone) reads an ambiguous local time as the later instant; a
            // named zone from the time zone tables reads it as the earlier one, which the sieve's hour of margin is for.
            LoadZoneTable(h, "America/New_York");
            foreach (string sessionZone in new[] { "SYSTEM", "America/New_York" })
            foreach (DateTime nowUtc in nowsUtc)
            {
                h.Execute("SET time_zone = '" + sessionZone + "'");
                DateTime nowLocal = TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone);
                h.Execute("DELETE FROM computers; DELETE FROM aa_connection_state");
                int id = 0;
                var computers = new System.Text.StringBuilder();
                var states = new System.Text.StringBuilder();
                foreach (int minutes in offsets)
                {
                    for (int variant = 0; variant < 8; variant++)
                    {
                        id++;
                        DateTime lastContact = nowLocal.AddMinutes(minutes);
                        computers.Append(computers.Length == 0 ? "" : ",").Append($"({id}, 'PC{id}', '{lastContact:yyyy-MM-dd HH:mm:ss}')");
                        if (variant == 7) continue; // never recorded
                        DateTime local = DateTime.SpecifyKind(lastContact, DateTimeKind.Unspecified);
                        DateTime utcReading = TimeZoneInfo.ConvertTimeToUtc(zone.IsInvalidTime(local) ? local.AddHours(1) : local, zone).AddHours(random.Next(3) - 1);
                        int state = variant % 2;
                        int removed = variant == 6 ? 1 : 0;
                        string recordedLastContact = variant < 4 ? $"'{lastContact:yyyy-MM-dd HH:mm:ss}'" : $"'{lastContact.AddMinutes(-7):yyyy-MM-dd HH:mm:ss}'";
                        string recordedUtc = variant == 5 ? "NULL" : $"'{utcReading:yyyy-MM-dd HH:mm:ss}'";
                        states.Append(states.Length == 0 ? "" : ",").Append(
                            $"({id}, {state}, {recordedLastContact}, {recordedUtc}, '{nowUtc.AddHours(-30):yyyy-MM-dd HH:mm:ss}', {removed}, '{nowUtc:yyyy-MM-dd HH:mm:ss}', '{nowUtc.AddDays(-3):yyyy-MM-dd HH:mm:ss}')");
                    }
                }
                id++;
                computers.Append($",({id}, 'NoContact', NULL)");
                h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES " + computers);
                h.Execute("INSERT INTO aa_connection_state (computerid, state, lastcontact, lastcontact_utc, effective_utc, removed, updated_utc, first_seen_utc) VALUES " + states);
                var args = new { nowUtc, nowLocal, offlineSeconds = 15 * 60 };
                string Rows(string sql) => string.Join("\n", Dapper.SqlMapper.Query<(int, int, DateTime, int, DateTime?)>(h.Simulator,
                    "SELECT ComputerId, State, EffectiveUtc, FirstSeen, LastContactUtc FROM (" + sql + ") d ORDER BY ComputerId", args));
                string sieved = Rows(ConnectionHistoryStore.DetectStateChanges), full = Rows(exact);
                Assert.Equal(full, sieved);
                checkedRows += id;
                found += full.Split('\n').Length;
            }
            // The cases are not trivial: many computers changed, many did not.
            Assert.InRange(found, checkedRows / 5, checkedRows * 4 / 5);
        }

        [Fact]
        public void OnMariaDbThePassOverComputersHashesTheStateTableAndFindsTheSameChanges()
        {
            using var h = new Harness("hashjoin");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) SELECT seq, CONCAT('PC', seq), NOW() - INTERVAL seq MINUTE FROM seq_1_to_3000");
            h.RecordAt(DateTime.UtcNow);
            // Some come back, some go silent, some are new, some were removed from the state table's point of view.
            h.Execute("UPDATE computers SET LastContact = IF(LastContact > NOW() - INTERVAL 15 MINUTE, NOW() - INTERVAL 2 HOUR, NOW()) WHERE ComputerID % 7 = 0");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) SELECT seq, CONCAT('PC', seq), NOW() FROM seq_3001_to_3100");
            h.Execute("UPDATE aa_connection_state SET removed = 1 WHERE computerid % 97 = 0");
            var args = new { nowUtc = DateTime.UtcNow, nowLocal = h.Simulator.QuerySingle<DateTime>("SELECT NOW()"), offlineSeconds = 15 * 60 };
            string changes = "SELECT ComputerId, State, EffectiveUtc, FirstSeen, LastContactUtc FROM (" + ConnectionHistoryStore.DetectStateChanges + ") d ORDER BY ComputerId";
            string Rows(string sql) => string.Join("\n", h.Simulator.Query<(int, int, DateTime, int, DateTime?)>(sql, args));

            string hashed = Rows(ConnectionHistoryStore.HashJoined(changes, mariaDb: true));
            string plain = Rows(changes);

            Assert.Equal(plain, hashed);
            Assert.InRange(hashed.Split('\n').Length, 400, 1000);
            string Plan(string sql) => string.Join(" | ", h.Simulator.Query(sql, args).Select(r => (string)((IDictionary<string, object>)r)["Extra"]));
            Assert.Contains("BNLH", Plan(ConnectionHistoryStore.HashJoined("EXPLAIN " + ConnectionHistoryStore.DetectStateChanges, mariaDb: true)));
            Assert.DoesNotContain("BNLH", Plan("EXPLAIN " + ConnectionHistoryStore.DetectStateChanges));
        }

        /// <summary>Loads one zone into the server's time zone tables (once), as mariadb-tzinfo-to-sql does for a server.</summary>
        private static void LoadZoneTable(Harness h, string zone)
        {
            if (h.Scalar("SELECT COUNT(*) FROM mysql.time_zone_name WHERE Name = '" + zone + "'") > 0) return;
            var start = new System.Diagnostics.ProcessStartInfo("mariadb-tzinfo-to-sql") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("/usr/share/zoneinfo/" + zone);
            start.ArgumentList.Add(zone);
            using var tool = System.Diagnostics.Process.Start(start);
            string sql = tool.StandardOutput.ReadToEnd();
            tool.WaitForExit();
            Assert.Equal(0, tool.ExitCode);
            h.Execute("USE mysql; " + sql);
            h.Execute("USE `" + h.Settings.Database + "`");
            Assert.Equal("2026-11-01 05:04:00", Dapper.SqlMapper.QuerySingle<DateTime>(h.Simulator,
                "SELECT CONVERT_TZ('2026-11-01 01:04:00', '" + zone + "', '+00:00')").ToString("yyyy-MM-dd HH:mm:ss"));
        }

        [Fact]
        public void WhatIfPreviewWritesNothing()
        {
            using var h = new Harness("rec_whatif");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', NOW())");
            var preview = new ConnectionRecorder(h.Db).Preview(ServerClock.Read(h.Db.Server), TimeSpan.FromMinutes(15));
            Assert.Single(preview.Changes);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_run_log"));
        }

        [Fact]
        public async Task OverlappingRunsNeverDuplicateAChange()
        {
            using var h = new Harness("rec_overlap");
            var sim = SmallFleet(agents: 300);
            sim.WriteDirectory(h.Simulator);
            sim.ApplyUntil(h.Simulator, DateTime.UtcNow);
            var runs = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            {
                using var db = AuditSession.Open(h.Settings);
                return new ConnectionRecorder(db).Record(TimeSpan.FromMinutes(15)).Changes.Count;
            })).ToArray();
            await Task.WhenAll(runs);
            long computers = h.Scalar("SELECT COUNT(*) FROM computers");
            Assert.Equal(computers, runs.Sum(r => r.Result));
            Assert.Equal(computers, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            Assert.Equal(computers, h.Scalar("SELECT COUNT(DISTINCT computerid) FROM pvl_automate_connection_audit"));
        }

        [Fact]
        public void ARunThatDiesMidwayLeavesNothingHalfWrittenAndTheNextRunRecordsTheChanges()
        {
            using var h = new Harness("rec_dies");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', NOW()), (2, 'B', NOW() - INTERVAL 2 HOUR)");
            // The state write fails after the change rows were inserted in the same transaction.
            h.Execute("CREATE TRIGGER fail_state BEFORE INSERT ON aa_connection_state FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'");
            var ex = Assert.Throws<AuditDatabaseException>(() => new ConnectionRecorder(h.Db).Record(TimeSpan.FromMinutes(15)));
            Assert.Contains("injected failure", ex.Message);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM aa_run_log WHERE status = 'failed'"));

            h.Execute("DROP TRIGGER fail_state");
            Assert.Equal(2, new ConnectionRecorder(h.Db).Record(TimeSpan.FromMinutes(15)).Changes.Count);
            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
        }

        [Fact]
        public void RecordingOnlyReadsAutomateTables()
        {
            using var h = new Harness("rec_readonly");
            var sim = SmallFleet();
            sim.WriteDirectory(h.Simulator);
            sim.ApplyUntil(h.Simulator, Start.AddHours(3));
            long before = h.Checksum("computers");
            h.RecordAt(Start.AddHours(3));
            h.RecordAt(Start.AddHours(3).AddMinutes(5));
            Assert.Equal(before, h.Checksum("computers"));
        }
    }
}

namespace AutomateAudit.Tests
{
    public class CancellationTests
    {
        [Fact]
        public void CancellingStopsARunningStatementOnTheServer()
        {
            using var h = new Harness("cancel");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', NOW())");
            // Another run holds the recorder's lock: this run waits in GET_LOCK on the server until Ctrl+C.
            string lockName = ServerStore.LockName(ConnectionRecorder.LockName, h.Settings.Database);
            h.Execute("DO GET_LOCK('" + lockName + "', 0)");
            Assert.True(h.Scalar("SELECT IS_USED_LOCK('" + lockName + "') IS NOT NULL") == 1, "the lock is not held");
            using var stop = new System.Threading.CancellationTokenSource();
            using var db = AuditSession.Open(h.Settings, null, stop.Token);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            stop.CancelAfter(300);
            Assert.ThrowsAny<OperationCanceledException>(() => new ConnectionRecorder(db).Record(TimeSpan.FromMinutes(15)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the statement ran on after cancellation: " + watch.Elapsed);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
        }

        [Fact]
        public void CancellingBetweenStatementsStopsBeforeTheNextOne()
        {
            using var h = new Harness("cancel_between");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'A', NOW())");
            using var stop = new System.Threading.CancellationTokenSource();
            var statements = new System.Collections.Generic.List<string>();
            using var db = AuditSession.Open(h.Settings, line => { lock (statements) statements.Add(line); }, stop.Token);
            int before = statements.Count;
            stop.Cancel();
            Assert.Throws<OperationCanceledException>(() => new ConnectionRecorder(db).Record(TimeSpan.FromMinutes(15)));
            Assert.Equal(before, statements.Count);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_run_log"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
        }
    }
}
