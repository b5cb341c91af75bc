using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AutomateAudit.Storage;
using Dapper;

namespace AutomateAudit.Engine
{
    /// <summary>Which computers a report covers. Names take PowerShell wildcards.</summary>
    public sealed class ComputerFilter
    {
        public int[] ComputerIds { get; set; }
        public string[] Client { get; set; }
        public string[] Location { get; set; }
        public string[] Computer { get; set; }
    }

    /// <summary>
    /// Reports over the recorded history. Computers are processed in chunks in ComputerID order, so rows
    /// stream out while later chunks are still being computed. Whole days that were rolled up come from
    /// the daily table; everything else (the partial first and last days of a window, days not yet
    /// rolled up) is accounted from the raw changes.
    /// </summary>
    public sealed class ConnectionReporter
    {
        private const int FirstChunk = 500;
        private const int Chunk = 5000;

        private readonly AuditDatabase _db;

        public ConnectionReporter(AuditDatabase db) { _db = db; }

        public TimeSpan OfflineAfter { get; set; } = ConnectionRecorder.DefaultOfflineAfter;

        /// <summary>Off: account every window from the raw history (tests compare both ways).</summary>
        internal bool UseRollupRows { get; set; } = true;

        public IEnumerable<ConnectionReportRow> Rolling(ComputerFilter filter)
        {
            ServerClock clock = ServerClock.Read(_db);
            DateTime now = clock.NowUtc;
            var windows = new[] { new Interval(now.AddDays(-1), now), new Interval(now.AddDays(-7), now), new Interval(now.AddDays(-30), now) };
            clock = ServerClock.Read(_db, windows[2].Start, now);
            foreach (var (computer, totals, firstSeen) in (UseRollupRows ? FromRollup(filter, windows, clock) : null) ?? Compute(filter, windows, clock))
            {
                var row = Fill(new ConnectionReportRow(), computer, clock);
                SetWindow(totals[0], (on, off, un, obs, onText, offText, onPct, offPct) =>
                { row.Online24hMinutes = on; row.Offline24hMinutes = off; row.Unknown24hMinutes = un; row.Observed24hMinutes = obs; row.Online24h = onText; row.Offline24h = offText; row.Online24hPercent = onPct; row.Offline24hPercent = offPct; });
                SetWindow(totals[1], (on, off, un, obs, onText, offText, onPct, offPct) =>
                { row.Online7dMinutes = on; row.Offline7dMinutes = off; row.Unknown7dMinutes = un; row.Observed7dMinutes = obs; row.Online7d = onText; row.Offline7d = offText; row.Online7dPercent = onPct; row.Offline7dPercent = offPct; });
                SetWindow(totals[2], (on, off, un, obs, onText, offText, onPct, offPct) =>
                { row.Online30dMinutes = on; row.Offline30dMinutes = off; row.Unknown30dMinutes = un; row.Observed30dMinutes = obs; row.Online30d = onText; row.Offline30d = offText; row.Online30dPercent = onPct; row.Offline30dPercent = offPct; });
                if (firstSeen.HasValue)
                {
                    row.DataCollectedSince = clock.ToLocal(firstSeen.Value);
                    row.DaysSinceDataCollection = Math.Round((now - firstSeen.Value).TotalDays, 3);
                }
                yield return row;
            }
        }

        public IEnumerable<ConnectionWindowRow> Window(ComputerFilter filter, DateTime startLocal, DateTime? end)
        {
            DateTime endLocal = end ?? ServerClock.Read(_db).NowLocal;
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            DateTime[] utc = ServerClock.ToUtc(_db, startLocal, endLocal);
            ServerClock clock = ServerClock.Read(_db, utc[0], utc[1]);
            var window = new Interval(utc[0], utc[1]);
            foreach (var (computer, totals, _) in Compute(filter, new[] { window }, clock))
            {
                var row = Fill(new ConnectionWindowRow { WindowStart = startLocal, WindowEnd = endLocal }, computer, clock);
                SetWindow(totals[0], (on, off, un, obs, onText, offText, onPct, offPct) =>
                {
                    row.OnlineMinutes = on; row.OfflineMinutes = off; row.UnknownMinutes = un; row.ObservedMinutes = obs;
                    row.Online = onText; row.Offline = offText; row.OnlinePercent = onPct; row.OfflinePercent = offPct;
                    row.WindowMinutes = on + off + un;
                });
                yield return row;
            }
        }

