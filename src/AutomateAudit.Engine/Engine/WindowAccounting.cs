using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>A computer with its totals for each window asked for.</summary>
    internal sealed class ComputerTotals
    {
        public ComputerTotals(ComputerRecord computer, Totals[] totals, DateTime? firstSeenUtc)
        {
            Computer = computer; Totals = totals; FirstSeenUtc = firstSeenUtc;
        }

        public ComputerRecord Computer { get; }
        public Totals[] Totals { get; }
        public DateTime? FirstSeenUtc { get; }
    }

    /// <summary>
    /// Online, offline and unknown seconds per computer for any set of UTC windows: whole days that were
    /// rolled up come from their summary figures (aa_connection_summary, kept long after the daily rows and the
    /// raw history), everything else (partial days, days not rolled up) from the raw changes. Time neither
    /// covers is Unknown. Rows stream chunk by chunk.
    /// </summary>
    internal sealed class WindowAccounting
    {
        private readonly AuditSession _session;
        private readonly ServerClock _clock;
        private readonly ReportComputers _computers;

        public WindowAccounting(AuditSession session, ServerClock clock, ReportComputers computers)
        {
            _session = session;
            _clock = clock;
            _computers = computers;
        }

        /// <summary>Off: account every window from the raw history (tests compare both ways).</summary>
        internal bool UseRollupRows { get; set; } = true;

        public IEnumerable<ComputerTotals> Compute(ComputerFilter filter, Interval[] windows)
        {
            DateTime from = windows.Min(w => w.Start), to = windows.Max(w => w.End);
            var coverage = Coverage.Load(_session, from, to, _clock.NowUtc);
            var accounting = new ConnectionAccounting(_session.History, coverage);

            var rolled = UseRollupRows
                ? _session.Rollup.RolledDays(_clock.ToLocal(from).Date.AddDays(-1), _clock.ToLocal(to).Date.AddDays(1), withProvisional: true)
                : new List<RolledDayBounds>();
            var daysPerWindow = windows.Select(w => rolled.Where(d => d.StartUtc >= w.Start && d.EndUtc <= w.End).ToList()).ToArray();
            var rawPerWindow = windows.Select((w, k) => IntervalSet.Of(daysPerWindow[k].Select(d => new Interval(d.StartUtc, d.EndUtc))).ComplementWithin(w.Start, w.End)).ToArray();
            IntervalSet spans = IntervalSet.Of(rawPerWindow.SelectMany(r => r.Items));
            // Exactly the rolled days of each window are summed (a day not rolled up is counted from the raw history instead).
            var dayLists = daysPerWindow.Select(d => (IReadOnlyList<DateTime>)d.Select(x => x.Day.Date).ToList()).ToList();
            bool anyDays = daysPerWindow.Any(d => d.Count > 0);

            var spanReader = new SpanReader(_session, accounting, spans, rolled.Where(d => !d.Provisional).ToList(), filter == null || filter.IsWholeFleet);
            foreach (var chunk in _computers.Chunks(filter))
            {
                var ids = chunk.Select(c => c.ComputerId).ToList();
                var periodsPerSpan = spanReader.Periods(ids);
                var daily = anyDays ? _session.Summary.WindowSums(ids, dayLists) : new Dictionary<int, long[]>();
                foreach (ComputerRecord computer in chunk)
                {
                    var totals = new Totals[windows.Length];
                    for (int k = 0; k < windows.Length; k++)
                    {
                        var t = new Totals();
                        foreach (Interval raw in rawPerWindow[k].Items)
                        {
                            int s = spans.IndexContaining(raw.Start, raw.End);
                            if (periodsPerSpan[s].TryGetValue(computer.ComputerId, out List<Period> periods))
                                t.Add(Timeline.Sum(periods, raw.Start, raw.End));
                        }
                        if (daily.TryGetValue(computer.ComputerId, out long[] sums))
                        {
                            t.Online += sums[2 * k];
                            t.Offline += sums[2 * k + 1];
                        }
                        t.Unknown = windows[k].Seconds - t.Online - t.Offline;
                        totals[k] = t;
                    }
                    yield return new ComputerTotals(computer, totals, ReportComputers.FirstSeen(computer, coverage));
                }
            }
        }

        /// <summary>
        /// The parts of a UTC window before now that nothing covers: neither a rolled-up day's figures nor the
        /// observed raw history. Every computer is Unknown there, whatever it did.
        /// </summary>
        public IntervalSet Uncovered(Interval window)
        {
            DateTime end = window.End < _clock.NowUtc ? window.End : _clock.NowUtc;
            if (end <= window.Start) return IntervalSet.Empty;
            var coverage = Coverage.Load(_session, window.Start, end, _clock.NowUtc);
            var rolled = UseRollupRows
                ? _session.Rollup.RolledDays(_clock.ToLocal(window.Start).Date.AddDays(-1), _clock.ToLocal(end).Date.AddDays(1), withProvisional: true)
                    .Where(d => d.StartUtc >= window.Start && d.EndUtc <= window.End).Select(d => new Interval(d.StartUtc, d.EndUtc))
                : Enumerable.Empty<Interval>();
            var covered = IntervalSet.Of(rolled).Union(coverage.Unobserved.ComplementWithin(window.Start, end));
            return covered.ComplementWithin(window.Start, end);
        }
    }
}
