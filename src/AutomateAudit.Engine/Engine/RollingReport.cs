using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// Get-ConnectionReport's default: the last 24 hours, 7 days and 30 days ending now, per computer.
    /// Yesterday's daily row carries the whole-day sums of the 7- and 30-day windows, the rows of the two
    /// head days carry their timelines, and only today's changes come from the raw history. Where the
    /// rollup does not cover what is needed (a day not rolled up, a DST shift of the window heads), the
    /// windows are accounted in full by <see cref="WindowAccounting"/>.
    /// </summary>
    internal sealed class RollingReport
    {
        private readonly AuditSession _session;
        private readonly ServerClock _clock;
        private readonly ReportComputers _computers;
        private readonly WindowAccounting _accounting;

        public RollingReport(AuditSession session, ServerClock clock, ReportComputers computers, WindowAccounting accounting)
        {
            _session = session;
            _clock = clock;
            _computers = computers;
            _accounting = accounting;
        }

        public IEnumerable<ConnectionReportRow> Rows(ComputerFilter filter)
        {
            DateTime now = _clock.NowUtc;
            var windows = new[] { new Interval(now.AddDays(-1), now), new Interval(now.AddDays(-7), now), new Interval(now.AddDays(-30), now) };
            _clock.CoverSpan(windows[2].Start, now);
            IEnumerable<ComputerTotals> totals = (_accounting.UseRollupRows ? FromRollup(filter, windows) : null) ?? _accounting.Compute(filter, windows);
            foreach (ComputerTotals c in totals)
            {
                var row = _computers.Fill(new ConnectionReportRow(), c.Computer);
                WindowFigures d = WindowFigures.Of(c.Totals[0]), w = WindowFigures.Of(c.Totals[1]), m = WindowFigures.Of(c.Totals[2]);
                row.Online24hMinutes = d.Online; row.Offline24hMinutes = d.Offline; row.Unknown24hMinutes = d.Unknown; row.Observed24hMinutes = d.Observed;
                row.Online24hPercent = d.OnlinePercent; row.Offline24hPercent = d.OfflinePercent;
                row.Online7dMinutes = w.Online; row.Offline7dMinutes = w.Offline; row.Unknown7dMinutes = w.Unknown; row.Observed7dMinutes = w.Observed;
                row.Online7dPercent = w.OnlinePercent; row.Offline7dPercent = w.OfflinePercent;
                row.Online30dMinutes = m.Online; row.Offline30dMinutes = m.Offline; row.Unknown30dMinutes = m.Unknown; row.Observed30dMinutes = m.Observed;
                row.Online30dPercent = m.OnlinePercent; row.Offline30dPercent = m.OfflinePercent;
                if (c.FirstSeenUtc.HasValue)
                {
                    row.DataCollectedSince = _clock.ToLocal(c.FirstSeenUtc.Value);
                    row.DaysSinceDataCollection = Math.Round((now - c.FirstSeenUtc.Value).TotalDays, 3);
                }
                yield return row;
            }
        }

        /// <summary>Null when the rollup does not cover what is needed.</summary>
        private IEnumerable<ComputerTotals> FromRollup(ComputerFilter filter, Interval[] windows)
        {
            DateTime now = _clock.NowUtc;
            DateTime today = _clock.ToLocal(now).Date;
            DateTime yesterday = today.AddDays(-1), head7 = today.AddDays(-7), head30 = today.AddDays(-30);
            if (_clock.ToLocal(windows[0].Start).Date != yesterday || _clock.ToLocal(windows[1].Start).Date != head7 || _clock.ToLocal(windows[2].Start).Date != head30)
                return null;
            // The days between the heads may be provisional (summary figures only, after an adoption): yesterday's window
            // sums include their figures. Yesterday and the heads need their daily rows.
            var marks = _session.Rollup.RolledDays(head30, yesterday, withProvisional: true);
            if (marks.Any(d => d.Provisional && (d.Day.Date == yesterday || d.Day.Date == head7 || d.Day.Date == head30))) return null;
            var rolled = marks.ToDictionary(d => d.Day.Date, d => new Interval(d.StartUtc, d.EndUtc));
            if (!rolled.TryGetValue(yesterday, out Interval yesterdayBounds)) return null;
            var coverage = Coverage.Load(_session, windows[2].Start, now, now);
            for (DateTime d = head30; d < yesterday; d = d.AddDays(1))
            {
                // Days before anything was observed need no rollup: they are Unknown either way.
                if (!rolled.ContainsKey(d) && (coverage.FirstObservedUtc == null || _clock.ToLocal(coverage.FirstObservedUtc.Value).Date <= d)) return null;
            }
            return Stream(filter, windows, coverage, rolled, yesterdayBounds);
        }

        private IEnumerable<ComputerTotals> Stream(ComputerFilter filter, Interval[] windows, Coverage coverage, Dictionary<DateTime, Interval> rolled, Interval yesterdayBounds)
        {
            DateTime now = _clock.NowUtc;
            DateTime today = _clock.ToLocal(now).Date;
            DateTime todayStart = yesterdayBounds.End;
            var days = new[] { today.AddDays(-1), today.AddDays(-7), today.AddDays(-30) };
            var unobservedToday = coverage.Within(todayStart, now);
            Dictionary<int, RolledFigures> fleetFigures = null;
            var rolledFigures = new RolledFiguresReader(days, yesterdayBounds, rolled, windows);
            bool wholeFleet = filter == null || filter.IsWholeFleet;
            bool firstChunk = true;
            // Yesterday's daily rows with their sums, the two window heads' with their timeline only.
            Dictionary<int, RolledFigures> ReadDays(Action<IReadOnlyList<DateTime>, DailyRowColumns, Action<DailySums>> eachRow) => rolledFigures.Read(add =>
            {
                eachRow(new[] { days[0] }, DailyRowColumns.SumsAndTimeline, add);
                eachRow(new[] { days[1], days[2] }, DailyRowColumns.TimelineOnly, add);
            });

            foreach (var chunk in _computers.Chunks(filter))
            {
                // The first (small) chunk reads only its own computers' daily rows and changes of today, so its rows appear at
                // once. For the whole fleet, the rest are read after that (the daily rows, then one range scan of today's
                // changes), each row folded into its computer's figures as it arrives.
                Dictionary<int, RolledFigures> figures;
                if (firstChunk || !wholeFleet)
                {
                    int lo = chunk.Min(c => c.ComputerId), hi = chunk.Max(c => c.ComputerId);
                    figures = ReadDays((d, columns, add) => _session.Rollup.EachSums(lo, hi, d, columns, add));
                    RolledFiguresReader.AddChanges(figures, add => _session.History.ChangesBetween(chunk.Select(c => c.ComputerId).ToList(), todayStart, now, add), unobservedToday);
                }
                else if (fleetFigures == null)
                {
                    figures = fleetFigures = ReadDays((d, columns, add) => _session.Rollup.EachSums(d, columns, add));
                    RolledFiguresReader.AddChanges(figures, add => _session.History.AllChangesBetween(todayStart, now, add), unobservedToday);
                }
                else figures = fleetFigures;
                firstChunk = false;
                var fallback = new List<ComputerRecord>();
                var results = new Dictionary<int, Totals[]>(chunk.Count);
                Account(chunk, figures, new Interval(todayStart, now), unobservedToday, windows, results, fallback);
                if (fallback.Count > 0)
                {
                    foreach (ComputerTotals r in _accounting.Compute(new ComputerFilter { ComputerIds = fallback.Select(c => c.ComputerId).ToArray() }, windows))
                        results[r.Computer.ComputerId] = r.Totals;
                }
                foreach (ComputerRecord computer in chunk)
                {
                    if (!results.TryGetValue(computer.ComputerId, out Totals[] totals)) continue;
                    yield return new ComputerTotals(computer, totals, ReportComputers.FirstSeen(computer, coverage));
                }
            }
        }

        /// <summary>
        /// Each computer's three windows from yesterday's row, the two head days' timelines and today's changes. Computers with
        /// history but no row for yesterday (unobserved all day, or just back) go to <paramref name="fallback"/> for the general
        /// accounting. Compiled optimized at once: a fresh process would otherwise run this loop over 100,000 computers as
        /// unoptimized code until the runtime's background compiler caught up.
        /// </summary>
        [MethodImpl(Hot.Loop)]
        private static void Account(List<ComputerRecord> chunk, Dictionary<int, RolledFigures> figures, Interval today,
            IReadOnlyList<Interval> unobservedToday, Interval[] windows, Dictionary<int, Totals[]> results, List<ComputerRecord> fallback)
        {
            foreach (ComputerRecord computer in chunk)
            {
                figures.TryGetValue(computer.ComputerId, out RolledFigures f);
                bool yesterday = f != null && f.HasYesterday;
                bool seenBeforeToday = computer.FirstSeenUtc.HasValue && computer.FirstSeenUtc < today.Start;
                // A row without window sums (ProVal's own, adopted) gets the general accounting too.
                if ((seenBeforeToday && !yesterday) || (yesterday && !f.HasWindowSums))
                {
                    fallback.Add(computer);
                    continue;
                }
                PeriodState startToday = yesterday ? ConnectionAccounting.ToState(f.EndState) : PeriodState.Unknown;
                Totals todayTotals = f != null ? f.Today(today.Start, today.End, startToday, unobservedToday)
                    : Timeline.Account(today.Start, today.End, startToday, null, unobservedToday);

                var totals = new Totals[3];
                totals[0] = todayTotals;
                totals[1] = todayTotals;
                totals[2] = todayTotals;
                if (yesterday)
                {
                    totals[0].Online += f.YesterdayOnline; totals[0].Offline += f.YesterdayOffline;
                    totals[1].Online += f.Online6d; totals[1].Offline += f.Offline6d;
                    totals[2].Online += f.Online29d; totals[2].Offline += f.Offline29d;
                }
                if (f != null)
                {
                    totals[1].Online += f.Head7Online; totals[1].Offline += f.Head7Offline;
                    totals[2].Online += f.Head30Online; totals[2].Offline += f.Head30Offline;
                }
                for (int k = 0; k < 3; k++) totals[k].Unknown = windows[k].Seconds - totals[k].Online - totals[k].Offline;
                results[computer.ComputerId] = totals;
            }
        }
    }
}