        /// <summary>Periods of each computer in [start, end) (server local times; default the last 7 days to now).</summary>
        public IEnumerable<ConnectionPeriodRow> History(ComputerFilter filter, DateTime? start, DateTime? end)
        {
            ServerClock now = ServerClock.Read(_db);
            DateTime endLocal = end ?? now.NowLocal;
            DateTime startLocal = start ?? endLocal.AddDays(-7);
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            DateTime[] utc = ServerClock.ToUtc(_db, startLocal, endLocal);
            ServerClock clock = ServerClock.Read(_db, utc[0], utc[1]);
            var coverage = Coverage.Load(_db, utc[0], utc[1], clock.NowUtc);
            var accounting = new ConnectionAccounting(_db, coverage);
            foreach (var chunk in Chunks(filter, clock))
            {
                var periods = accounting.Periods(chunk.Select(c => c.ComputerId).ToList(), utc[0], utc[1]);
                foreach (ComputerInfo computer in chunk)
                {
                    if (!periods.TryGetValue(computer.ComputerId, out List<Period> list))
                        list = new List<Period> { new Period(utc[0], utc[1], PeriodState.Unknown) };
                    foreach (Period p in list)
                    {
                        yield return new ConnectionPeriodRow
                        {
                            ComputerId = computer.ComputerId, Computer = computer.Computer, Client = computer.Client, Location = computer.Location,
                            State = p.State.ToString(),
                            Start = clock.ToLocal(p.Start), End = clock.ToLocal(p.End),
                            StartUtc = DateTime.SpecifyKind(p.Start, DateTimeKind.Utc), EndUtc = DateTime.SpecifyKind(p.End, DateTimeKind.Utc),
                            DurationMinutes = Math.Round((p.End - p.Start).TotalMinutes, 2),
                            Duration = Minutes.Text((int)Math.Round((p.End - p.Start).TotalMinutes)),
                            Open = p.End == utc[1],
                        };
                    }
                }
            }
        }

        /// <summary>
        /// The rolling windows from the rollup alone where it can: yesterday's daily row carries the
        /// whole-day sums of the 7- and 30-day windows, the rows of the two head days carry their
        /// timelines, and only today's changes come from the raw history. Null when the rollup does not
        /// cover what is needed (a day not rolled up, a DST shift of the window heads): then Compute.
        /// </summary>
        private IEnumerable<(ComputerInfo Computer, Totals[] Totals, DateTime? FirstSeen)> FromRollup(ComputerFilter filter, Interval[] windows, ServerClock clock)
        {
            DateTime now = clock.NowUtc;
            DateTime today = clock.ToLocal(now).Date;
            DateTime yesterday = today.AddDays(-1), head7 = today.AddDays(-7), head30 = today.AddDays(-30);
            if (clock.ToLocal(windows[0].Start).Date != yesterday || clock.ToLocal(windows[1].Start).Date != head7 || clock.ToLocal(windows[2].Start).Date != head30)
                return null;
            var rolled = _db.Query<(DateTime Day, DateTime StartUtc, DateTime EndUtc)>(ConnectionAuditSql.RolledDays, new { from = head30, to = yesterday })
                .ToDictionary(d => d.Day.Date, d => new Interval(d.StartUtc, d.EndUtc));
            if (!rolled.TryGetValue(yesterday, out Interval yesterdayBounds)) return null;
            var coverage = Coverage.Load(_db, windows[2].Start, now, now);
            for (DateTime d = head30; d < yesterday; d = d.AddDays(1))
            {
                // Days before anything was observed need no rollup: they are Unknown either way.
                if (!rolled.ContainsKey(d) && (coverage.FirstObservedUtc == null || clock.ToLocal(coverage.FirstObservedUtc.Value).Date <= d)) return null;
            }
            return StreamFromRollup(filter, windows, clock, coverage, rolled, yesterdayBounds);
        }

