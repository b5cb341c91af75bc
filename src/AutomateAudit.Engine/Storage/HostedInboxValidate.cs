using static AutomateAudit.Storage.HostedInboxChecks;
using static AutomateAudit.Storage.HostedInboxDecode;
using static AutomateAudit.Storage.HostedInboxSql;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// The two check procedures of the hosted importer: aa_inbox_check_sessions (SessionValidator.Validate) and
    /// aa_inbox_check_idle (IdleSaver.Check). Each leaves the report's checked rows in its temporary tables for the
    /// writes, and returns the first refusal the module would give (or NULL).
    /// </summary>
    internal static class HostedInboxValidate
    {
        private const string Parameters = "IN p_computer INT, IN p_json LONGTEXT CHARACTER SET utf8mb4, IN p_generated DATETIME(6), IN p_generated7 INT, IN p_now DATETIME, " +
            "OUT o_reason TEXT CHARACTER SET utf8mb4, OUT o_name VARCHAR(255) CHARACTER SET utf8mb4, OUT o_generated DATETIME(6), OUT o_generated7 INT, OUT o_items INT, OUT o_events INT";

        private const string TenYearsOfTicks = "3153600000000000";

        /// <summary>The column limits of SessionValidator.Limits and IdleSaver (the smaller of the fallback and the column as the server has it), read once per run.</summary>
        public static string FillLimits
        {
            get
            {
                string Of(string table, string column, string fallback) =>
                    "LEAST(" + fallback + ", COALESCE(MIN(CASE WHEN TABLE_NAME = '" + table + "' AND COLUMN_NAME = '" + column + "' THEN CHARACTER_MAXIMUM_LENGTH END), " + fallback + "))";
                string ours = SessionTables.CurrentTable;
                return CreateTemp(LimitsTable, "computer_name BIGINT, session_id BIGINT, user_name BIGINT, domain BIGINT, session_name BIGINT, client_name BIGINT, client_address BIGINT, " +
                        "idle_user BIGINT, idle_domain BIGINT, idle_time BIGINT") + ";\n  DELETE FROM " + LimitsTable + ";\n" +
                    "  INSERT INTO " + LimitsTable + " SELECT " + Of(ours, "computer_name", "255") + ", " + Of(ours, "session_id", "32") + ", " +
                    Of("plugin_proval_usersessions", "Username", Of(ours, "user_name", "100")) + ", " + Of(ours, "domain", "100") + ", " + Of(ours, "session_name", "64") + ", " +
                    Of(ours, "client_name", "255") + ", " + Of(ours, "client_address", "64") + ", " + Of("pvl_report_idlemon", "Username", "100") + ", " +
                    Of("pvl_report_idlemon", "Domain", "100") + ", " + Of("pvl_report_idlemon", "IdleTime", "50") +
                    " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('" + ours + "', 'plugin_proval_usersessions', 'pvl_report_idlemon') " +
                    "AND CHARACTER_MAXIMUM_LENGTH IS NOT NULL;\n";
            }
        }

        private static string Insert(string pos, string message) => "INSERT INTO " + ProblemsTable + " (pos, msg) VALUES (" + pos + ", " + message + ");";

        /// <summary>The envelope's checks that come before the items: counts, the agent id, the generation date (then clamped to now).</summary>
        private static string Envelope(string items, int maxItems, string events, int maxEvents) =>
            "  DELETE FROM " + ProblemsTable + ";\n  DELETE FROM " + DatesTable + ";\n  DELETE FROM " + TextsTable + ";\n" +
            "  SET o_reason = NULL, o_name = NULL;\n" +
            "  SET o_items = JSON_LENGTH(p_json, '$.items');\n" +
            "  SET v_raw = JSON_EXTRACT(p_json, '$." + (events == "events" ? "events" : "hours") + "');\n" +
            "  SET o_events = IF(COALESCE(JSON_TYPE(v_raw), '') = 'ARRAY', JSON_LENGTH(v_raw), 0);\n" +
            "  IF o_items > " + maxItems + " THEN " + Insert("1", "CONCAT('The report holds ', o_items, ' " + items + "; at most " + maxItems + " are accepted.')") + " END IF;\n" +
            "  IF o_events > " + maxEvents + " THEN " + Insert("2", "CONCAT('The report holds ', o_events, ' " + events + "; at most " + maxEvents + " are accepted.')") + " END IF;\n" +
            "  SET v_raw = JSON_EXTRACT(p_json, '$.agentId');\n" +
            "  SET v_agent = " + Int32Of("v_raw") + ";\n" +
            "  IF v_agent IS NOT NULL AND v_agent <> p_computer THEN " + Insert("3", AgentMessage("'the envelope'", "v_agent", "p_computer")) + " END IF;\n" +
            "  IF " + OutOfRange("p_generated", "p_generated7", "p_now") + " THEN " + Insert("4", OutOfRangeMessage("'the envelope'", "generatedUtc", "p_generated")) + " END IF;\n" +
            // An endpoint clock running ahead cannot push its reports past later ones.
            "  IF p_generated > p_now OR (p_generated = p_now AND p_generated7 > 0) THEN SET o_generated = p_now, o_generated7 = 0;\n" +
            "  ELSE SET o_generated = p_generated, o_generated7 = p_generated7; END IF;\n" +
            "  SET v_raw = JSON_EXTRACT(p_json, '$.computerName');\n" +
            "  SET v_name = " + StringOf("v_raw") + ";\n";

        private const string Declarations =
            "  DECLARE v_raw LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n  DECLARE v_name LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n  DECLARE v_agent BIGINT;\n";

        private const string Finish =
            "  SET o_reason = (SELECT msg FROM " + ProblemsTable + " ORDER BY pos LIMIT 1);\n" +
            "  IF o_reason IS NULL THEN SET o_name = IF(CHAR_LENGTH(v_name) > 0, v_name, NULL); END IF;\n";

        private static string Procedure(string name, string comment, string body, string version) =>
            "CREATE PROCEDURE `" + name + "`(" + Parameters + ")\n  MODIFIES SQL DATA\n  COMMENT 'AutomateAudit " + version + ": " + comment + "'\n  BEGIN\n" + body + "  END";

        public static SqlObjectSpec Sessions(string version)
        {
            Part s = HostedInboxChecks.Sessions, e = HostedInboxChecks.Events;
            string body = Declarations +
                "  DECLARE l_computer_name, l_session_id, l_user_name, l_domain, l_session_name, l_client_name, l_client_address BIGINT;\n" +
                "  SELECT computer_name, session_id, user_name, domain, session_name, client_name, client_address INTO l_computer_name, l_session_id, l_user_name, l_domain, " +
                "l_session_name, l_client_name, l_client_address FROM " + LimitsTable + ";\n" +
                Envelope("sessions", Engine.Sessions.SessionValidator.MaxSessions, "events", Engine.Sessions.SessionValidator.MaxEvents) +
                "  INSERT INTO " + TextsTable + " (pos, wh, field, v, rule, maxlen) VALUES (5, 'the envelope', 'computerName', v_name, 'name', l_computer_name);\n" +
                "  CALL `" + TextsName + "`();\n" +
                "  main: BEGIN\n  IF EXISTS (SELECT 1 FROM " + ProblemsTable + ") THEN LEAVE main; END IF;\n" +
                Read(s) + Agent(s, 20) +
                DateRange(s, "LogonTime", 21) + DateRange(s, "ConnectTime", 22) + DateRange(s, "DisconnectTime", 23) + DateRange(s, "LastInputTime", 24) +
                Problem(s.Pos(25), "CONCAT(" + s.Where + ", ': ''IdleTime'' is negative or longer than 10 years.')", s.Table,
                    "v_IdleTime IS NOT NULL AND (v_IdleTime < 0 OR v_IdleTime > " + TenYearsOfTicks + ")") +
                Problem(s.Pos(26), "CONCAT(" + s.Where + ", ': ''SessionLength'' is negative or longer than 10 years.')", s.Table,
                    "v_SessionLength IS NOT NULL AND (v_SessionLength < 0 OR v_SessionLength > " + (int)Engine.Sessions.SessionValidator.MaxDuration.TotalMinutes + ")") +
                Texts(s, ("ComputerName", 27, "name", "l_computer_name"), ("SessionId", 29, "id", "l_session_id"), ("UserName", 31, "user", "l_user_name"),
                    ("Domain", 33, "name", "l_domain"), ("SessionName", 35, "terminal", "l_session_name"), ("ClientName", 37, "name", "l_client_name"),
                    ("ClientAddress", 39, "address", "l_client_address")) +
                "  UPDATE " + s.Table + " SET computer_name = COALESCE(" + NonEmpty("v_ComputerName") + ", " + NonEmpty("v_name") + "), session_id = " + NonEmpty("v_SessionId") +
                ", user_name = " + NonEmpty("v_UserName") + ", domain = " + NonEmpty("v_Domain") + ", session_name = " + NonEmpty("v_SessionName") + ", state = v_State, " +
                "client_name = " + NonEmpty("v_ClientName") + ", client_address = " + NonEmpty("v_ClientAddress") + ", logon_utc = d6_LogonTime, logon7 = d7_LogonTime, " +
                "connect_utc = d6_ConnectTime, disconnect_utc = d6_DisconnectTime, last_input_utc = d6_LastInputTime, " +
                "idle_seconds = IF(v_IdleTime BETWEEN 0 AND " + TenYearsOfTicks + ", " + RoundedSeconds("v_IdleTime") + ", NULL), session_minutes = v_SessionLength, " +
                "is_console = COALESCE(v_IsConsole, 0), is_locked = v_IsLocked;\n" +
                Repeats(s, "300000 + ord", Bin("COALESCE(session_id, '')") + ", " + Bin("COALESCE(user_name, '')") + ", logon_utc, logon7",
                    "CONCAT('The report lists session ''', COALESCE(session_id, ''), ''' of ''', COALESCE(user_name, ''), ''' twice.')") +
                Read(e) + DateRange(e, "TimeCreated", 20) +
                Texts(e, ("SessionName", 21, "terminal", "l_session_name"), ("ClientAddress", 23, "address", "l_client_address"), ("Source", 25, "terminal", "64"),
                    ("SessionId", 27, "id", "l_session_id"), ("UserName", 29, "user", "l_user_name"), ("Domain", 31, "name", "l_domain")) +
                "  UPDATE " + e.Table + " SET session_id = " + NonEmpty("v_SessionId") + ", user_name = " + NonEmpty("v_UserName") + ", domain = " + NonEmpty("v_Domain") +
                ", kind = v_Kind, time_utc = d6_TimeCreated;\n" +
                "  END main;\n" + Finish;
            return new SqlObjectSpec(SessionsName, "PROCEDURE", "DROP PROCEDURE IF EXISTS `" + SessionsName + "`",
                Procedure(SessionsName, "a helper of aa_import_inbox (checks a sessions report).", body, version));
        }

        public static SqlObjectSpec Idle(string version)
        {
            Part s = Samples, h = Hours;
            string body = Declarations +
                "  DECLARE l_user, l_domain, l_idle_time BIGINT;\n" +
                "  SELECT idle_user, idle_domain, idle_time INTO l_user, l_domain, l_idle_time FROM " + LimitsTable + ";\n" +
                Envelope("samples", Engine.Idle.IdleSaver.MaxSamples, "hours", Engine.Idle.IdleSaver.MaxHours) +
                "  main: BEGIN\n  IF EXISTS (SELECT 1 FROM " + ProblemsTable + ") THEN LEAVE main; END IF;\n" +
                Read(s) + Agent(s, 20) + DateRange(s, "Timestamp", 21) + DateRange(s, "SamplerLastWrite", 22) +
                Problem(s.Pos(23), "CONCAT(" + s.Where + ", ': ''IdleTime'' is negative or longer than 10 years.')", s.Table,
                    "v_IdleTime IS NOT NULL AND (v_IdleTime < 0 OR v_IdleTime > " + TenYearsOfTicks + ")") +
                Problem(s.Pos(24), "CONCAT(" + s.Where + ", ': ''IdleTime'' is longer than the column holds.')", s.Table,
                    "v_IdleTime BETWEEN 0 AND " + TenYearsOfTicks + " AND CHAR_LENGTH(" + DurationText("v_IdleTime") + ") > l_idle_time") +
                Texts(s, ("SessionId", 25, "id", "32"), ("UserName", 27, "user", "l_user"), ("Domain", 30, "name", "l_domain")) +
                Problem(s.Pos(29), "CONCAT(" + s.Where + ", ': ''UserName'' is missing.')", s.Table, NonEmpty("v_UserName") + " IS NULL") +
                "  UPDATE " + s.Table + " SET user_name = " + NonEmpty("v_UserName") + ", domain = " + NonEmpty("v_Domain") +
                ", idle_text = IF(v_IdleTime BETWEEN 0 AND " + TenYearsOfTicks + ", " + DurationText("v_IdleTime") + ", NULL), " +
                "is_admin = v_IsAdmin, is_domain_admin = v_IsDomainAdmin, is_enterprise_admin = v_IsEnterpriseAdmin;\n" +
                Read(h) + DateRange(h, "HourUtc", 20) +
                Problem(h.Pos(21), "CONCAT(" + h.Where + ", ': ''HourUtc'' is not the start of an hour.')", h.Table,
                    "d6_HourUtc IS NOT NULL AND (MINUTE(d6_HourUtc) <> 0 OR SECOND(d6_HourUtc) <> 0 OR MICROSECOND(d6_HourUtc) DIV 1000 <> 0)") +
                Problem(h.Pos(22), "CONCAT(" + h.Where + ", ': ''ActiveMinutes'' with IdleMinutes and UnknownMinutes is negative or more than an hour.')", h.Table,
                    "v_ActiveMinutes < 0 OR v_IdleMinutes < 0 OR v_UnknownMinutes < 0 OR v_ActiveMinutes + v_IdleMinutes + v_UnknownMinutes > 60") +
                Texts(h, ("UserName", 23, "user", "100"), ("Domain", 26, "name", "100"), ("SessionId", 28, "id", "32")) +
                Problem(h.Pos(25), "CONCAT(" + h.Where + ", ': ''UserName'' is missing.')", h.Table, NonEmpty("v_UserName") + " IS NULL") +
                "  UPDATE " + h.Table + " SET user_name = " + NonEmpty("v_UserName") + ", domain = " + NonEmpty("v_Domain") + ", session_id = COALESCE(" + NonEmpty("v_SessionId") +
                ", ''), hour_utc = d6_HourUtc, hour7 = d7_HourUtc;\n" +
                Repeats(h, h.Pos(30), Bin("COALESCE(user_name, '')") + ", " + Bin("session_id") + ", hour_utc, hour7", "CONCAT(" + h.Where + ", ' repeats an hour of the same user and session.')") +
                "  INSERT INTO " + TextsTable + " (pos, wh, field, v, rule, maxlen) VALUES (9000000, 'the envelope', 'computerName', v_name, 'name', 255);\n" +
                "  CALL `" + TextsName + "`();\n" +
                "  END main;\n" + Finish;
            return new SqlObjectSpec(IdleName, "PROCEDURE", "DROP PROCEDURE IF EXISTS `" + IdleName + "`",
                Procedure(IdleName, "a helper of aa_import_inbox (checks an idle report).", body, version));
        }
    }
}
