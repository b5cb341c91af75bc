using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>One local day rolled up by Invoke-DailyRollup.</summary>
    public sealed class RolledDay
    {
        public DateTime Day { get; set; }
        public DateTime StartUtc { get; set; }
        public DateTime EndUtc { get; set; }
        public int DayMinutes { get; set; }
        public int Computers { get; set; }
        public long OnlineMinutes { get; set; }
        public long OfflineMinutes { get; set; }
        public long UnknownMinutes { get; set; }
        public string Action { get; set; }
        public long DurationMs { get; set; }
    }

    internal sealed class RollupOptions
    {
        public int RetainDays { get; set; } = 30;
        public int RetainHistoryDays { get; set; } = 45;
        /// <summary>Months of aa_connection_summary kept before the current one (13: a year and a month of monthly figures).</summary>
        public int RetainSummaryMonths { get; set; } = 13;
        /// <summary>Roll up only these local days (again, if already done).</summary>
        public IReadOnlyList<DateTime> Days { get; set; }
        public bool Force { get; set; }
    }

    /// <summary>What retention would delete now.</summary>
    internal sealed class RetentionPlan
    {
        public DateTime DailyBefore { get; set; }
        /// <summary>The first day of the oldest month aa_connection_summary keeps.</summary>
        public DateTime SummaryBefore { get; set; }
        public DateTime HistoryBeforeUtc { get; set; }
        public long DailyRows { get; set; }
        /// <summary>Rows of aa_connection_summary (one per computer and month).</summary>
        public long SummaryRows { get; set; }
        public long HistoryRows { get; set; }
        public long RunLogRows { get; set; }
    }

    /// <summary>
    /// Fills pvl_automate_connection_audit_daily with one row per computer per completed local day of the
    /// database server (23, 24 or 25 hours long), backfilling every completed day not yet rolled up, and
    /// aa_connection_summary with the same day's online and offline seconds (kept -RetainSummaryMonths). A day
    /// older than -RetainDays (adopted ProVal history, a backfill) gets only the summary figures. Every day the raw
    /// history still holds is rolled up before retention thins that history, so no figure is lost.
    /// A day is final <see cref="SettleTime"/> after its midnight: by then every change backdated into it
    /// (an offline is recorded up to OfflineAfter plus one run interval late) has been seen. Rows are
    /// deterministic, so rolling a day again writes identical rows.
    /// Runs are serialised with each other. Each day is read, written and marked rolled in one
    /// transaction while the recorder's lock is held, so a change a concurrent recording run backdates into
    /// that day is never lost; the recorder waits at most one day's rollup.
    /// </summary>
    internal sealed class DailyRollup
    {
        public const string LockName = "AutomateAudit.DailyRollup";
        public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(30);
        private const int ChunkSize = 5000;
        private const int DeleteBatch = 5000;

        private readonly AuditSession _session;
        private readonly ServerClock _clock;

        public DailyRollup(AuditSession session, ServerClock clock)
        {
            _session = session;
            _clock = clock;
        }

        public int LockTimeoutSeconds { get; set; } = 60;

        /// <summary>Test hook: runs inside a day's transaction, after the day was read and before it is written.</summary>
        internal Action<DateTime> AfterDayRead { get; set; }

        /// <summary>Takes the rollup's own lock for a whole run: two rollups never re-roll each other's days.</summary>
        public IDisposable Exclusive()
        {
            if (!_session.Server.TryGetLock(LockName, LockTimeoutSeconds))
                throw new AuditDatabaseException("Another Invoke-DailyRollup has held the lock '" + LockName + "' on " + _session.Settings.Describe() + " for over " + LockTimeoutSeconds + " seconds; nothing was rolled up.");
            return new Release(() => _session.Server.ReleaseLock(LockName));
        }

        public static void Validate(RollupOptions options)
        {
            if (options.RetainDays < 30) throw new ArgumentOutOfRangeException(nameof(options.RetainDays), "RetainDays must be at least 30: the 30-day report sums that many daily rows.");
            if (options.RetainHistoryDays < 32) throw new ArgumentOutOfRangeException(nameof(options.RetainHistoryDays), "RetainHistoryDays must be at least 32: the 30-day report reads raw history that old.");
            if (options.RetainSummaryMonths < 2 || options.RetainSummaryMonths * 28L < options.RetainDays)
                throw new ArgumentOutOfRangeException(nameof(options.RetainSummaryMonths), "RetainSummaryMonths (" + options.RetainSummaryMonths +
                    ") must be at least 2 and reach back as far as RetainDays (" + options.RetainDays + "): at least " + Math.Max(2, (options.RetainDays + 27) / 28) + ".");
        }

        /// <summary>The first day whose daily row is kept: older days get only the summary figures.</summary>
        public DateTime DailyFrom(RollupOptions options) => _clock.NowLocal.Date.AddDays(-options.RetainDays);

        /// <summary>The first day of the oldest month the summary keeps.</summary>
        public DateTime SummaryFrom(RollupOptions options) => SummaryStore.MonthOf(_clock.NowLocal.Date).AddMonths(-options.RetainSummaryMonths);

        /// <summary>
        /// The first day that can be rolled up again: older days started before the raw-history cut-off, so their
        /// raw rows may have been thinned by retention; once rolled up, their figures are kept as they are.
        /// </summary>
        public DateTime RerollFrom(RollupOptions options) => _clock.ToLocal(_clock.NowUtc.AddDays(-options.RetainHistoryDays)).Date.AddDays(1);

        /// <summary>
        /// The local days that would be rolled up now, oldest first: every completed day from the first history
        /// (adopted or recorded; no older than the summary keeps) not rolled up yet, however old, so adopted ProVal
        /// history gets its figures before retention deletes its raw rows. -Force and -Day roll up again only days
        /// whose raw history is complete (<see cref="RerollFrom"/>); -Force those within RetainDays.
        /// </summary>
        public IReadOnlyList<DateTime> PendingDays(RollupOptions options)
        {
            DateTime today = _clock.NowLocal.Date;
            DateTime lastComplete = _clock.NowLocal - SettleTime < today ? today.AddDays(-2) : today.AddDays(-1);
            DateTime oldest = SummaryFrom(options), reroll = RerollFrom(options);
            if (options.Days != null && options.Days.Count > 0)
            {
                var asked = options.Days.Select(d => d.Date).Where(d => d <= lastComplete && d >= oldest).Distinct().OrderBy(d => d).ToList();
                if (asked.Count == 0) return asked;
                var rolled = new HashSet<DateTime>(_session.Rollup.RolledDays(asked[0], asked[asked.Count - 1]).Select(r => r.Day.Date));
                return asked.Where(d => d >= reroll || !rolled.Contains(d)).ToList();
            }

            DateTime? firstUtc = FirstHistoryUtc();
            if (firstUtc == null) return new List<DateTime>();
            DateTime first = _clock.ToLocal(firstUtc.Value).Date;
            if (first < oldest) first = oldest;
            DateTime forceFrom = today.AddDays(-options.RetainDays);
            if (forceFrom < reroll) forceFrom = reroll;
            var done = new HashSet<DateTime>(_session.Rollup.RolledDays(first, lastComplete).Select(r => r.Day.Date));
            var days = new List<DateTime>();
            for (DateTime d = first; d <= lastComplete; d = d.AddDays(1))
                if (!done.Contains(d) || (options.Force && d >= forceFrom)) days.Add(d);
            return days;
        }

        /// <summary>The pending days before the first recording run: adopted ProVal history not rolled up yet.</summary>
        public IReadOnlyList<DateTime> PendingAdoptedDays()
        {
            DateTime? firstRun = _session.RunLog.FirstSuccessfulRun(Coverage.Job)?.StartedUtc;
            DateTime? recordedFrom = firstRun.HasValue ? _clock.ToLocal(firstRun.Value).Date : (DateTime?)null;
            return PendingDays(new RollupOptions()).Where(d => recordedFrom == null || d < recordedFrom).ToList();
        }

        private DateTime? FirstHistoryUtc()
        {
            DateTime? firstRun = _session.RunLog.FirstSuccessfulRun(Coverage.Job)?.StartedUtc;
            DateTime? adopted = _session.History.AdoptedFrom();
            if (firstRun == null) return adopted;
            if (adopted == null) return firstRun;
            return firstRun < adopted ? firstRun : adopted;
        }

        /// <summary>
        /// Rolls up one day. <paramref name="laterInThisRun"/> are days this run rolls up after this one:
        /// when this day changes, they are reopened rather than recomputed (they will be rolled from this
        /// day's sums), which keeps a backfill or a -Force re-roll linear in the number of days.
        /// </summary>
        public RolledDay RollDay(DateTime day, ICollection<DateTime> laterInThisRun = null, RollupOptions options = null)
        {
            day = day.Date;
            // A day older than RetainDays gets no daily row (retention would delete it at once): only its summary figures.
            bool daily = day >= DailyFrom(options ?? new RollupOptions());
            var watch = System.Diagnostics.Stopwatch.StartNew();
            DateTime[] bounds = _clock.ToUtc(day, day.AddDays(1));
            DateTime startUtc = bounds[0], endUtc = bounds[1];
            using (RecorderLock(day.ToString("yyyy-MM-dd") + " was not rolled up"))
            {
                return _session.InTransaction(() =>
                {
                    bool hadRows = _session.Rollup.HasRows(day);
                    var mark = _session.Rollup.RolledDays(day, day, withProvisional: true);
                    bool existed = hadRows || mark.Any(m => !m.Provisional);
                    var tracked = new List<int>();
                    List<DailyRecord> rows = ComputeDay(day, startUtc, endUtc, daily, tracked);
                    AfterDayRead?.Invoke(day);
                    // Later rolled days whose 29-day span includes this day. A day this run rolls up next is reopened, not
                    // corrected: an interrupted run leaves it due, never stale. The others get this day's change added to their sums.
                    var later = _session.Rollup.RolledDays(day.AddDays(1), day.AddDays(28)).Select(l => l.Day.Date).ToList();
                    var reopened = later.Where(d => laterInThisRun != null && laterInThisRun.Contains(d)).ToList();
                    var corrected = daily ? later.Except(reopened).ToList() : new List<DateTime>();
                    _session.Rollup.Stage(rows); // read by the writes below
                    bool changed = corrected.Count > 0 && _session.Rollup.StageWindowChanges(day, fromSummary: mark.Count > 0 && !hadRows) > 0;
                    if (daily) _session.Rollup.ReplaceDay(day, day.AddDays(1), rows, hadRows);
                    _session.Summary.ReplaceDay(day, rows, tracked);
                    _session.Rollup.MarkRolled(day, startUtc, endUtc, rows.Count);
                    foreach (DateTime d in reopened) _session.Rollup.Unmark(d);
                    if (changed) _session.Rollup.AddWindowChanges(day, corrected);
                    return new RolledDay
                    {
                        Day = day, StartUtc = DateTime.SpecifyKind(startUtc, DateTimeKind.Utc), EndUtc = DateTime.SpecifyKind(endUtc, DateTimeKind.Utc),
                        DayMinutes = (int)Math.Round((endUtc - startUtc).TotalMinutes),
                        Computers = rows.Count,
                        OnlineMinutes = rows.Sum(r => (long)r.Online), OfflineMinutes = rows.Sum(r => (long)r.Offline), UnknownMinutes = rows.Sum(r => (long)r.Unknown),
                        Action = existed ? "Replaced" : "Added",
                        DurationMs = watch.ElapsedMilliseconds,
                    };
                });
            }
        }

        /// <summary>
        /// Holds the recorder's lock: no recording run backdates a change into a day while its figures are read and written.
        /// <paramref name="otherwise"/> says what is not done when a run holds it too long.
        /// </summary>
        public IDisposable RecorderLock(string otherwise)
        {
            if (!_session.Server.TryGetLock(ConnectionRecorder.LockName, LockTimeoutSeconds))
                throw new AuditDatabaseException("A recording run has held the lock '" + ConnectionRecorder.LockName + "' on " + _session.Settings.Describe() +
                    " for over " + LockTimeoutSeconds + " seconds; " + otherwise + ".");
            return new Release(() => _session.Server.ReleaseLock(ConnectionRecorder.LockName));
        }

        private List<DailyRecord> ComputeDay(DateTime day, DateTime startUtc, DateTime endUtc, bool daily, List<int> tracked)
        {
            var coverage = Coverage.Load(_session, startUtc, endUtc, _clock.NowUtc);
            var accounting = new ConnectionAccounting(_session.History, coverage);
            // Nothing was observed all day (before the history, or runs long gone): no computer has a row.
            var unobserved = coverage.Within(startUtc, endUtc);
            bool observedAtAll = !(unobserved.Count == 1 && unobserved[0].Start <= startUtc && unobserved[0].End >= endUtc);
            var rows = new List<DailyRecord>();
            // The day before, when rolled up, carries the window sums forward and each computer's recorded state at
            // midnight (its end_state: the same last change before midnight a seek into the history would find).
            bool carry = daily && _session.Rollup.RolledDays(day.AddDays(-1), day.AddDays(-1)).Count > 0;
            // The whole day's changes in one range scan of the effective-time index: far cheaper than a list of seeks per chunk.
            var changes = observedAtAll ? ConnectionAccounting.Group(add => _session.History.AllChangesBetween(startUtc, endUtc, add)) : null;
            var earlier = carry && observedAtAll
                ? _session.Rollup.Sums(new[] { day.AddDays(-1), day.AddDays(-6), day.AddDays(-29) }, DailyRowColumns.Sums).ToDictionary(r => (r.ComputerId, r.Day.Date))
                : new Dictionary<(int, DateTime), DailySums>();
            tracked.AddRange(_session.History.TrackedComputers(int.MinValue, int.MaxValue));
            if (!observedAtAll) return rows;
            for (int chunk = 0; chunk < tracked.Count; chunk += ChunkSize)
            {
                List<int> ids = tracked.GetRange(chunk, Math.Min(ChunkSize, tracked.Count - chunk));
                int firstRow = rows.Count;
                foreach (var entry in accounting.Timelines(ids, startUtc, endUtc, StatesAtMidnight(accounting, ids, startUtc, day, earlier), changes))
                {
                    Totals totals = Timeline.Sum(entry.Value.Periods, startUtc, endUtc);
                    if (totals.Observed == 0) continue; // nothing known about this computer that day
                    var minutes = Minutes.Split(totals);
                    PeriodState last = entry.Value.RecordedEndState;
                    rows.Add(new DailyRecord
                    {
                        ComputerId = entry.Key, Online = minutes.Online, Offline = minutes.Offline, Unknown = minutes.Unknown,
                        OnlineSeconds = totals.Online, OfflineSeconds = totals.Offline, UnknownSeconds = totals.Unknown,
                        EndState = last == PeriodState.Online ? 1 : last == PeriodState.Offline ? 0 : (int?)null,
                        Timeline = TimelineText.Encode(entry.Value.Periods),
                    });
                }
                if (daily) AddWindowSums(rows.GetRange(firstRow, rows.Count - firstRow), day, ids[0], ids[ids.Count - 1], earlier);
            }
            return rows;
        }

        /// <summary>
        /// Each tracked computer's recorded state at the day's start: the end_state of its row of the day before where
        /// there is one, an index seek into the history for the others.
        /// </summary>
        private static Dictionary<int, PeriodState> StatesAtMidnight(ConnectionAccounting accounting, List<int> ids, DateTime startUtc, DateTime day, Dictionary<(int, DateTime), DailySums> earlier)
        {
            var starts = new Dictionary<int, PeriodState>();
            var seek = new List<int>();
            foreach (int id in ids)
            {
                if (earlier.TryGetValue((id, day.AddDays(-1)), out DailySums before)) starts[id] = ConnectionAccounting.ToState(before.EndState);
                else seek.Add(id);
            }
            if (seek.Count > 0)
                foreach (var state in accounting.StatesAt(seek, startUtc)) starts[state.Key] = state.Value;
            return starts;
        }

        /// <summary>
        /// The 6- and 29-day sums ending with this day, carried forward from the day before (add today,
        /// drop the day that leaves the span); computed from scratch where there is nothing to carry.
        /// </summary>
        private void AddWindowSums(List<DailyRecord> rows, DateTime day, int lo, int hi, Dictionary<(int, DateTime), DailySums> earlier)
        {
            if (rows.Count == 0) return;
            var scratch = new List<DailyRecord>();
            foreach (DailyRecord row in rows)
            {
                if (!earlier.TryGetValue((row.ComputerId, day.AddDays(-1)), out DailySums before) || before.Online29d == null)
                {
                    scratch.Add(row);
                    continue;
                }
                earlier.TryGetValue((row.ComputerId, day.AddDays(-6)), out DailySums leaving6);
                earlier.TryGetValue((row.ComputerId, day.AddDays(-29)), out DailySums leaving29);
                row.Online6d = before.Online6d.Value + row.OnlineSeconds - (leaving6?.Online ?? 0);
                row.Offline6d = before.Offline6d.Value + row.OfflineSeconds - (leaving6?.Offline ?? 0);
                row.Online29d = before.Online29d.Value + row.OnlineSeconds - (leaving29?.Online ?? 0);
                row.Offline29d = before.Offline29d.Value + row.OfflineSeconds - (leaving29?.Offline ?? 0);
            }
            if (scratch.Count == 0) return;
            // From the summary: it holds the figures of every rolled-up day, also those with no daily row (older than
            // RetainDays, or only provisionally rolled up after an adoption).
            var span = Enumerable.Range(1, 28).Select(n => day.AddDays(-n)).ToList();
            var sums = _session.Summary.WindowSums(lo, hi, new IReadOnlyList<DateTime>[] { span.Take(5).ToList(), span });
            foreach (DailyRecord row in scratch)
            {
                long[] s = sums.TryGetValue(row.ComputerId, out long[] found) ? found : new long[4];
                row.Online6d = s[0] + row.OnlineSeconds;
                row.Offline6d = s[1] + row.OfflineSeconds;
                row.Online29d = s[2] + row.OnlineSeconds;
                row.Offline29d = s[3] + row.OfflineSeconds;
            }
        }

        /// <summary>Every pending day, then retention, unprompted (simulations, benchmarks, tests; the cmdlet confirms each step).</summary>
        public List<RolledDay> RollUpAll(RollupOptions options, bool retention = true)
        {
            Validate(options);
            var rolled = new List<RolledDay>();
            using (Exclusive())
            {
                var days = PendingDays(options);
                var remaining = new HashSet<DateTime>(days);
                foreach (DateTime day in days)
                {
                    remaining.Remove(day);
                    rolled.Add(RollDay(day, remaining, options));
                }
                if (retention) ApplyRetention(PlanRetention(options, count: false));
            }
            return rolled;
        }

        /// <summary>
        /// What retention would delete now: daily rows older than RetainDays, summary months older than
        /// RetainSummaryMonths (and the marks of their days), raw history and runs older than RetainHistoryDays.
        /// </summary>
        public RetentionPlan PlanRetention(RollupOptions options, bool count)
        {
            var plan = new RetentionPlan
            {
                DailyBefore = DailyFrom(options),
                SummaryBefore = SummaryFrom(options),
                HistoryBeforeUtc = _clock.NowUtc.AddDays(-options.RetainHistoryDays),
            };
            if (count)
            {
                long keep = _session.RunLog.FirstSuccessfulRun(Coverage.Job)?.Id ?? 0;
                plan.DailyRows = _session.Rollup.CountBefore(plan.DailyBefore);
                plan.SummaryRows = _session.Rollup.AnyRolledBefore(plan.SummaryBefore) ? _session.Summary.CountBefore(plan.SummaryBefore) : 0;
                plan.HistoryRows = _session.History.CountSuperseded(plan.HistoryBeforeUtc);
                plan.RunLogRows = _session.RunLog.CountBefore(plan.HistoryBeforeUtc, keep);
            }
            return plan;
        }

        /// <summary>Deletes in small batches (no long locks), keeping each computer's last change before the cut-off and the first recording run.</summary>
        public RetentionPlan ApplyRetention(RetentionPlan plan)
        {
            plan.DailyRows = _session.Rollup.DeleteBefore(plan.DailyBefore, DeleteBatch);
            // Summary rows only exist for days marked rolled up: no old mark, nothing to delete (and no scan).
            if (_session.Rollup.AnyRolledBefore(plan.SummaryBefore))
            {
                plan.SummaryRows = _session.Summary.DeleteBefore(plan.SummaryBefore);
                _session.Rollup.DeleteMarksBefore(plan.SummaryBefore);
            }
            plan.HistoryRows = _session.History.DeleteSuperseded(plan.HistoryBeforeUtc, DeleteBatch);
            // The first successful recording run is kept: it marks where adopted ProVal history stops counting as observed.
            long keep = _session.RunLog.FirstSuccessfulRun(Coverage.Job)?.Id ?? 0;
            plan.RunLogRows = _session.RunLog.DeleteBefore(plan.HistoryBeforeUtc, keep, DeleteBatch);
            return plan;
        }

        private sealed class Release : IDisposable
        {
            private Action _release;
            public Release(Action release) { _release = release; }
            public void Dispose() { _release?.Invoke(); _release = null; }
        }
    }
}
