using System;
using System.Linq;
using System.Threading.Tasks;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;

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
