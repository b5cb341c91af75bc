using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint.Payload;
using static AutomateAudit.Storage.ConnectionAuditTables;

namespace AutomateAudit.Storage
{
    /// <summary>One computer's row of one day in pvl_automate_connection_audit_daily.</summary>
    internal sealed class DailyRecord
    {
        public int ComputerId { get; set; }
        public int Online { get; set; }
        public int Offline { get; set; }
        public int Unknown { get; set; }
        public long OnlineSeconds { get; set; }
        public long OfflineSeconds { get; set; }
        public long UnknownSeconds { get; set; }
        public int? EndState { get; set; }
        public string Timeline { get; set; }
        public long Online6d { get; set; }
        public long Offline6d { get; set; }
        public long Online29d { get; set; }
        public long Offline29d { get; set; }
    }

    /// <summary>The daily sums a rollup carries forward, or a report reads, for one computer and day.</summary>
    internal sealed class DailySums
    {
        public int ComputerId { get; set; }
        public DateTime Day { get; set; }
        public long Online { get; set; }
        public long Offline { get; set; }
        public string Timeline { get; set; }
        public long? EndState { get; set; }
        public long? Online6d { get; set; }
        public long? Offline6d { get; set; }
        public long? Online29d { get; set; }
        public long? Offline29d { get; set; }
    }

    /// <summary>
    /// Which columns a read of daily rows takes: each column read costs a fresh process's report about a microsecond per row
    /// (MySqlConnector's text parsing while its code is not yet optimized), and a report reads 200,000 rows.
    /// </summary>
    internal enum DailyRowColumns
    {
        /// <summary>The day's seconds, end state and window sums.</summary>
        Sums,
        /// <summary>The same and the timeline.</summary>
        SumsAndTimeline,
        /// <summary>Only the timeline (the other fields of the row stay empty).</summary>
        TimelineOnly,
    }

    /// <summary>A local day that was rolled up, with its bounds in UTC.</summary>
    internal struct RolledDayBounds
    {
        public DateTime Day { get; set; }
        public DateTime StartUtc { get; set; }
        public DateTime EndUtc { get; set; }
        /// <summary>Only its summary figures are written (by Install-AuditTable after an adoption): Invoke-DailyRollup still rolls it up.</summary>
        public bool Provisional { get; set; }
    }

    /// <summary>The daily table (ProVal's columns plus the module's) and the record of which days are rolled up.</summary>
    internal sealed class RollupStore
    {
        private const int UpsertBatch = 1000;
        private readonly AuditDatabase _db;

        public RollupStore(AuditDatabase db) { _db = db; }

        /// <summary>
        /// The days rolled up between two local days. <paramref name="withProvisional"/>: also the days that have only their
        /// summary figures (<see cref="MarkProvisional"/>), which serve the reports' whole days but have no daily rows.
        /// </summary>
        public List<RolledDayBounds> RolledDays(DateTime from, DateTime to, bool withProvisional = false) =>
            _db.Read("SELECT day AS Day, start_utc AS StartUtc, end_utc AS EndUtc, provisional <> 0 AS Provisional FROM `" + RollupTable +
                "` WHERE day >= @from AND day <= @to" + (withProvisional ? "" : " AND provisional = 0") + " ORDER BY day", new { from, to },
                r => new RolledDayBounds { Day = r.GetDateTime(0), StartUtc = r.GetDateTime(1), EndUtc = r.GetDateTime(2), Provisional = r.Int64(3) != 0 });

        public bool HasRows(DateTime day) =>
            _db.QuerySingle<long>("SELECT COUNT(*) FROM (SELECT 1 FROM `" + DailyTable + "` WHERE day = @day LIMIT 1) x", new { day }) > 0;

        /// <summary>
        /// Replaces a day's rows with the <see cref="Stage"/>d ones: upserts them (in place, so an unchanged day stays byte
        /// for byte the same) and deletes the others; a day that had no rows (the nightly run) needs no search for stale ones.
        /// </summary>
        public void ReplaceDay(DateTime day, DateTime collected, IReadOnlyList<DailyRecord> rows, bool hadRows)
        {
            if (!hadRows)
            {
                if (rows.Count > 0) UpsertStaged(day, collected);
                return;
            }
            var stale = new HashSet<int>(_db.Query<int>("SELECT computerid FROM `" + DailyTable + "` WHERE day = @day", new { day }));
            stale.ExceptWith(rows.Select(r => r.ComputerId));
            foreach (var ids in stale.Select((id, i) => (id, i)).GroupBy(x => x.i / UpsertBatch, x => x.id))
                _db.Execute("DELETE FROM `" + DailyTable + "` WHERE day = @day AND computerid IN @ids", new { day, ids = ids.ToList() });
            if (rows.Count > 0) UpsertStaged(day, collected);
        }

