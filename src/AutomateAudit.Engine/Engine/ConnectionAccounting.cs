using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
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
        private readonly ConnectionHistoryStore _history;
        private readonly Coverage _coverage;

        public ConnectionAccounting(ConnectionHistoryStore history, Coverage coverage)
        {
            _history = history;
            _coverage = coverage;
        }

        public Dictionary<int, List<Period>> Periods(IReadOnlyCollection<int> ids, DateTime from, DateTime to) =>
            Timelines(ids, from, to).ToDictionary(kv => kv.Key, kv => kv.Value.Periods);

        /// <summary>Per computer: its periods in [from, to), and the recorded state at `to` (coverage aside).</summary>
        public Dictionary<int, ComputerTimeline> Timelines(IReadOnlyCollection<int> ids, DateTime from, DateTime to)
        {
            if (ids.Count == 0 || to <= from) return new Dictionary<int, ComputerTimeline>();
            return Timelines(ids, from, to, StatesAt(ids, from), Group(add => _history.ChangesBetween(ids, from, to, add)));
        }

        /// <summary>
        /// The same from states and changes already read: <paramref name="starts"/> the recorded state at `from` of
        /// every tracked computer, <paramref name="changes"/> at least the listed computers' changes in [from, to).
        /// </summary>
        public Dictionary<int, ComputerTimeline> Timelines(IReadOnlyCollection<int> ids, DateTime from, DateTime to,
            Dictionary<int, PeriodState> starts, Dictionary<int, List<StateChange>> changes)
        {
            var result = new Dictionary<int, ComputerTimeline>();
            if (ids.Count == 0 || to <= from) return result;
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
            // Rows come in id order: the last one wins a tie.
            foreach (var row in _history.StatesAt(ids, at)) starts[row.ComputerId] = ToState(row.State);
            return starts;
        }

        /// <summary>
        /// Each computer's changes in the order read, except that the changes of one computer at one instant (read one after
        /// the other, in the index's order) are put in recording (id) order: the last recorded is the state from then on.
        /// <paramref name="read"/> hands the rows over one by one as the reader reads them (no list of the whole read).
        /// </summary>
        public static Dictionary<int, List<StateChange>> Group(Action<Action<StoredChange>> read)
        {
            var grouping = new Grouping();
            read(grouping.Add);
            return grouping.Done();
        }

        private sealed class Grouping
        {
            private readonly Dictionary<int, List<StateChange>> _grouped = new Dictionary<int, List<StateChange>>();
            private readonly List<StoredChange> _instant = new List<StoredChange>();

            [MethodImpl(Hot.Loop)]
            public void Add(StoredChange row)
            {
                if (_instant.Count > 0 && (row.ComputerId != _instant[0].ComputerId || row.EffectiveUtc != _instant[0].EffectiveUtc)) AddInstant();
                _instant.Add(row);
            }

            public Dictionary<int, List<StateChange>> Done()
            {
                if (_instant.Count > 0) AddInstant();
                return _grouped;
            }

            [MethodImpl(Hot.Loop)]
            private void AddInstant()
            {
                var instant = _instant;
                if (!_grouped.TryGetValue(instant[0].ComputerId, out List<StateChange> changes)) _grouped.Add(instant[0].ComputerId, changes = new List<StateChange>());
                // Insertion sort by id: stable, and a single row (almost every instant) is left as it is.
                for (int i = 1; i < instant.Count; i++)
                {
                    StoredChange row = instant[i];
                    int j = i - 1;
                    for (; j >= 0 && instant[j].Id > row.Id; j--) instant[j + 1] = instant[j];
                    instant[j + 1] = row;
                }
                foreach (StoredChange row in instant) changes.Add(new StateChange(row.EffectiveUtc, ToState(row.State)));
                instant.Clear();
            }
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
