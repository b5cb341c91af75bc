using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// Turns the raw change rows of a set of computers into periods over a UTC span: the state in force
    /// at the start (one index seek per computer), the changes inside the span, and the unobserved
    /// stretches from the run log. Used by the daily rollup, the reports and the history alike.
    /// </summary>
    internal sealed class ConnectionAccounting
    {
        private readonly AuditDatabase _db;
        private readonly Coverage _coverage;

        public ConnectionAccounting(AuditDatabase db, Coverage coverage)
        {
            _db = db;
            _coverage = coverage;
        }

        public Dictionary<int, List<Period>> Periods(IReadOnlyCollection<int> ids, DateTime from, DateTime to) =>
            Timelines(ids, from, to).ToDictionary(kv => kv.Key, kv => kv.Value.Periods);

        /// <summary>Per computer: its periods in [from, to), and the recorded state at `to` (coverage aside).</summary>
        public Dictionary<int, ComputerTimeline> Timelines(IReadOnlyCollection<int> ids, DateTime from, DateTime to)
        {
            var result = new Dictionary<int, ComputerTimeline>();
            if (ids.Count == 0 || to <= from) return result;
            var starts = StatesAt(ids, from);
            var changes = _db.Query<(int ComputerId, DateTime EffectiveUtc, long? State)>(ConnectionAuditSql.ChangesBetween, new { ids, from, to })
                .GroupBy(r => r.ComputerId)
                .ToDictionary(g => g.Key, g => g.Select(r => new StateChange(r.EffectiveUtc, ToState(r.State))).ToList());
            IReadOnlyList<Interval> unobserved = _coverage.Within(from, to);
            foreach (int id in ids)
            {
                bool tracked = starts.TryGetValue(id, out PeriodState start);
                changes.TryGetValue(id, out List<StateChange> inside);
                if (!tracked && inside == null) continue;
                PeriodState startState = tracked ? start : PeriodState.Unknown;
                result[id] = new ComputerTimeline(
                    Timeline.Periods(from, to, startState, inside ?? Enumerable.Empty<StateChange>(), unobserved),
                    inside != null && inside.Count > 0 ? inside[inside.Count - 1].State : startState);
            }
            return result;
        }

        /// <summary>The recorded state just before an instant; computers never seen before it are absent.</summary>
        public Dictionary<int, PeriodState> StatesAt(IReadOnlyCollection<int> ids, DateTime at)
        {
            var starts = new Dictionary<int, PeriodState>();
            int lo = ids.Min(), hi = ids.Max();
            // A dense chunk of ids is one index range (and a loose index scan); a sparse one is a list.
            bool dense = (long)hi - lo + 1 <= 2L * ids.Count;
            var rows = dense
                ? _db.Query<(int ComputerId, long? State)>(ConnectionAuditSql.StatesAtRange, new { lo, hi, at })
                : _db.Query<(int ComputerId, long? State)>(ConnectionAuditSql.StatesAt, new { ids, at });
            var wanted = dense ? new HashSet<int>(ids) : null;
            foreach (var row in rows)
            {
                if (wanted != null && !wanted.Contains(row.ComputerId)) continue;
                starts[row.ComputerId] = ToState(row.State); // rows come in id order: the last one wins a tie
            }
            return starts;
        }

        internal static PeriodState ToState(long? state) =>
            state == null ? PeriodState.Unknown : state.Value == 1 ? PeriodState.Online : PeriodState.Offline;
    }

    /// <summary>A computer's periods over a span and its recorded state at the span's end.</summary>
    internal sealed class ComputerTimeline
    {
        public ComputerTimeline(List<Period> periods, PeriodState recordedEndState)
        {
            Periods = periods;
            RecordedEndState = recordedEndState;
        }

        public List<Period> Periods { get; }
        public PeriodState RecordedEndState { get; }
    }
}