        private static readonly string[] DailyColumns =
        {
            "computerid", "online", "offline", "datacollectiontime", "day", "unknown", "online_seconds", "offline_seconds", "unknown_seconds",
            "end_state", "timeline", "online_6d_seconds", "offline_6d_seconds", "online_29d_seconds", "offline_29d_seconds",
        };

        /// <summary>The day being rolled up, staged on the server for the daily table and the summary (a temporary table of this session).</summary>
        public const string DailyStaging = "aa_tmp_daily";

        /// <summary>
        /// Stages a day's rows in <see cref="DailyStaging"/>, each batch as one JSON parameter read by JSON_TABLE
        /// (MariaDB 10.6+, MySQL 8). Measured at 100,000 computers: 1.7 s, against 2.1 s for prepared multi-row
        /// INSERTs and about 2.6 s for 13 named parameters per computer. The writes then read the staged rows in one
        /// INSERT ... SELECT (... ON DUPLICATE KEY UPDATE from the staged columns: the upsert form MySQL 8, where
        /// VALUES() in ON DUPLICATE KEY UPDATE is deprecated, and MariaDB both accept).
        /// </summary>
        public void Stage(IReadOnlyList<DailyRecord> rows)
        {
            _db.Execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS " + DailyStaging + " (computerid INT NOT NULL PRIMARY KEY, " +
                string.Join(", ", StagedColumns.Skip(1).Select(c => c.Column + " " + c.Type + " NULL")) + ") ENGINE=InnoDB; DELETE FROM " + DailyStaging);
            for (int first = 0; first < rows.Count; first += StageBatch)
            {
                var batch = new List<object[]>();
                for (int i = first; i < Math.Min(first + StageBatch, rows.Count); i++)
                {
                    DailyRecord r = rows[i];
                    batch.Add(new object[] { r.ComputerId, r.Online, r.Offline, r.Unknown, r.OnlineSeconds, r.OfflineSeconds, r.UnknownSeconds,
                        r.EndState, r.Timeline, r.Online6d, r.Offline6d, r.Online29d, r.Offline29d });
                }
                _db.Execute(StageSql, new { rows = Json.Write(batch) });
            }
        }

        /// <summary>Rows per JSON batch: about 500 KB, well under the 16 MB max_allowed_packet MariaDB and MySQL default to.</summary>
        private const int StageBatch = 5000;

        private static readonly (string Column, string Type)[] StagedColumns =
        {
            ("computerid", "INT"), ("online", "INT"), ("offline", "INT"), ("unknown", "INT"), ("online_seconds", "INT"), ("offline_seconds", "INT"),
            ("unknown_seconds", "INT"), ("end_state", "TINYINT"), ("timeline", "TEXT"), ("online_6d_seconds", "INT"), ("offline_6d_seconds", "INT"),
            ("online_29d_seconds", "INT"), ("offline_29d_seconds", "INT"),
        };

        private static readonly string StageSql =
            "INSERT INTO " + DailyStaging + " (" + string.Join(", ", StagedColumns.Select(c => c.Column)) + ") SELECT " +
            string.Join(", ", StagedColumns.Select(c => "j." + c.Column)) + " FROM JSON_TABLE(@rows, '$[*]' COLUMNS (" +
            string.Join(", ", StagedColumns.Select((c, i) => c.Column + " " + c.Type + " PATH '$[" + i + "]'")) + ")) j";

        private void UpsertStaged(DateTime day, DateTime collected)
        {
            _db.Execute(
                "INSERT INTO `" + DailyTable + "` (" + string.Join(", ", DailyColumns) + ") " +
                "SELECT " + string.Join(", ", DailyColumns.Select(c => c == "day" ? "@day" : c == "datacollectiontime" ? "@collected" : "t." + c)) +
                " FROM " + DailyStaging + " t ON DUPLICATE KEY UPDATE " +
                string.Join(", ", DailyColumns.Where(c => c != "computerid" && c != "day").Select(c => c + " = " + (c == "datacollectiontime" ? "@collected" : "t." + c))),
                new { day, collected });
        }

