using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// When the module was watching. Each successful Update-ConnectionAudit run is logged; the time
    /// between two runs counts as observed only when they are at most <see cref="MaxRecordingGap"/>
    /// apart. Before the first run, history adopted from a ProVal table counts as observed from its
    /// first row (it has no run log to say otherwise). Everything else, and anything after now, is
    /// unobserved: Unknown in every figure.
    /// </summary>
    public sealed class Coverage
    {
        /// <summary>Longest pause between two recording runs that still counts as watched (three missed 5-minute runs plus slack).</summary>
        public static readonly TimeSpan MaxRecordingGap = TimeSpan.FromMinutes(30);

        public const string Job = "connection";

        private Coverage(IReadOnlyList<Interval> unobserved, DateTime? firstObservedUtc)
        {
            Unobserved = unobserved;
            FirstObservedUtc = firstObservedUtc;
        }

        /// <summary>Merged, sorted unobserved spans clipped to the loaded window.</summary>
        public IReadOnlyList<Interval> Unobserved { get; }

        /// <summary>Earliest observed instant in the whole history (adopted or recorded), or null.</summary>
        public DateTime? FirstObservedUtc { get; }

        public static Coverage Load(AuditDatabase db, DateTime fromUtc, DateTime toUtc, DateTime nowUtc)
        {
            var runs = db.Query<DateTime>(ConnectionAuditSql.RunsAround,
                new { job = Job, from = fromUtc, to = toUtc }).ToList();
            var bounds = db.QuerySingle<(DateTime? FirstRun, DateTime? AdoptedFrom)>(ConnectionAuditSql.HistoryBounds, new { job = Job });
            return Build(fromUtc, toUtc, nowUtc, runs, bounds.FirstRun, bounds.AdoptedFrom);
        }

        internal static Coverage Build(DateTime fromUtc, DateTime toUtc, DateTime nowUtc, IList<DateTime> runs, DateTime? firstRun, DateTime? adoptedFrom)
        {
            var observed = new List<Interval>();
            if (adoptedFrom.HasValue)
            {
                DateTime adoptedUntil = firstRun ?? nowUtc;
                if (adoptedUntil > adoptedFrom.Value) observed.Add(new Interval(adoptedFrom.Value, adoptedUntil));
            }
            var sorted = runs.OrderBy(r => r).ToList();
            for (int i = 0; i + 1 < sorted.Count; i++)
            {
                if (sorted[i + 1] - sorted[i] <= MaxRecordingGap) observed.Add(new Interval(sorted[i], sorted[i + 1]));
            }
            if (sorted.Count > 0 && nowUtc - sorted[sorted.Count - 1] <= MaxRecordingGap && nowUtc > sorted[sorted.Count - 1])
                observed.Add(new Interval(sorted[sorted.Count - 1], nowUtc));

            // Unobserved = the window minus the observed spans, and never beyond now.
            DateTime end = toUtc < nowUtc ? toUtc : nowUtc;
            var unobserved = new List<Interval>();
            DateTime cursor = fromUtc;
            foreach (Interval o in observed.OrderBy(o => o.Start))
            {
                if (o.End <= cursor) continue;
                if (o.Start >= end) break;
                if (o.Start > cursor) unobserved.Add(new Interval(cursor, o.Start));
                if (o.End > cursor) cursor = o.End;
            }
            if (cursor < end) unobserved.Add(new Interval(cursor, end));
            if (toUtc > end && toUtc > fromUtc) unobserved.Add(new Interval(end > fromUtc ? end : fromUtc, toUtc));
            DateTime? first = adoptedFrom ?? firstRun;
            if (adoptedFrom.HasValue && firstRun.HasValue && firstRun < adoptedFrom) first = firstRun;
            return new Coverage(MergeAdjacent(unobserved), first);
        }

        private static List<Interval> MergeAdjacent(List<Interval> spans)
        {
            var merged = new List<Interval>();
            foreach (Interval s in spans.Where(s => s.End > s.Start))
            {
                if (merged.Count > 0 && merged[merged.Count - 1].End >= s.Start)
                    merged[merged.Count - 1] = new Interval(merged[merged.Count - 1].Start, s.End > merged[merged.Count - 1].End ? s.End : merged[merged.Count - 1].End);
                else merged.Add(s);
            }
            return merged;
        }

        /// <summary>The unobserved spans inside [from, to).</summary>
        public IReadOnlyList<Interval> Within(DateTime from, DateTime to) =>
            Unobserved.Where(g => g.End > from && g.Start < to)
                .Select(g => new Interval(g.Start > from ? g.Start : from, g.End < to ? g.End : to)).ToList();
    }
}
