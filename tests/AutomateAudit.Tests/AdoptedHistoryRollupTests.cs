using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using Dapper;
using Xunit;

namespace AutomateAudit.Tests
{
    /// <summary>
    /// Issue 10: the report right after an adoption. Install-AuditTable writes the adopted days' figures (provisional
    /// days) and rolls up the three days the report reads daily rows of; the report then gives the raw history's
    /// numbers without reading it, and Invoke-DailyRollup later rolls the provisional days up to the same numbers.
    /// </summary>
    public class AdoptedHistoryRollupTests
    {
        private const int Days = 40;

        /// <summary>
        /// 40 days of ProVal history for six computers: changes at odd minutes, one exactly at a midnight, one computer
        /// appearing 12 days ago and one silent (offline) for the last 20 days.
        /// </summary>
        private static Harness AdoptedFleet(string purpose, out DateTime now, out DateTime today)
        {
            var h = new Harness(purpose, install: false);
            h.Execute("CREATE TABLE pvl_automate_connection_audit (computerid INT NOT NULL, state TINYINT NOT NULL, lastcontact DATETIME NULL, datacollectiontime DATETIME NULL) ENGINE=InnoDB");
            var rows = new List<string>();
            for (int c = 1; c <= 6; c++)
            {
                int step = 13 * 60 + c * 37, firstMinute = c == 5 ? (Days - 12) * 1440 + 300 : c * 11, lastMinute = c == 6 ? (Days - 20) * 1440 : int.MaxValue;
                for (int i = 0, m = firstMinute; m < (Days + 1) * 1440 && m <= lastMinute; i++, m += step + (i % 3) * 71)
                    rows.Add("SELECT " + c + " AS c, " + (i % 2 == 0 ? 1 : 0) + " AS s, CURDATE() - INTERVAL " + Days + " DAY + INTERVAL " + m + " MINUTE AS lc");
            }
            rows.Add("SELECT 6, 0, CURDATE() - INTERVAL 20 DAY + INTERVAL 1 MINUTE");
            rows.Add("SELECT 2, 0, CURDATE() - INTERVAL 9 DAY");
            rows.Add("SELECT 2, 1, CURDATE() - INTERVAL 9 DAY + INTERVAL 2 HOUR");
            h.Execute("INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) SELECT c, s, lc, lc + INTERVAL 3 MINUTE FROM (" +
                string.Join(" UNION ALL ", rows) + ") x WHERE lc < NOW() - INTERVAL 5 MINUTE ORDER BY lc");
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (1, 'PC1', NOW()), (2, 'PC2', NOW()), (3, 'PC3', NOW()), (4, 'PC4', NOW()), " +
                "(5, 'PC5', NOW()), (6, 'PC6', NOW() - INTERVAL 20 DAY)");
            new SchemaInstaller(h.Db).InstallAll();
            now = DateTime.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            h.Db.Server.UseSimulatedClock(now);
            today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });
            return h;
        }

        private static List<string> RollingFigures(ConnectionReports reports) =>
            reports.Rolling.Rows(new ComputerFilter()).OrderBy(r => r.ComputerId).Select(r => string.Join(" ", r.ComputerId,
                r.Online24hMinutes, r.Offline24hMinutes, r.Unknown24hMinutes, r.Online7dMinutes, r.Offline7dMinutes, r.Unknown7dMinutes,
                r.Online30dMinutes, r.Offline30dMinutes, r.Unknown30dMinutes)).ToList();

        private static List<string> WindowFigures(ConnectionReports reports, DateTime startLocal, DateTime endLocal) =>
            reports.Window.Rows(new ComputerFilter(), startLocal, endLocal).OrderBy(r => r.ComputerId)
                .Select(r => string.Join(" ", r.ComputerId, r.OnlineMinutes, r.OfflineMinutes, r.UnknownMinutes)).ToList();

        /// <summary>How the log shows a read of the summary's figures (the log keeps a statement's first 400 characters).</summary>
        private const string SummaryRead = "SELECT computerid AS ComputerId, SUM(CASE month";

        /// <summary>The report's statements, and what it returned, from a session of its own with the module's SQL log on.</summary>
        private static (List<string> Figures, List<string> Sql) Logged(Harness h, DateTime now, Func<ConnectionReports, List<string>> report)
        {
            var sql = new List<string>();
            using var db = AuditSession.Open(h.Settings, line => { if (line.StartsWith("SQL", StringComparison.Ordinal)) sql.Add(line); });
            db.Server.UseSimulatedClock(now);
            return (report(new ConnectionReports(db, ServerClock.Read(db.Server), ConnectionRecorder.DefaultOfflineAfter)), sql);
        }

        private static List<string> Summary(Harness h) =>
            h.Simulator.Query("SELECT * FROM aa_connection_summary ORDER BY computerid, month").Select(r => string.Join(",", ((IDictionary<string, object>)r).Values)).ToList();

        private static List<string> DailyRows(Harness h, IEnumerable<DateTime> days) =>
            h.Simulator.Query<string>("SELECT CONCAT_WS(',', computerid, day, online, offline, unknown, online_seconds, offline_seconds, unknown_seconds, end_state, timeline, " +
                "online_6d_seconds, offline_6d_seconds, online_29d_seconds, offline_29d_seconds) FROM pvl_automate_connection_audit_daily WHERE day IN @days ORDER BY computerid, day",
                new { days = days.ToList() }).ToList();

        [Fact]
        public void RightAfterAdoptionTheReportReadsTheAdoptedDaysFiguresAndGivesTheRawHistorysNumbers()
        {
            using var h = AdoptedFleet("adoptroll", out DateTime now, out DateTime today);
            DateTime lastComplete = h.LastComplete(now);
            var raw = RollingFigures(Harness.RawReports(h.Db));
            var rawWindow = WindowFigures(Harness.RawReports(h.Db), today.AddDays(-25), today.AddDays(-12));
            Assert.Equal(6, raw.Count);
            Assert.Contains(raw, r => r.StartsWith("6 0 1440 ", StringComparison.Ordinal)); // silent for 20 days: offline all of the last 24 hours

            var result = new AdoptedHistoryRollup(h.Db, ServerClock.Read(h.Db.Server)).Run();

            var pending = Enumerable.Range(0, (lastComplete - today.AddDays(-Days)).Days + 1).Select(d => today.AddDays(-Days + d)).ToList();
            var full = pending.Where(d => d == today.AddDays(-1) || d == today.AddDays(-7) || d == today.AddDays(-30)).ToList();
            Assert.Equal(full, result.RolledDays.Select(d => d.Day).ToList());
            Assert.Equal(pending.Except(full).ToList(), result.ProvisionalDays);
            Assert.Equal(pending.Count - full.Count, h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup WHERE provisional = 1"));
            Assert.Equal(full.Count, h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup WHERE provisional = 0"));
            Assert.Equal(full.Count, h.Scalar("SELECT COUNT(DISTINCT day) FROM pvl_automate_connection_audit_daily"));

            // The default report: the same numbers; when yesterday is complete, from the daily rows (no summary, no 30 days of raw reads).
            var (figures, sql) = Logged(h, now, RollingFigures);
            Assert.Equal(raw, figures);
            if (full.Contains(today.AddDays(-1)))
            {
                Assert.Contains(sql, s => s.Contains("pvl_automate_connection_audit_daily"));
                Assert.DoesNotContain(sql, s => s.Contains(SummaryRead));
            }
            // A -Start/-End window over provisional days: summed from their figures.
            var (window, windowSql) = Logged(h, now, r => WindowFigures(r, today.AddDays(-25), today.AddDays(-12)));
            Assert.Equal(rawWindow, window);
            Assert.Contains(windowSql, s => s.Contains(SummaryRead));

            // Invoke-DailyRollup rolls up exactly the provisional days, to the same figures: nothing already written changes.
            var summaryBefore = Summary(h);
            var dailyBefore = DailyRows(h, full);
            var rolled = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions(), retention: false);
            Assert.Equal(result.ProvisionalDays, rolled.Select(d => d.Day).ToList());
            Assert.All(rolled, d => Assert.Equal("Added", d.Action));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_connection_rollup WHERE provisional = 1"));
            Assert.Equal(summaryBefore, Summary(h));
            Assert.Equal(dailyBefore, DailyRows(h, full));
            // Yesterday's window sums, carried from provisional figures, are those of the daily rows now written.
            if (full.Contains(today.AddDays(-1)))
            {
                Assert.Equal(h.Scalar("SELECT SUM(online_seconds) FROM pvl_automate_connection_audit_daily WHERE day BETWEEN CURDATE() - INTERVAL 29 DAY AND CURDATE() - INTERVAL 1 DAY"),
                    h.Scalar("SELECT SUM(online_29d_seconds) FROM pvl_automate_connection_audit_daily WHERE day = CURDATE() - INTERVAL 1 DAY"));
                Assert.Equal(h.Scalar("SELECT SUM(offline_seconds) FROM pvl_automate_connection_audit_daily WHERE day BETWEEN CURDATE() - INTERVAL 6 DAY AND CURDATE() - INTERVAL 1 DAY"),
                    h.Scalar("SELECT SUM(offline_6d_seconds) FROM pvl_automate_connection_audit_daily WHERE day = CURDATE() - INTERVAL 1 DAY"));
            }
            Assert.Equal(raw, Logged(h, now, RollingFigures).Figures);
        }

        [Fact]
        public void AProvisionalDayRolledUpToDifferentFiguresCorrectsTheWindowSumsOfTheLaterDays()
        {
            using var h = AdoptedFleet("adoptfix", out DateTime now, out DateTime today);
            var result = new AdoptedHistoryRollup(h.Db, ServerClock.Read(h.Db.Server)).Run();
            DateTime day = today.AddDays(-3);
            Assert.Contains(day, result.ProvisionalDays);
            Assert.Contains(result.RolledDays, d => d.Day == today.AddDays(-1) || d.Day == today.AddDays(-7));
            // A late row dated into that day (as if ProVal's monitor had written it): computer 3 offline for its last six hours.
            h.Execute("INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime, effective_utc) " +
                "SELECT 3, 0, CURDATE() - INTERVAL 2 DAY - INTERVAL 6 HOUR, CURDATE() - INTERVAL 2 DAY - INTERVAL 6 HOUR, CONVERT_TZ(CURDATE() - INTERVAL 2 DAY - INTERVAL 6 HOUR, @@session.time_zone, '+00:00')");

            var rolled = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions(), retention: false);

            Assert.Contains(rolled, d => d.Day == day);
            foreach (var later in result.RolledDays.Where(d => d.Day > day).Select(d => d.Day))
            {
                var sums = h.Simulator.QuerySingle<(long, long, long, long)>(
                    "SELECT online_6d_seconds, offline_6d_seconds, online_29d_seconds, offline_29d_seconds FROM pvl_automate_connection_audit_daily WHERE computerid = 3 AND day = @later", new { later });
                var fromRows = h.Simulator.QuerySingle<(long, long, long, long)>(
                    "SELECT SUM(IF(day > @later - INTERVAL 6 DAY, online_seconds, 0)), SUM(IF(day > @later - INTERVAL 6 DAY, offline_seconds, 0)), SUM(online_seconds), SUM(offline_seconds) " +
                    "FROM pvl_automate_connection_audit_daily WHERE computerid = 3 AND day BETWEEN @later - INTERVAL 28 DAY AND @later", new { later });
                Assert.Equal(fromRows, sums);
            }
            Assert.Equal(RollingFigures(Harness.RawReports(h.Db)), RollingFigures(new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), ConnectionRecorder.DefaultOfflineAfter)));
        }

        [Fact]
        public void AYesterdayRowWithoutWindowSumsGetsTheGeneralAccountingEvenForAComputerWithoutAFirstSeenTime()
        {
            using var h = AdoptedFleet("adoptnosums", out DateTime now, out DateTime today);
            new AdoptedHistoryRollup(h.Db, ServerClock.Read(h.Db.Server)).Run();
            // Yesterday's row of computer 3 as ProVal wrote its own (no window sums), and no state row for it (no first-seen time).
            Assert.Equal(1, h.Simulator.Execute("UPDATE pvl_automate_connection_audit_daily SET online_6d_seconds = NULL, offline_6d_seconds = NULL, " +
                "online_29d_seconds = NULL, offline_29d_seconds = NULL WHERE computerid = 3 AND day = @day", new { day = today.AddDays(-1) }));
            h.Execute("DELETE FROM aa_connection_state WHERE computerid = 3");

            var figures = RollingFigures(new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), ConnectionRecorder.DefaultOfflineAfter));

            Assert.Equal(RollingFigures(Harness.RawReports(h.Db)), figures);
            Assert.Contains(figures, r => r.StartsWith("3 ", StringComparison.Ordinal));
        }

        [Fact]
        public void RunAgainOverProvisionalDaysItZeroesTheFiguresOfComputersNoLongerObservedThen()
        {
            using var h = AdoptedFleet("adoptagain", out DateTime now, out DateTime today);
            var first = new AdoptedHistoryRollup(h.Db, ServerClock.Read(h.Db.Server)).Run();
            DateTime day = today.AddDays(-Days);
            Assert.Contains(day, first.ProvisionalDays);
            string column = "online_" + day.Day.ToString("00") + " + offline_" + day.Day.ToString("00");
            Assert.True(h.Scalar("SELECT " + column + " FROM aa_connection_summary WHERE computerid = 4 AND month = '" + day.ToString("yyyy-MM-01") + "'") > 0);
            // Computer 4's history is gone (as if it had never reported): the days still due get their figures again.
            h.Execute("DELETE FROM pvl_automate_connection_audit WHERE computerid = 4");
            h.Execute("DELETE FROM aa_connection_state WHERE computerid = 4");

            var again = new AdoptedHistoryRollup(h.Db, ServerClock.Read(h.Db.Server)).Run();

            Assert.Equal(first.ProvisionalDays, again.ProvisionalDays);
            Assert.Empty(again.RolledDays); // the full days are done
            Assert.Equal(0, h.Scalar("SELECT COALESCE(SUM(" + column + "), 0) FROM aa_connection_summary WHERE computerid = 4"));
            Assert.True(h.Scalar("SELECT SUM(" + column + ") FROM aa_connection_summary WHERE computerid = 3") > 0);
        }

        [Fact]
        public void AProvisionalMarkNeverDowngradesADayRolledUpInFull()
        {
            using var h = new Harness("adoptmark");
            DateTime day = new DateTime(2026, 3, 2), start = new DateTime(2026, 3, 1, 23, 0, 0), end = start.AddDays(1);
            h.Db.Rollup.MarkRolled(day, start, end, 5);
            h.Db.Rollup.MarkProvisional(new[] { (day, start.AddHours(1), end.AddHours(1), 7), (day.AddDays(1), end, end.AddDays(1), 7) });

            var marks = h.Db.Rollup.RolledDays(day, day.AddDays(1), withProvisional: true);
            Assert.Equal(new[] { false, true }, marks.Select(m => m.Provisional));
            Assert.Equal(start, marks[0].StartUtc);
            Assert.Single(h.Db.Rollup.RolledDays(day, day.AddDays(1)));
            h.Db.Rollup.MarkRolled(day.AddDays(1), end, end.AddDays(1), 7);
            Assert.Equal(2, h.Db.Rollup.RolledDays(day, day.AddDays(1)).Count);
        }

        [Fact]
        public void PerDayTotalsAreEachDaysOwnSumsAcrossMidnightsGapsAndShortDays()
        {
            DateTime t0 = new DateTime(2026, 3, 28, 23, 0, 0);
            // Three local days of 24, 23 (DST) and 24 hours, then a day skipped (already rolled up), then one more.
            var bounds = new List<DateTime[]>
            {
                new[] { t0, t0.AddHours(24) }, new[] { t0.AddHours(24), t0.AddHours(47) }, new[] { t0.AddHours(47), t0.AddHours(71) },
                new[] { t0.AddHours(95), t0.AddHours(119) },
            };
            var periods = new List<Period>
            {
                new Period(t0.AddHours(-5), t0.AddHours(3.5), PeriodState.Online),
                new Period(t0.AddHours(3.5), t0.AddHours(30), PeriodState.Offline),
                new Period(t0.AddHours(30), t0.AddHours(30).AddSeconds(1), PeriodState.Unknown),
                new Period(t0.AddHours(30).AddSeconds(1), t0.AddHours(100), PeriodState.Online),
                new Period(t0.AddHours(100), t0.AddHours(130), PeriodState.Offline),
            };

            Totals[] perDay = AdoptedHistoryRollup.PerDay(periods, bounds);

            Assert.Equal(bounds.Count, perDay.Length);
            for (int d = 0; d < bounds.Count; d++)
            {
                Totals expected = Timeline.Sum(periods, bounds[d][0], bounds[d][1]);
                Assert.Equal((expected.Online, expected.Offline, expected.Unknown), (perDay[d].Online, perDay[d].Offline, perDay[d].Unknown));
                Assert.Equal((long)(bounds[d][1] - bounds[d][0]).TotalSeconds, perDay[d].Window);
            }
            Assert.Equal(3.5 * 3600, perDay[0].Online);
            Assert.Equal(5 * 3600, perDay[3].Online);
        }
    }
}
