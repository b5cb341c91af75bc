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

        public Dictionary<int, List<Period>> Periods(IReadOnlyCollection<int> ids, DateTime from, DateTime to)
        {
            var result = new Dictionary<int, List<Period>>();
            if (ids.Count == 0 || to <= from) return result;
            var starts = _db.Query<(int ComputerId, long? State)>(ConnectionAuditSql.StatesAt, new { ids, at = from })
                .ToDictionary(r => r.ComputerId, r => ToState(r.State));
            var changes = _db.Query<(int ComputerId, DateTime EffectiveUtc, long? State)>(ConnectionAuditSql.ChangesBetween, new { ids, from, to })
                .GroupBy(r => r.ComputerId)
                .ToDictionary(g => g.Key, g => g.Select(r => new StateChange(r.EffectiveUtc, ToState(r.State))).ToList());
            IReadOnlyList<Interval> unobserved = _coverage.Within(from, to);
            foreach (int id in ids)
            {
                bool tracked = starts.TryGetValue(id, out PeriodState start);
                changes.TryGetValue(id, out List<StateChange> inside);
                if (!tracked && inside == null) continue;
                result[id] = Timeline.Periods(from, to, tracked ? start : PeriodState.Unknown,
                    inside ?? Enumerable.Empty<StateChange>(), unobserved);
            }
            return result;
        }

        private static PeriodState ToState(long? state) =>
            state == null ? PeriodState.Unknown : state.Value == 1 ? PeriodState.Online : PeriodState.Offline;
    }
}
