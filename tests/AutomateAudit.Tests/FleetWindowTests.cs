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
    /// -Start/-End windows over a fleet larger than a report's first chunk (500 computers): after the first chunk the raw
    /// spans are read once for the whole fleet, the state at a span that starts at a rolled-up day's end comes from that
    /// day's daily rows, and the summary is read by ComputerID range. Every figure must equal the raw history's.
    /// </summary>
    public class FleetWindowTests
    {
        [Fact]
        public void WindowsOverTheWholeFleetGiveTheRawHistorysMinutesWhateverTheirEdges()
        {
            using var h = new Harness("fleetwin", install: false);
            h.Execute("CREATE TABLE pvl_automate_connection_audit (computerid INT NOT NULL, state TINYINT NOT NULL, lastcontact DATETIME NULL, datacollectiontime DATETIME NULL) ENGINE=InnoDB");
            // 700 computers, 25 days: each changes state every 9-16 hours at its own minute; computers 650+ appear 3 days ago.
            h.Execute(
                "INSERT INTO pvl_automate_connection_audit (computerid, state, lastcontact, datacollectiontime) " +
                "SELECT c, s, lc, lc + INTERVAL 3 MINUTE FROM (" +
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700) " +
                "SELECT a.i AS c, b.i % 2 AS s, CURDATE() - INTERVAL IF(a.i >= 650, 3, 25) DAY + INTERVAL (a.i * 7 + b.i * (540 + a.i % 420)) MINUTE AS lc " +
                "FROM n a JOIN n b ON b.i <= 70) x WHERE lc < NOW() - INTERVAL 10 MINUTE ORDER BY lc");
            h.Execute("INSERT INTO computers (ComputerID, ClientID, Name, LastContact) " +
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700) SELECT i, 1 + i % 3, CONCAT('PC', i), NOW() FROM n");
            h.Execute("INSERT INTO clients (ClientID, Name) VALUES (1, 'One'), (2, 'Two'), (3, 'Three')");
            new SchemaInstaller(h.Db).InstallAll();
            DateTime now = DateTime.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            h.Db.Server.UseSimulatedClock(now);
            DateTime today = h.Simulator.QuerySingle<DateTime>("SELECT DATE(CONVERT_TZ(@now, '+00:00', @@session.time_zone))", new { now });
            var rolled = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions(), retention: false);
            Assert.True(rolled.Count >= 23, "the adopted days are rolled up");

            var reports = new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), ConnectionRecorder.DefaultOfflineAfter);
            var raw = Harness.RawReports(h.Db);
            var windows = new (DateTime Start, DateTime? End)[]
            {
                (today.AddDays(-20).AddHours(13).AddMinutes(45), null),                             // mid-day to now
                (today.AddDays(-10), null),                                                         // a midnight to now: today's span starts where yesterday ends
                (today.AddDays(-18).AddHours(6).AddMinutes(10), today.AddDays(-4).AddHours(19)),   // mid-day to mid-day, both in rolled days
                (today.AddDays(-5), today.AddDays(-2)),                                             // whole days only
            };
            foreach (var (start, end) in windows)
            {
                var expected = Figures(raw, new ComputerFilter(), start, end);
                Assert.Equal(700, expected.Count);
                Assert.Contains(expected, f => f.Online > 0 && f.Offline > 0);
                Assert.Equal(expected, Figures(reports, new ComputerFilter(), start, end));
                // A filtered report (every third computer: a sparse list of ComputerIDs) reads by list, with the same figures.
                var client = new ComputerFilter { Client = new[] { "Two" } };
                var expectedClient = Figures(raw, client, start, end);
                Assert.Equal(234, expectedClient.Count);
                Assert.Equal(expectedClient, Figures(reports, client, start, end));
            }
        }

        private static List<(int Id, int Online, int Offline, int Unknown)> Figures(ConnectionReports reports, ComputerFilter filter, DateTime start, DateTime? end) =>
            reports.Window.Rows(filter, start, end).Select(r => (r.ComputerId, r.OnlineMinutes, r.OfflineMinutes, r.UnknownMinutes)).ToList();
    }
}