        private IEnumerable<(ComputerInfo Computer, Totals[] Totals, DateTime? FirstSeen)> StreamFromRollup(ComputerFilter filter, Interval[] windows,
            ServerClock clock, Coverage coverage, Dictionary<DateTime, Interval> rolled, Interval yesterdayBounds)
        {
            DateTime now = clock.NowUtc;
            DateTime today = clock.ToLocal(now).Date;
            DateTime yesterday = today.AddDays(-1), head7 = today.AddDays(-7), head30 = today.AddDays(-30);
            DateTime todayStart = yesterdayBounds.End;
            var accounting = new ConnectionAccounting(_db, coverage);
            IReadOnlyList<Interval> unobservedToday = coverage.Within(todayStart, now);
            Dictionary<int, List<StateChange>> changesToday = null;
            var days = new List<DateTime> { yesterday, head7, head30 };
            bool firstChunk = true;

            foreach (var chunk in Chunks(filter, clock))
            {
                // The first (small) chunk reads only its own computers' changes of today, so its rows
                // appear at once; the rest of the fleet's are read in one range scan after that.
                Dictionary<int, List<StateChange>> chunkChanges;
                if (firstChunk)
                {
                    chunkChanges = Group(_db.Query<(int ComputerId, DateTime EffectiveUtc, long? State)>(ConnectionAuditSql.ChangesBetween,
                        new { ids = chunk.Select(c => c.ComputerId).ToList(), from = todayStart, to = now }));
                    firstChunk = false;
                }
                else
                {
                    chunkChanges = changesToday ?? (changesToday = Group(_db.Query<(int ComputerId, DateTime EffectiveUtc, long? State)>(
                        ConnectionAuditSql.AllChangesBetween, new { from = todayStart, to = now })));
                }
                int lo = chunk.Min(c => c.ComputerId), hi = chunk.Max(c => c.ComputerId);
                var rows = _db.Query<DayRow>(ConnectionAuditSql.ReportDays, new { lo, hi, days })
                    .ToDictionary(r => (r.ComputerId, r.Day.Date));
                // Computers with history but no row for yesterday (unobserved all day, or just back) get
                // the general accounting; so do computers with no recorded state at today's start.
                var fallback = new List<ComputerInfo>();
                var results = new Dictionary<int, Totals[]>();
                foreach (ComputerInfo computer in chunk)
                {
                    rows.TryGetValue((computer.ComputerId, yesterday), out DayRow y);
                    bool seenBeforeToday = computer.FirstSeenUtc.HasValue && computer.FirstSeenUtc < todayStart;
                    if (seenBeforeToday && (y == null || y.Online29d == null))
                    {
                        fallback.Add(computer);
                        continue;
                    }
                    PeriodState startToday = y == null ? PeriodState.Unknown : ConnectionAccounting.ToState(y.EndState);
                    chunkChanges.TryGetValue(computer.ComputerId, out List<StateChange> changes);
                    var todayPeriods = Timeline.Periods(todayStart, now, startToday, changes ?? Enumerable.Empty<StateChange>(), unobservedToday);
                    Totals todayTotals = Timeline.Sum(todayPeriods, todayStart, now);

                    var totals = new Totals[3];
                    totals[0] = todayTotals;
                    if (y != null) totals[0].Add(Timeline.Sum(TimelineText.Decode(y.Timeline, yesterdayBounds.Start, yesterdayBounds.End), windows[0].Start, yesterdayBounds.End));
                    totals[1] = todayTotals;
                    totals[2] = todayTotals;
                    if (y != null)
                    {
                        totals[1].Online += y.Online6d.Value; totals[1].Offline += y.Offline6d.Value;
                        totals[2].Online += y.Online29d.Value; totals[2].Offline += y.Offline29d.Value;
                    }
                    AddHead(ref totals[1], rows, computer.ComputerId, head7, rolled, windows[1].Start);
                    AddHead(ref totals[2], rows, computer.ComputerId, head30, rolled, windows[2].Start);
                    for (int k = 0; k < 3; k++) totals[k].Unknown = windows[k].Seconds - totals[k].Online - totals[k].Offline;
                    results[computer.ComputerId] = totals;
                }
                if (fallback.Count > 0)
                {
                    foreach (var r in Compute(new ComputerFilter { ComputerIds = fallback.Select(c => c.ComputerId).ToArray() }, windows, clock))
                        results[r.Computer.ComputerId] = r.Totals;
                }
                foreach (ComputerInfo computer in chunk)
                {
                    if (!results.TryGetValue(computer.ComputerId, out Totals[] totals)) continue;
                    yield return (computer, totals, FirstSeen(computer, coverage));
                }
            }
        }

