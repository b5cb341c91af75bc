using System;
using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Engine
{
    /// <summary>A half-open span of UTC time [Start, End).</summary>
    internal struct Interval
    {
        public Interval(DateTime start, DateTime end) { Start = start; End = end; }
        public DateTime Start { get; }
        public DateTime End { get; }
        public long Seconds => (long)(End - Start).TotalSeconds;
        public override string ToString() => "[" + Start.ToString("u") + ", " + End.ToString("u") + ")";
    }

    /// <summary>Sorted, disjoint, non-adjacent intervals: the one type for the interval arithmetic of coverage and reports.</summary>
    internal sealed class IntervalSet
    {
        private readonly List<Interval> _items;

        private IntervalSet(List<Interval> sortedDisjoint) { _items = sortedDisjoint; }

        public static readonly IntervalSet Empty = new IntervalSet(new List<Interval>());

        public IReadOnlyList<Interval> Items => _items;

        /// <summary>The union of any intervals: overlapping and touching ones merged, empty ones dropped.</summary>
        public static IntervalSet Of(IEnumerable<Interval> intervals)
        {
            var merged = new List<Interval>();
            foreach (Interval i in intervals.Where(i => i.End > i.Start).OrderBy(i => i.Start))
            {
                if (merged.Count > 0 && merged[merged.Count - 1].End >= i.Start)
                {
                    Interval last = merged[merged.Count - 1];
                    merged[merged.Count - 1] = new Interval(last.Start, i.End > last.End ? i.End : last.End);
                }
                else merged.Add(i);
            }
            return new IntervalSet(merged);
        }

        /// <summary>The parts of [from, to) this set does not cover.</summary>
        public IntervalSet ComplementWithin(DateTime from, DateTime to)
        {
            var parts = new List<Interval>();
            DateTime cursor = from;
            foreach (Interval i in _items)
            {
                if (i.End <= cursor) continue;
                if (i.Start >= to) break;
                if (i.Start > cursor) parts.Add(new Interval(cursor, i.Start));
                cursor = i.End;
            }
            if (to > cursor) parts.Add(new Interval(cursor, to));
            return new IntervalSet(parts);
        }

        /// <summary>This set clipped to [from, to).</summary>
        public IntervalSet Within(DateTime from, DateTime to) =>
            new IntervalSet(_items.Where(g => g.End > from && g.Start < to)
                .Select(g => new Interval(g.Start > from ? g.Start : from, g.End < to ? g.End : to)).ToList());

        public IntervalSet Union(IntervalSet other) => Of(_items.Concat(other._items));

        /// <summary>The member that contains all of [start, end), if one does.</summary>
        public int IndexContaining(DateTime start, DateTime end) => _items.FindIndex(x => x.Start <= start && end <= x.End);
    }
}
