using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AutomateAudit.Storage;
using Dapper;

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

    public sealed class RollupOptions
    {
        public int RetainDays { get; set; } = 30;
        public int RetainHistoryDays { get; set; } = 45;
        /// <summary>Roll up only these local days (again, if already done).</summary>
        public IReadOnlyList<DateTime> Days { get; set; }
        public bool Force { get; set; }
        public bool SkipRetention { get; set; }
    }

    /// <summary>
    /// Fills pvl_automate_connection_audit_daily with one row per computer per completed local day of the
    /// database server (23, 24 or 25 hours long), backfilling every completed day not yet rolled up.
    /// A day is final <see cref="SettleTime"/> after its midnight: by then every change backdated into it
    /// (an offline is recorded up to OfflineAfter plus one run interval late) has been seen. Rows are
    /// deterministic, so rolling a day again writes identical rows.
    /// </summary>
    public sealed class DailyRollup
    {
        public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(30);
        private const int ChunkSize = 5000;
        private const int InsertBatch = 1000;

        private readonly AuditDatabase _db;

        public DailyRollup(AuditDatabase db) { _db = db; }

        public Action<string, int> Progress { get; set; } = (_, __) => { };

        /// <summary>The local days that would be rolled up now, oldest first.</summary>
        public IReadOnlyList<DateTime> PendingDays(RollupOptions options, ServerClock clock)
        {
            DateTime today = clock.NowLocal.Date;
            DateTime lastComplete = clock.NowLocal - SettleTime < today ? today.AddDays(-2) : today.AddDays(-1);
            if (options.Days != null && options.Days.Count > 0)
                return options.Days.Select(d => d.Date).Where(d => d <= lastComplete).Distinct().OrderBy(d => d).ToList();

            DateTime firstUtc = _db.QuerySingle<DateTime>(ConnectionAuditSql.FirstHistoryUtc);
            if (firstUtc.Year >= 9999) return new List<DateTime>();
            DateTime oldest = today.AddDays(-options.RetainDays);
            DateTime first = ServerClock.ToLocal(_db, firstUtc).Date;
            if (first < oldest) first = oldest;
            var done = options.Force ? new HashSet<DateTime>()
                : new HashSet<DateTime>(_db.Query<(DateTime Day, DateTime StartUtc, DateTime EndUtc)>(ConnectionAuditSql.RolledDays, new { from = first, to = lastComplete }).Select(r => r.Day.Date));
            var days = new List<DateTime>();
            for (DateTime d = first; d <= lastComplete; d = d.AddDays(1)) if (!done.Contains(d)) days.Add(d);
            return days;
        }

        public IEnumerable<RolledDay> Run(RollupOptions options, Func<DateTime, bool> approve)
        {
            if (options.RetainDays < 30) throw new ArgumentOutOfRangeException(nameof(options.RetainDays), "RetainDays must be at least 30: the 30-day report sums that many daily rows.");
            if (options.RetainHistoryDays < 32) throw new ArgumentOutOfRangeException(nameof(options.RetainHistoryDays), "RetainHistoryDays must be at least 32: the 30-day report reads raw history that old.");
            ServerClock clock = ServerClock.Read(_db);
            var days = PendingDays(options, clock);
            for (int i = 0; i < days.Count; i++)
            {
                DateTime day = days[i];
                Progress("Rolling up " + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " (" + (i + 1) + " of " + days.Count + ")", i * 100 / days.Count);
                if (!approve(day)) continue;
                yield return RollDay(day);
            }
            if (!options.SkipRetention && approve(DateTime.MinValue)) ApplyRetention(options, clock);
            Progress(null, 100);
        }

        public RolledDay RollDay(DateTime day)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            DateTime[] bounds = ServerClock.ToUtc(_db, day.Date, day.Date.AddDays(1));
            DateTime startUtc = bounds[0], endUtc = bounds[1];
            ServerClock clock = ServerClock.Read(_db);
            var coverage = Coverage.Load(_db, startUtc, endUtc, clock.NowUtc);
            var accounting = new ConnectionAccounting(_db, coverage);
            var rows = new List<DailyRow>();
            int after = int.MinValue;
            bool previousRolled = _db.QuerySingle<long>("SELECT COUNT(*) FROM `" + ConnectionAuditSql.RollupTable + "` WHERE day = @day", new { day = day.Date.AddDays(-1) }) > 0;
            while (true)
            {
                var ids = _db.Query<int>(ConnectionAuditSql.TrackedComputers, new { after, limit = ChunkSize }).ToList();
                if (ids.Count == 0) break;
                after = ids[ids.Count - 1];
                int firstRow = rows.Count;
                foreach (var entry in accounting.Timelines(ids, startUtc, endUtc))
                {
                    Totals totals = Timeline.Sum(entry.Value.Periods, startUtc, endUtc);
                    if (totals.Observed == 0) continue; // nothing known about this computer that day
                    var minutes = Minutes.Split(totals);
                    PeriodState last = entry.Value.RecordedEndState;
                    rows.Add(new DailyRow(entry.Key, minutes.Online, minutes.Offline, minutes.Unknown, totals,
                        last == PeriodState.Online ? 1 : last == PeriodState.Offline ? 0 : (int?)null, TimelineText.Encode(entry.Value.Periods)));
                }
                AddWindowSums(rows.Skip(firstRow).ToList(), day.Date, ids[0], ids[ids.Count - 1], previousRolled);
            }

            bool existed = _db.QuerySingle<long>("SELECT COUNT(*) FROM `" + ConnectionAuditSql.RollupTable + "` WHERE day = @day", new { day = day.Date }) > 0;
            _db.BeginTransaction();
            try
            {
                var stale = new HashSet<int>(_db.Query<int>(ConnectionAuditSql.ComputersOfDay, new { day = day.Date }));
                stale.ExceptWith(rows.Select(r => r.ComputerId));
                foreach (var batch in stale.Select((id, i) => (id, i)).GroupBy(x => x.i / InsertBatch, x => x.id))
                    _db.Execute(ConnectionAuditSql.DeleteComputersOfDay, new { day = day.Date, ids = batch.ToList() });
                DateTime collected = day.Date.AddDays(1);
                for (int i = 0; i < rows.Count; i += InsertBatch) UpsertRows(rows.Skip(i).Take(InsertBatch).ToList(), day.Date, collected);
                _db.Execute(ConnectionAuditSql.MarkDayRolled, new { day = day.Date, startUtc, endUtc, computers = rows.Count });
                // Later rolled days whose 29-day span includes this day (a day rolled up again, or late).
                var later = _db.Query<(DateTime Day, DateTime StartUtc, DateTime EndUtc)>(ConnectionAuditSql.RolledDays, new { from = day.Date.AddDays(1), to = day.Date.AddDays(28) });
                foreach (var rolled in later) _db.Execute(ConnectionAuditSql.RollingSums, new { day = rolled.Day.Date });
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
            return new RolledDay
            {
                Day = day.Date, StartUtc = startUtc, EndUtc = endUtc,
                DayMinutes = (int)Math.Round((endUtc - startUtc).TotalMinutes),
                Computers = rows.Count,
                OnlineMinutes = rows.Sum(r => (long)r.Online), OfflineMinutes = rows.Sum(r => (long)r.Offline), UnknownMinutes = rows.Sum(r => (long)r.Unknown),
                Action = existed ? "Replaced" : "Added",
                DurationMs = watch.ElapsedMilliseconds,
            };
        }

        /// <summary>
        /// The 6- and 29-day sums ending with this day, carried forward from the day before (add today,
        /// drop the day that leaves the span); computed from scratch where there is nothing to carry.
        /// </summary>
        private void AddWindowSums(List<DailyRow> rows, DateTime day, int lo, int hi, bool previousRolled)
        {
            if (rows.Count == 0) return;
            var earlier = previousRolled
                ? _db.Query<SumRow>(ConnectionAuditSql.SumsCarriedForward, new { lo, hi, days = new[] { day.AddDays(-1), day.AddDays(-6), day.AddDays(-29) } })
                    .ToDictionary(r => (r.ComputerId, r.Day.Date))
                : new Dictionary<(int, DateTime), SumRow>();
            var scratch = new List<DailyRow>();
            foreach (DailyRow row in rows)
            {
                if (!earlier.TryGetValue((row.ComputerId, day.AddDays(-1)), out SumRow before) || before.Online29d == null)
                {
                    scratch.Add(row);
                    continue;
                }
                earlier.TryGetValue((row.ComputerId, day.AddDays(-6)), out SumRow leaving6);
                earlier.TryGetValue((row.ComputerId, day.AddDays(-29)), out SumRow leaving29);
                row.Online6d = before.Online6d.Value + row.Seconds.Online - (leaving6?.Online ?? 0);
                row.Offline6d = before.Offline6d.Value + row.Seconds.Offline - (leaving6?.Offline ?? 0);
                row.Online29d = before.Online29d.Value + row.Seconds.Online - (leaving29?.Online ?? 0);
                row.Offline29d = before.Offline29d.Value + row.Seconds.Offline - (leaving29?.Offline ?? 0);
            }
            if (scratch.Count == 0) return;
            var sums = _db.Query<SumRow>(ConnectionAuditSql.SumsFromScratch, new { lo, hi, day }).ToDictionary(r => r.ComputerId);
            foreach (DailyRow row in scratch)
            {
                sums.TryGetValue(row.ComputerId, out SumRow s);
                row.Online6d = (s?.Online6d ?? 0) + row.Seconds.Online;
                row.Offline6d = (s?.Offline6d ?? 0) + row.Seconds.Offline;
                row.Online29d = (s?.Online29d ?? 0) + row.Seconds.Online;
                row.Offline29d = (s?.Offline29d ?? 0) + row.Seconds.Offline;
            }
        }

        private sealed class SumRow
        {
            public int ComputerId { get; set; }
            public DateTime Day { get; set; }
            public long Online { get; set; }
            public long Offline { get; set; }
            public long? Online6d { get; set; }
            public long? Offline6d { get; set; }
            public long? Online29d { get; set; }
            public long? Offline29d { get; set; }
        }

        private void UpsertRows(IList<DailyRow> rows, DateTime day, DateTime collected)
        {
            var sql = new StringBuilder(ConnectionAuditSql.UpsertDailyColumns);
            var parameters = new DynamicParameters();
            parameters.Add("day", day);
            parameters.Add("collected", collected);
            for (int i = 0; i < rows.Count; i++)
            {
                DailyRow r = rows[i];
                if (i > 0) sql.Append(',');
                sql.Append("(@c").Append(i).Append(",@on").Append(i).Append(",@off").Append(i).Append(",@collected,@day,@un").Append(i)
                   .Append(",@ons").Append(i).Append(",@offs").Append(i).Append(",@uns").Append(i).Append(",@end").Append(i).Append(",@tl").Append(i)
                   .Append(",@s6on").Append(i).Append(",@s6off").Append(i).Append(",@s29on").Append(i).Append(",@s29off").Append(i).Append(')');
                parameters.Add("c" + i, r.ComputerId);
                parameters.Add("on" + i, r.Online);
                parameters.Add("off" + i, r.Offline);
                parameters.Add("un" + i, r.Unknown);
                parameters.Add("ons" + i, r.Seconds.Online);
                parameters.Add("offs" + i, r.Seconds.Offline);
                parameters.Add("uns" + i, r.Seconds.Unknown);
                parameters.Add("end" + i, r.EndState);
                parameters.Add("tl" + i, r.Timeline);
                parameters.Add("s6on" + i, r.Online6d);
                parameters.Add("s6off" + i, r.Offline6d);
                parameters.Add("s29on" + i, r.Online29d);
                parameters.Add("s29off" + i, r.Offline29d);
            }
            sql.Append(ConnectionAuditSql.UpsertDailyUpdate);
            _db.Execute(sql.ToString(), parameters);
        }

        private void ApplyRetention(RollupOptions options, ServerClock clock)
        {
            Progress("Deleting daily rows older than " + options.RetainDays + " days", 95);
            DateTime dailyCut = clock.NowLocal.Date.AddDays(-options.RetainDays);
            while (_db.Execute(ConnectionAuditSql.DeleteOldDailyBatch, new { before = dailyCut }) > 0) { }
            _db.Execute(ConnectionAuditSql.DeleteOldRollupMarks, new { before = dailyCut });

            Progress("Deleting raw history older than " + options.RetainHistoryDays + " days", 97);
            DateTime historyCut = clock.NowUtc.AddDays(-options.RetainHistoryDays);
            while (true)
            {
                var ids = _db.Query<long>(ConnectionAuditSql.SupersededHistoryBatch, new { before = historyCut }).ToList();
                if (ids.Count == 0) break;
                _db.Execute(ConnectionAuditSql.DeleteHistoryIds, new { ids });
            }
            long firstRun = _db.QuerySingle<long?>(ConnectionAuditSql.FirstRunId) ?? 0;
            while (_db.Execute(ConnectionAuditSql.DeleteOldRunsBatch, new { before = historyCut, firstRun }) > 0) { }
        }

        private sealed class DailyRow
        {
            public DailyRow(int computerId, int online, int offline, int unknown, Totals seconds, int? endState, string timeline)
            {
                ComputerId = computerId; Online = online; Offline = offline; Unknown = unknown; Seconds = seconds; EndState = endState; Timeline = timeline;
            }
            public string Timeline { get; }
            public long Online6d { get; set; }
            public long Offline6d { get; set; }
            public long Online29d { get; set; }
            public long Offline29d { get; set; }
            public int ComputerId { get; }
            public int Online { get; }
            public int Offline { get; }
            public int Unknown { get; }
            public Totals Seconds { get; }
            public int? EndState { get; }
        }
    }
}
