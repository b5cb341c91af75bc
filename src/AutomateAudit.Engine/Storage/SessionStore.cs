using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using static AutomateAudit.Storage.SessionTables;

namespace AutomateAudit.Storage
{
    /// <summary>One session as stored: validated text, UTC times.</summary>
    internal sealed class SessionRecord
    {
        public string ComputerName { get; set; }
        public string SessionId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionName { get; set; }
        public string State { get; set; }
        public string ClientName { get; set; }
        public string ClientAddress { get; set; }
        public DateTime? LogonUtc { get; set; }
        public DateTime? ConnectUtc { get; set; }
        public DateTime? DisconnectUtc { get; set; }
        public DateTime? LastInputUtc { get; set; }
        public int? IdleSeconds { get; set; }
        public int? SessionMinutes { get; set; }
        public bool IsConsole { get; set; }
        public bool? IsLocked { get; set; }
    }

    /// <summary>A session as aa_session_current holds it.</summary>
    internal sealed class StoredSession
    {
        public int ComputerId { get; set; }
        public string SessionId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionName { get; set; }
        public string State { get; set; }
        public string ClientName { get; set; }
        public string ClientAddress { get; set; }
        public DateTime? LogonUtc { get; set; }
        public DateTime? ConnectUtc { get; set; }
        public DateTime? DisconnectUtc { get; set; }
        public DateTime? LastInputUtc { get; set; }
        public int? IdleSeconds { get; set; }
        public int? SessionMinutes { get; set; }
        public bool IsConsole { get; set; }
        public bool? IsLocked { get; set; }
        public DateTime SavedUtc { get; set; }
    }

    /// <summary>A session as aa_session_history holds it.</summary>
    internal sealed class StoredSessionPeriod
    {
        public int ComputerId { get; set; }
        public string SessionId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionName { get; set; }
        public string ClientAddress { get; set; }
        public DateTime StartUtc { get; set; }
        public bool StartExact { get; set; }
        public DateTime LastSeenUtc { get; set; }
        public string LastState { get; set; }
        public DateTime? EndUtc { get; set; }
        public bool EndExact { get; set; }
    }

    /// <summary>A logoff or logon the endpoint's OS recorded, as stored.</summary>
    internal sealed class SessionEventRecord
    {
        public string SessionId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string Kind { get; set; }
        public DateTime TimeUtc { get; set; }
    }

    /// <summary>
    /// The session tables: ProVal's plugin_proval_usersessions (its rows replaced per computer, its columns
    /// left as they are), the module's aa_session_current and aa_session_history, and aa_report_status.
    /// Every write for one computer runs inside the caller's transaction; the history is merged set-based
    /// through temporary tables.
    /// </summary>
    internal sealed class SessionStore
    {
        private const int InsertBatch = 400;
        private readonly AuditDatabase _db;

        public SessionStore(AuditDatabase db) { _db = db; }

        // The statements of a save, kept here once: SessionStore runs them with parameters, and the hosted importer
        // (HostedInboxProcedure) embeds the very same text with its parameters bound to procedure variables and the
        // columns of its checked rows (SqlTemplate.Bind). A row template ("@u, @s, ...") is one row of VALUES here and
        // the select list of an INSERT ... SELECT there.

        internal const string LastGeneratedSql = "SELECT generated_utc FROM " + ReportStatusTable + " WHERE computerid = @computerId AND kind = @kind";

        internal const string MarkReportedSql =
            "INSERT INTO " + ReportStatusTable + " (computerid, kind, generated_utc, saved_utc, items, computer_name) " +
            "SELECT * FROM (SELECT @computerId AS computerid, @kind AS kind, CAST(@generatedUtc AS DATETIME) AS generated_utc, UTC_TIMESTAMP() AS saved_utc, " +
            "@items AS items, @computerName AS computer_name) AS dt " +
            "ON DUPLICATE KEY UPDATE generated_utc = dt.generated_utc, saved_utc = dt.saved_utc, items = dt.items, computer_name = dt.computer_name";

        internal const string DeleteProValSql = "DELETE FROM plugin_proval_usersessions WHERE ComputerID = @computerId";
        internal const string ProValInsert = "INSERT INTO plugin_proval_usersessions (ComputerID, Username, State, LogonDate, SessionLength, `Timestamp`) ";
        /// <summary>ProVal's row of a session: LogonDate in server local time, Timestamp from the database clock.</summary>
        internal static readonly string ProValRow = "@computerId, @u, @s, " + SqlTime.UtcToLocal("CAST(@l AS DATETIME)") + ", @m, NOW()";

