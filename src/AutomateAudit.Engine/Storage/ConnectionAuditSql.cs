namespace AutomateAudit.Storage
{
    /// <summary>
    /// Every statement of the connection audit family: the ProVal tables (raw changes and daily rollup)
    /// with the module's extra columns, and the module's current-state and rollup bookkeeping tables.
    /// </summary>
    internal static partial class ConnectionAuditSql
    {
        public const string AuditTable = "pvl_automate_connection_audit";
        public const string DailyTable = "pvl_automate_connection_audit_daily";
        public const string StateTable = "aa_connection_state";
        public const string RollupTable = "aa_connection_rollup";

        // A local DATETIME to UTC in the session's (= server's) time zone; the offset fallback covers
        // servers whose named zones are not loaded into mysql.time_zone_name.
        private const string ToUtc = "COALESCE(CONVERT_TZ({0}, @@session.time_zone, '+00:00'), {0} - INTERVAL TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) SECOND)";

        public static readonly TableSpec Audit = new TableSpec(AuditTable, "ConnectionAudit", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("state", "TINYINT NOT NULL"),
            new ColumnSpec("lastcontact", "DATETIME NULL"),
            new ColumnSpec("datacollectiontime", "DATETIME NULL"),
            new ColumnSpec("effective_utc", "DATETIME NULL"),
            new ColumnSpec("collected_utc", "DATETIME NULL"),
            new ColumnSpec("removed", "TINYINT NOT NULL DEFAULT 0"),
            new ColumnSpec("run_id", "BIGINT UNSIGNED NULL"),
        }, "id", new[]
        {
            new IndexSpec("ix_aa_audit_computer_effective", false, "computerid", "effective_utc"),
            new IndexSpec("ix_aa_audit_effective", false, "effective_utc"),
            new IndexSpec("ix_aa_audit_run", false, "run_id", "computerid"),
        },
        // Rows written by ProVal's monitor: the change took effect at its lastcontact (rule 2).
        "UPDATE `" + AuditTable + "` SET " +
            "collected_utc = COALESCE(collected_utc, " + string.Format(ToUtc, "datacollectiontime") + "), " +
            "effective_utc = " + string.Format(ToUtc, "COALESCE(lastcontact, datacollectiontime)") + " " +
            "WHERE effective_utc IS NULL",
        // Local clocks repeat at a DST fall-back: effective times never run backwards in recording order.
        "UPDATE `" + AuditTable + "` a JOIN (" +
            "SELECT id, MAX(effective_utc) OVER (PARTITION BY computerid ORDER BY id ROWS UNBOUNDED PRECEDING) AS m " +
            "FROM `" + AuditTable + "` WHERE computerid IN (SELECT computerid FROM `" + AuditTable + "` WHERE run_id IS NULL)) x " +
            "ON x.id = a.id SET a.effective_utc = x.m WHERE a.effective_utc < x.m",
        // Continue from the latest adopted row of each computer the module does not track yet.
        "INSERT INTO `" + StateTable + "` (computerid, state, lastcontact, effective_utc, removed, updated_utc, first_seen_utc) " +
            "SELECT a.computerid, a.state, a.lastcontact, a.effective_utc, a.removed, UTC_TIMESTAMP(), l.first FROM `" + AuditTable + "` a " +
            "JOIN (SELECT computerid, MAX(id) AS id, MIN(effective_utc) AS first FROM `" + AuditTable + "` GROUP BY computerid) l ON l.id = a.id " +
            "LEFT JOIN `" + StateTable + "` s ON s.computerid = a.computerid WHERE s.computerid IS NULL AND a.effective_utc IS NOT NULL");

        public static readonly TableSpec Daily = new TableSpec(DailyTable, "ConnectionAudit", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("online", "INT NOT NULL DEFAULT 0"),
            new ColumnSpec("offline", "INT NOT NULL DEFAULT 0"),
            new ColumnSpec("datacollectiontime", "DATETIME NULL"),
            new ColumnSpec("day", "DATE NULL"),
            new ColumnSpec("unknown", "INT NULL"),
            new ColumnSpec("online_seconds", "INT NULL"),
            new ColumnSpec("offline_seconds", "INT NULL"),
            new ColumnSpec("unknown_seconds", "INT NULL"),
            // The state recorded at the end of the day (1, 0, NULL unknown), whatever the coverage.
            new ColumnSpec("end_state", "TINYINT NULL"),
            // The day's periods ("O3600 F1800 U600": state letter and seconds, from local midnight), so a
            // report can take any part of the day without reading the raw history again.
            new ColumnSpec("timeline", "TEXT NULL"),
            // Sums over the 6 and 29 days ending with this one: the whole days of a 7- and 30-day window.
            new ColumnSpec("online_6d_seconds", "INT NULL"),
            new ColumnSpec("offline_6d_seconds", "INT NULL"),
            new ColumnSpec("online_29d_seconds", "INT NULL"),
            new ColumnSpec("offline_29d_seconds", "INT NULL"),
        }, "id", new[]
        {
            new IndexSpec("ux_aa_daily_computer_day", true, "computerid", "day"),
            new IndexSpec("ix_aa_daily_day", false, "day"),
            // Reports sum whole days per computer from this index alone.
            new IndexSpec("ix_aa_daily_sums", false, "computerid", "day", "online_seconds", "offline_seconds"),
        });

        public static readonly TableSpec State = new TableSpec(StateTable, "ConnectionAudit", new[]
        {
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("state", "TINYINT NOT NULL"),
            new ColumnSpec("lastcontact", "DATETIME NULL"),
            new ColumnSpec("lastcontact_utc", "DATETIME NULL"),
            new ColumnSpec("effective_utc", "DATETIME NOT NULL"),
            new ColumnSpec("removed", "TINYINT NOT NULL DEFAULT 0"),
            new ColumnSpec("updated_utc", "DATETIME NOT NULL"),
            new ColumnSpec("first_seen_utc", "DATETIME NULL"),
        }, "computerid");

        public static readonly TableSpec Rollup = new TableSpec(RollupTable, "ConnectionAudit", new[]
        {
            new ColumnSpec("day", "DATE NOT NULL"),
            new ColumnSpec("start_utc", "DATETIME NOT NULL"),
            new ColumnSpec("end_utc", "DATETIME NOT NULL"),
            new ColumnSpec("computers", "INT NOT NULL"),
            new ColumnSpec("rolled_utc", "DATETIME NOT NULL"),
        }, "day");
    
        public static string LocalToUtc(string expression) => string.Format(ToUtc, expression);

        public static string UtcToLocal(string expression) =>
            "COALESCE(CONVERT_TZ(" + expression + ", '+00:00', @@session.time_zone), " + expression + " + INTERVAL TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) SECOND)";

        // ---- coverage ----------------------------------------------------------------------------

        public const string RunsAround =
            "SELECT started_utc FROM aa_run_log WHERE job = @job AND status = 'ok' " +
            "AND started_utc >= @from - INTERVAL 30 MINUTE AND started_utc <= @to + INTERVAL 30 MINUTE ORDER BY started_utc";

        public const string HistoryBounds =
            "SELECT (SELECT MIN(started_utc) FROM aa_run_log WHERE job = @job AND status = 'ok') AS FirstRun, " +
            "(SELECT MIN(effective_utc) FROM `" + AuditTable + "` WHERE run_id IS NULL) AS AdoptedFrom";

        // ---- recording (Update-ConnectionAudit) ----------------------------------------------------

        /// <summary>
        /// Every computer whose state differs from the last one recorded (or that is new, or back after a
        /// removal), plus every tracked computer that left the computers table. One pass over computers,
        /// joined on the state table's primary key: the cost does not depend on how much history exists.
        /// Online means a LastContact within OfflineAfter of now, compared in UTC. The change takes effect
        /// at the LastContact, never earlier than the previous change (rule 6) nor later than now.
        ///
        /// LastContact to UTC, innermost first: a zero date is no contact. An offline computer whose
        /// LastContact is unchanged keeps the reading made when it went silent (in the repeated hour of a
        /// DST fall-back the same local time comes round again). Otherwise the server's zone rules apply;
        /// when the local time is ambiguous (both readings an hour apart map back to it) the latest
        /// reading that is not in the future is taken, whichever one the server picked, because a new
        /// LastContact is minutes old. Servers without zone tables fall back to the age on the server clock.
        /// </summary>
        public const string DetectChanges =
            "SELECT x.ComputerId, x.State, x.LastContact, " +
            "LEAST(@nowUtc, GREATEST(COALESCE(x.PreviousUtc, '1000-01-01'), COALESCE(x.LastContactUtc, @nowUtc))) AS EffectiveUtc, " +
            "0 AS Removed, x.FirstSeen, x.LastContactUtc FROM (" +
            " SELECT y.ComputerId, y.LastContact, y.PreviousUtc, y.PreviousState, y.FirstSeen, y.LastContactUtc, " +
            " IF(y.LastContactUtc > @nowUtc - INTERVAL @offlineSeconds SECOND, 1, 0) AS State FROM (" +
            "  SELECT z.ComputerId, z.LastContact, z.PreviousUtc, z.PreviousState, z.FirstSeen, " +
            "  IF(z.LastContact IS NULL, NULL, IF(z.PreviousState = 0 AND z.PreviousRemoved = 0 AND z.PreviousLastContactUtc IS NOT NULL AND z.LastContact = z.PreviousLastContact, " +
            "   z.PreviousLastContactUtc, COALESCE(CASE " +
            "    WHEN z.Converted > @nowUtc AND CONVERT_TZ(z.Converted - INTERVAL 1 HOUR, '+00:00', @@session.time_zone) = z.LastContact THEN z.Converted - INTERVAL 1 HOUR " +
            "    WHEN z.Converted + INTERVAL 1 HOUR <= @nowUtc AND CONVERT_TZ(z.Converted + INTERVAL 1 HOUR, '+00:00', @@session.time_zone) = z.LastContact THEN z.Converted + INTERVAL 1 HOUR " +
            "    ELSE z.Converted END, " +
            "   @nowUtc - INTERVAL TIMESTAMPDIFF(SECOND, z.LastContact, @nowLocal) SECOND))) AS LastContactUtc FROM (" +
            "   SELECT c.ComputerID AS ComputerId, IF(c.LastContact < '1000-01-01', NULL, c.LastContact) AS LastContact, " +
            "   CONVERT_TZ(IF(c.LastContact < '1000-01-01', NULL, c.LastContact), @@session.time_zone, '+00:00') AS Converted, " +
            "   s.effective_utc AS PreviousUtc, s.state AS PreviousState, s.removed AS PreviousRemoved, " +
            "   s.lastcontact AS PreviousLastContact, s.lastcontact_utc AS PreviousLastContactUtc, " +
            "   IF(s.computerid IS NULL OR s.removed = 1, 1, 0) AS FirstSeen " +
            "   FROM computers c LEFT JOIN `" + StateTable + "` s ON s.computerid = c.ComputerID) z) y) x " +
            "WHERE x.FirstSeen = 1 OR x.PreviousState <> x.State " +
            "UNION ALL " +
            "SELECT s.computerid, 0, s.lastcontact, GREATEST(s.effective_utc, @nowUtc), 1, 0, s.lastcontact_utc " +
            "FROM `" + StateTable + "` s LEFT JOIN computers c ON c.ComputerID = s.computerid " +
            "WHERE c.ComputerID IS NULL AND s.removed = 0";

        /// <summary>
        /// A change dated back into a day already rolled up (a late offline, a large OfflineAfter, the run
        /// after a recording outage) makes that day and every later one due again.
        /// </summary>
        public const string ReopenRolledDays =
            "DELETE FROM `" + RollupTable + "` WHERE end_utc > (SELECT MIN(EffectiveUtc) FROM aa_tmp_changes)";

        public const string PrepareChanges =
            "CREATE TEMPORARY TABLE IF NOT EXISTS aa_tmp_changes (" +
            "ComputerId INT NOT NULL PRIMARY KEY, State TINYINT NOT NULL, LastContact DATETIME NULL, " +
            "EffectiveUtc DATETIME NOT NULL, Removed TINYINT NOT NULL, FirstSeen TINYINT NOT NULL, LastContactUtc DATETIME NULL) ENGINE=InnoDB; " +
            "DELETE FROM aa_tmp_changes";

        public const string CollectChanges = "INSERT INTO aa_tmp_changes " + DetectChanges;

        public const string WriteChanges =
            "INSERT INTO `" + AuditTable + "` (computerid, state, lastcontact, datacollectiontime, effective_utc, collected_utc, removed, run_id) " +
            "SELECT ComputerId, State, LastContact, @nowLocal, EffectiveUtc, @nowUtc, Removed, @runId FROM aa_tmp_changes ORDER BY ComputerId";

        public const string WriteState =
            "INSERT INTO `" + StateTable + "` (computerid, state, lastcontact, lastcontact_utc, effective_utc, removed, updated_utc, first_seen_utc) " +
            "SELECT ComputerId, State, LastContact, LastContactUtc, EffectiveUtc, Removed, @nowUtc, EffectiveUtc FROM aa_tmp_changes " +
            "ON DUPLICATE KEY UPDATE state = VALUES(state), lastcontact = VALUES(lastcontact), lastcontact_utc = VALUES(lastcontact_utc), " +
            "effective_utc = VALUES(effective_utc), removed = VALUES(removed), updated_utc = VALUES(updated_utc)";

        public const string ReadChanges = "SELECT ComputerId, State, LastContact, EffectiveUtc, Removed, FirstSeen FROM aa_tmp_changes ORDER BY ComputerId";

        // ---- accounting (rollup, reports, history) -------------------------------------------------

        /// <summary>
        /// The last change before @at of each listed computer (several rows when changes share an instant:
        /// the highest id wins). A group-wise MAX over (computerid, effective_utc) is answered from the
        /// index alone (loose index scan), so the cost is one index dive per computer however long the history.
        /// </summary>
        public const string StatesAt =
            "SELECT a.computerid AS ComputerId, IF(a.removed = 1, NULL, a.state) AS State FROM `" + AuditTable + "` a JOIN (" +
            "SELECT computerid, MAX(effective_utc) AS at FROM `" + AuditTable + "` WHERE computerid IN @ids AND effective_utc < @at GROUP BY computerid) m " +
            "ON a.computerid = m.computerid AND a.effective_utc = m.at ORDER BY a.computerid, a.id";

        public const string StatesAtRange =
            "SELECT a.computerid AS ComputerId, IF(a.removed = 1, NULL, a.state) AS State FROM `" + AuditTable + "` a JOIN (" +
            "SELECT computerid, MAX(effective_utc) AS at FROM `" + AuditTable + "` WHERE computerid BETWEEN @lo AND @hi AND effective_utc < @at GROUP BY computerid) m " +
            "ON a.computerid = m.computerid AND a.effective_utc = m.at ORDER BY a.computerid, a.id";

        /// <summary>Every change in [@from, @to) of every computer (the report's "today so far").</summary>
        public const string AllChangesBetween =
            "SELECT computerid AS ComputerId, effective_utc AS EffectiveUtc, IF(removed = 1, NULL, state) AS State " +
            "FROM `" + AuditTable + "` WHERE effective_utc >= @from AND effective_utc < @to ORDER BY computerid, effective_utc, id";

        public const string ChangesBetween =
            "SELECT computerid AS ComputerId, effective_utc AS EffectiveUtc, IF(removed = 1, NULL, state) AS State " +
            "FROM `" + AuditTable + "` WHERE computerid IN @ids AND effective_utc >= @from AND effective_utc < @to " +
            "ORDER BY computerid, effective_utc, id";

        public const string TrackedComputers =
            "SELECT computerid FROM `" + StateTable + "` WHERE computerid > @after ORDER BY computerid LIMIT @limit";

        // ---- daily rollup (Invoke-DailyRollup) ------------------------------------------------------

        public const string RolledDays = "SELECT day AS Day, start_utc AS StartUtc, end_utc AS EndUtc FROM `" + RollupTable + "` WHERE day >= @from AND day <= @to ORDER BY day";

        public const string ComputersOfDay = "SELECT computerid FROM `" + DailyTable + "` WHERE day = @day";

        public const string DeleteComputersOfDay = "DELETE FROM `" + DailyTable + "` WHERE day = @day AND computerid IN @ids";

        public const string UpsertDailyColumns = "INSERT INTO `" + DailyTable + "` (computerid, online, offline, datacollectiontime, day, unknown, online_seconds, offline_seconds, unknown_seconds, end_state, timeline, " +
            "online_6d_seconds, offline_6d_seconds, online_29d_seconds, offline_29d_seconds) VALUES ";

        // Rolling a day again updates rows in place, so an unchanged day leaves the table byte for byte the same.
        public const string UpsertDailyUpdate = " ON DUPLICATE KEY UPDATE online = VALUES(online), offline = VALUES(offline), datacollectiontime = VALUES(datacollectiontime), " +
            "unknown = VALUES(unknown), online_seconds = VALUES(online_seconds), offline_seconds = VALUES(offline_seconds), unknown_seconds = VALUES(unknown_seconds), end_state = VALUES(end_state), timeline = VALUES(timeline), " +
            "online_6d_seconds = VALUES(online_6d_seconds), offline_6d_seconds = VALUES(offline_6d_seconds), online_29d_seconds = VALUES(online_29d_seconds), offline_29d_seconds = VALUES(offline_29d_seconds)";

        /// <summary>The rows a day's window sums are carried forward from: the day before, and the days that drop out.</summary>
        public const string SumsCarriedForward =
            "SELECT computerid AS ComputerId, day AS Day, online_seconds AS Online, offline_seconds AS Offline, " +
            "online_6d_seconds AS Online6d, offline_6d_seconds AS Offline6d, online_29d_seconds AS Online29d, offline_29d_seconds AS Offline29d " +
            "FROM `" + DailyTable + "` WHERE computerid BETWEEN @lo AND @hi AND day IN @days";

        /// <summary>Window sums from scratch (28 days before @day), for computers the carry-forward cannot serve.</summary>
        public const string SumsFromScratch =
            "SELECT computerid AS ComputerId, SUM(IF(day >= @day - INTERVAL 5 DAY, online_seconds, 0)) AS Online6d, " +
            "SUM(IF(day >= @day - INTERVAL 5 DAY, offline_seconds, 0)) AS Offline6d, SUM(online_seconds) AS Online29d, SUM(offline_seconds) AS Offline29d " +
            "FROM `" + DailyTable + "` WHERE computerid BETWEEN @lo AND @hi AND day BETWEEN @day - INTERVAL 28 DAY AND @day - INTERVAL 1 DAY GROUP BY computerid";

        /// <summary>Recomputes the 6- and 29-day sums on one day's rows from the daily rows before it.</summary>
        public const string RollingSums =
            "UPDATE `" + DailyTable + "` d JOIN (" +
            "SELECT computerid, SUM(online_seconds) AS on29, SUM(offline_seconds) AS off29, " +
            "SUM(IF(day >= @day - INTERVAL 5 DAY, online_seconds, 0)) AS on6, SUM(IF(day >= @day - INTERVAL 5 DAY, offline_seconds, 0)) AS off6 " +
            "FROM `" + DailyTable + "` WHERE day BETWEEN @day - INTERVAL 28 DAY AND @day GROUP BY computerid) s ON s.computerid = d.computerid " +
            "SET d.online_6d_seconds = s.on6, d.offline_6d_seconds = s.off6, d.online_29d_seconds = s.on29, d.offline_29d_seconds = s.off29 " +
            "WHERE d.day = @day";

        /// <summary>What a rolling report needs of one chunk's daily rows: yesterday and the two window heads.</summary>
        public const string ReportDays =
            "SELECT computerid AS ComputerId, day AS Day, timeline AS Timeline, end_state AS EndState, " +
            "online_6d_seconds AS Online6d, offline_6d_seconds AS Offline6d, online_29d_seconds AS Online29d, offline_29d_seconds AS Offline29d " +
            "FROM `" + DailyTable + "` WHERE computerid BETWEEN @lo AND @hi AND day IN @days";

        public const string MarkDayRolled =
            "INSERT INTO `" + RollupTable + "` (day, start_utc, end_utc, computers, rolled_utc) VALUES (@day, @startUtc, @endUtc, @computers, UTC_TIMESTAMP()) " +
            "ON DUPLICATE KEY UPDATE start_utc = VALUES(start_utc), end_utc = VALUES(end_utc), computers = VALUES(computers), rolled_utc = VALUES(rolled_utc)";

        public const string FirstHistoryUtc =
            "SELECT LEAST(COALESCE((SELECT MIN(started_utc) FROM aa_run_log WHERE job = 'connection' AND status = 'ok'), '9999-12-31'), " +
            "COALESCE((SELECT MIN(effective_utc) FROM `" + AuditTable + "` WHERE run_id IS NULL), '9999-12-31'))";

        public const string DeleteOldDailyBatch = "DELETE FROM `" + DailyTable + "` WHERE day < @before LIMIT 5000";

        public const string DeleteOldRollupMarks = "DELETE FROM `" + RollupTable + "` WHERE day < @before";

        /// <summary>Raw rows older than the cut-off, except each computer's last one before it (which still gives the state at the cut-off).</summary>
        public const string SupersededHistoryBatch =
            "SELECT a.id FROM `" + AuditTable + "` a WHERE a.effective_utc < @before AND EXISTS (" +
            "SELECT 1 FROM `" + AuditTable + "` b WHERE b.computerid = a.computerid AND b.effective_utc < @before " +
            "AND (b.effective_utc > a.effective_utc OR (b.effective_utc = a.effective_utc AND b.id > a.id))) LIMIT 5000";

        public const string DeleteHistoryIds = "DELETE FROM `" + AuditTable + "` WHERE id IN @ids";

        // The first successful recording run is kept: it marks where adopted ProVal history stops counting as observed.
        public const string DeleteOldRunsBatch = "DELETE FROM aa_run_log WHERE started_utc < @before AND id <> @firstRun LIMIT 5000";

        public const string FirstRunId = "SELECT id FROM aa_run_log WHERE job = 'connection' AND status = 'ok' ORDER BY started_utc, id LIMIT 1";

        // ---- reports ---------------------------------------------------------------------------------

        /// <summary>Computer details for one chunk of the report, keyed by ComputerID. Filters are appended by the caller as parameters.</summary>
        public const string ReportComputers =
            "SELECT c.ComputerID AS ComputerId, c.ClientID AS ClientId, c.LocationID AS LocationId, " +
            "cl.Name AS Client, l.Name AS Location, c.Name AS Computer, c.OS AS OperatingSystem, c.Version AS OsVersion, " +
            "c.LastContact AS LastContact, c.LastUsername AS LastLoggedInUser, c.BiosFlash AS BiosFlash, c.Flags AS Flags, " +
            "TIMESTAMPDIFF(MINUTE, c.LastContact, @nowLocal) AS MinutesSinceLastContact, s.first_seen_utc AS FirstSeenUtc " +
            "FROM computers c LEFT JOIN clients cl ON cl.ClientID = c.ClientID LEFT JOIN locations l ON l.LocationID = c.LocationID " +
            "LEFT JOIN `" + StateTable + "` s ON s.computerid = c.ComputerID " +
            "WHERE c.ComputerID > @after";

        /// <summary>Per computer, the rolled-up seconds of each window's whole days (days @from0..@to0, @from1..@to1, ...).</summary>
        public static string DailySums(int windows)
        {
            var sums = new System.Text.StringBuilder();
            for (int w = 0; w < windows; w++)
            {
                sums.Append(", SUM(IF(day BETWEEN @from" + w + " AND @to" + w + ", online_seconds, 0)) AS Online" + w);
                sums.Append(", SUM(IF(day BETWEEN @from" + w + " AND @to" + w + ", offline_seconds, 0)) AS Offline" + w);
            }
            return "SELECT computerid AS ComputerId" + sums + " FROM `" + DailyTable + "` " +
                "WHERE computerid IN @ids AND day >= @from AND day <= @to GROUP BY computerid";
        }
    }
}
