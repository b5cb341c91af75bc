using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Testing;
using Dapper;

namespace AutomateAudit.Tests
{
    /// <summary>The 2026-11-01 fall-back in America/New_York (the fixture server's zone): 01:00-02:00 local happens twice.</summary>
    public class DstTests
    {
        private static readonly DateTime DayStartUtc = new DateTime(2026, 11, 1, 4, 0, 0, DateTimeKind.Utc);
        private static readonly DateTime DayEndUtc = new DateTime(2026, 11, 2, 5, 0, 0, DateTimeKind.Utc);

        [Theory]
        [InlineData(0, 0)]          // online all day
        [InlineData(330, 390)]      // down 05:30-06:30 UTC, across the repeated hour
        [InlineData(365, 420)]      // down 06:05-07:00 UTC, inside the second 01:xx
        [InlineData(290, 355)]      // down 04:50-05:55 UTC, inside the first 01:xx
        public void TheFallBackDayHas25HoursCountedInRealTime(int downFromMinute, int downToMinute)
        {
            using var h = new Harness("dst_" + downFromMinute);
            var zone = TimeZoneInfo.FindSystemTimeZoneById(MariaDbServer.DefaultTimeZone);
            DateTime t0 = DayStartUtc.AddHours(-2);
            DateTime downFrom = t0.AddMinutes(downFromMinute + 120), downTo = t0.AddMinutes(downToMinute + 120);
            var recorder = new ConnectionRecorder(h.Db);
            h.Execute("INSERT INTO computers (ComputerID, Name) VALUES (1, 'PC1')");
            DateTime? lastCheckIn = null;
            for (DateTime t = t0; t < DayEndUtc.AddHours(1); t = t.AddSeconds(60))
            {
                bool up = !(t >= downFrom && t < downTo) || downFromMinute == downToMinute;
                if (up && (lastCheckIn == null || t - lastCheckIn >= TimeSpan.FromMinutes(5) || (t - downTo).TotalSeconds is >= 0 and < 60))
                {
                    lastCheckIn = t;
                    h.Simulator.Execute("UPDATE computers SET LastContact = @lc WHERE ComputerID = 1",
                        new { lc = TimeZoneInfo.ConvertTimeFromUtc(t, zone) });
                }
                if (t.Minute % 5 == 2 && t.Second == 0)
                {
                    h.Db.Server.UseSimulatedClock(t.AddSeconds(30));
                    recorder.Record(TimeSpan.FromMinutes(15));
                }
            }
            h.Db.Server.UseSimulatedClock(DayEndUtc.AddHours(1));
            var day = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollDay(new DateTime(2026, 11, 1));
            Assert.Equal(1500, day.DayMinutes);
            var row = h.Simulator.QuerySingle<(int Online, int Offline, int Unknown)>(
                "SELECT online, offline, unknown FROM pvl_automate_connection_audit_daily WHERE computerid = 1");
            int expectedOffline = downToMinute - downFromMinute;
            var changes = string.Join("; ", h.Simulator.Query<(int State, DateTime Lc, DateTime Eff)>(
                "SELECT state, lastcontact, effective_utc FROM pvl_automate_connection_audit ORDER BY id").Select(c => c.ToString()));
            Assert.True(Math.Abs(row.Offline - expectedOffline) <= 5, $"offline {row.Offline} min, expected {expectedOffline}: {changes}");
            Assert.Equal(1500 - row.Offline, row.Online);
            Assert.Equal(0, row.Unknown);
        }
    }
}