        internal const string DeleteCurrentSql = "DELETE FROM " + CurrentTable + " WHERE computerid = @computerId";
        internal const string CurrentInsert = "INSERT INTO " + CurrentTable + " (computerid, computer_name, session_id, user_name, domain, session_name, state, client_name, client_address, " +
            "logon_utc, connect_utc, disconnect_utc, last_input_utc, idle_seconds, session_minutes, is_console, is_locked, generated_utc, saved_utc) ";
        private static readonly string[] CurrentParameters = { "cn", "sid", "u", "d", "sn", "st", "cl", "ca", "lo", "co", "di", "li", "id", "mi", "ic", "il" };
        internal static readonly string CurrentRow = "@computerId, " + string.Join(", ", CurrentParameters.Select(n => "@" + n)) + ", @generatedUtc, UTC_TIMESTAMP()";

        internal const string MergeTempTablesSql =
            "CREATE TEMPORARY TABLE IF NOT EXISTS aa_tmp_sessions (session_id VARCHAR(32) NOT NULL, user_name VARCHAR(100) NOT NULL, domain VARCHAR(100) NULL, " +
            "session_name VARCHAR(64) NULL, client_address VARCHAR(64) NULL, state VARCHAR(16) NULL, start_utc DATETIME NOT NULL, start_exact TINYINT NOT NULL) ENGINE=InnoDB; " +
            "DELETE FROM aa_tmp_sessions; " +
            "CREATE TEMPORARY TABLE IF NOT EXISTS aa_tmp_events (id INT NOT NULL PRIMARY KEY, session_id VARCHAR(32) NOT NULL, user_name VARCHAR(100) NOT NULL, " +
            "domain VARCHAR(100) NULL, kind VARCHAR(16) NOT NULL, time_utc DATETIME NOT NULL) ENGINE=InnoDB; " +
            "DELETE FROM aa_tmp_events";
        internal const string MergeSessionInsert = "INSERT INTO aa_tmp_sessions (session_id, user_name, domain, session_name, client_address, state, start_utc, start_exact) ";
        internal const string MergeSessionRow = "@sid, @u, @d, @sn, @ca, @st, COALESCE(@lo, @generatedUtc), @lo IS NOT NULL";
        internal const string MergeEventInsert = "INSERT INTO aa_tmp_events (id, session_id, user_name, domain, kind, time_utc) ";
        internal const string MergeEventRow = "@id, @sid, @u, @d, @k, @t";

        /// <summary>The history merge once the report's sessions and events are in aa_tmp_sessions and aa_tmp_events, in order.</summary>
        internal static readonly string[] MergeStatements =
        {
            // A session without a logon time keeps the start it was first seen at.
            "UPDATE aa_tmp_sessions t JOIN " + HistoryTable + " h ON h.computerid = @computerId AND h.session_id = t.session_id AND h.user_name = t.user_name " +
                "AND h.end_utc IS NULL AND h.start_exact = 0 SET t.start_utc = h.start_utc WHERE t.start_exact = 0",
            // Logons the OS recorded (also of sessions too short for any report to see).
            "INSERT INTO " + HistoryTable + " (computerid, session_id, user_name, domain, start_utc, start_exact, last_seen_utc, last_state) " +
                "SELECT @computerId, e.session_id, e.user_name, e.domain, e.time_utc, 1, e.time_utc, 'Active' FROM aa_tmp_events e " +
                "LEFT JOIN " + HistoryTable + " h ON h.computerid = @computerId AND h.session_id = e.session_id AND h.user_name = e.user_name AND h.start_utc = e.time_utc " +
                "WHERE e.kind = 'Logon' AND h.id IS NULL",
            // Seen again: extended; seen for the first time: started.
            "UPDATE " + HistoryTable + " h JOIN aa_tmp_sessions t ON h.computerid = @computerId AND h.session_id = t.session_id AND h.user_name = t.user_name " +
                "AND h.start_utc = t.start_utc SET h.last_seen_utc = GREATEST(h.last_seen_utc, @generatedUtc), h.last_state = t.state, " +
                "h.domain = COALESCE(t.domain, h.domain), h.session_name = COALESCE(t.session_name, h.session_name), h.client_address = COALESCE(t.client_address, h.client_address), " +
                "h.end_utc = IF(h.end_exact = 1, h.end_utc, NULL)",
            "INSERT INTO " + HistoryTable + " (computerid, session_id, user_name, domain, session_name, client_address, start_utc, start_exact, last_seen_utc, last_state) " +
                "SELECT @computerId, t.session_id, t.user_name, t.domain, t.session_name, t.client_address, t.start_utc, t.start_exact, @generatedUtc, t.state " +
                "FROM aa_tmp_sessions t LEFT JOIN " + HistoryTable + " h ON h.computerid = @computerId AND h.session_id = t.session_id AND h.user_name = t.user_name " +
                "AND h.start_utc = t.start_utc WHERE h.id IS NULL",
            // A logoff ends, exactly, the latest session of that user and id that began before it.
            "UPDATE " + HistoryTable + " h JOIN (SELECT e.id, e.session_id, e.user_name, e.time_utc, MAX(h2.start_utc) AS start_utc FROM aa_tmp_events e " +
                "JOIN " + HistoryTable + " h2 ON h2.computerid = @computerId AND h2.session_id = e.session_id AND h2.user_name = e.user_name AND h2.start_utc <= e.time_utc " +
                "WHERE e.kind = 'Logoff' GROUP BY e.id, e.session_id, e.user_name, e.time_utc) m ON h.computerid = @computerId AND h.session_id = m.session_id " +
                "AND h.user_name = m.user_name AND h.start_utc = m.start_utc SET h.end_utc = m.time_utc, h.end_exact = 1, " +
                "h.last_seen_utc = LEAST(h.last_seen_utc, m.time_utc) WHERE h.end_exact = 0",
            // Open sessions this report no longer shows: ended when last seen.
            "UPDATE " + HistoryTable + " h LEFT JOIN aa_tmp_sessions t ON h.session_id = t.session_id AND h.user_name = t.user_name AND h.start_utc = t.start_utc " +
                "SET h.end_utc = h.last_seen_utc, h.end_exact = 0 WHERE h.computerid = @computerId AND h.end_utc IS NULL AND t.session_id IS NULL",
        };