        private static Dictionary<int, List<StateChange>> Group(IEnumerable<(int ComputerId, DateTime EffectiveUtc, long? State)> rows) =>
            rows.GroupBy(r => r.ComputerId)
                .ToDictionary(g => g.Key, g => g.Select(r => new StateChange(r.EffectiveUtc, ConnectionAccounting.ToState(r.State))).ToList());

        private static void AddHead(ref Totals totals, Dictionary<(int, DateTime), DayRow> rows, int computerId, DateTime day, Dictionary<DateTime, Interval> rolled, DateTime from)
        {
            if (!rolled.TryGetValue(day, out Interval bounds) || !rows.TryGetValue((computerId, day), out DayRow row)) return;
            Totals head = Timeline.Sum(TimelineText.Decode(row.Timeline, bounds.Start, bounds.End), from, bounds.End);
            totals.Online += head.Online;
            totals.Offline += head.Offline;
        }

        private static DateTime? FirstSeen(ComputerInfo computer, Coverage coverage)
        {
            DateTime? first = computer.FirstSeenUtc;
            if (first.HasValue && coverage.FirstObservedUtc.HasValue && coverage.FirstObservedUtc > first) first = coverage.FirstObservedUtc;
            return first;
        }

        private sealed class DayRow
        {
            public int ComputerId { get; set; }
            public DateTime Day { get; set; }
            public string Timeline { get; set; }
            public long? EndState { get; set; }
            public long? Online6d { get; set; }
            public long? Offline6d { get; set; }
            public long? Online29d { get; set; }
            public long? Offline29d { get; set; }
        }

