using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Testing;
using Dapper;
using Xunit.Abstractions;

namespace AutomateAudit.Tests
{
    /// <summary>
    /// Thirty simulated days of a 1,000-agent fleet recorded every 5 minutes (with a 4-hour stretch
    /// where recording was stopped, agents added and removed, and the 2026-11-01 DST fall-back), then
    /// every computer's daily and 30-day minutes compared with the simulator's ground truth.
    /// Bound: each truth transition may move at most one check-in interval (300 s) of time between
    /// states, except an outage that began in the 20 minutes before recording stopped (unobservable
    /// by any poller: allowed 25 minutes). Unknown is exact wherever no computer was added or removed.
    /// </summary>
    public class AccuracyTests
    {
        private const double Interval = 300;
        private readonly ITestOutputHelper _output;

        public AccuracyTests(ITestOutputHelper output) { _output = output; }

        [Fact]
        public void ThirtyDaysOfAThousandAgentsMatchTheGroundTruth()
        {
            var watch = Stopwatch.StartNew();
            using var h = new Harness("accuracy");
            var options = new FleetOptions { Agents = 1000, Days = 30 };
            var sim = new FleetSimulator(options);
            sim.WriteDirectory(h.Simulator);
            var replay = new HistoryReplay(sim, options.StartUtc.AddSeconds(97), options.EndUtc.AddMinutes(105))
            {
                Stopped = (new DateTime(2026, 11, 5, 13, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 5, 17, 10, 0, DateTimeKind.Utc)),
            };
            var recorder = new ConnectionRecorder(h.Db);
            int runs = replay.Run(h.Simulator, t => { h.Db.Server.UseSimulatedClock(t); recorder.Record(TimeSpan.FromMinutes(15)); });
            long replaySeconds = (long)watch.Elapsed.TotalSeconds;

            // 00:45 on the 31st local day (the period spans the fall-back, so it ends an hour later in UTC).
            DateTime nowUtc = options.EndUtc.AddMinutes(105);
            h.Db.Server.UseSimulatedClock(nowUtc);
            var rolled = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server)).RollUpAll(new RollupOptions { RetainDays = 40, RetainHistoryDays = 60 });
            Assert.True(rolled.Count == 30, "rolled days: " + string.Join(", ", rolled.Select(d => d.Day.ToString("MM-dd", CultureInfo.InvariantCulture))));
            var fallBack = rolled.Single(d => d.Day == new DateTime(2026, 11, 1));
            Assert.Equal(1500, fallBack.DayMinutes);
            Assert.All(rolled.Where(d => d.Day != fallBack.Day), d => Assert.Equal(1440, d.DayMinutes));

            var covered = replay.Covered(Coverage.MaxRecordingGap, nowUtc);
            var stopStart = replay.RunTimes().Last(t => t < replay.Stopped.Value.Start);
            var daily = h.Simulator.Query<(int ComputerId, DateTime Day, int Online, int Offline, int Unknown, int OnS, int OffS, int UnS)>(
                "SELECT computerid, day, online, offline, unknown, online_seconds, offline_seconds, unknown_seconds FROM pvl_automate_connection_audit_daily")
                .ToDictionary(r => (r.ComputerId, r.Day));

            var stats = new Stats();
            for (DateTime day = sim.ToLocal(options.StartUtc).Date; day <= sim.ToLocal(options.EndUtc).Date; day = day.AddDays(1))
            {
                var (a, b) = sim.DayBoundsUtc(day);
                foreach (SimulatedAgent agent in sim.Agents)
                {
                    var truth = agent.Truth(a, b, covered);
                    daily.TryGetValue((agent.ComputerId, day), out var row);
                    double online = row.OnS, offline = row.OffS, unknown = (b - a).TotalSeconds - online - offline;
                    if (row.ComputerId != 0)
                    {
                        Assert.Equal((int)Math.Round((b - a).TotalMinutes), row.Online + row.Offline + row.Unknown);
                        Assert.Equal((b - a).TotalSeconds, row.OnS + row.OffS + row.UnS);
                    }
                    stats.Check(agent, a, b, truth, online, offline, unknown, stopStart, Interval, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                }
            }

            // The whole 30 days through the report cmdlet's engine (daily rows for whole days) and an
            // unaligned window (partial days from raw history).
            var reporter = new ConnectionReports(h.Db, ServerClock.Read(h.Db.Server), ConnectionRecorder.DefaultOfflineAfter);
            var windows = new[]
            {
                (sim.ToLocal(options.StartUtc), sim.ToLocal(options.StartUtc).AddDays(30)),
                (new DateTime(2026, 10, 25, 13, 17, 0), new DateTime(2026, 11, 9, 8, 43, 0)),
            };
            foreach (var (startLocal, endLocal) in windows)
            {
                DateTime a = TimeZoneInfo.ConvertTimeToUtc(startLocal, sim.Zone), b = TimeZoneInfo.ConvertTimeToUtc(endLocal, sim.Zone);
                var rows = reporter.Window.Rows(new ComputerFilter(), startLocal, endLocal).ToDictionary(r => r.ComputerId);
                foreach (SimulatedAgent agent in sim.Agents.Where(x => rows.ContainsKey(x.ComputerId)))
                {
                    var r = rows[agent.ComputerId];
                    Assert.Equal((int)Math.Round((b - a).TotalMinutes), r.OnlineMinutes + r.OfflineMinutes + r.UnknownMinutes);
                    stats.Check(agent, a, b, agent.Truth(a, b, covered), r.OnlineMinutes * 60.0, r.OfflineMinutes * 60.0, r.UnknownMinutes * 60.0,
                        stopStart, Interval, "window " + startLocal.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture), minuteRounding: 60);
                }
            }