        /// <summary>The last report of a kind from a computer (its generation time), or null if it never reported.</summary>
        public DateTime? LastGenerated(int computerId, string kind) => _db.QuerySingle<DateTime?>(LastGeneratedSql, new { computerId, kind });

        public void MarkReported(int computerId, string kind, DateTime generatedUtc, int items, string computerName) =>
            _db.Execute(MarkReportedSql, new { computerId, kind, generatedUtc, items, computerName });

        /// <summary>Replaces the computer's rows in ProVal's table: Username, State, LogonDate (server local time), SessionLength, Timestamp (the database clock).</summary>
        public void ReplaceProValRows(int computerId, IReadOnlyList<SessionRecord> sessions)
        {
            _db.Execute(DeleteProValSql, new { computerId });
            Insert(ProValInsert, ProValRow, sessions, (s, p, i) => { p.Add("u" + i, s.UserName); p.Add("s" + i, s.State); p.Add("l" + i, s.LogonUtc); p.Add("m" + i, s.SessionMinutes); },
                new { computerId });
        }

        /// <summary>Replaces the computer's sessions as last reported, with every field.</summary>
        public void ReplaceCurrent(int computerId, DateTime generatedUtc, IReadOnlyList<SessionRecord> sessions)
        {
            _db.Execute(DeleteCurrentSql, new { computerId });
            Insert(CurrentInsert, CurrentRow, sessions, (s, p, i) =>
            {
                object[] values = { s.ComputerName, s.SessionId, s.UserName, s.Domain, s.SessionName, s.State, s.ClientName, s.ClientAddress,
                    s.LogonUtc, s.ConnectUtc, s.DisconnectUtc, s.LastInputUtc, s.IdleSeconds, s.SessionMinutes, s.IsConsole ? 1 : 0, s.IsLocked.HasValue ? (s.IsLocked.Value ? 1 : 0) : (int?)null };
                for (int k = 0; k < CurrentParameters.Length; k++) p.Add(CurrentParameters[k] + i, values[k]);
            }, new { computerId, generatedUtc });
        }

        /// <summary>
        /// Merges a report into the history: sessions seen again are extended to the report's time, new ones
        /// start (at their logon time when the OS gave one, else now), logoff events end sessions exactly, and
        /// open sessions the report no longer shows end when they were last seen.
        /// </summary>
        public void MergeHistory(int computerId, DateTime generatedUtc, IReadOnlyList<SessionRecord> sessions, IReadOnlyList<SessionEventRecord> events)
        {
            var args = new { computerId, generatedUtc };
            _db.Execute(MergeTempTablesSql);
            Insert(MergeSessionInsert, MergeSessionRow, sessions, (s, p, i) =>
            {
                p.Add("sid" + i, s.SessionId ?? string.Empty); p.Add("u" + i, s.UserName ?? string.Empty); p.Add("d" + i, s.Domain); p.Add("sn" + i, s.SessionName);
                p.Add("ca" + i, s.ClientAddress); p.Add("st" + i, s.State); p.Add("lo" + i, s.LogonUtc);
            }, args);
            Insert(MergeEventInsert, MergeEventRow, events, (e, p, i) =>
            {
                p.Add("id" + i, i); p.Add("sid" + i, e.SessionId ?? string.Empty); p.Add("u" + i, e.UserName ?? string.Empty); p.Add("d" + i, e.Domain); p.Add("k" + i, e.Kind); p.Add("t" + i, e.TimeUtc);
            }, args);
            foreach (string sql in MergeStatements) _db.Execute(sql, args);
        }