        public void MarkRolled(DateTime day, DateTime startUtc, DateTime endUtc, int computers) =>
            _db.Execute(
                "INSERT INTO `" + RollupTable + "` (day, start_utc, end_utc, computers, rolled_utc, provisional) " +
                "SELECT * FROM (SELECT CAST(@day AS DATE) AS day, CAST(@startUtc AS DATETIME) AS start_utc, CAST(@endUtc AS DATETIME) AS end_utc, " +
                "@computers AS computers, UTC_TIMESTAMP() AS rolled_utc, 0 AS provisional) AS dt " +
                "ON DUPLICATE KEY UPDATE start_utc = dt.start_utc, end_utc = dt.end_utc, computers = dt.computers, rolled_utc = dt.rolled_utc, provisional = 0",
                new { day, startUtc, endUtc, computers });

        /// <summary>
        /// Marks days whose summary figures alone were written (<see cref="Engine.AdoptedHistoryRollup"/>): the reports sum them
        /// as whole days; Invoke-DailyRollup still rolls them up (daily rows, window sums). Never downgrades a day rolled up in full.
        /// </summary>
        public void MarkProvisional(IReadOnlyList<(DateTime Day, DateTime StartUtc, DateTime EndUtc, int Computers)> days)
        {
            if (days.Count == 0) return;
            // One statement for all the days: their rows as a derived table of numbered parameters.
            const string Row = "SELECT CAST(@Day AS DATE) AS day, CAST(@StartUtc AS DATETIME) AS start_utc, CAST(@EndUtc AS DATETIME) AS end_utc, " +
                "@Computers AS computers, UTC_TIMESTAMP() AS rolled_utc, 1 AS provisional";
            var parameters = new SqlArgs();
            var rows = new List<string>();
            var none = new HashSet<string>();
            for (int i = 0; i < days.Count; i++)
            {
                rows.Add(SqlTemplate.Number(Row, i, none));
                parameters.Add("Day" + i, days[i].Day).Add("StartUtc" + i, days[i].StartUtc).Add("EndUtc" + i, days[i].EndUtc).Add("Computers" + i, days[i].Computers);
            }
            _db.Execute(
                "INSERT INTO `" + RollupTable + "` (day, start_utc, end_utc, computers, rolled_utc, provisional) " +
                "SELECT * FROM (" + string.Join(" UNION ALL ", rows) + ") AS dt " +
                "ON DUPLICATE KEY UPDATE start_utc = IF(" + RollupTable + ".provisional = 0, " + RollupTable + ".start_utc, dt.start_utc), " +
                "end_utc = IF(" + RollupTable + ".provisional = 0, " + RollupTable + ".end_utc, dt.end_utc)", parameters);
        }

        /// <summary>
        /// A change dated back into a day already rolled up (a late offline, a large OfflineAfter, the run
        /// after a recording outage) makes that day and every later one due again.
        /// </summary>
        public int ReopenFrom(DateTime earliestChangeUtc) =>
            _db.Execute("DELETE FROM `" + RollupTable + "` WHERE end_utc > @earliest", new { earliest = earliestChangeUtc });

        public void Unmark(DateTime day) =>
            _db.Execute("DELETE FROM `" + RollupTable + "` WHERE day = @day", new { day });

        /// <summary>The rows a day's window sums are carried forward from (the day before, and the days that drop out), for ComputerIDs lo..hi (a report's chunk of a filtered fleet, its first chunk, a window's end states).</summary>
        public List<DailySums> Sums(int lo, int hi, IReadOnlyList<DateTime> days, DailyRowColumns columns = DailyRowColumns.SumsAndTimeline)
        {
            var rows = new List<DailySums>();
            EachSums(lo, hi, days, columns, rows.Add);
            return rows;
        }

        /// <summary>The same rows handed over one by one as they are read.</summary>
        public void EachSums(int lo, int hi, IReadOnlyList<DateTime> days, DailyRowColumns columns, Action<DailySums> onRow) =>
            EachRow(" WHERE computerid BETWEEN @lo AND @hi AND day IN @days", new { lo, hi, days }, columns, onRow);

