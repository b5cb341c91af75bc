using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using Dapper;

namespace AutomateAudit.Tests
{
    /// <summary>
    /// Issue 10: retention loses nothing by surprise. Long windows are served from aa_connection_summary after the
    /// daily rows and the raw history are gone; adopted ProVal history is rolled up before retention thins it;
    /// -WhatIf counts every table; time nothing covers is Unknown.
    /// </summary>
    public class RetentionTests
    {
        private static DateTime WholeSeconds(DateTime t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

        /// <summary>A harness whose database already holds ProVal's raw table with rows (as before Install-AuditTable).</summary>
        private static Harness ProValDatabase(string purpose, string rowsSql)
        {
            var h = new Harness(purpose, install: false);
            h.Execute("CREATE TABLE pvl_automate_connection_audit (computerid INT NOT NULL, state TINYINT NOT NULL, lastcontact DATETIME NULL, datacollectiontime DATETIME NULL) ENGINE=InnoDB");
            h.Execute("INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) " + rowsSql);
            new SchemaInstaller(h.Db).InstallAll();
            return h;
        }

        /// <summary>Server-local minutes between two server-local times.</summary>
        private static int Minutes(Harness h, DateTime fromLocal, DateTime toLocal) =>
            (int)h.Simulator.QuerySingle<long>("SELECT (UNIX_TIMESTAMP(@toLocal) - UNIX_TIMESTAMP(@fromLocal)) DIV 60", new { fromLocal, toLocal });

        private static Dictionary<int, (int Online, int Offline, int Unknown)> Window(AuditSession db, DateTime startLocal, DateTime endLocal, bool raw = false)
        {
            var reports = raw ? Harness.RawReports(db) : new ConnectionReports(db, ServerClock.Read(db.Server), ConnectionRecorder.DefaultOfflineAfter);
            return reports.Window.Rows(new ComputerFilter(), startLocal, endLocal).ToDictionary(r => r.ComputerId, r => (r.OnlineMinutes, r.OfflineMinutes, r.UnknownMinutes));
        }

        [Fact]
        public void AThirteenMonthWindowIsServedFromTheSummaryAfterRetentionAndWhatIfCountsEveryTable()
        {
            DateTime now = WholeSeconds(DateTime.UtcNow);
            // 1: online from D-450, offline D-300 .. D-290, online since. 2: online from D-200. 3: online from D-450, offline since D-100.
            using var h = ProValDatabase("summary13",
                "SELECT * FROM (SELECT 1 AS c, 1 AS s, CURDATE() - INTERVAL 450 DAY AS lc, CURDATE() - INTERVAL 450 DAY + INTERVAL 2 MINUTE AS dc " +
                "UNION ALL SELECT 1, 0, CURDATE() - INTERVAL 300 DAY, CURDATE() - INTERVAL 300 DAY + INTERVAL 17 MINUTE " +
                "UNION ALL SELECT 1, 1, CURDATE() - INTERVAL 290 DAY, CURDATE() - INTERVAL 290 DAY + INTERVAL 2 MINUTE " +
                "UNION ALL SELECT 2, 1, CURDATE() - INTERVAL 200 DAY, CURDATE() - INTERVAL 200 DAY + INTERVAL 2 MINUTE " +
                "UNION ALL SELECT 3, 1, CURDATE() - INTERVAL 450 DAY, CURDATE() - INTERVAL 450 DAY + INTERVAL 2 MINUTE " +
                "UNION ALL SELECT 3, 0, CURDATE() - INTERVAL 100 DAY, CURDATE() - INTERVAL 100 DAY + INTERVAL 17 MINUTE) x ORDER BY lc");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'PC1', NOW()), (2, 'PC2', NOW()), (3, 'PC3', CURDATE() - INTERVAL 100 DAY)");
            Assert.Empty(h.RecordAt(now).Changes); // the first run agrees with the adopted history
            h.Db.Server.UseSimulatedClock(now);
            DateTime today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });
            DateTime start = today.AddMonths(-13);
            int window = Minutes(h, start, today);
            var expected = new Dictionary<int, (int, int, int)>
            {
                [1] = (window - Minutes(h, today.AddDays(-300), today.AddDays(-290)), Minutes(h, today.AddDays(-300), today.AddDays(-290)), 0),
                [2] = (Minutes(h, today.AddDays(-200), today), 0, Minutes(h, start, today.AddDays(-200))),
                [3] = (Minutes(h, start, today.AddDays(-100)), Minutes(h, today.AddDays(-100), today), 0),
            };
            Assert.Equal(expected, Window(h.Db, start, today, raw: true)); // the truth, from the adopted raw history

