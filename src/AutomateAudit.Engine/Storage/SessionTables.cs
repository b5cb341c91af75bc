namespace AutomateAudit.Storage
{
    /// <summary>
    /// The user-session tables: ProVal's plugin_proval_usersessions (its columns left exactly as they are; see
    /// ProValTables) and the module's own: the sessions as last reported with every field, their history,
    /// each computer's last report per kind, and the inbox endpoints' payloads wait in.
    /// </summary>
    internal static class SessionTables
    {
        public const string CurrentTable = "aa_session_current";
        public const string HistoryTable = "aa_session_history";
        public const string ReportStatusTable = "aa_report_status";
        public const string InboxTable = "aa_endpoint_inbox";

        public static readonly TableSpec Current = new TableSpec(CurrentTable, "UserSessions", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("computer_name", "VARCHAR(255) NULL"),
            new ColumnSpec("session_id", "VARCHAR(32) NULL"),
            new ColumnSpec("user_name", "VARCHAR(100) NULL"),
            new ColumnSpec("domain", "VARCHAR(100) NULL"),
            new ColumnSpec("session_name", "VARCHAR(64) NULL"),
            new ColumnSpec("state", "VARCHAR(16) NOT NULL"),
            new ColumnSpec("client_name", "VARCHAR(255) NULL"),
            new ColumnSpec("client_address", "VARCHAR(64) NULL"),
            new ColumnSpec("logon_utc", "DATETIME NULL"),
            new ColumnSpec("connect_utc", "DATETIME NULL"),
            new ColumnSpec("disconnect_utc", "DATETIME NULL"),
            new ColumnSpec("last_input_utc", "DATETIME NULL"),
            new ColumnSpec("idle_seconds", "INT NULL"),
            new ColumnSpec("session_minutes", "INT NULL"),
            new ColumnSpec("is_console", "TINYINT NOT NULL DEFAULT 0"),
            new ColumnSpec("is_locked", "TINYINT NULL"),
            new ColumnSpec("generated_utc", "DATETIME NOT NULL"),
            new ColumnSpec("saved_utc", "DATETIME NOT NULL"),
        }, "id", new[] { new IndexSpec("ix_aa_session_current_computer", false, "computerid") });

        public static readonly TableSpec History = new TableSpec(HistoryTable, "UserSessions", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("session_id", "VARCHAR(32) NOT NULL DEFAULT ''"),
            new ColumnSpec("user_name", "VARCHAR(100) NOT NULL DEFAULT ''"),
            new ColumnSpec("domain", "VARCHAR(100) NULL"),
            new ColumnSpec("session_name", "VARCHAR(64) NULL"),
            new ColumnSpec("client_address", "VARCHAR(64) NULL"),
            // When it began: the logon time the OS gave, else when a report first showed it.
            new ColumnSpec("start_utc", "DATETIME NOT NULL"),
            new ColumnSpec("start_exact", "TINYINT NOT NULL DEFAULT 0"),
            new ColumnSpec("last_seen_utc", "DATETIME NOT NULL"),
            new ColumnSpec("last_state", "VARCHAR(16) NULL"),
            // When it ended (NULL while it is still going on), and whether that end is exact (a logoff event) or the last time it was seen.
            new ColumnSpec("end_utc", "DATETIME NULL"),
            new ColumnSpec("end_exact", "TINYINT NOT NULL DEFAULT 0"),
        }, "id", new[]
        {
            new IndexSpec("ux_aa_session_history_key", true, "computerid", "session_id", "user_name", "start_utc"),
            new IndexSpec("ix_aa_session_history_window", false, "start_utc", "end_utc"),
        });

        public static readonly TableSpec ReportStatus = new TableSpec(ReportStatusTable, "Endpoint", new[]
        {
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("kind", "VARCHAR(32) NOT NULL"),
            new ColumnSpec("generated_utc", "DATETIME NOT NULL"),
            new ColumnSpec("saved_utc", "DATETIME NOT NULL"),
            new ColumnSpec("items", "INT NOT NULL"),
            new ColumnSpec("computer_name", "VARCHAR(255) NULL"),
        }, null, new[] { new IndexSpec("ux_aa_report_status", true, "computerid", "kind") });

        /// <summary>
        /// Filled by an Automate SQL Execute step (the computer id from Automate, the payload checked against
        /// ^[A-Za-z0-9+/=]{1,60000}$ first), drained by Import-AuditInbox. Rejected payloads stay with their reason.
        /// </summary>
        public static readonly TableSpec Inbox = new TableSpec(InboxTable, "Endpoint", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("payload", "MEDIUMTEXT NOT NULL"),
            new ColumnSpec("received", "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"),
            new ColumnSpec("status", "VARCHAR(16) NOT NULL DEFAULT 'pending'"),
            new ColumnSpec("kind", "VARCHAR(32) NULL"),
            new ColumnSpec("generated_utc", "DATETIME NULL"),
            new ColumnSpec("reason", "VARCHAR(1024) NULL"),
            new ColumnSpec("rejected_utc", "DATETIME NULL"),
            new ColumnSpec("warned", "TINYINT NOT NULL DEFAULT 0"),
        }, "id", new[] { new IndexSpec("ix_aa_inbox_computer_status", false, "computerid", "status") });
    }
}
