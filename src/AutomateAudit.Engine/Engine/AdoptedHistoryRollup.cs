using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>What <see cref="AdoptedHistoryRollup"/> did.</summary>
    internal sealed class AdoptedRollupResult
    {
        /// <summary>Days that got only their summary figures: Invoke-DailyRollup still rolls them up.</summary>
        public IReadOnlyList<DateTime> ProvisionalDays { get; set; } = new List<DateTime>();
        /// <summary>Days rolled up in full: yesterday and the first days of the 7- and 30-day windows.</summary>
        public IReadOnlyList<RolledDay> RolledDays { get; set; } = new List<RolledDay>();
        /// <summary>How long writing every adopted day's figures took.</summary>
        public long FiguresMs { get; set; }
    }

    /// <summary>
    /// Right after Install-AuditTable adopts ProVal history, the figures Get-ConnectionReport needs, so its first run
    /// does not account 30 days of raw history: every adopted day not rolled up yet gets its online and offline
    /// seconds in aa_connection_summary (one read of the history, a chunk of computers at a time), marked provisional;
    /// then yesterday and the first days of the 7- and 30-day windows are rolled up in full, their window sums
    /// carried from those figures. Invoke-DailyRollup still rolls up the provisional days (daily rows for the
    /// dataviews); their figures are the same numbers, so nothing later changes.
    /// </summary>
    internal sealed class AdoptedHistoryRollup
    {
        private const int ChunkSize = 5000;
        private readonly AuditSession _session;
        private readonly ServerClock _clock;

        public AdoptedHistoryRollup(AuditSession session, ServerClock clock)
        {
            _session = session;
            _clock = clock;
        }

        public int LockTimeoutSeconds { get; set; } = 60;

        public AdoptedRollupResult Run()
        {
            var rollup = new DailyRollup(_session, _clock) { LockTimeoutSeconds = LockTimeoutSeconds };
            using (rollup.Exclusive())
            {
                var days = rollup.PendingAdoptedDays();
                if (days.Count == 0) return new AdoptedRollupResult();
                DateTime today = _clock.NowLocal.Date;
                var full = days.Where(d => d == today.AddDays(-30) || d == today.AddDays(-7) || d == today.AddDays(-1)).ToList();
                var provisional = days.Except(full).ToList();

                var watch = System.Diagnostics.Stopwatch.StartNew();
                using (rollup.RecorderLock("the adopted days were not rolled up"))
                {
                    var marks = WriteFigures(days);
                    if (provisional.Count > 0) _session.Rollup.MarkProvisional(marks.Where(m => provisional.Contains(m.Day)).ToList());
                }
                long figuresMs = watch.ElapsedMilliseconds;
                // In order: each day's window sums are carried from the figures written above and the days rolled before it.
                var rolled = full.Select(day => rollup.RollDay(day)).ToList();
                return new AdoptedRollupResult { ProvisionalDays = provisional, RolledDays = rolled, FiguresMs = figuresMs };
            }
        }

        /// <summary>Every listed day's figures of every computer observed that day; returns each day's bounds and how many computers it has.</summary>
        private List<(DateTime Day, DateTime StartUtc, DateTime EndUtc, int Computers)> WriteFigures(IReadOnlyList<DateTime> days)
        {
            var bounds = days.Select(d => _clock.ToUtc(d, d.AddDays(1))).ToList();
            DateTime from = bounds[0][0], to = bounds[bounds.Count - 1][1];
            var accounting = new ConnectionAccounting(_session.History, Coverage.Load(_session, from, to, _clock.NowUtc));
            var months = days.Select((d, i) => (Day: d, Index: i)).GroupBy(x => SummaryStore.MonthOf(x.Day))
                .Select(g => (Month: g.Key, DaysOfMonth: g.Select(x => x.Day.Day).ToList(), Indexes: g.Select(x => x.Index).ToList())).ToList();
            foreach (var month in months) _session.Summary.ClearDays(month.Month, month.DaysOfMonth);

            var computers = new int[days.Count];
            var tracked = _session.History.TrackedComputers(int.MinValue, int.MaxValue);
            for (int chunk = 0; chunk < tracked.Count; chunk += ChunkSize)
            {
                var ids = tracked.GetRange(chunk, Math.Min(ChunkSize, tracked.Count - chunk));
                var perComputer = new List<(int Id, Totals[] Days)>();
                foreach (var entry in accounting.Periods(ids, from, to))
                {
                    Totals[] perDay = PerDay(entry.Value, bounds);
                    for (int i = 0; i < perDay.Length; i++) if (perDay[i].Observed > 0) computers[i]++;
                    perComputer.Add((entry.Key, perDay));
                }
                foreach (var month in months)
                {
                    var rows = new List<long[]>();
                    foreach (var (id, perDay) in perComputer)
                    {
                        // A computer observed on none of the month's days has no row (as the rollup writes none).
                        if (!month.Indexes.Any(i => perDay[i].Observed > 0)) continue;
                        var row = new long[1 + 2 * month.Indexes.Count];
                        row[0] = id;
                        for (int k = 0; k < month.Indexes.Count; k++)
                        {
                            row[1 + 2 * k] = perDay[month.Indexes[k]].Online;
                            row[2 + 2 * k] = perDay[month.Indexes[k]].Offline;
                        }
                        rows.Add(row);
                    }
                    _session.Summary.WriteDays(month.Month, month.DaysOfMonth, rows);
                }
            }
            return days.Select((d, i) => (d, bounds[i][0], bounds[i][1], computers[i])).ToList();
        }

        /// <summary>
        /// The totals of each day (sorted, non-overlapping UTC bounds) in one pass over a computer's periods: the same
        /// seconds <see cref="Timeline.Sum"/> gives for each day alone.
        /// </summary>
        internal static Totals[] PerDay(IReadOnlyList<Period> periods, IReadOnlyList<DateTime[]> bounds)
        {
            var totals = new Totals[bounds.Count];
            int first = 0;
            foreach (Period p in periods)
            {
                while (first < bounds.Count && bounds[first][1] <= p.Start) first++;
                for (int d = first; d < bounds.Count && bounds[d][0] < p.End; d++)
                {
                    DateTime a = p.Start > bounds[d][0] ? p.Start : bounds[d][0];
                    DateTime b = p.End < bounds[d][1] ? p.End : bounds[d][1];
                    if (b > a) totals[d].Add(p.State, (long)(b - a).TotalSeconds);
                }
            }
            return totals;
        }
    }
}