            // Roll up with longer retention first, so that retention has something of every kind to delete.
            var rollup = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server));
            var wide = new RollupOptions { RetainDays = 60, RetainSummaryMonths = 15 };
            var rolled = rollup.RollUpAll(wide, retention: false);
            DateTime summaryFrom15 = rollup.SummaryFrom(wide), summaryFrom = rollup.SummaryFrom(new RollupOptions());
            DateTime firstRolled = today.AddDays(-450) > summaryFrom15 ? today.AddDays(-450) : summaryFrom15;
            Assert.Equal((h.LastComplete(now) - firstRolled).Days + 1, rolled.Count); // every day of history the summary keeps, however old
            Assert.Equal(60, h.Scalar("SELECT COUNT(DISTINCT day) FROM pvl_automate_connection_audit_daily"));

            // -WhatIf: what retention would delete from each table, counted before anything is deleted.
            var plan = rollup.PlanRetention(new RollupOptions(), count: true);
            var cut = plan.HistoryBeforeUtc;
            long daily = h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE day < @d", new { d = today.AddDays(-30) });
            long summary = h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM aa_connection_summary WHERE month < @m", new { m = summaryFrom });
            long history = h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc < @cut", new { cut }) -
                h.Simulator.QuerySingle<long>("SELECT COUNT(DISTINCT computerid) FROM pvl_automate_connection_audit WHERE effective_utc < @cut", new { cut });
            Assert.Equal(30 * 3, daily); // days D-60 .. D-31, three computers observed every day
            int oldMonths = Enumerable.Range(0, (summaryFrom - firstRolled).Days).Select(d => firstRolled.AddDays(d).Month).Distinct().Count();
            Assert.True(oldMonths >= 1);
            Assert.Equal(2 * oldMonths, summary); // computers 1 and 3 (computer 2 appeared later), one row per month
            Assert.Equal(3, history); // each computer keeps its last change before the cut
            Assert.Equal((daily, summary, history), (plan.DailyRows, plan.SummaryRows, plan.HistoryRows));
            var done = rollup.ApplyRetention(rollup.PlanRetention(new RollupOptions(), count: false));
            Assert.Equal((daily, summary, history), (done.DailyRows, done.SummaryRows, done.HistoryRows));
            Assert.Equal(0, h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM aa_connection_rollup WHERE day < @m", new { m = summaryFrom }));
            Assert.Equal(3, h.Scalar("SELECT COUNT(*) FROM pvl_automate_connection_audit"));

            // Thirteen months back: only the summary knows (no daily row older than 30 days, no raw change older than 45).
            Assert.Equal(expected, Window(h.Db, start, today));
            var reports = new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), ConnectionRecorder.DefaultOfflineAfter);
            Assert.False(reports.Window.Uncovered(start, today).Any);

            // Fifteen months back: the two months before the summary's first are Unknown for every computer, and said so.
            DateTime start15 = today.AddMonths(-15);
            int lost = Minutes(h, start15, summaryFrom);
            var longer = Window(h.Db, start15, today);
            int head = Minutes(h, summaryFrom, start); // known again from the summary's first day on
            Assert.Equal((expected[1].Item1 + head, expected[1].Item2, lost), longer[1]);
            Assert.Equal((expected[2].Item1, 0, Minutes(h, start15, today.AddDays(-200))), longer[2]);
            Assert.Equal((expected[3].Item1 + head, expected[3].Item2, lost), longer[3]);
            UncoveredTime uncovered = reports.Window.Uncovered(start15, today);
            Assert.Equal((start15, summaryFrom), uncovered.Leading);
            Assert.Equal(0, uncovered.LaterSpans);
            Assert.StartsWith(start15.ToString("yyyy-MM-dd") + ".." + summaryFrom.ToString("yyyy-MM-dd") + " (", uncovered.Warning());
            Assert.Contains("counted as unknown for every computer, never as online or offline", uncovered.Warning());
        }

        [Fact]
        public void AdoptedProValHistoryOlderThanRetentionIsRolledUpBeforeRetentionDeletesIt()
        {
            DateTime now = WholeSeconds(DateTime.UtcNow);
            // 60 days of ProVal history: computer 1 changes at odd times every 2-3 days, computer 2 a few times.
            string rows = string.Join(" UNION ALL ", Enumerable.Range(0, 24).Select(i =>
                "SELECT 1 AS c, " + (i % 2 == 0 ? 1 : 0) + " AS s, CURDATE() - INTERVAL " + (60 - i * 5 / 2) + " DAY + INTERVAL " + (i * 97 % 1440) + " MINUTE AS lc"));
            rows += " UNION ALL SELECT 2, 1, CURDATE() - INTERVAL 60 DAY + INTERVAL 6 HOUR UNION ALL SELECT 2, 0, CURDATE() - INTERVAL 35 DAY + INTERVAL 1110 MINUTE " +
                "UNION ALL SELECT 2, 1, CURDATE() - INTERVAL 33 DAY + INTERVAL 555 MINUTE";
            using var h = ProValDatabase("adopt60", "SELECT c, s, lc, lc + INTERVAL 3 MINUTE FROM (" + rows + ") x ORDER BY lc");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'PC1', NOW()), (2, 'PC2', NOW())");
            h.RecordAt(now);
            h.Db.Server.UseSimulatedClock(now);
            DateTime today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });

            // What the adopted history says before anything is rolled up or deleted: the whole 60 days, and single days.
            var windows = new List<(DateTime, DateTime)> { (today.AddDays(-60), today) };
            windows.AddRange(new[] { 59, 50, 46, 45, 44, 35, 31, 30, 2 }.Select(d => (today.AddDays(-d), today.AddDays(-d + 1))));
            var before = windows.Select(w => Window(h.Db, w.Item1, w.Item2, raw: true)).ToList();
            Assert.Equal(2, before[0].Count);
            Assert.True(before[0][1].Offline > 20 * 1440 && before[0][1].Online > 20 * 1440, "computer 1 was online and offline about half the time");
            Assert.Equal(Minutes(h, today.AddDays(-60), today.AddDays(-60).AddHours(6)), before[0][2].Unknown); // computer 2 appeared at 06:00

            var rolled = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions()); // RetainDays 30, RetainHistoryDays 45

            Assert.Equal((h.LastComplete(now) - today.AddDays(-60)).Days + 1, rolled.Count); // every adopted day, not only the last 30
            Assert.Equal(0, h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit_daily WHERE day < @d", new { d = today.AddDays(-30) }));
            Assert.Equal((h.LastComplete(now) - today.AddDays(-30)).Days + 1, h.Scalar("SELECT COUNT(DISTINCT day) FROM pvl_automate_connection_audit_daily"));
            DateTime cut = now.AddDays(-45);
            Assert.Equal(2, h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc < @cut", new { cut })); // one per computer
            Assert.True(h.Simulator.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE run_id IS NULL") < 27, "the raw history older than 45 days was thinned");

            // The same minutes after retention, now from the summary (old days), the daily rows and what raw history is left.
            var after = windows.Select(w => Window(h.Db, w.Item1, w.Item2)).ToList();
            for (int i = 0; i < windows.Count; i++) Assert.True(before[i].OrderBy(kv => kv.Key).SequenceEqual(after[i].OrderBy(kv => kv.Key)), "window " + windows[i]);
            // Read from raw history alone, the thinned days would now be Unknown: the summary is what kept them.
            Assert.True(Window(h.Db, today.AddDays(-50), today.AddDays(-49), raw: true)[1].Unknown > 0);
        }

        [Fact]
        public void InstallCopiesTheDailyRowsOfAnEarlierVersionIntoTheSummary()
        {
            DateTime now = WholeSeconds(DateTime.UtcNow);
            using var h = ProValDatabase("copy", "VALUES (1, 1, CURDATE() - INTERVAL 20 DAY, CURDATE() - INTERVAL 20 DAY), (1, 0, CURDATE() - INTERVAL 12 DAY + INTERVAL 7 HOUR, CURDATE() - INTERVAL 12 DAY + INTERVAL 7 HOUR), " +
                "(1, 1, CURDATE() - INTERVAL 3 DAY + INTERVAL 5 HOUR, CURDATE() - INTERVAL 3 DAY + INTERVAL 5 HOUR), (2, 1, CURDATE() - INTERVAL 9 DAY, CURDATE() - INTERVAL 9 DAY)");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'PC1', NOW()), (2, 'PC2', NOW())");
            h.RecordAt(now);
            h.Db.Server.UseSimulatedClock(now);
            DateTime today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions());
            var before = Window(h.Db, today.AddDays(-20), today);
            Assert.Equal(Minutes(h, today.AddDays(-12).AddHours(7), today.AddDays(-3).AddHours(5)), before[1].Offline);

            // An installation of the previous version: daily rows and marks, no summary table. Install-AuditTable creates it and copies the figures.
            h.Execute("DROP TABLE aa_connection_summary");
            var results = new SchemaInstaller(h.Db).InstallAll();
            DateTime last = h.LastComplete(now);
            int Months(DateTime from) => Enumerable.Range(0, (last - from).Days + 1).Select(d => from.AddDays(d).Month).Distinct().Count();
            // One row per computer and month of its rolled-up days.
            Assert.Contains("adopted " + (Months(today.AddDays(-20)) + Months(today.AddDays(-9))) + " existing rows", results.Single(r => r.Table == "aa_connection_summary").Changes);
            Assert.Equal(before, Window(h.Db, today.AddDays(-20), today));
            // Again: nothing more to copy.
            Assert.Equal(TableAction.Unchanged, new SchemaInstaller(h.Db).InstallAll().Single(r => r.Table == "aa_connection_summary").Action);
        }

        [Fact]
        public void ADayWhoseRawHistoryWasThinnedIsNotRolledUpAgain()
        {
            DateTime now = WholeSeconds(DateTime.UtcNow);
            using var h = ProValDatabase("reroll", "VALUES (1, 1, CURDATE() - INTERVAL 60 DAY, CURDATE() - INTERVAL 60 DAY), (1, 0, CURDATE() - INTERVAL 55 DAY, CURDATE() - INTERVAL 55 DAY), " +
                "(1, 1, CURDATE() - INTERVAL 50 DAY, CURDATE() - INTERVAL 50 DAY)");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'PC1', NOW())");
            h.RecordAt(now);
            h.Db.Server.UseSimulatedClock(now);
            DateTime today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });
            new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions());
            var before = Window(h.Db, today.AddDays(-60), today);
            Assert.Equal(Minutes(h, today.AddDays(-55), today.AddDays(-50)), before[1].Offline);

            // -Force and -Day: the thinned days keep their figures (rolling them from what raw history is left would make them Unknown).
            var again = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server));
            Assert.Empty(again.PendingDays(new RollupOptions { Days = new[] { today.AddDays(-55), today.AddDays(-52) } }));
            var forced = again.PendingDays(new RollupOptions { Force = true });
            Assert.Equal((h.LastComplete(now) - today.AddDays(-30)).Days + 1, forced.Count);
            Assert.True(forced.Min() >= today.AddDays(-30));
            again.RollUpAll(new RollupOptions { Force = true });
            Assert.Equal(before, Window(h.Db, today.AddDays(-60), today));
        }
    }
}
