using System.Collections.Generic;

namespace AutomateAudit.Storage
{
    /// <summary>A database object other than a table that Install-AuditTable creates (a view or a procedure), with its idempotent DDL.</summary>
    internal sealed class SqlObjectSpec
    {
        public SqlObjectSpec(string name, string kind, params string[] statements) { Name = name; Kind = kind; Statements = statements; }
        public string Name { get; }
        /// <summary>VIEW or PROCEDURE.</summary>
        public string Kind { get; }
        /// <summary>Run in order; each is one statement (no DELIMITER), and running them again changes nothing.</summary>
        public IReadOnlyList<string> Statements { get; }
    }

    /// <summary>
    /// One SQL view per dataview, so an Automate dataview (or any SQL step) shows the data without the module.
    /// Plain SQL that MySQL 8.0 and MariaDB 10.6+ both accept; CREATE OR REPLACE so reruns are idempotent.
    /// The views read the server's clock (NOW(), CURDATE()) and Automate's naive local DATETIMEs, as the dataviews do.
    /// </summary>
    internal static class DataviewViews
    {
        public const string ConnectionReportView = "aa_v_connection_report";
        public const string UserSessionsView = "aa_v_user_sessions";
        public const string IdleReportView = "aa_v_idle_report";

        /// <summary>ProVal's duration text ('4day 10hr 38min', '10hr 38min', '38min') of a number of minutes.</summary>
        private static string DurationText(string minutes) =>
            "CONCAT(IF(" + minutes + " >= 1440, CONCAT(" + minutes + " DIV 1440, 'day '), ''), " +
            "IF(" + minutes + " >= 60, CONCAT((" + minutes + " MOD 1440) DIV 60, 'hr '), ''), " + minutes + " MOD 60, 'min')";

        private static string Window(string label, string on, string off, int days)
        {
            int total = days * 1440;
            return
                "  COALESCE(d." + on + ", 0) AS `" + label + " Online Minutes`,\n" +
                "  COALESCE(d." + off + ", 0) AS `" + label + " Offline Minutes`,\n" +
                "  GREATEST(0, " + total + " - COALESCE(d." + on + ", 0) - COALESCE(d." + off + ", 0)) AS `" + label + " Unknown Minutes`,\n" +
                "  " + DurationText("COALESCE(d." + on + ", 0)") + " AS `" + label + " Online`,\n" +
                "  " + DurationText("COALESCE(d." + off + ", 0)") + " AS `" + label + " Offline`,\n" +
                "  ROUND(100 * d." + on + " / NULLIF(d." + on + " + d." + off + ", 0), 2) AS `" + label + " Online Percentage`,\n" +
                "  ROUND(100 * d." + off + " / NULLIF(d." + on + " + d." + off + ", 0), 2) AS `" + label + " Offline Percentage`,\n";
        }

