using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint.Payload;
using static AutomateAudit.Storage.HostedInboxChecks;
using static AutomateAudit.Storage.HostedInboxDecode;
using static AutomateAudit.Storage.HostedInboxSql;
using static AutomateAudit.Storage.SessionTables;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// aa_import_inbox(max_pending_per_computer, retain_days): Import-AuditInbox as a stored procedure, for hosted
    /// Automate servers where only SQL steps and internal monitors reach the database. The same lock, limits, checks,
    /// order and writes as InboxImporter; the writes are the stores' own statements (SessionStore, IdleStore,
    /// InboxStore) with their parameters bound to the procedure's checked rows. Helper procedures (aa_inbox_*) decode
    /// and check; they are created and dropped with it.
    /// </summary>
    internal static class HostedInboxProcedure
    {
        public const string Name = "aa_import_inbox";
        public const string WriteName = "aa_inbox_write";
        private const string PendingTable = "aa_tmp_proc_pending";
        private const string DecodedTable = "aa_tmp_proc_decoded";

        /// <summary>Every procedure of the importer, helpers first (each CREATE names only procedures created before it).</summary>
        public static IReadOnlyList<SqlObjectSpec> All(string version) => new[]
        {
            HostedInboxDecode.Dates(version), HostedInboxDecode.Texts(version), HostedInboxDecode.Decode(version),
            HostedInboxValidate.Sessions(version), HostedInboxValidate.Idle(version), Write(version), Import(version),
        };

        private static readonly Dictionary<string, string> None = new Dictionary<string, string>();

        private static string Bind(string template, params (string Parameter, string Sql)[] bindings) =>
            SqlTemplate.Bind(template, bindings.ToDictionary(b => b.Parameter, b => b.Sql));

        private static string Statements(string sql, params (string Parameter, string Sql)[] bindings) =>
            string.Join("", sql.Split(new[] { "; " }, System.StringSplitOptions.None).Select(s => "    " + Bind(s, bindings) + ";\n"));

        /// <summary>
        /// aa_inbox_write(kind, computer, generated, generated7, name, items, events): SessionSaver.Write / IdleSaver.Write
        /// of a checked report, inside the caller's transaction. A report older than the one saved (Stale) writes
        /// nothing (sessions) or only its completed hours (idle).
        /// </summary>
        public static SqlObjectSpec Write(string version)
        {
            var c = ("computerId", "p_computer");
            var g = ("generatedUtc", "p_generated");
            var t = HostedInboxChecks.Sessions.Table;
            var e = HostedInboxChecks.Events.Table;
            string last = "SET v_last = (" + Bind(SessionStore.LastGeneratedSql, c, ("kind", "p_kind")) + ");\n";
            string sessions =
                "    " + Bind(SessionStore.DeleteProValSql, c) + ";\n" +
                "    " + SessionStore.ProValInsert + "SELECT " + Bind(SessionStore.ProValRow, c, ("u", "t.user_name"), ("s", "t.state"), ("l", "t.logon_utc"), ("m", "t.session_minutes")) +
                " FROM " + t + " t ORDER BY t.ord;\n" +
                "    " + Bind(SessionStore.DeleteCurrentSql, c) + ";\n" +
                "    " + SessionStore.CurrentInsert + "SELECT " + Bind(SessionStore.CurrentRow, c, g, ("cn", "t.computer_name"), ("sid", "t.session_id"), ("u", "t.user_name"),
                    ("d", "t.domain"), ("sn", "t.session_name"), ("st", "t.state"), ("cl", "t.client_name"), ("ca", "t.client_address"), ("lo", "t.logon_utc"), ("co", "t.connect_utc"),
                    ("di", "t.disconnect_utc"), ("li", "t.last_input_utc"), ("id", "t.idle_seconds"), ("mi", "t.session_minutes"), ("ic", "t.is_console"), ("il", "t.is_locked")) +
                " FROM " + t + " t ORDER BY t.ord;\n" +
                Statements(SessionStore.MergeTempTablesSql) +
                "    " + SessionStore.MergeSessionInsert + "SELECT " + Bind(SessionStore.MergeSessionRow, g, ("sid", "COALESCE(t.session_id, '')"), ("u", "COALESCE(t.user_name, '')"),
                    ("d", "t.domain"), ("sn", "t.session_name"), ("ca", "t.client_address"), ("st", "t.state"), ("lo", "t.logon_utc")) + " FROM " + t + " t ORDER BY t.ord;\n" +
                "    " + SessionStore.MergeEventInsert + "SELECT " + Bind(SessionStore.MergeEventRow, ("id", "t.ord"), ("sid", "COALESCE(t.session_id, '')"), ("u", "COALESCE(t.user_name, '')"),
                    ("d", "t.domain"), ("k", "t.kind"), ("t", "t.time_utc")) + " FROM " + e + " t ORDER BY t.ord;\n" +
                string.Join("", SessionStore.MergeStatements.Select(s => "    " + Bind(s, c, g) + ";\n")) +
                "    " + Bind(SessionStore.MarkReportedSql, c, g, ("kind", "p_kind"), ("items", "p_items"), ("computerName", "p_name")) + ";\n";
            string flag(string column) => "ELT(" + column + " + 1, 'False', 'True')";
            string idle =
                "    IF p_items = 0 THEN\n" +
                "      " + IdleStore.ProValInsert + "SELECT " + Bind(IdleStore.ProValRow, c, ("u", "'" + IdleStore.NotLoggedIn + "'"), ("d", "NULL"), ("t", "NULL"), ("a", "NULL"), ("da", "NULL"), ("ea", "NULL")) + ";\n" +
                "    ELSE\n" +
                "      " + IdleStore.ProValInsert + "SELECT " + Bind(IdleStore.ProValRow, c, ("u", "t.user_name"), ("d", "t.domain"), ("t", "t.idle_text"), ("a", flag("t.is_admin")),
                    ("da", flag("t.is_domain_admin")), ("ea", flag("t.is_enterprise_admin"))) + " FROM " + Samples.Table + " t ORDER BY t.ord;\n" +
                "    END IF;\n" +
                "    " + Bind(SessionStore.MarkReportedSql, c, g, ("kind", "p_kind"), ("items", "p_items"), ("computerName", "p_name")) + ";\n";
            // An older report's completed hours are final (HourUtc + 1 hour <= its generation time), so they still fill gaps.
            string completed = "(h.hour_utc + INTERVAL 1 HOUR < p_generated OR (h.hour_utc + INTERVAL 1 HOUR = p_generated AND h.hour7 <= p_generated7))";
            string hours = "  " + IdleStore.HoursInsert + "SELECT * FROM (SELECT " + Bind(IdleStore.HoursRow, c, ("u", "h.user_name"), ("d", "h.domain"), ("s", "h.session_id"),
                ("h", "h.hour_utc"), ("a", "h.v_ActiveMinutes"), ("i", "h.v_IdleMinutes"), ("n", "h.v_UnknownMinutes")) + " FROM " + Hours.Table + " h WHERE v_stale = 0 OR " + completed + ") AS dt" +
                IdleStore.HoursUpdate + ";\n";
            string body =
                "  DECLARE v_last DATETIME;\n  DECLARE v_stale INT DEFAULT 0;\n" +
                "  " + last +
                // The saved report's time has whole seconds, so comparing it with the DATETIME(6) part alone is exact.
                "  SET v_stale = IF(v_last IS NOT NULL AND v_last > p_generated, 1, 0);\n" +
                "  IF p_kind = '" + PayloadCodec.SessionsKind + "' THEN\n" +
                "    IF v_stale = 0 THEN\n" + sessions + "    END IF;\n" +
                "  ELSE\n" +
                "    IF v_stale = 0 THEN\n" + idle + "    END IF;\n" +
                "  " + hours +
                "  END IF;\n" +
                "  SELECT v_stale INTO o_stale;\n";
            return new SqlObjectSpec(WriteName, "PROCEDURE", "DROP PROCEDURE IF EXISTS `" + WriteName + "`",
                "CREATE PROCEDURE `" + WriteName + "`(IN p_kind VARCHAR(32), IN p_computer INT, IN p_generated DATETIME(6), IN p_generated7 INT, " +
                "IN p_name VARCHAR(255) CHARACTER SET utf8mb4, IN p_items INT, OUT o_stale INT)\n  MODIFIES SQL DATA\n" +
                "  COMMENT 'AutomateAudit " + version + ": a helper of aa_import_inbox (writes a checked report).'\n  BEGIN\n" + body + "  END");
        }

        private static string Reject(string reason, string kind, string generated) =>
            Bind(InboxStore.RejectSql, ("reason", "LEFT(" + reason + ", 1000)"), ("kind", kind), ("generatedUtc", generated), ("id", "v_id")) + ";";

        /// <summary>The procedure itself: InboxImporter.Drain.</summary>
        public static SqlObjectSpec Import(string version)
        {
            string drop = "DROP TEMPORARY TABLE IF EXISTS " + string.Join(", ", new[] { PendingTable, DecodedTable, LimitsTable, ProblemsTable, DatesTable, TextsTable,
                HostedInboxChecks.Sessions.Table, HostedInboxChecks.Events.Table, Samples.Table, Hours.Table, "aa_tmp_sessions", "aa_tmp_events" });
            string flood = "CONCAT('more than ', v_max, ' payloads from this computer were waiting: the oldest are refused')";
            string lockName = Engine.Sessions.InboxImporter.LockName;
            string body =
                "  DECLARE v_lock VARCHAR(64);\n  DECLARE v_got INT DEFAULT 0;\n  DECLARE v_max INT;\n  DECLARE v_retain INT;\n" +
                "  DECLARE v_now_utc DATETIME;\n  DECLARE v_before DATETIME;\n  DECLARE v_after INT DEFAULT -2147483648;\n  DECLARE v_computer INT;\n" +
                "  DECLARE v_count INT;\n  DECLARE v_seq INT;\n  DECLARE v_id BIGINT UNSIGNED;\n  DECLARE v_stale INT;\n" +
                "  DECLARE v_items INT;\n  DECLARE v_events INT;\n  DECLARE v_batch INT DEFAULT 5000;\n  DECLARE v_offset INT DEFAULT " + (Engine.Sessions.InboxImporter.MaxRejectedPerComputer - 1) + ";\n" +
                "  DECLARE v_payload LONGTEXT CHARACTER SET utf8mb4;\n  DECLARE v_json LONGTEXT CHARACTER SET utf8mb4;\n  DECLARE v_reason TEXT CHARACTER SET utf8mb4;\n" +
                "  DECLARE v_kind VARCHAR(32) CHARACTER SET utf8mb4;\n  DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4;\n" +
                "  DECLARE v_generated, v_saved DATETIME(6);\n  DECLARE v_generated7, v_saved7 INT;\n" +
                "  DECLARE EXIT HANDLER FOR SQLEXCEPTION\n  BEGIN\n    ROLLBACK;\n    " + drop + ";\n    IF v_got = 1 THEN DO RELEASE_LOCK(v_lock); END IF;\n    RESIGNAL;\n  END;\n" +
                "  SET v_max = COALESCE(max_pending_per_computer, 20), v_retain = COALESCE(retain_days, 14);\n" +
                "  IF v_max < 1 OR v_max > 1000 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'aa_import_inbox: max_pending_per_computer must be between 1 and 1000 (NULL: 20).'; END IF;\n" +
                "  IF v_retain < 1 OR v_retain > 3650 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'aa_import_inbox: retain_days must be between 1 and 3650 (NULL: 14).'; END IF;\n" +
                "  IF @@log_bin = 1 AND @@session.binlog_format = 'STATEMENT' THEN\n" +
                "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'aa_import_inbox: the binary log is in STATEMENT format, which refuses READ COMMITTED writes; set binlog_format to ROW or MIXED. Nothing was imported.';\n" +
                "  END IF;\n" +
                "  SET v_now_utc = UTC_TIMESTAMP();\n" +
                "  SET v_lock = LEFT(CONCAT('" + lockName + "@', DATABASE()), 64);\n" +
                "  SET v_got = COALESCE(GET_LOCK(v_lock, 60), 0);\n" +
                "  IF v_got <> 1 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'aa_import_inbox: another import has held the lock " + lockName + " for over 60 seconds; nothing was imported.'; END IF;\n" +
                "  " + HostedInboxValidate.FillLimits +
                "  " + HostedInboxDecode.CreateTables + ";\n" +
                "  " + CreateTemp(PendingTable, "seq INT NOT NULL PRIMARY KEY, id BIGINT UNSIGNED NOT NULL") + ";\n" +
                "  " + CreateTemp(DecodedTable, "id BIGINT UNSIGNED NOT NULL PRIMARY KEY, kind VARCHAR(32) NOT NULL, generated DATETIME(6) NOT NULL, generated7 INT NOT NULL, " +
                    "json LONGTEXT CHARACTER SET utf8mb4 NOT NULL, done TINYINT NOT NULL DEFAULT 0") + ";\n" +
                "  SET v_computer = (SELECT MIN(computerid) FROM " + InboxTable + " WHERE status = 'pending' AND computerid > v_after);\n" +
                "  WHILE v_computer IS NOT NULL DO\n" +
                "    SET v_after = v_computer;\n" +
                "    DELETE FROM " + PendingTable + ";\n    DELETE FROM " + DecodedTable + ";\n" +
                "    INSERT INTO " + PendingTable + " (seq, id) SELECT ROW_NUMBER() OVER (ORDER BY id), id FROM " + InboxTable + " WHERE computerid = v_computer AND status = 'pending';\n" +
                "    SET v_count = (SELECT COUNT(*) FROM " + PendingTable + "), v_seq = 1;\n" +
                // Oldest first: beyond max_pending_per_computer they are refused unread; the others are decoded, refused or kept for applying.
                "    WHILE v_seq <= v_count DO\n" +
                "      SET v_id = (SELECT id FROM " + PendingTable + " WHERE seq = v_seq);\n" +
                "      IF v_seq <= v_count - v_max THEN\n        " + Reject(flood, "NULL", "NULL") + "\n      ELSE\n" +
                "        SET v_payload = (SELECT payload FROM " + InboxTable + " WHERE id = v_id);\n" +
                "        CALL `" + DecodeName + "`(v_payload, v_reason, v_kind, v_generated, v_generated7, v_json);\n" +
                "        IF v_reason IS NOT NULL THEN " + Reject("v_reason", "NULL", "NULL") + "\n" +
                "        ELSE INSERT INTO " + DecodedTable + " (id, kind, generated, generated7, json) VALUES (v_id, v_kind, v_generated, v_generated7, v_json); END IF;\n" +
                "      END IF;\n      SET v_seq = v_seq + 1;\n    END WHILE;\n" +
                // In the order the endpoint made them, so that one arriving late never overwrites newer data.
                "    SET v_id = (SELECT id FROM " + DecodedTable + " WHERE done = 0 ORDER BY generated, generated7, id LIMIT 1);\n" +
                "    WHILE v_id IS NOT NULL DO\n" +
                "      SELECT kind, generated, generated7, json INTO v_kind, v_generated, v_generated7, v_json FROM " + DecodedTable + " WHERE id = v_id;\n" +
                "      UPDATE " + DecodedTable + " SET done = 1, json = '' WHERE id = v_id;\n" +
                "      SET v_reason = NULL;\n" +
                "      IF NOT EXISTS (SELECT ComputerID FROM computers WHERE ComputerID = v_computer) THEN SET v_reason = CONCAT('Automate has no computer with ComputerID ', v_computer, '.');\n" +
                "      ELSEIF v_kind = '" + PayloadCodec.SessionsKind + "' THEN\n" +
                "        CALL `" + HostedInboxChecks.SessionsName + "`(v_computer, v_json, v_generated, v_generated7, v_now_utc, v_reason, v_name, v_saved, v_saved7, v_items, v_events);\n" +
                "      ELSE\n" +
                "        CALL `" + IdleName + "`(v_computer, v_json, v_generated, v_generated7, v_now_utc, v_reason, v_name, v_saved, v_saved7, v_items, v_events);\n" +
                "      END IF;\n" +
                "      IF v_reason IS NOT NULL THEN " + Reject("v_reason", "v_kind", "v_generated") + "\n" +
                "      ELSE\n" +
                "        COMMIT;\n        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;\n        START TRANSACTION;\n" +
                "        CALL `" + WriteName + "`(v_kind, v_computer, v_saved, v_saved7, v_name, v_items, v_stale);\n" +
                "        " + Bind(InboxStore.DeleteSql, ("id", "v_id")) + ";\n" +
                "        COMMIT;\n" +
                "      END IF;\n" +
                "      SET v_id = (SELECT id FROM " + DecodedTable + " WHERE done = 0 ORDER BY generated, generated7, id LIMIT 1);\n" +
                "    END WHILE;\n" +
                "    " + Bind(InboxStore.TrimRejectedSql, ("computerId", "v_computer"), ("offset", "v_offset")) + ";\n" +
                "    SET v_computer = (SELECT MIN(computerid) FROM " + InboxTable + " WHERE status = 'pending' AND computerid > v_after);\n" +
                "  END WHILE;\n" +
                "  SET v_before = v_now_utc - INTERVAL v_retain DAY;\n" +
                "  REPEAT\n    " + Bind(InboxStore.PurgeRejectedSql, ("before", "v_before"), ("batch", "v_batch")) + ";\n  UNTIL ROW_COUNT() = 0 END REPEAT;\n" +
                "  COMMIT;\n  " + drop + ";\n" +
                "  DO RELEASE_LOCK(v_lock);\n  SET v_got = 0;\n";
            return new SqlObjectSpec(Name, "PROCEDURE", "DROP PROCEDURE IF EXISTS `" + Name + "`",
                "CREATE PROCEDURE `" + Name + "`(IN max_pending_per_computer INT, IN retain_days INT)\n  MODIFIES SQL DATA\n" +
                "  COMMENT 'AutomateAudit " + version + ": Import-AuditInbox as SQL. CALL aa_import_inbox(NULL, NULL) every few minutes (internal monitor or EVENT).'\n" +
                "  BEGIN\n" + body + "  END");
        }
    }
}