        /// <summary>
        /// The same rows for every computer: a few days of the whole fleet read through the day index in one statement,
        /// where a range of ComputerIDs would scan every day the unique key holds for each of them. Unsorted: the caller
        /// keys them, and sorting rows with a TEXT column makes the server sort row pointers and read every row twice.
        /// The day index is forced: a few days are a tenth of 30 days' rows, so the optimizer picks a full scan of the
        /// table, twice as slow (280 against 530-950 ms for 3 days at 100,000 computers), and slower still as the table grows.
        /// Each day's rows were inserted together, so the index leads to neighbouring rows.
        /// </summary>
        /// <remarks>
        /// A day's rows are inserted together by its rollup (a re-roll updates them in place), so their ids are one dense run:
        /// read as ranges of the clustered key, the rows cost half the server time of one lookup each through the day index
        /// (157 against 346 ms for 3 days at 100,000 computers). When a day's ids are not dense (rows written some other
        /// way), the day index is used. Either way the same rows: the day is tested on every row.
        /// </remarks>
        public List<DailySums> Sums(IReadOnlyList<DateTime> days, DailyRowColumns columns)
        {
            var rows = new List<DailySums>();
            EachSums(days, columns, rows.Add);
            return rows;
        }

        /// <summary>The same rows handed over one by one as they are read (a report keeps only what it needs of each).</summary>
        public void EachSums(IReadOnlyList<DateTime> days, DailyRowColumns columns, Action<DailySums> onRow)
        {
            var runs = _db.Read(
                "SELECT day, MIN(id), MAX(id), COUNT(*) FROM `" + DailyTable + "` FORCE INDEX (ix_aa_daily_day) WHERE day IN @days GROUP BY day", new { days },
                r => (Day: r.GetDateTime(0), First: Convert.ToUInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), Last: Convert.ToUInt64(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture), Rows: r.Int64(3)));
            if (runs.Count == 0) return;
            if (runs.Any(r => r.Last - r.First + 1 > 2 * (ulong)r.Rows))
            {
                EachRow(" FORCE INDEX (ix_aa_daily_day) WHERE day IN @days", new { days }, columns, onRow);
                return;
            }
            var parameters = new SqlArgs(new { days });
            var ranges = new List<string>();
            for (int i = 0; i < runs.Count; i++)
            {
                ranges.Add("id BETWEEN @first" + i + " AND @last" + i);
                parameters.Add("first" + i, runs[i].First);
                parameters.Add("last" + i, runs[i].Last);
            }
            EachRow(" FORCE INDEX (PRIMARY) WHERE (" + string.Join(" OR ", ranges) + ") AND day IN @days", parameters, columns, onRow);
        }

        private void EachRow(string where, object parameters, DailyRowColumns columns, Action<DailySums> onRow) =>
            _db.ReadEach(SumsSql(columns) + where, parameters, r => onRow(ReadSums(r, columns)));

        private static DailySums ReadSums(System.Data.IDataRecord r, DailyRowColumns columns)
        {
            if (columns == DailyRowColumns.TimelineOnly) return new DailySums { ComputerId = r.GetInt32(0), Day = r.GetDateTime(1), Timeline = r.NullableString(2) };
            int t = columns == DailyRowColumns.SumsAndTimeline ? 1 : 0;
            return new DailySums
            {
                ComputerId = r.GetInt32(0), Day = r.GetDateTime(1), Online = r.GetInt32(2), Offline = r.GetInt32(3),
                Timeline = t == 1 ? r.NullableString(4) : null, EndState = r.NullableInt32(4 + t),
                Online6d = r.NullableInt32(5 + t), Offline6d = r.NullableInt32(6 + t), Online29d = r.NullableInt32(7 + t), Offline29d = r.NullableInt32(8 + t),
            };
        }

        private static string SumsSql(DailyRowColumns columns) =>
            columns == DailyRowColumns.TimelineOnly ? "SELECT computerid AS ComputerId, day AS Day, timeline AS Timeline FROM `" + DailyTable + "`" :
            "SELECT computerid AS ComputerId, day AS Day, online_seconds AS Online, offline_seconds AS Offline, " + (columns == DailyRowColumns.SumsAndTimeline ? "timeline AS Timeline, " : "") + "end_state AS EndState, " +
            "online_6d_seconds AS Online6d, offline_6d_seconds AS Offline6d, online_29d_seconds AS Online29d, offline_29d_seconds AS Offline29d FROM `" + DailyTable + "`";

