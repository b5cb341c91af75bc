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
    /// <summary>The defects issue 6 found, each pinned by a test that failed before its fix.</summary>
    public class PlatformDefectTests
    {
        /// <summary>Yesterday (server local) at 00:00, and a few of its instants, in UTC.</summary>
        private static (DateTime Day, DateTime StartUtc) Yesterday(Harness h, DateTime nowUtc)
        {
            DateTime day = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@nowUtc, '+00:00', @@session.time_zone)) - INTERVAL 1 DAY", new { nowUtc });
            DateTime startUtc = h.Simulator.QuerySingle<DateTime>("SELECT CONVERT_TZ(@day, @@session.time_zone, '+00:00')", new { day });
            return (day, DateTime.SpecifyKind(startUtc, DateTimeKind.Utc));
        }

        [Fact]
        public void AChangeRecordedWhileItsDayIsRolledUpIsNeverLost()
        {
            using var h = new Harness("race");
            DateTime now = DateTime.UtcNow.Date.AddHours(12);
            var (day, dayStart) = Yesterday(h, now);
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'PC1')");
            // Online from the start of the day; silent from 20:00 local, but no run has noticed yet.
            h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone) WHERE ComputerID = 1", new { t = dayStart });
            h.RecordAt(dayStart.AddMinutes(1));
            RollupAndReportTests.FillRunLog(h, dayStart.AddDays(-1), now);
            h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone) WHERE ComputerID = 1", new { t = dayStart.AddHours(20) });

            h.Db.Server.UseSimulatedClock(now);
            var rollup = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server));
            Task<RecordResult> concurrent = null;
            bool recorderWaited = false;
            rollup.AfterDayRead = d =>
            {
                // The day has been read (online all day). A recording run starts now and finds the offline.
                concurrent = Task.Run(() =>
                {
                    using var other = AuditSession.Open(h.Settings);
                    other.Server.UseSimulatedClock(now);
                    return new ConnectionRecorder(other).Record(TimeSpan.FromMinutes(15));
                });
#pragma warning disable xUnit1031 // the hook runs inside the rollup's transaction: it must block to prove the recorder waits
                recorderWaited = !concurrent.Wait(TimeSpan.FromSeconds(2));
#pragma warning restore xUnit1031
            };
            rollup.RollUpAll(new RollupOptions { Days = new[] { day } }, retention: false);
            Assert.NotNull(concurrent);
#pragma warning disable xUnit1031 // the recorder's task has finished (the rollup released its lock)
            RecordResult recorded = concurrent.Result;
