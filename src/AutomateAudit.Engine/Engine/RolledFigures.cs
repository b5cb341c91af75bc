using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// What the default report takes from one computer's daily rows of yesterday and the two window heads (yesterday's end
    /// state and window sums, and the seconds of each of the three days that fall inside its window), and from its changes
    /// of today, folded as they are read.
    /// </summary>
    internal sealed class RolledFigures
    {
        /// <summary>
        /// Today's changes: the first one's instant, the last one's instant, id and state, and the seconds between the first and
        /// the last. The seconds before the first change need yesterday's end state, so they are added in <see cref="Today"/>.
        /// </summary>
        private bool _changedToday;
        private DateTime _firstChangeUtc, _lastChangeUtc;
        private long _lastChangeId;
        private PeriodState _lastState;
        private Totals _betweenChanges;

        // Ints, not longs: one of these per computer lives as long as the report (a day has 86,400 seconds, 29 days 2.5 M).
        public bool HasYesterday, HasWindowSums;
        public long? EndState;
        public int Online6d, Offline6d, Online29d, Offline29d;
        /// <summary>Yesterday from the start of the 24-hour window to its end.</summary>
        public int YesterdayOnline, YesterdayOffline;
        /// <summary>The first days of the 7- and 30-day windows, from each window's start.</summary>
        public int Head7Online, Head7Offline, Head30Online, Head30Offline;

        /// <summary>
        /// Folds in one change of today. A computer's changes come in time order (other computers' may come between them); of
        /// changes at one instant the highest id holds, as <see cref="ConnectionAccounting.Group"/> orders them.
        /// </summary>
        [MethodImpl(Hot.Loop)]
        public void AddChange(long id, DateTime utc, PeriodState state, IReadOnlyList<Interval> unobserved)
        {
            if (!_changedToday)
            {
                _changedToday = true;
                _firstChangeUtc = _lastChangeUtc = utc;
                _lastChangeId = id;
                _lastState = state;
                return;
            }
            if (utc < _lastChangeUtc) throw new InvalidOperationException("Today's changes were read out of time order (" + utc.ToString("o") + " after " + _lastChangeUtc.ToString("o") + ").");
            if (utc == _lastChangeUtc)
            {
                if (id > _lastChangeId) { _lastChangeId = id; _lastState = state; }
                return;
            }
            Timeline.AddPeriod(ref _betweenChanges, _lastChangeUtc, utc, _lastState, unobserved);
            _lastChangeUtc = utc;
            _lastChangeId = id;
            _lastState = state;
        }

        /// <summary>Today from its start to now: the same seconds as <see cref="Timeline.Account"/> over the changes folded in.</summary>
        [MethodImpl(Hot.Loop)]
        public Totals Today(DateTime from, DateTime to, PeriodState startState, IReadOnlyList<Interval> unobserved)
        {
            var totals = new Totals();
            if (!_changedToday)
            {
                Timeline.AddPeriod(ref totals, from, to, startState, unobserved);
                return totals;
            }
            Timeline.AddPeriod(ref totals, from, _firstChangeUtc, startState, unobserved);
            totals.Add(_betweenChanges);
            Timeline.AddPeriod(ref totals, _lastChangeUtc, to, _lastState, unobserved);
            return totals;
        }
    }

    /// <summary>
    /// Reads the three days' daily rows into <see cref="RolledFigures"/> as they arrive: each row's timeline is summed and
    /// dropped at once. Keeping the rows (a fleet's three days are 300,000 rows with their timelines) until every chunk of
    /// computers was reported made a fresh process copy them through the garbage collector's generations.
    /// </summary>
    internal sealed class RolledFiguresReader
    {
        private readonly DateTime _yesterday, _head7, _head30;
        private readonly Interval _yesterdayBounds;
        private readonly Interval? _head7Bounds, _head30Bounds;
        private readonly DateTime _from24h, _from7d, _from30d;

        public RolledFiguresReader(DateTime[] days, Interval yesterdayBounds, Dictionary<DateTime, Interval> rolled, Interval[] windows)
        {
            _yesterday = days[0]; _head7 = days[1]; _head30 = days[2];
            _yesterdayBounds = yesterdayBounds;
            _head7Bounds = rolled.TryGetValue(_head7, out Interval b7) ? b7 : (Interval?)null;
            _head30Bounds = rolled.TryGetValue(_head30, out Interval b30) ? b30 : (Interval?)null;
            _from24h = windows[0].Start; _from7d = windows[1].Start; _from30d = windows[2].Start;
        }

        /// <summary><paramref name="read"/> hands over the daily rows of the three days; the figures come back by ComputerID.</summary>
        public Dictionary<int, RolledFigures> Read(Action<Action<DailySums>> read)
        {
            var figures = new Dictionary<int, RolledFigures>();
            read(row => Take(figures, row));
            return figures;
        }

        /// <summary>
        /// Folds today's changes into the figures (<paramref name="read"/> hands them over, each computer's in time order), adding
        /// figures for computers that have no daily row.
        /// </summary>
        public static void AddChanges(Dictionary<int, RolledFigures> figures, Action<Action<StoredChange>> read, IReadOnlyList<Interval> unobservedToday) =>
            read(row => AddChange(figures, row, unobservedToday));

        [MethodImpl(Hot.Loop)]
        private static void AddChange(Dictionary<int, RolledFigures> figures, StoredChange row, IReadOnlyList<Interval> unobservedToday)
        {
            if (!figures.TryGetValue(row.ComputerId, out RolledFigures f)) figures.Add(row.ComputerId, f = new RolledFigures());
            f.AddChange(row.Id, row.EffectiveUtc, ConnectionAccounting.ToState(row.State), unobservedToday);
        }

        [MethodImpl(Hot.Loop)]
        private void Take(Dictionary<int, RolledFigures> figures, DailySums row)
        {
            if (!figures.TryGetValue(row.ComputerId, out RolledFigures f)) figures.Add(row.ComputerId, f = new RolledFigures());
            DateTime day = row.Day.Date;
            if (day == _yesterday)
            {
                f.HasYesterday = true;
                f.EndState = row.EndState;
                f.HasWindowSums = row.Online29d != null;
                if (f.HasWindowSums)
                {
                    f.Online6d = (int)row.Online6d.Value; f.Offline6d = (int)row.Offline6d.Value;
                    f.Online29d = (int)row.Online29d.Value; f.Offline29d = (int)row.Offline29d.Value;
                }
                Totals part = TimelineText.Sum(row.Timeline, _yesterdayBounds.Start, _yesterdayBounds.End, _from24h);
                f.YesterdayOnline = (int)part.Online; f.YesterdayOffline = (int)part.Offline;
            }
            else if (day == _head7)
            {
                if (!_head7Bounds.HasValue) return;
                Totals part = TimelineText.Sum(row.Timeline, _head7Bounds.Value.Start, _head7Bounds.Value.End, _from7d);
                f.Head7Online = (int)part.Online; f.Head7Offline = (int)part.Offline;
            }
            else if (day == _head30)
            {
                if (!_head30Bounds.HasValue) return;
                Totals part = TimelineText.Sum(row.Timeline, _head30Bounds.Value.Start, _head30Bounds.Value.End, _from30d);
                f.Head30Online = (int)part.Online; f.Head30Offline = (int)part.Offline;
            }
            else throw new InvalidOperationException("A daily row of " + day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + " was not asked for.");
        }
    }
}