        /// <summary>Each computer's change in a day's online and offline seconds, staged before the day is replaced (a temporary table of this session).</summary>
        public const string WindowChanges = "aa_tmp_window_changes";

        /// <summary>
        /// Before a day's rows are replaced by the <see cref="Stage"/>d ones: how much each computer's online and offline
        /// seconds change (a row missing on either side counts as nothing). Returns how many computers changed. The day's
        /// figures are read from the summary (the same numbers) when retention deleted its daily rows: the later days' sums
        /// still hold them.
        /// </summary>
        public int StageWindowChanges(DateTime day, bool fromSummary)
        {
            string current = fromSummary
                ? "SELECT computerid, -" + SummaryOnline(day.Day) + ", -" + SummaryOffline(day.Day) + " FROM `" + SummaryTable + "` WHERE month = @month"
                : "SELECT computerid, -online_seconds, -offline_seconds FROM `" + DailyTable + "` WHERE day = @day";
            _db.Execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + WindowChanges + " (computerid INT NOT NULL PRIMARY KEY, " +
                "online_seconds INT NOT NULL, offline_seconds INT NOT NULL) ENGINE=InnoDB; DELETE FROM " + WindowChanges);
            return _db.Execute(
                "INSERT INTO " + WindowChanges + " (computerid, online_seconds, offline_seconds) " +
                "SELECT computerid, SUM(online_seconds), SUM(offline_seconds) FROM (" +
                "SELECT computerid, online_seconds, offline_seconds FROM " + DailyStaging + " UNION ALL " + current + ") x " +
                "GROUP BY computerid HAVING SUM(online_seconds) <> 0 OR SUM(offline_seconds) <> 0", new { day, month = SummaryStore.MonthOf(day) });
        }

        /// <summary>
        /// Adds the <see cref="StageWindowChanges"/> of @day to the 6- and 29-day sums of the later days whose spans
        /// include it: one statement touching only the computers that changed, where recomputing each later day from
        /// its 29 days of rows took 4-20 s a day at 100,000 computers.
        /// </summary>
        public void AddWindowChanges(DateTime day, IReadOnlyList<DateTime> laterDays) =>
            _db.Execute(
                "UPDATE `" + DailyTable + "` d JOIN " + WindowChanges + " c ON c.computerid = d.computerid SET " +
                "d.online_6d_seconds = d.online_6d_seconds + IF(d.day <= @day + INTERVAL 5 DAY, c.online_seconds, 0), " +
                "d.offline_6d_seconds = d.offline_6d_seconds + IF(d.day <= @day + INTERVAL 5 DAY, c.offline_seconds, 0), " +
                "d.online_29d_seconds = d.online_29d_seconds + c.online_seconds, d.offline_29d_seconds = d.offline_29d_seconds + c.offline_seconds " +
                "WHERE d.day IN @laterDays", new { day, laterDays });

        public long CountBefore(DateTime day) =>
            _db.QuerySingle<long>("SELECT COUNT(*) FROM `" + DailyTable + "` WHERE day < @day", new { day });

        /// <summary>Deletes daily rows before a day, in batches. The days stay marked rolled up: aa_connection_summary keeps their figures.</summary>
        public long DeleteBefore(DateTime day, int batch)
        {
            long deleted = 0;
            int n;
            while ((n = _db.Execute("DELETE FROM `" + DailyTable + "` WHERE day < @day LIMIT " + batch, new { day })) > 0) deleted += n;
            return deleted;
        }

        /// <summary>Whether any day before this one is marked rolled up.</summary>
        public bool AnyRolledBefore(DateTime day) =>
            _db.QuerySingle<long>("SELECT COUNT(*) FROM (SELECT day FROM `" + RollupTable + "` WHERE day < @day LIMIT 1) x", new { day }) > 0;

        /// <summary>Forgets the rollup marks before a day (once the summary no longer holds their figures).</summary>
        public long DeleteMarksBefore(DateTime day) =>
            _db.Execute("DELETE FROM `" + RollupTable + "` WHERE day < @day", new { day });
    }
}