        /// <summary>
        /// The connection audit dataview, per computer. The 24-hour, 7-day and 30-day figures are the whole days
        /// before today from pvl_automate_connection_audit_daily (yesterday, the 7 and the 30 days ending yesterday):
        /// today's partial day is not included in the view (Get-ConnectionReport is exact, to the minute, up to now).
        /// A day the module rolled up (day set, seconds) wins; a day only ProVal's nightly script wrote (day NULL) is
        /// taken from its minutes, dated the day before its datacollectiontime. Unknown = the window's minutes not
        /// observed either way; the percentages are of the observed minutes.
        /// </summary>
        public static readonly SqlObjectSpec ConnectionReport = new SqlObjectSpec(ConnectionReportView, "VIEW",
            "CREATE OR REPLACE VIEW `" + ConnectionReportView + "` AS\n" +
            "  SELECT c.ClientID AS clientid, c.LocationID AS locationid, c.ComputerID AS computerid,\n" +
            "  cl.Name AS `Client`, l.Name AS `Location`, c.Name AS `Computer`, c.OS AS `Operating System`,\n" +
            "  " + SqlTime.NonZero("c.LastContact") + " AS `Last Contact`, c.LastUsername AS `Last LoggedIn User`,\n" +
            "  TIMESTAMPDIFF(MINUTE, " + SqlTime.NonZero("c.LastContact") + ", NOW()) AS `Minutes Since Last Contact`,\n" +
            "  CASE WHEN c.OS LIKE '%server%' THEN IF(c.Flags & 2048 = 2048, 'Virtual Server', 'Physical Server')\n" +
            "  WHEN c.BiosFlash LIKE '%portable%' THEN 'Laptop' ELSE 'Desktop' END AS `Form Factor`,\n" +
            "  IF(" + SqlTime.NonZero("c.LastContact") + " > NOW() - INTERVAL 15 MINUTE, 'Online', 'Offline') AS `Status`,\n" +
            Window("24 Hours", "on1", "off1", 1) +
            Window("7 Days", "on7", "off7", 7) +
            Window("30 Days", "on30", "off30", 30) +
            "  d.first_day AS `Data Collected Since`,\n" +
            "  DATEDIFF(CURDATE(), d.first_day) AS `Days Since Data Collection`\n" +
            "  FROM computers c\n" +
            "  LEFT JOIN clients cl ON cl.ClientID = c.ClientID\n" +
            "  LEFT JOIN locations l ON l.LocationID = c.LocationID\n" +
            "  LEFT JOIN (SELECT u.computerid, MIN(u.d) AS first_day,\n" +
            "    SUM(IF(u.d = CURDATE() - INTERVAL 1 DAY, u.on_min, 0)) AS on1, SUM(IF(u.d = CURDATE() - INTERVAL 1 DAY, u.off_min, 0)) AS off1,\n" +
            "    SUM(IF(u.d >= CURDATE() - INTERVAL 7 DAY, u.on_min, 0)) AS on7, SUM(IF(u.d >= CURDATE() - INTERVAL 7 DAY, u.off_min, 0)) AS off7,\n" +
            "    SUM(u.on_min) AS on30, SUM(u.off_min) AS off30\n" +
            "    FROM (SELECT m.computerid, m.`day` AS d, COALESCE(m.online_seconds DIV 60, m.online) AS on_min, COALESCE(m.offline_seconds DIV 60, m.offline) AS off_min\n" +
            "      FROM `" + ConnectionAuditTables.DailyTable + "` m\n" +
            "      WHERE m.`day` >= CURDATE() - INTERVAL 30 DAY AND m.`day` < CURDATE()\n" +
            "      UNION ALL\n" +
            "      SELECT p.computerid, DATE(p.datacollectiontime) - INTERVAL 1 DAY, p.online, p.offline\n" +
            "      FROM `" + ConnectionAuditTables.DailyTable + "` p\n" +
            "      WHERE p.`day` IS NULL AND p.datacollectiontime >= CURDATE() - INTERVAL 29 DAY AND p.datacollectiontime < CURDATE() + INTERVAL 1 DAY\n" +
            "      AND NOT EXISTS (SELECT 1 FROM `" + ConnectionAuditTables.DailyTable + "` q WHERE q.computerid = p.computerid AND q.`day` = DATE(p.datacollectiontime) - INTERVAL 1 DAY)\n" +
            "    ) u GROUP BY u.computerid) d ON d.computerid = c.ComputerID");