        /// <summary>Per computer, the totals of each window; rows stream chunk by chunk.</summary>
        private IEnumerable<(ComputerInfo Computer, Totals[] Totals, DateTime? FirstSeen)> Compute(ComputerFilter filter, Interval[] windows, ServerClock clock)
        {
            DateTime from = windows.Min(w => w.Start), to = windows.Max(w => w.End);
            var coverage = Coverage.Load(_db, from, to, clock.NowUtc);
            var accounting = new ConnectionAccounting(_db, coverage);

            // Whole rolled-up days inside each window come from the daily table, the rest from raw changes.
            var rolled = _db.Query<(DateTime Day, DateTime StartUtc, DateTime EndUtc)>(ConnectionAuditSql.RolledDays,
                new { from = clock.ToLocal(from).Date.AddDays(-1), to = clock.ToLocal(to).Date.AddDays(1) }).ToList();
            var daysPerWindow = windows.Select(w => rolled.Where(d => d.StartUtc >= w.Start && d.EndUtc <= w.End).ToList()).ToArray();
            var rawPerWindow = windows.Select((w, k) => Subtract(w, daysPerWindow[k].Select(d => new Interval(d.StartUtc, d.EndUtc)))).ToArray();
            var spans = MergeSpans(rawPerWindow.SelectMany(r => r));
            bool anyDays = daysPerWindow.Any(d => d.Count > 0);

            foreach (var chunk in Chunks(filter, clock))
            {
                var ids = chunk.Select(c => c.ComputerId).ToList();
                var periodsPerSpan = spans.Select(s => accounting.Periods(ids, s.Start, s.End)).ToList();
                var daily = new Dictionary<int, long[]>();
                if (anyDays)
                {
                    var parameters = new DynamicParameters();
                    parameters.Add("ids", ids);
                    parameters.Add("from", rolled.Min(d => d.Day));
                    parameters.Add("to", rolled.Max(d => d.Day));
                    for (int k = 0; k < windows.Length; k++)
                    {
                        // A window's rolled days are contiguous in practice; a day inside the range that was
                        // not rolled up has no daily rows, so the range sum equals the sum over its rolled days.
                        bool any = daysPerWindow[k].Count > 0;
                        parameters.Add("from" + k, any ? daysPerWindow[k].Min(d => d.Day) : new DateTime(1000, 1, 2));
                        parameters.Add("to" + k, any ? daysPerWindow[k].Max(d => d.Day) : new DateTime(1000, 1, 1));
                    }
                    foreach (var values in _db.QueryRows(ConnectionAuditSql.DailySums(windows.Length), parameters))
                    {
                        var sums = new long[windows.Length * 2];
                        for (int k = 0; k < windows.Length; k++)
                        {
                            sums[2 * k] = Convert.ToInt64(values["Online" + k]);
                            sums[2 * k + 1] = Convert.ToInt64(values["Offline" + k]);
                        }
                        daily[Convert.ToInt32(values["ComputerId"])] = sums;
                    }
                }

                foreach (ComputerInfo computer in chunk)
                {
                    var totals = new Totals[windows.Length];
                    for (int k = 0; k < windows.Length; k++)
                    {
                        var t = new Totals();
                        foreach (Interval raw in rawPerWindow[k])
                        {
                            int s = spans.FindIndex(x => x.Start <= raw.Start && raw.End <= x.End);
                            if (periodsPerSpan[s].TryGetValue(computer.ComputerId, out List<Period> periods))
                                t.Add(Timeline.Sum(periods, raw.Start, raw.End));
                        }
                        if (daily.TryGetValue(computer.ComputerId, out long[] sums))
                        {
                            t.Online += sums[2 * k];
                            t.Offline += sums[2 * k + 1];
                        }
                        t.Unknown = windows[k].Seconds - t.Online - t.Offline;
                        totals[k] = t;
                    }
                    yield return (computer, totals, FirstSeen(computer, coverage));
                }
            }
        }

        private delegate void WindowSetter(int online, int offline, int unknown, int observed, string onlineText, string offlineText, double? onlinePercent, double? offlinePercent);

        private static void SetWindow(Totals t, WindowSetter set)
        {
            var m = Minutes.Split(t);
            set(m.Online, m.Offline, m.Unknown, m.Online + m.Offline, Minutes.Text(m.Online), Minutes.Text(m.Offline),
                Minutes.Percent(t.Online, t.Observed), Minutes.Percent(t.Offline, t.Observed));
        }

        private T Fill<T>(T row, ComputerInfo c, ServerClock clock) where T : ComputerRow
        {
            row.ClientId = c.ClientId; row.LocationId = c.LocationId; row.ComputerId = c.ComputerId;
            row.Client = c.Client; row.Location = c.Location; row.Computer = c.Computer;
            row.OperatingSystem = c.OperatingSystem;
            row.LastContact = c.LastContact == DateTime.MinValue ? null : c.LastContact;
            row.LastLoggedInUser = c.LastLoggedInUser;
            row.MinutesSinceLastContact = c.MinutesSinceLastContact.HasValue ? (int?)c.MinutesSinceLastContact.Value : null;
            row.FormFactor = FormFactor(c.OperatingSystem, c.BiosFlash, c.Flags);
            row.Status = c.LastContact.HasValue && c.LastContact.Value > clock.NowLocal - OfflineAfter ? "Online" : "Offline";
            return row;
        }

        internal static string FormFactor(string os, string biosFlash, long flags)
        {
            if (os != null && os.IndexOf("server", StringComparison.OrdinalIgnoreCase) >= 0)
                return (flags & 2048) != 0 ? "Virtual Server" : "Physical Server";
            if (biosFlash != null && biosFlash.IndexOf("portable", StringComparison.OrdinalIgnoreCase) >= 0) return "Laptop";
            return "Desktop";
        }

