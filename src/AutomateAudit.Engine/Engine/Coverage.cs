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
    internal sealed class Coverage
    {
        /// <summary>Longest pause between two recording runs that still counts as watched (three missed 5-minute runs plus slack).</summary>
        public static readonly TimeSpan MaxRecordingGap = TimeSpan.FromMinutes(30);

        public const string Job = "connection";

        private Coverage(IntervalSet unobserved, DateTime? firstObservedUtc)
        {
            Unobserved = unobserved;
            FirstObservedUtc = firstObservedUtc;
        }

        /// <summary>Unobserved spans clipped to the loaded window.</summary>
        public IntervalSet Unobserved { get; }

        /// <summary>Earliest observed instant in the whole history (adopted or recorded), or null.</summary>
        public DateTime? FirstObservedUtc { get; }

        public static Coverage Load(AuditSession session, DateTime fromUtc, DateTime toUtc, DateTime nowUtc)
        {
            var runs = session.RunLog.SuccessfulRunsAround(Job, fromUtc, toUtc);
            var firstRun = session.RunLog.FirstSuccessfulRun(Job);
            return Build(fromUtc, toUtc, nowUtc, runs, firstRun?.StartedUtc, session.History.AdoptedFrom());
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
            IntervalSet unobserved = IntervalSet.Of(observed).ComplementWithin(fromUtc, end > fromUtc ? end : fromUtc);
            if (toUtc > end && toUtc > fromUtc) unobserved = unobserved.Union(IntervalSet.Of(new[] { new Interval(end > fromUtc ? end : fromUtc, toUtc) }));
            DateTime? first = adoptedFrom ?? firstRun;
            if (adoptedFrom.HasValue && firstRun.HasValue && firstRun < adoptedFrom) first = firstRun;
            return new Coverage(unobserved, first);
        }

        /// <summary>The unobserved spans inside [from, to).</summary>
        public IReadOnlyList<Interval> Within(DateTime from, DateTime to) => Unobserved.Within(from, to).Items;
    }
}