        /// <summary>
        /// The user session dataview: each computer's sessions as last reported (plugin_proval_usersessions, which
        /// Save-UserSession and Import-AuditInbox replace per computer; only a computer's latest report if ProVal's
        /// script left older rows), with the computer's columns. Computers with no session are not listed.
        /// </summary>
        public static readonly SqlObjectSpec UserSessions = new SqlObjectSpec(UserSessionsView, "VIEW",
            "CREATE OR REPLACE VIEW `" + UserSessionsView + "` AS\n" +
            "  SELECT c.ClientID AS clientid, c.LocationID AS locationid, c.ComputerID AS computerid,\n" +
            "  cl.Name AS `Client`, l.Name AS `Location`, c.Name AS `Computer Name`, c.LastUsername AS `User`,\n" +
            "  CASE WHEN c.OS LIKE '%server%' THEN IF(c.Flags & 2048 = 2048, 'Virtual Server', 'Physical Server')\n" +
            "  WHEN c.BiosFlash LIKE '%portable%' THEN 'Laptop' ELSE 'Desktop' END AS `Agent Type`,\n" +
            "  c.AssetTag AS `Agent Asset Tag`, c.Comment AS `Friendly Name`, c.BiosMFG AS `Manufacturer`,\n" +
            "  c.OS AS `Agent OS`, c.Version AS `OS Version`,\n" +
            "  IF(" + SqlTime.NonZero("c.LastContact") + " > NOW() - INTERVAL 15 MINUTE, 'Online', 'Offline') AS `Status`,\n" +
            "  IF(l.ProbeID = c.ComputerID, 'Yes', 'No') AS `Probe PC`,\n" +
            "  s.Username AS `Logged in User`, s.State AS `Session State`, s.LogonDate AS `Logon Date`,\n" +
            "  s.SessionLength AS `Session Length (Minute)`, s.`Timestamp` AS `Timestamp`\n" +
            "  FROM `plugin_proval_usersessions` s\n" +
            "  JOIN (SELECT ComputerID, MAX(`Timestamp`) AS latest FROM `plugin_proval_usersessions` GROUP BY ComputerID) m\n" +
            "    ON m.ComputerID = s.ComputerID AND m.latest <=> s.`Timestamp`\n" +
            "  JOIN computers c ON c.ComputerID = s.ComputerID\n" +
            "  LEFT JOIN clients cl ON cl.ClientID = c.ClientID\n" +
            "  LEFT JOIN locations l ON l.LocationID = c.LocationID");

        /// <summary>
        /// The IdleMon dataview: each computer's latest report (its rows with the latest ScriptRunTime), one row per
        /// user, 'Not Logged In' for a report with nobody logged on, with the computer's columns.
        /// </summary>
        public static readonly SqlObjectSpec IdleReport = new SqlObjectSpec(IdleReportView, "VIEW",
            "CREATE OR REPLACE VIEW `" + IdleReportView + "` AS\n" +
            "  SELECT c.ClientID AS clientid, c.LocationID AS locationid, c.ComputerID AS computerid,\n" +
            "  cl.Name AS `Client`, l.Name AS `Location`, c.Name AS `Computer`, c.OS AS `Operating System`,\n" +
            "  IF(" + SqlTime.NonZero("c.LastContact") + " > NOW() - INTERVAL 15 MINUTE, 'Online', 'Offline') AS `Status`,\n" +
            "  COALESCE(NULLIF(i.Username, ''), 'Not Logged In') AS `Username`, i.Domain AS `Domain`, i.IdleTime AS `Idle Time`,\n" +
            "  i.IsAdmin AS `Is Admin`, i.IsDomainAdmin AS `Is Domain Admin`, i.IsEnterpriseAdmin AS `Is Enterprise Admin`,\n" +
            "  i.ScriptRunTime AS `Script Run Time`\n" +
            "  FROM `pvl_report_idlemon` i\n" +
            "  JOIN (SELECT computerid, MAX(ScriptRunTime) AS latest FROM `pvl_report_idlemon` GROUP BY computerid) m\n" +
            "    ON m.computerid = i.computerid AND m.latest <=> i.ScriptRunTime\n" +
            "  JOIN computers c ON c.ComputerID = i.computerid\n" +
            "  LEFT JOIN clients cl ON cl.ClientID = c.ClientID\n" +
            "  LEFT JOIN locations l ON l.LocationID = c.LocationID");

        public static readonly IReadOnlyList<SqlObjectSpec> All = new[] { ConnectionReport, UserSessions, IdleReport };
    }
}
