using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// The connection audit's tables: ProVal's two (raw changes and daily rollup) with the module's extra
    /// columns, and the module's current-state and rollup bookkeeping tables.
    /// </summary>
    internal static class ConnectionAuditTables
    {
        public const string AuditTable = "pvl_automate_connection_audit";
        public const string DailyTable = "pvl_automate_connection_audit_daily";
        public const string StateTable = "aa_connection_state";
        public const string RollupTable = "aa_connection_rollup";
        public const string SummaryTable = "aa_connection_summary";

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
            // Covering: every read of changes (a computer's, or a span of the fleet's) needs only these columns, so it
            // never visits the rows. At 100,000 computers a chunk's 30 days (285,000 changes) read in 54 ms instead of
            // 420, and a day of the fleet's changes in 34 ms instead of 200 (schema 3).
            new IndexSpec("ix_aa_audit_computer_changes", false, "computerid", "effective_utc", "state", "removed") { Replaces = "ix_aa_audit_computer_effective" },
            new IndexSpec("ix_aa_audit_effective_changes", false, "effective_utc", "computerid", "state", "removed") { Replaces = "ix_aa_audit_effective" },
            new IndexSpec("ix_aa_audit_run", false, "run_id", "computerid"),
        },
        // Rows written by ProVal's monitor: the change took effect at its lastcontact (rule 2).
        "UPDATE `" + AuditTable + "` SET " +
            "collected_utc = COALESCE(collected_utc, " + SqlTime.LocalToUtc("datacollectiontime") + "), " +
            "effective_utc = " + SqlTime.LocalToUtc("COALESCE(lastcontact, datacollectiontime)") + " " +
            // A row without a usable time (both NULL, or a zero date) is never adopted, so it is not claimed again on every install.
            "WHERE effective_utc IS NULL AND COALESCE(lastcontact, datacollectiontime) >= '1000-01-01'",
        // Local clocks repeat at a DST fall-back: effective times never run backwards in recording order.
        // Only the rows that step back are materialised and joined (a handful). A computer has a row below the
        // running maximum exactly when some row is below the one before it, so a LAG pass over all rows (4 s for
        // 4.35 million with the session's larger temporary tables) picks the computers, and the running maximum
        // (a far slower window: 25-57 s over every row) is computed for those alone.
        "UPDATE `" + AuditTable + "` a JOIN (SELECT id, m FROM (" +
            "SELECT id, effective_utc, MAX(effective_utc) OVER (PARTITION BY computerid ORDER BY id ROWS UNBOUNDED PRECEDING) AS m " +
            "FROM `" + AuditTable + "` WHERE computerid IN (SELECT l.computerid FROM (" +
            "SELECT computerid, effective_utc, LAG(effective_utc) OVER (PARTITION BY computerid ORDER BY id) AS p FROM `" + AuditTable + "`) l " +
            "WHERE l.effective_utc < l.p)) w " +
            "WHERE w.effective_utc < w.m) x ON x.id = a.id SET a.effective_utc = x.m",
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
            // 1: only the day's summary figures are written (Install-AuditTable after an adoption); Invoke-DailyRollup still rolls it up.
            new ColumnSpec("provisional", "TINYINT NOT NULL DEFAULT 0"),
        }, "day");
        /// <summary>The summary's column of one day of the month (1..31): online_01 ... online_31.</summary>
        public static string SummaryOnline(int dayOfMonth) => "online_" + dayOfMonth.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>offline_01 ... offline_31.</summary>
        public static string SummaryOffline(int dayOfMonth) => "offline_" + dayOfMonth.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

        private static IEnumerable<ColumnSpec> SummaryColumns()
        {
            yield return new ColumnSpec("computerid", "INT NOT NULL");
            // The first day of the month (server local calendar).
            yield return new ColumnSpec("month", "DATE NOT NULL");
            for (int d = 1; d <= 31; d++)
            {
                // Seconds of that day (at most 90,000 on a 25-hour day): 3 bytes each. 0 where nothing was observed.
                yield return new ColumnSpec(SummaryOnline(d), "MEDIUMINT UNSIGNED NOT NULL DEFAULT 0");
                yield return new ColumnSpec(SummaryOffline(d), "MEDIUMINT UNSIGNED NOT NULL DEFAULT 0");
            }
        }

        /// <summary>
        /// The compact long-term figures: one row per computer per month, the online and offline seconds of each
        /// rolled-up day in a pair of columns (no timeline, no per-row overhead per day), kept -RetainSummaryMonths.
        /// Written by the rollup in the same transaction as the daily row, with the same numbers; days older than
        /// -RetainDays get only these. The clustered key serves the reports (a computer's months are one range).
        /// Adoption copies the figures of days a version before schema 2 rolled up (one row per computer and month).
        /// </summary>
        public static readonly TableSpec Summary = new TableSpec(SummaryTable, "ConnectionAudit", SummaryColumns(), "computerid, month", null,
            CopyDailyToSummarySql()) { AdoptBelowVersion = 2 };

        private static string CopyDailyToSummarySql()
        {
            const string month = "d.day - INTERVAL (DAYOFMONTH(d.day) - 1) DAY";
            var days = Enumerable.Range(1, 31).ToList();
            return "INSERT INTO `" + SummaryTable + "` (computerid, month, " +
                string.Join(", ", days.Select(i => SummaryOnline(i) + ", " + SummaryOffline(i))) + ") " +
                "SELECT d.computerid, " + month + " AS month, " +
                string.Join(", ", days.Select(i => "SUM(IF(DAYOFMONTH(d.day) = " + i + ", d.online_seconds, 0)), SUM(IF(DAYOFMONTH(d.day) = " + i + ", d.offline_seconds, 0))")) + " " +
                "FROM `" + DailyTable + "` d JOIN `" + RollupTable + "` r ON r.day = d.day " +
                "WHERE d.online_seconds IS NOT NULL AND d.offline_seconds IS NOT NULL " +
                "AND NOT EXISTS (SELECT 1 FROM `" + SummaryTable + "` s WHERE s.computerid = d.computerid AND s.month = " + month + ") " +
                "GROUP BY d.computerid, month";
        }
    }
}