        private IEnumerable<List<ComputerInfo>> Chunks(ComputerFilter filter, ServerClock clock)
        {
            var sql = new StringBuilder(ConnectionAuditSql.ReportComputers);
            var parameters = new DynamicParameters();
            parameters.Add("nowLocal", clock.NowLocal);
            if (filter?.ComputerIds != null && filter.ComputerIds.Length > 0)
            {
                sql.Append(" AND c.ComputerID IN @computerIds");
                parameters.Add("computerIds", filter.ComputerIds);
            }
            AppendLike(sql, parameters, "cl.Name", "client", filter?.Client);
            AppendLike(sql, parameters, "l.Name", "location", filter?.Location);
            AppendLike(sql, parameters, "c.Name", "computer", filter?.Computer);
            sql.Append(" ORDER BY c.ComputerID LIMIT @limit");
            int after = int.MinValue;
            int size = FirstChunk;
            while (true)
            {
                parameters.Add("after", after);
                parameters.Add("limit", size);
                var chunk = _db.Query<ComputerInfo>(sql.ToString(), parameters).ToList();
                if (chunk.Count == 0) yield break;
                yield return chunk;
                if (chunk.Count < size) yield break;
                after = chunk[chunk.Count - 1].ComputerId;
                size = Chunk;
            }
        }

        private static void AppendLike(StringBuilder sql, DynamicParameters parameters, string column, string name, string[] patterns)
        {
            if (patterns == null || patterns.Length == 0) return;
            var terms = new List<string>();
            for (int i = 0; i < patterns.Length; i++)
            {
                terms.Add(column + " LIKE @" + name + i);
                parameters.Add(name + i, WildcardToLike(patterns[i]));
            }
            sql.Append(" AND (").Append(string.Join(" OR ", terms)).Append(')');
        }

        /// <summary>PowerShell wildcard (*, ?, [abc] not supported by LIKE: taken literally) to a LIKE pattern with \ as escape.</summary>
        internal static string WildcardToLike(string pattern)
        {
            var like = new StringBuilder();
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '`' && i + 1 < pattern.Length) { ch = pattern[++i]; AppendLiteral(like, ch); }
                else if (ch == '*') like.Append('%');
                else if (ch == '?') like.Append('_');
                else AppendLiteral(like, ch);
            }
            return like.ToString();
        }

        private static void AppendLiteral(StringBuilder like, char ch)
        {
            if (ch == '%' || ch == '_' || ch == '\\') like.Append('\\');
            like.Append(ch);
        }

        private static List<Interval> Subtract(Interval window, IEnumerable<Interval> holes)
        {
            var parts = new List<Interval>();
            DateTime cursor = window.Start;
            foreach (Interval h in holes.OrderBy(h => h.Start))
            {
                if (h.Start > cursor) parts.Add(new Interval(cursor, h.Start));
                if (h.End > cursor) cursor = h.End;
            }
            if (window.End > cursor) parts.Add(new Interval(cursor, window.End));
            return parts;
        }

        private static List<Interval> MergeSpans(IEnumerable<Interval> intervals)
        {
            var merged = new List<Interval>();
            foreach (Interval i in intervals.OrderBy(i => i.Start))
            {
                if (merged.Count > 0 && merged[merged.Count - 1].End >= i.Start)
                {
                    Interval last = merged[merged.Count - 1];
                    merged[merged.Count - 1] = new Interval(last.Start, i.End > last.End ? i.End : last.End);
                }
                else merged.Add(i);
            }
            return merged;
        }

        private sealed class ComputerInfo
        {
            public int ComputerId { get; set; }
            public int ClientId { get; set; }
            public int LocationId { get; set; }
            public string Client { get; set; }
            public string Location { get; set; }
            public string Computer { get; set; }
            public string OperatingSystem { get; set; }
            public string OsVersion { get; set; }
            public DateTime? LastContact { get; set; }
            public string LastLoggedInUser { get; set; }
            public string BiosFlash { get; set; }
            public long Flags { get; set; }
            public long? MinutesSinceLastContact { get; set; }
            public DateTime? FirstSeenUtc { get; set; }
        }
    }
}