            // The default report (24h/7d/30d ending now) from the rollup's rows equals the raw accounting,
            // and its 30-day figures match the truth like the daily rows do.
            var fromRollup = reporter.Rolling.Rows(new ComputerFilter()).ToList();
            var fromRaw = Harness.RawReports(h.Db).Rolling.Rows(new ComputerFilter()).ToDictionary(r => r.ComputerId);
            Assert.Equal(fromRaw.Count, fromRollup.Count);
            foreach (var r in fromRollup)
            {
                var raw = fromRaw[r.ComputerId];
                Assert.Equal((raw.Online24hMinutes, raw.Offline24hMinutes, raw.Unknown24hMinutes), (r.Online24hMinutes, r.Offline24hMinutes, r.Unknown24hMinutes));
                Assert.Equal((raw.Online7dMinutes, raw.Offline7dMinutes, raw.Unknown7dMinutes), (r.Online7dMinutes, r.Offline7dMinutes, r.Unknown7dMinutes));
                Assert.Equal((raw.Online30dMinutes, raw.Offline30dMinutes, raw.Unknown30dMinutes), (r.Online30dMinutes, r.Offline30dMinutes, r.Unknown30dMinutes));
                var agent = sim.Agents[r.ComputerId - 1];
                stats.Check(agent, nowUtc.AddDays(-30), nowUtc, agent.Truth(nowUtc.AddDays(-30), nowUtc, covered), r.Online30dMinutes * 60.0, r.Offline30dMinutes * 60.0,
                    r.Unknown30dMinutes * 60.0, stopStart, Interval, "rolling 30d", minuteRounding: 60);
            }

