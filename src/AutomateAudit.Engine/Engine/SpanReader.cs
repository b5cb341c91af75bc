using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// The periods of a report's raw spans (the parts of its windows no rolled-up day covers), a chunk of computers at a
    /// time. For the whole fleet, after the first (small) chunk, a short span's changes are read once for every computer
    /// in one range scan of the effective-time index, instead of a list of seeks per chunk; and a computer's state at
    /// a span that starts where a rolled-up day ends is that day's recorded end state (its daily row), so only the
    /// computers without one are looked up in the history. At 100,000 computers a window starting mid-day 20 days ago
    /// read 42 change lists and 42 state lookups of 5,000 computers each.
    /// </summary>
    internal sealed class SpanReader
    {
        /// <summary>Longest span read for the whole fleet at once (a partial day at each end of a window; today).</summary>
        private static readonly TimeSpan FleetSpan = TimeSpan.FromDays(2);

        private readonly AuditSession _session;
        private readonly ConnectionAccounting _accounting;
        private readonly IReadOnlyList<Interval> _spans;
        private readonly List<RolledDayBounds> _rolled;
        private readonly bool _wholeFleet;
        private readonly Dictionary<int, List<StateChange>>[] _fleetChanges;
        private readonly Dictionary<int, long?>[] _fleetEndStates;
        private bool _firstChunk = true;

        /// <param name="rolled">Days rolled up in full (with daily rows) around the spans.</param>
        public SpanReader(AuditSession session, ConnectionAccounting accounting, IntervalSet spans, List<RolledDayBounds> rolled, bool wholeFleet)
        {
            _session = session;
            _accounting = accounting;
            _spans = spans.Items;
            _rolled = rolled;
            _wholeFleet = wholeFleet;
            _fleetChanges = new Dictionary<int, List<StateChange>>[_spans.Count];
            _fleetEndStates = new Dictionary<int, long?>[_spans.Count];
        }

        /// <summary>Per span, each listed computer's periods in it (as <see cref="ConnectionAccounting.Periods"/>).</summary>
        public List<Dictionary<int, List<Period>>> Periods(List<int> ids)
        {
            bool fleet = _wholeFleet && !_firstChunk;
            _firstChunk = false;
            var result = new List<Dictionary<int, List<Period>>>();
            for (int i = 0; i < _spans.Count; i++)
            {
                Interval span = _spans[i];
                if (ids.Count == 0 || span.End <= span.Start)
                {
                    result.Add(new Dictionary<int, List<Period>>());
                    continue;
                }
                var changes = fleet && span.End - span.Start <= FleetSpan
                    ? _fleetChanges[i] ?? (_fleetChanges[i] = ConnectionAccounting.Group(add => _session.History.AllChangesBetween(span.Start, span.End, add)))
                    : ConnectionAccounting.Group(add => _session.History.ChangesBetween(ids, span.Start, span.End, add));
                var timelines = _accounting.Timelines(ids, span.Start, span.End, StatesAt(ids, i, fleet), changes);
                result.Add(timelines.ToDictionary(kv => kv.Key, kv => kv.Value.Periods));
            }
            return result;
        }

        /// <summary>The recorded states at a span's start: from the daily rows of a rolled-up day ending there, else from the history.</summary>
        private Dictionary<int, PeriodState> StatesAt(List<int> ids, int span, bool fleet)
        {
            DateTime at = _spans[span].Start;
            var dayBefore = _rolled.Where(d => d.EndUtc == at).Select(d => (DateTime?)d.Day.Date).FirstOrDefault();
            // A sparse chunk (a filtered report) would read the daily rows of every computer between its first and last.
            bool dense = IdRange.IsDense(ids, out int lo, out int hi);
            if (dayBefore == null || !(fleet || dense)) return _accounting.StatesAt(ids, at);
            Dictionary<int, long?> endStates = fleet
                ? _fleetEndStates[span] ?? (_fleetEndStates[span] = EndStates(_session.Rollup.Sums(new[] { dayBefore.Value }, DailyRowColumns.Sums)))
                : EndStates(_session.Rollup.Sums(lo, hi, new[] { dayBefore.Value }, DailyRowColumns.Sums));
            var starts = new Dictionary<int, PeriodState>();
            var seek = new List<int>();
            foreach (int id in ids)
            {
                if (endStates.TryGetValue(id, out long? state)) starts[id] = ConnectionAccounting.ToState(state);
                else seek.Add(id);
            }
            if (seek.Count > 0)
                foreach (var state in _accounting.StatesAt(seek, at)) starts[state.Key] = state.Value;
            return starts;
        }

        private static Dictionary<int, long?> EndStates(List<DailySums> rows)
        {
            var states = new Dictionary<int, long?>();
            foreach (DailySums row in rows) states[row.ComputerId] = row.EndState;
            return states;
        }
    }
}