#pragma warning restore xUnit1031
            Assert.True(recorderWaited, "the recorder was not held out while the day was rolled up");
            Assert.Equal("Offline", Assert.Single(recorded.Changes).State);

            // The day is never left marked rolled up with the stale (all online) rows: it was reopened, and the next rollup counts the outage.
            bool marked = h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup WHERE day = '" + day.ToString("yyyy-MM-dd") + "'") == 1;
            long offline = h.Scalar("SELECT COALESCE(SUM(offline), 0) FROM pvl_automate_connection_audit_daily WHERE day = '" + day.ToString("yyyy-MM-dd") + "'");
            Assert.False(marked && offline == 0, "the day is marked rolled up with rows that miss the outage");
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions(), retention: false);
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup WHERE day = '" + day.ToString("yyyy-MM-dd") + "'"));
            Assert.InRange(h.Scalar("SELECT offline FROM pvl_automate_connection_audit_daily WHERE computerid = 1 AND day = '" + day.ToString("yyyy-MM-dd") + "'"), 239, 241);
        }

        [Fact]
        public void RollupsAreSerialisedWithEachOther()
        {
            using var h = new Harness("rollup_lock");
            h.Execute("DO GET_LOCK('" + ServerStore.LockName(DailyRollup.LockName, h.Settings.Database) + "', 0)");
            var rollup = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)) { LockTimeoutSeconds = 1 };
            var ex = Assert.Throws<AuditDatabaseException>(() => rollup.RollUpAll(new RollupOptions()));
            Assert.Contains("Another Invoke-DailyRollup", ex.Message);
        }

        [Fact]
        public void ReRollingEveryDayRecomputesNoLaterDaysSums()
        {
            using var h = new Harness("linear");
            DateTime now = DateTime.UtcNow;
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'A'), (2, 'B')");
            for (int hour = 24 * 8; hour >= 1; hour -= 2)
            {
                DateTime t = now.AddHours(-hour);
                h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone) - INTERVAL IF(ComputerID = 2 AND @odd, 60, 0) MINUTE",
                    new { t, odd = hour % 4 == 0 });
                h.RecordAt(t);
            }
            RollupAndReportTests.FillRunLog(h, now.AddDays(-9), now);
            h.Db.Server.UseSimulatedClock(now);
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions(), retention: false);
            var before = h.Simulator.Query<(DateTime, int, long, long)>("SELECT day, computerid, online_6d_seconds, offline_29d_seconds FROM pvl_automate_connection_audit_daily ORDER BY day, computerid").ToList();
            Assert.True(before.Count >= 12, "expected several rolled days");

            var statements = new List<string>();
            using var db = AuditSession.Open(h.Settings, line => statements.Add(line));
            db.Server.UseSimulatedClock(now);
            var again = new DailyRollup(db, ServerClock.Read(db.Server)).RollUpAll(new RollupOptions { Force = true }, retention: false);
            Assert.True(again.Count >= 6);
            Assert.DoesNotContain(statements, s => s.Contains("UPDATE `pvl_automate_connection_audit_daily` d JOIN"));
            Assert.Equal(before, h.Simulator.Query<(DateTime, int, long, long)>("SELECT day, computerid, online_6d_seconds, offline_29d_seconds FROM pvl_automate_connection_audit_daily ORDER BY day, computerid").ToList());
        }

        [Fact]
        public void StatusIsDecidedInUtcDuringTheRepeatedHour()
        {
            using var h = new Harness("status_dst");
            // 2026-11-01 in New York: 01:00-02:00 local happens twice. It is now 01:10 EST (06:10 UTC); the agent
            // last checked in at 01:20 EDT (05:20 UTC), 50 minutes ago. Local clocks say 01:20 is after 01:10.
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'PC1', '2026-11-01 01:20:00'), (2, 'PC2', '2026-11-01 01:05:00')");
            h.Db.Server.UseSimulatedClock(new DateTime(2026, 11, 1, 6, 10, 0, DateTimeKind.Utc));
            var rows = new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), TimeSpan.FromMinutes(15)).Rolling.Rows(new ComputerFilter()).ToDictionary(r => r.ComputerId);
            Assert.Equal("Offline", rows[1].Status);
            Assert.Equal(50, rows[1].MinutesSinceLastContact);
            // 01:05 is ambiguous too: the later reading (06:05 UTC, 5 minutes ago) is not in the future, so it is the one.
            Assert.Equal("Online", rows[2].Status);
            Assert.Equal(5, rows[2].MinutesSinceLastContact);
        }

        [Fact]
        public void FilterValuesThatNameNothingAreReported()
        {
            using var h = new Harness("unmatched", install: false);
            h.Execute("INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso'), (2, 'Fabrikam')");
            h.Execute("INSERT INTO locations (LocationID, ClientID, Name) VALUES (1, 1, 'HQ')");
            h.Execute("INSERT INTO computers (ComputerID, ClientID, LocationID, Name) VALUES (7, 1, 1, 'PC7')");
            var filter = new ComputerFilter
            {
                ComputerIds = new[] { 7, 999999 },
                Client = new[] { "contoso", "Nobody Inc", "No*" },
                Location = new[] { "HQ", "Moon" },
                Computer = new[] { "PC7", "PC`*8" },
            };
            Assert.Equal(new[] { ("Computer", "999999"), ("Client", "Nobody Inc"), ("Location", "Moon"), ("Computer", "PC*8") }, filter.Unmatched(h.Db.Computers));
        }
    }
}