            string summary = string.Format(CultureInfo.InvariantCulture,
                "{0} agents, {1} runs, replay {2} s, total {3} s; agent-days and windows checked: {4}; truth transitions: {5}; " +
                "max error per transition: {6:0.#} s; mean absolute online error per agent-day: {7:0.##} s; agent-days with exact unknown: {8} of {9} without add/remove",
                sim.Agents.Count, runs, replaySeconds, (long)watch.Elapsed.TotalSeconds, stats.Checked, stats.Transitions,
                stats.MaxPerTransition, stats.TotalAbsOnline / Math.Max(1, stats.Checked), stats.ExactUnknown, stats.WithoutAddRemove);
            _output.WriteLine(summary);
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "accuracy-summary.txt"), summary + Environment.NewLine);
            foreach (int id in stats.FailedComputers.Take(3))
            {
                var agent = sim.Agents[id - 1];
                _output.WriteLine("computer " + id + " up: " + string.Join(" ", agent.Up.Where(u => u.End > options.StartUtc).Select(u => u.Start.ToString("MM-dd HH:mm:ss") + "-" + u.End.ToString("MM-dd HH:mm:ss"))));
                _output.WriteLine("computer " + id + " recorded: " + string.Join(" ", h.Simulator.Query<(int State, DateTime Lc, DateTime Eff, DateTime Col)>(
                    "SELECT state, lastcontact, effective_utc, collected_utc FROM pvl_automate_connection_audit WHERE computerid = @id ORDER BY id", new { id })
                    .Select(c => c.State + "@" + c.Eff.ToString("MM-dd HH:mm:ss") + "(lc " + c.Lc.ToString("HH:mm:ss") + ", run " + c.Col.ToString("HH:mm:ss") + ")")));
            }
            Assert.True(stats.Failures.Count == 0, string.Join(Environment.NewLine, stats.Failures.Take(20)));
            Assert.True(stats.MaxPerTransition <= Interval, "an error per transition exceeded one check-in interval: " + stats.MaxPerTransition);

            // Rolled in order, each day took its computers' midnight states from the day before's end_state and carried
            // the window sums forward. Rolled again alone, newest first with nothing marked before it, each day seeks the
            // states in the raw history and sums from scratch: every row is the same.
            const string rowsSql = "SELECT CONCAT_WS('|', computerid, day, online, offline, unknown, online_seconds, offline_seconds, unknown_seconds, " +
                "COALESCE(end_state, 'null'), timeline, online_6d_seconds, offline_6d_seconds, online_29d_seconds, offline_29d_seconds) " +
                "FROM pvl_automate_connection_audit_daily ORDER BY computerid, day";
            var carried = h.Simulator.Query<string>(rowsSql).ToList();
            var days = rolled.Select(d => d.Day).OrderByDescending(d => d).ToList();
            foreach (DateTime day in days) h.Db.Rollup.Unmark(day);
            var alone = new DailyRollup(h.Db, ServerClock.Read(h.Db.Server));
            foreach (DateTime day in days) alone.RollDay(day, null, new RollupOptions { RetainDays = 40, RetainHistoryDays = 60 });
            Assert.True(carried.Count >= 20000, "daily rows: " + carried.Count); // about a row per agent-day
            Assert.Equal(carried, h.Simulator.Query<string>(rowsSql).ToList());
        }

        private sealed class Stats
        {
            public readonly List<string> Failures = new List<string>();
            public readonly List<int> FailedComputers = new List<int>();
            public int Checked, Transitions, ExactUnknown, WithoutAddRemove;
            public double MaxPerTransition, TotalAbsOnline;

            public void Check(SimulatedAgent agent, DateTime a, DateTime b, (double Online, double Offline, double Absent) truth,
                double online, double offline, double unknown, DateTime stopStart, double interval, string label, double minuteRounding = 0)
            {
                Checked++;
                var transitions = agent.Transitions().Where(t => t > a.AddSeconds(-interval) && t < b.AddSeconds(interval)).ToList();
                bool nearStop = transitions.Any(t => t <= stopStart && t > stopStart.AddMinutes(-20));
                int addRemove = (agent.AddedUtc > a.AddSeconds(-interval) && agent.AddedUtc < b ? 1 : 0)
                    + (agent.RemovedUtc.HasValue && agent.RemovedUtc > a.AddSeconds(-interval) && agent.RemovedUtc < b ? 1 : 0);
                Transitions += transitions.Count;
                // A computer deleted from Automate within OfflineAfter of going silent was never seen offline:
                // it counts as online until the run that finds it gone.
                bool quietRemoval = agent.RemovedUtc.HasValue && agent.RemovedUtc > a && agent.RemovedUtc < b.AddSeconds(interval)
                    && agent.Up.Any(u => u.End > agent.RemovedUtc.Value.AddMinutes(-20) && u.End < agent.RemovedUtc.Value);
                double allowed = transitions.Count * interval + (nearStop ? 25 * 60 : 0) + (quietRemoval ? 20 * 60 : 0) + minuteRounding;
                double errOnline = Math.Abs(online - truth.Online), errOffline = Math.Abs(offline - truth.Offline), errUnknown = Math.Abs(unknown - truth.Absent);
                TotalAbsOnline += errOnline;
                if (transitions.Count > 0 && !nearStop && !quietRemoval)
                    MaxPerTransition = Math.Max(MaxPerTransition, Math.Max(errOnline, errOffline) / transitions.Count - minuteRounding);
                if (transitions.Count == 0 && !nearStop && !quietRemoval)
                    MaxPerTransition = Math.Max(MaxPerTransition, Math.Max(errOnline, errOffline) - minuteRounding);
                if (errOnline > allowed || errOffline > allowed) FailedComputers.Add(agent.ComputerId);
                if (errOnline > allowed || errOffline > allowed)
                    Failures.Add($"{label} computer {agent.ComputerId} ({agent.Profile}): online {online} vs {truth.Online}, offline {offline} vs {truth.Offline}, {transitions.Count} transitions");
                if (addRemove == 0)
                {
                    WithoutAddRemove++;
                    if (errUnknown <= minuteRounding + 1) ExactUnknown++;
                    else Failures.Add($"{label} computer {agent.ComputerId}: unknown {unknown} s, expected exactly {truth.Absent} s");
                }
                else if (errUnknown > addRemove * interval + (quietRemoval ? 20 * 60 : 0) + minuteRounding + 1)
                    Failures.Add($"{label} computer {agent.ComputerId}: unknown {unknown} s vs {truth.Absent} s with {addRemove} add/remove");
            }
        }
    }
}
