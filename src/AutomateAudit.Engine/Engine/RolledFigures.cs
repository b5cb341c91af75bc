using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// What the default report takes from one computer's daily rows of yesterday and the two window heads: yesterday's end
    /// state and window sums, and the seconds of each of the three days that fall inside its window.
    /// </summary>
    internal sealed class RolledFigures
    {
        // Ints, not longs: one of these per computer lives as long as the report (a day has 86,400 seconds, 29 days 2.5 M).
        public bool HasYesterday, HasWindowSums;
        public long? EndState;
        public int Online6d, Offline6d, Online29d, Offline29d;
        /// <summary>Yesterday from the start of the 24-hour window to its end.</summary>
        public int YesterdayOnline, YesterdayOffline;
        /// <summary>The first days of the 7- and 30-day windows, from each window's start.</summary>
        public int Head7Online, Head7Offline, Head30Online, Head30Offline;
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
