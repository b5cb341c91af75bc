using System.Collections.Generic;
using System.Linq;
using System.Text;
using static AutomateAudit.Storage.ConnectionAuditTables;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// The module's jobs as stored procedures, for hosted Automate servers where only SQL steps and internal
    /// monitors reach the database. Each procedure is created by DROP PROCEDURE IF EXISTS + CREATE PROCEDURE, two
    /// statements that need no DELIMITER (the server parses BEGIN ... END itself).
    /// </summary>
    internal static class HostedProcedures
    {
        public const string RecordConnectionsName = "aa_record_connections";
        private const string TempTable = "aa_tmp_proc_changes";

        /// <summary>The recorder's change detection: the very statement Update-ConnectionAudit runs, its parameters as the procedure's variables.</summary>
        internal static string DetectChanges => ConnectionHistoryStore.DetectChanges;

        private static string AsProcedureSql(string sql) =>
            sql.Replace("@nowUtc", "v_now_utc").Replace("@nowLocal", "v_now_local").Replace("@offlineSeconds", "v_offline_seconds");

        /// <summary>
        /// aa_record_connections(offline_minutes): one run of Update-ConnectionAudit -OfflineAfter (minutes), as a
        /// procedure. The same named lock (per database), a run-log row (job 'connection'), one READ COMMITTED
        /// transaction writing the history rows and the current state and reopening rolled days; a failed run is
        /// logged 'failed' and its error raised again. Returns no result set (an internal monitor could take rows for alerts):
        /// the run's row in aa_run_log holds the number of changes (rows_written).
        /// </summary>
        public static SqlObjectSpec RecordConnections(string moduleVersion) => new SqlObjectSpec(RecordConnectionsName, "PROCEDURE",
            "DROP PROCEDURE IF EXISTS `" + RecordConnectionsName + "`",
            "CREATE PROCEDURE `" + RecordConnectionsName + "`(IN offline_minutes INT)\n" +
            "  MODIFIES SQL DATA\n" +
            "  COMMENT 'AutomateAudit " + moduleVersion + ": Update-ConnectionAudit as SQL. CALL it every 5 minutes (internal monitor or EVENT).'\n" +
            "  BEGIN\n" +
            "  DECLARE v_lock VARCHAR(64);\n" +
            "  DECLARE v_got INT DEFAULT 0;\n" +
            "  DECLARE v_now_local DATETIME;\n" +
            "  DECLARE v_now_utc DATETIME;\n" +
            "  DECLARE v_offline_seconds INT;\n" +
            "  DECLARE v_run BIGINT UNSIGNED DEFAULT NULL;\n" +
            "  DECLARE v_count INT DEFAULT 0;\n" +
            "  DECLARE v_earliest DATETIME;\n" +
            "  DECLARE v_message VARCHAR(1000) DEFAULT '';\n" +
            "  DECLARE EXIT HANDLER FOR SQLEXCEPTION\n" +
            "  BEGIN\n" +
            "    GET DIAGNOSTICS CONDITION 1 v_message = MESSAGE_TEXT;\n" +
            "    ROLLBACK;\n" +
            "    IF v_run IS NOT NULL THEN\n" +
            "      UPDATE `" + ModuleTables.RunLogTable + "` SET finished_utc = UTC_TIMESTAMP(), status = 'failed', rows_written = 0, detail = LEFT(v_message, 1000) WHERE id = v_run;\n" +
            "    END IF;\n" +
            "    DROP TEMPORARY TABLE IF EXISTS " + TempTable + ";\n" +
            "    IF v_got = 1 THEN DO RELEASE_LOCK(v_lock); END IF;\n" +
            "    RESIGNAL;\n" +
            "  END;\n" +
            "  IF offline_minutes IS NULL OR offline_minutes < 1 OR offline_minutes > 1440 THEN\n" +
            "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'aa_record_connections: offline_minutes must be between 1 and 1440.';\n" +
            "  END IF;\n" +
            "  IF @@log_bin = 1 AND @@session.binlog_format = 'STATEMENT' THEN\n" +
            "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'aa_record_connections: the binary log is in STATEMENT format, which refuses READ COMMITTED writes; set binlog_format to ROW or MIXED. Nothing was written.';\n" +
            "  END IF;\n" +
            "  SET v_offline_seconds = offline_minutes * 60;\n" +
            "  SELECT NOW(), UTC_TIMESTAMP() INTO v_now_local, v_now_utc;\n" +
            "  SET v_lock = LEFT(CONCAT('" + "AutomateAudit.ConnectionAudit" + "@', DATABASE()), 64);\n" +
            "  SET v_got = COALESCE(GET_LOCK(v_lock, 60), 0);\n" +
            "  IF v_got <> 1 THEN\n" +
            "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'aa_record_connections: another run has held the recording lock for over 60 seconds; this run recorded nothing.';\n" +
            "  END IF;\n" +
            "  INSERT INTO `" + ModuleTables.RunLogTable + "` (job, started_utc, started_local, status, host, module_version)\n" +
            "    VALUES ('connection', v_now_utc, v_now_local, 'running', LEFT(CONCAT('sql:', COALESCE(@@hostname, '')), 255), '" + moduleVersion + "');\n" +
            "  SET v_run = LAST_INSERT_ID();\n" +
            "  COMMIT;\n" +
            "  CREATE TEMPORARY TABLE IF NOT EXISTS " + TempTable + " (ComputerId INT NOT NULL PRIMARY KEY, State TINYINT NOT NULL, LastContact DATETIME NULL,\n" +
            "    EffectiveUtc DATETIME NOT NULL, Removed TINYINT NOT NULL, FirstSeen TINYINT NOT NULL, LastContactUtc DATETIME NULL) ENGINE=InnoDB;\n" +
            "  DELETE FROM " + TempTable + ";\n" +
            "  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;\n" +
            "  START TRANSACTION;\n" +
            "  INSERT INTO " + TempTable + " " + AsProcedureSql(DetectChanges) + ";\n" +
            "  SET v_count = ROW_COUNT();\n" +
            "  IF v_count > 0 THEN\n" +
            "    INSERT INTO `" + AuditTable + "` (computerid, state, lastcontact, datacollectiontime, effective_utc, collected_utc, removed, run_id)\n" +
            "      SELECT ComputerId, State, LastContact, v_now_local, EffectiveUtc, v_now_utc, Removed, v_run FROM " + TempTable + " ORDER BY ComputerId;\n" +
            "    INSERT INTO `" + StateTable + "` (computerid, state, lastcontact, lastcontact_utc, effective_utc, removed, updated_utc, first_seen_utc)\n" +
            "      SELECT * FROM (SELECT ComputerId AS computerid, State AS state, LastContact AS lastcontact, LastContactUtc AS lastcontact_utc,\n" +
            "      EffectiveUtc AS effective_utc, Removed AS removed, v_now_utc AS updated_utc, EffectiveUtc AS first_seen_utc FROM " + TempTable + ") AS dt\n" +
            "      ON DUPLICATE KEY UPDATE state = dt.state, lastcontact = dt.lastcontact, lastcontact_utc = dt.lastcontact_utc,\n" +
            "      effective_utc = dt.effective_utc, removed = dt.removed, updated_utc = dt.updated_utc;\n" +
            "    SELECT MIN(EffectiveUtc) INTO v_earliest FROM " + TempTable + ";\n" +
            "    DELETE FROM `" + RollupTable + "` WHERE end_utc > v_earliest;\n" +
            "  END IF;\n" +
            "  UPDATE `" + ModuleTables.RunLogTable + "` SET finished_utc = UTC_TIMESTAMP(), status = 'ok', rows_written = v_count,\n" +
            "    detail = CONCAT('offline after ', offline_minutes, ' min (aa_record_connections)') WHERE id = v_run;\n" +
            "  COMMIT;\n" +
            "  DROP TEMPORARY TABLE IF EXISTS " + TempTable + ";\n" +
            "  DO RELEASE_LOCK(v_lock);\n" +
            "  SET v_got = 0;\n" +
            "  END");

        /// <summary>
        /// A one-off procedure for the SQL script: adds the module's columns and indexes that an existing table
        /// (ProVal's, or an older module's) lacks, as Install-AuditTable's plan would, checked against
        /// information_schema at run time. Only ever adds; tables another solution still writes to are left alone.
        /// </summary>
        public static IReadOnlyList<string> UpgradeStatements(IReadOnlyList<TableSpec> tables, bool indexes)
        {
            string Name = indexes ? "aa_install_indexes" : "aa_install_upgrade";
            var body = new StringBuilder();
            foreach (TableSpec spec in tables.Where(t => t.ExtendExisting))
            {
                string table = "'" + spec.Name + "'";
                foreach (ColumnSpec column in indexes ? new ColumnSpec[0] : spec.Columns)
                {
                    bool isKey = column.Name.Equals(spec.PrimaryKey, System.StringComparison.OrdinalIgnoreCase);
                    string missing = "NOT EXISTS (SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + table + " AND COLUMN_NAME = '" + column.Name + "')";
                    string add = "ALTER TABLE `" + spec.Name + "` ADD COLUMN `" + column.Name + "` " + column.Definition;
                    if (!isKey)
                    {
                        body.Append("  IF " + missing + " THEN " + add + "; END IF;\n");
                        continue;
                    }
                    string hasPrimary = "EXISTS (SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + table + " AND INDEX_NAME = 'PRIMARY')";
                    body.Append("  IF " + missing + " THEN\n" +
                        "    IF " + hasPrimary + " THEN " + add + " FIRST, ADD UNIQUE KEY `ux_aa_" + column.Name + "` (`" + column.Name + "`);\n" +
                        "    ELSE " + add + " FIRST, ADD PRIMARY KEY (`" + column.Name + "`); END IF;\n" +
                        "  END IF;\n");
                }
                foreach (IndexSpec index in indexes ? spec.Indexes : new IndexSpec[0])
                {
                    body.Append("  IF NOT EXISTS (SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + table +
                        " AND INDEX_NAME = '" + index.Name + "') THEN ALTER TABLE `" + spec.Name + "` ADD " + index.Clause() + "; END IF;\n");
                    if (index.Replaces != null)
                        body.Append("  IF EXISTS (SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + table +
                            " AND INDEX_NAME = '" + index.Replaces + "') THEN ALTER TABLE `" + spec.Name + "` DROP INDEX `" + index.Replaces + "`; END IF;\n");
                }
            }
            return new[]
            {
                "DROP PROCEDURE IF EXISTS `" + Name + "`",
                "CREATE PROCEDURE `" + Name + "`()\n  MODIFIES SQL DATA\n  BEGIN\n" + body + "  END",
                "CALL `" + Name + "`()",
                "DROP PROCEDURE IF EXISTS `" + Name + "`",
            };
        }
    }
}
