using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using Dapper;

namespace AutomateAudit.Tests
{
    public class RollupAndReportTests
    {
        [Fact]
        public void RetentionDeletesOldRowsButKeepsEachComputersLastStateBeforeTheCut()
        {
            using var h = new Harness("retention");
            DateTime now = DateTime.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)); // the server clock has whole seconds
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'A'), (2, 'B')");
            // Computer 1 flips every day from 60 days ago; computer 2 goes silent after the first day.
            for (int day = 60; day >= 1; day--)
            {
                DateTime t = now.AddDays(-day);
                h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone) - INTERVAL @age MINUTE WHERE ComputerID = 1",
                    new { t, age = day % 2 == 0 ? 1 : 60 });
                if (day == 60) h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone) WHERE ComputerID = 2", new { t });
                h.RecordAt(t);
            }
            FillRunLog(h, now.AddDays(-61), now);
            h.Db.Server.UseSimulatedClock(now);
            DateTime today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions { Days = new[] { today.AddDays(-50), today.AddDays(-49) } }, retention: false);
            // Older than RetainDays: the days get their summary figures (a whole day each for computer 1), no daily rows.
            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily"));
            var figures = h.Db.Summary.WindowSums(new[] { 1 }, new[] { (IReadOnlyList<DateTime>)new[] { today.AddDays(-50), today.AddDays(-49) } })[1];
            Assert.Equal(h.Scalar("SELECT SUM(TIMESTAMPDIFF(SECOND, start_utc, end_utc)) FROM aa_connection_rollup"), figures[0] + figures[1]);

            DateTime cut = now.AddDays(-45);
            long newer = h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc >= @cut", new { cut });
            var lastBefore = h.Simulator.Query<(int, long)>("SELECT computerid, MAX(id) FROM pvl_automate_connection_audit WHERE effective_utc < @cut GROUP BY computerid", new { cut }).ToList();
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions { RetainDays = 30, RetainHistoryDays = 45 });

            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE day < CURDATE() - INTERVAL 31 DAY"));
            // The days stay marked rolled up (their figures are in aa_connection_summary), every one of them since the first recorded day.
            Assert.Equal(h.Scalar("SELECT DATEDIFF(CURDATE() - INTERVAL 31 DAY, MIN(day)) FROM aa_connection_rollup"),
                h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup WHERE day < CURDATE() - INTERVAL 31 DAY"));
            Assert.Equal(newer, h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc >= @cut", new { cut }));
            Assert.Equal(lastBefore, h.Simulator.Query<(int, long)>("SELECT computerid, id FROM pvl_automate_connection_audit WHERE effective_utc < @cut ORDER BY computerid", new { cut }).ToList());
            // Old runs are gone except the very first, which still says where adopted history would end.
            var oldRuns = h.Simulator.Query<DateTime>("SELECT started_utc FROM aa_run_log WHERE started_utc < @cut", new { cut }).ToList();
            Assert.Equal(h.Simulator.QuerySingle<DateTime>("SELECT MIN(started_utc) FROM aa_run_log"), Assert.Single(oldRuns));

            // Computer 2's only state (offline since day 60) still counts: its last row before the cut was kept.
            var report = new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), ConnectionRecorder.DefaultOfflineAfter).Rolling.Rows(new ComputerFilter { ComputerIds = new[] { 2 } }).Single();
            Assert.True(report.Offline7dMinutes > 0);
        }

        /// <summary>
        /// The whole fleet's rows of a few days are read as ranges of ids when each day's ids are dense (as its rollup
        /// writes them), through the day index when not: the same rows either way, and no row of another day.
        /// </summary>
        [Fact]
        public void TheDailyRowsOfAFewDaysAreTheSameWhetherTheirIdsAreDenseOrNot()
        {
            using var h = new Harness("daily_ranges");
            var day = new DateTime(2026, 11, 20);
            // Days written one after another, 40 computers each; the middle day is not read.
            for (int d = 0; d < 3; d++)
                h.Simulator.Execute("INSERT INTO pvl_automate_connection_audit_daily (computerid, day, online, offline, online_seconds, offline_seconds, timeline) " +
                    "SELECT seq, @day, 0, 0, seq * 60, 86400 - seq * 60, CONCAT('O', seq * 60, ' F', 86400 - seq * 60) FROM seq_1_to_40", new { day = day.AddDays(d) });
            var days = new[] { day, day.AddDays(2) };
            string truth = "SELECT computerid, day, online_seconds, timeline FROM pvl_automate_connection_audit_daily WHERE day IN @days ORDER BY computerid, day";
            List<(int, DateTime, long, string)> Read() => h.Db.Rollup.Sums(days, DailyRowColumns.SumsAndTimeline)
                .Select(r => (r.ComputerId, r.Day, r.Online, r.Timeline)).OrderBy(r => r.ComputerId).ThenBy(r => r.Day).ToList();

            var dense = Read();
            Assert.Equal(80, dense.Count);
            Assert.Equal(h.Simulator.Query<(int, DateTime, long, string)>(truth, new { days }).ToList(), dense);

            // A day whose rows were written some other way: its ids spread over a range five times its rows.
            h.Execute("UPDATE pvl_automate_connection_audit_daily SET id = id + 200 WHERE day = '2026-11-22' AND computerid > 20");
            var sparse = Read();
            Assert.Equal(80, sparse.Count);
            Assert.Equal(h.Simulator.Query<(int, DateTime, long, string)>(truth, new { days }).ToList(), sparse);
        }

        [Fact]
        public void TheSummaryHoldsEveryDailyRowsFiguresForAComputerFirstSeenMidMonth()
        {
            // The rollup updates the month rows that exist and inserts only when some computer had none.
            using var h = new Harness("summary_new");
            DateTime now = DateTime.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'A')");
            for (int day = 10; day >= 1; day--)
            {
                DateTime t = now.AddDays(-day);
                if (day == 2) h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (2, 'B')");
                h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone) - INTERVAL @age MINUTE", new { t, age = day % 2 == 0 ? 1 : 60 });
                h.RecordAt(t);
            }
            FillRunLog(h, now.AddDays(-11), now);
            h.Db.Server.UseSimulatedClock(now);
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions());
            Assert.True(h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE computerid = 2 AND online_seconds + offline_seconds > 0") >= 1);
            string online = "ELT(DAYOFMONTH(d.day), " + string.Join(", ", Enumerable.Range(1, 31).Select(ConnectionAuditTables.SummaryOnline).Select(c => "s." + c)) + ")";
            string offline = "ELT(DAYOFMONTH(d.day), " + string.Join(", ", Enumerable.Range(1, 31).Select(ConnectionAuditTables.SummaryOffline).Select(c => "s." + c)) + ")";
            string joined = "FROM pvl_automate_connection_audit_daily d LEFT JOIN aa_connection_summary s ON s.computerid = d.computerid " +
                "AND s.month = d.day - INTERVAL (DAYOFMONTH(d.day) - 1) DAY";
            Assert.Equal(h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily"), h.Scalar("SELECT COUNT(*) " + joined + " WHERE s.computerid IS NOT NULL"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) " + joined + " WHERE NOT (" + online + " <=> d.online_seconds AND " + offline + " <=> d.offline_seconds)"));
        }

        /// <summary>Recording every 10 minutes as far as coverage is concerned (the state changes above are recorded for real).</summary>
        internal static void FillRunLog(Harness h, DateTime fromUtc, DateTime toUtc)
        {
            int runs = (int)((toUtc - fromUtc).TotalMinutes / 10);
            h.Simulator.Execute("INSERT INTO aa_run_log (job, started_utc, started_local, status) SELECT 'connection', @from + INTERVAL seq * 10 MINUTE, " +
                "CONVERT_TZ(@from + INTERVAL seq * 10 MINUTE, '+00:00', @@session.time_zone), 'ok' FROM seq_0_to_" + runs, new { from = fromUtc });
        }

        [Fact]
        public void ChangesRecordedForTheSameInstantCountInTheOrderTheyWereRecorded()
        {
            // Both computers have two rows at one instant. The history index lists an instant's rows by state (offline
            // first), but the one recorded last is the state from then on: offline for computer 1, online for computer 2.
            using var h = new Harness("ties");
            DateTime now = DateTime.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'A'), (2, 'B')");
            h.Db.Server.UseSimulatedClock(now);
            DateTime today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });
            DateTime yesterdayUtc = h.Simulator.QuerySingle<DateTime>("SELECT CONVERT_TZ(@day, @@session.time_zone, '+00:00')", new { day = today.AddDays(-1) });
            DateTime t0 = yesterdayUtc.AddHours(-1), t1 = yesterdayUtc.AddHours(12);
            foreach (var (computer, state, at) in new[] { (1, 1, t0), (2, 1, t0), (1, 1, t1), (2, 0, t1), (1, 0, t1), (2, 1, t1) })
                h.Simulator.Execute("INSERT INTO pvl_automate_connection_audit (computerid, state, effective_utc, collected_utc, removed, run_id) VALUES (@computer, @state, @at, @at, 0, 1)",
                    new { computer, state, at });
            h.Simulator.Execute("INSERT INTO aa_connection_state (computerid, state, effective_utc, removed, updated_utc, first_seen_utc) " +
                "VALUES (1, 0, @t1, 0, @t1, @t0), (2, 1, @t1, 0, @t1, @t0)", new { t0, t1 });
            FillRunLog(h, t0.AddHours(-1), now);

            // From the raw history (nothing rolled up yet).
            var raw = new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), ConnectionRecorder.DefaultOfflineAfter).Rolling.Rows(new ComputerFilter()).ToDictionary(r => r.ComputerId);
            Assert.InRange(raw[1].Offline7dMinutes, (int)(now - t1).TotalMinutes - 1, (int)(now - t1).TotalMinutes + 1);
            Assert.Equal(0, raw[2].Offline7dMinutes);

            // Rolled up: yesterday's daily rows.
            h.Db.Server.UseSimulatedClock(now);
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions(), retention: false);
            var bounds = h.Db.Rollup.RolledDays(today.AddDays(-1), today.AddDays(-1)).Single();
            var daily = h.Simulator.Query<(int, long, long)>("SELECT computerid, online_seconds, offline_seconds FROM pvl_automate_connection_audit_daily WHERE day = @day ORDER BY computerid",
                new { day = today.AddDays(-1) }).ToList();
            Assert.Equal(new[] { (1, (long)(t1 - bounds.StartUtc).TotalSeconds, (long)(bounds.EndUtc - t1).TotalSeconds), (2, (long)(bounds.EndUtc - bounds.StartUtc).TotalSeconds, 0L) }, daily);
        }

        [Fact]
        public void AChangeDatedBackIntoARolledDayMakesItDueAgain()
        {
            using var h = new Harness("reopen");
            DateTime now = DateTime.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'A')");
            h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone)", new { t = now.AddDays(-4) });
            h.RecordAt(now.AddDays(-4));
            FillRunLog(h, now.AddDays(-4), now);
            h.Db.Server.UseSimulatedClock(now);
            var first = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions());
            Assert.True(first.Count >= 3);
            Assert.Equal(0, h.Scalar("SELECT COALESCE(SUM(offline_seconds), 0) FROM pvl_automate_connection_audit_daily"));

            // The agent's last check-in was 50 hours ago, but with -OfflineAfter 1440 the silence is only now
            // long enough to count: the change lands in days already rolled up.
            h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone)", new { t = now.AddHours(-50) });
            var change = h.RecordAt(now, offlineMinutes: 1440).Changes.Single();
            Assert.Equal(now.AddHours(-50), change.EffectiveUtc);
            long reopened = first.Count - h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup");
            Assert.True(reopened >= 2, "days after the change should be due again");

            h.Db.Server.UseSimulatedClock(now);
            var again = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions());
            Assert.Equal(reopened, again.Count);
            Assert.True(h.Scalar("SELECT SUM(offline_seconds) FROM pvl_automate_connection_audit_daily") > 24 * 3600);
        }

        [Fact]
        public void ReportRowsStreamBeforeLaterChunksAreRead()
        {
            using var h = new Harness("streaming");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) SELECT seq, CONCAT('PC', seq), NOW() FROM seq_1_to_1800");
            new ConnectionRecorder(h.Db).Record(TimeSpan.FromMinutes(15));
            var chunkQueries = 0;
            using var db = AuditSession.Open(h.Settings, line => { if (line.Contains("SELECT c.ComputerID AS ComputerId, c.ClientID AS ClientId, c.LocationID AS LocationId, cl.Name AS Client")) chunkQueries++; });
            using var rows = new ConnectionReports(db, ServerClock.Read(db.Server), ConnectionRecorder.DefaultOfflineAfter).Rolling.Rows(new ComputerFilter()).GetEnumerator();
            Assert.True(rows.MoveNext());
            Assert.Equal(1, chunkQueries);
            int count = 1;
            while (rows.MoveNext()) count++;
            Assert.Equal(1800, count);
            Assert.True(chunkQueries >= 2);
        }

        private const string DailySumsSql = "SELECT computerid, day, online_seconds, offline_seconds, online_6d_seconds, offline_6d_seconds, " +
            "online_29d_seconds, offline_29d_seconds FROM pvl_automate_connection_audit_daily ORDER BY computerid, day";

        /// <summary>Nine days recorded hourly and rolled up: A online throughout, B offline every fourth hour.</summary>
        private static Harness TwoComputersRolledUpForNineDays(string purpose)
        {
            var h = new Harness(purpose);
            DateTime now = DateTime.UtcNow;
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'A'), (2, 'B')");
            for (int hour = 24 * 9; hour >= 1; hour--)
            {
                DateTime t = now.AddHours(-hour);
                h.Simulator.Execute("UPDATE computers SET LastContact = CONVERT_TZ(@t, '+00:00', @@session.time_zone) WHERE ComputerID = 1 OR @hour % 4 <> 0", new { t, hour });
                h.RecordAt(t);
            }
            FillRunLog(h, now.AddDays(-10), now);
            h.Db.Server.UseSimulatedClock(now);
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions());
            return h;
        }

        [Fact]
        public void ADayWhoseDailyRowsRetentionDeletedIsRolledAgainWithoutCountingItTwice()
        {
            // Retention deleted the day's daily rows; the summary and the later days' sums still hold its figures
            // (-RetainDays raised afterwards makes the day due for a daily row again).
            using var h = TwoComputersRolledUpForNineDays("resum_deleted");
            var before = h.Simulator.Query<(int, DateTime, long, long, long, long, long, long)>(DailySumsSql).ToList();
            DateTime day = h.Db.Rollup.RolledDays(DateTime.MinValue, DateTime.MaxValue)[1].Day;
            Assert.Equal(2, h.Simulator.Execute("DELETE FROM pvl_automate_connection_audit_daily WHERE day = @day", new { day }));

            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions { Days = new[] { day } }, retention: false);

            Assert.Equal(before, h.Simulator.Query<(int, DateTime, long, long, long, long, long, long)>(DailySumsSql).ToList());
        }

        [Theory]
        [InlineData(6)]  // six hours of the day unobserved: smaller figures for both computers
        [InlineData(30)] // the whole day unobserved: its rows are deleted
        public void ADayRolledUpAgainCarriesItsChangeIntoTheWindowSumsOfLaterDays(int unobservedHours)
        {
            using var h = TwoComputersRolledUpForNineDays("resum" + unobservedHours);
            // Every row's sums against the same sums taken over the daily rows now in the table.
            const string wrongSums = "SELECT COUNT(*) FROM pvl_automate_connection_audit_daily d WHERE NOT (" +
                "d.online_6d_seconds <=> (SELECT SUM(online_seconds) FROM pvl_automate_connection_audit_daily s WHERE s.computerid = d.computerid AND s.day BETWEEN d.day - INTERVAL 5 DAY AND d.day) AND " +
                "d.offline_6d_seconds <=> (SELECT SUM(offline_seconds) FROM pvl_automate_connection_audit_daily s WHERE s.computerid = d.computerid AND s.day BETWEEN d.day - INTERVAL 5 DAY AND d.day) AND " +
                "d.online_29d_seconds <=> (SELECT SUM(online_seconds) FROM pvl_automate_connection_audit_daily s WHERE s.computerid = d.computerid AND s.day BETWEEN d.day - INTERVAL 28 DAY AND d.day) AND " +
                "d.offline_29d_seconds <=> (SELECT SUM(offline_seconds) FROM pvl_automate_connection_audit_daily s WHERE s.computerid = d.computerid AND s.day BETWEEN d.day - INTERVAL 28 DAY AND d.day))";
            var before = h.Simulator.Query<(int, DateTime, long, long, long, long, long, long)>(DailySumsSql).ToList();
            Assert.Equal(0, h.Scalar(wrongSums));
            var days = h.Db.Rollup.RolledDays(DateTime.MinValue, DateTime.MaxValue);
            Assert.True(days.Count >= 8, "rolled days: " + days.Count);
            // The first day recorded from its start (the history begins at the test's time of day): the later days
            // carry it in their sums.
            DateTime historyStart = h.Simulator.QuerySingle<DateTime>("SELECT MIN(effective_utc) FROM pvl_automate_connection_audit");
            RolledDayBounds day = days.First(d => d.StartUtc >= historyStart);
            Assert.True(days.Count(d => d.Day > day.Day) >= 6, "later days: " + days.Count(d => d.Day > day.Day));
            DateTime gapFrom = unobservedHours >= 24 ? day.StartUtc.AddHours(-3) : day.StartUtc.AddHours(6);
            h.Simulator.Execute("DELETE FROM aa_run_log WHERE started_utc > @from AND started_utc < @to", new { from = gapFrom, to = gapFrom.AddHours(unobservedHours) });

            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions { Days = new[] { day.Day } }, retention: false);

            var after = h.Simulator.Query<(int, DateTime, long, long, long, long, long, long)>(DailySumsSql).ToList();
            Assert.Equal(0, h.Scalar(wrongSums));
            var changedDay = h.Simulator.Query<(int, long)>("SELECT computerid, online_seconds FROM pvl_automate_connection_audit_daily WHERE day = @day", new { day = day.Day }).ToList();
            if (unobservedHours >= 24) Assert.Empty(changedDay);
            else Assert.Equal(2, changedDay.Count(r => r.Item2 < 24 * 3600 - unobservedHours * 3600 + 3600));
            // Every later day of both computers now has a smaller observed 29-day sum (online plus offline: which of the
            // two B loses depends on where its four-hour cycle, counted from the test's start, meets the unobserved
            // hours); the rows before the day are untouched.
            var laterBefore = before.Where(r => r.Item2 > day.Day).ToList();
            var laterAfter = after.Where(r => r.Item2 > day.Day).ToList();
            Assert.Equal(laterBefore.Count, laterAfter.Count);
            Assert.All(laterBefore.Zip(laterAfter, (b, a) => (b, a)), p => Assert.True(p.a.Item7 + p.a.Item8 < p.b.Item7 + p.b.Item8,
                p.b.Item2.ToString("yyyy-MM-dd") + ": " + (p.b.Item7 + p.b.Item8) + " then " + (p.a.Item7 + p.a.Item8)));
            Assert.Equal(before.Where(r => r.Item2 < day.Day), after.Where(r => r.Item2 < day.Day));
        }
    }
}
