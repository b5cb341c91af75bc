using System;
using System.Collections.Generic;
using System.Linq;
using MySqlConnector;

namespace AutomateAudit.Testing
{
    /// <summary>
    /// Replays a simulated period: before each recording run the simulator writes computers as they are
    /// at that instant, then the caller's recorder runs "at" that instant. Runs happen every interval,
    /// off the check-in grid, except inside the stopped stretch (recording was not running).
    /// </summary>
    public sealed class HistoryReplay
    {
        public HistoryReplay(FleetSimulator simulator, DateTime firstRunUtc, DateTime endUtc)
        {
            Simulator = simulator;
            FirstRunUtc = firstRunUtc;
            EndUtc = endUtc;
        }

        public FleetSimulator Simulator { get; }
        public DateTime FirstRunUtc { get; }
        public DateTime EndUtc { get; }
        public TimeSpan RunInterval { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>Recording stopped in [Start, End): no runs at all.</summary>
        public (DateTime Start, DateTime End)? Stopped { get; set; }

        public IEnumerable<DateTime> RunTimes()
        {
            for (DateTime t = FirstRunUtc; t < EndUtc; t += RunInterval)
            {
                if (Stopped.HasValue && t >= Stopped.Value.Start && t < Stopped.Value.End) continue;
                yield return t;
            }
        }

        public int Run(MySqlConnection simulatorConnection, Action<DateTime> record)
        {
            int runs = 0;
            foreach (DateTime t in RunTimes())
            {
                Simulator.ApplyUntil(simulatorConnection, t);
                record(t);
                runs++;
            }
            return runs;
        }

        /// <summary>The spans a correct module could observe: between consecutive runs no more than maxGap apart, up to the last run.</summary>
        public List<(DateTime Start, DateTime End)> Covered(TimeSpan maxGap, DateTime nowUtc)
        {
            var runs = RunTimes().ToList();
            var covered = new List<(DateTime, DateTime)>();
            for (int i = 0; i + 1 < runs.Count; i++)
                if (runs[i + 1] - runs[i] <= maxGap) covered.Add((runs[i], runs[i + 1]));
            if (runs.Count > 0 && nowUtc - runs[runs.Count - 1] <= maxGap) covered.Add((runs[runs.Count - 1], nowUtc));
            var merged = new List<(DateTime Start, DateTime End)>();
            foreach (var c in covered)
            {
                if (merged.Count > 0 && merged[merged.Count - 1].End >= c.Item1) merged[merged.Count - 1] = (merged[merged.Count - 1].Start, c.Item2);
                else merged.Add(c);
            }
            return merged;
        }
    }
}