        /// <summary>The last report of a kind from each of these computers.</summary>
        public Dictionary<int, (DateTime GeneratedUtc, DateTime SavedUtc)> ReportStatus(IReadOnlyCollection<int> ids, string kind) =>
            _db.Query<(int ComputerId, DateTime GeneratedUtc, DateTime SavedUtc)>(
                "SELECT computerid, generated_utc, saved_utc FROM " + ReportStatusTable + " WHERE kind = @kind AND computerid IN @ids", new { ids, kind })
                .ToDictionary(r => r.ComputerId, r => (r.GeneratedUtc, r.SavedUtc));

        /// <summary>The sessions last reported by these computers, optionally only users LIKE one of the patterns and in one of the states.</summary>
        public List<StoredSession> Current(IReadOnlyCollection<int> ids, IReadOnlyList<string> userLike, IReadOnlyList<string> states)
        {
            var parameters = new SqlArgs(new { ids });
            var sql = new StringBuilder("SELECT computerid AS ComputerId, session_id AS SessionId, user_name AS UserName, domain AS Domain, session_name AS SessionName, " +
                "state AS State, client_name AS ClientName, client_address AS ClientAddress, logon_utc AS LogonUtc, connect_utc AS ConnectUtc, " +
                "disconnect_utc AS DisconnectUtc, last_input_utc AS LastInputUtc, idle_seconds AS IdleSeconds, session_minutes AS SessionMinutes, " +
                "is_console AS IsConsole, is_locked AS IsLocked, saved_utc AS SavedUtc FROM " + CurrentTable + " WHERE computerid IN @ids");
            AppendFilters(sql, parameters, "user_name", userLike, "state", states);
            sql.Append(" ORDER BY computerid, user_name, session_id");
            return _db.Query<StoredSession>(sql.ToString(), parameters).ToList();
        }

        /// <summary>History of these computers overlapping [fromUtc, toUtc): sessions that began before its end and had not ended before its start.</summary>
        public List<StoredSessionPeriod> Periods(IReadOnlyCollection<int> ids, DateTime fromUtc, DateTime toUtc, IReadOnlyList<string> userLike)
        {
            var parameters = new SqlArgs(new { ids, fromUtc, toUtc });
            var sql = new StringBuilder("SELECT computerid AS ComputerId, session_id AS SessionId, user_name AS UserName, domain AS Domain, session_name AS SessionName, " +
                "client_address AS ClientAddress, start_utc AS StartUtc, start_exact AS StartExact, last_seen_utc AS LastSeenUtc, last_state AS LastState, " +
                "end_utc AS EndUtc, end_exact AS EndExact FROM " + HistoryTable + " WHERE computerid IN @ids AND start_utc < @toUtc AND COALESCE(end_utc, @toUtc) > @fromUtc");
            AppendFilters(sql, parameters, "user_name", userLike, null, null);
            sql.Append(" ORDER BY computerid, start_utc, user_name");
            return _db.Query<StoredSessionPeriod>(sql.ToString(), parameters).ToList();
        }

        private static void AppendFilters(StringBuilder sql, SqlArgs parameters, string userColumn, IReadOnlyList<string> userLike, string stateColumn, IReadOnlyList<string> states)
        {
            if (userLike != null && userLike.Count > 0)
            {
                sql.Append(" AND (").Append(string.Join(" OR ", userLike.Select((_, i) => userColumn + " LIKE @user" + i))).Append(')');
                for (int i = 0; i < userLike.Count; i++) parameters.Add("user" + i, userLike[i]);
            }
            if (stateColumn != null && states != null && states.Count > 0)
            {
                sql.Append(" AND ").Append(stateColumn).Append(" IN @states");
                parameters.Add("states", states);
            }
        }

        /// <summary>Multi-row VALUES of a row template, its per-row parameters numbered (@u becomes @u0, @u1, ...); the shared ones are not.</summary>
        private void Insert<T>(string head, string rowTemplate, IReadOnlyList<T> rows, Action<T, SqlArgs, int> add, object shared)
        {
            var sharedNames = new HashSet<string>(shared.GetType().GetProperties().Select(p => p.Name), StringComparer.Ordinal);
            for (int start = 0; start < rows.Count; start += InsertBatch)
            {
                var parameters = new SqlArgs(shared);
                var sql = new StringBuilder(head).Append("VALUES ");
                for (int i = start; i < Math.Min(rows.Count, start + InsertBatch); i++)
                {
                    if (i > start) sql.Append(", ");
                    sql.Append('(').Append(SqlTemplate.Number(rowTemplate, i, sharedNames)).Append(')');
                    add(rows[i], parameters, i);
                }
                _db.Execute(sql.ToString(), parameters);
            }
        }
    }
}
