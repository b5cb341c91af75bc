namespace AutomateAudit.Storage
{
    /// <summary>
    /// The idle tables: ProVal's pvl_report_idlemon (snapshots, its columns left as they are; see ProValTables)
    /// and the module's hourly active, idle and unknown minutes per computer, user and session.
    /// </summary>
    internal static class IdleTables
    {
        public const string HourlyTable = "aa_idle_hourly";

        public static readonly TableSpec Hourly = new TableSpec(HourlyTable, "Idle", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("user_name", "VARCHAR(100) NOT NULL"),
            new ColumnSpec("domain", "VARCHAR(100) NULL"),
            new ColumnSpec("session_id", "VARCHAR(32) NOT NULL DEFAULT ''"),
            // The hour's start in UTC: stored in UTC, reported in the server's local time.
            new ColumnSpec("hour_utc", "DATETIME NOT NULL"),
            new ColumnSpec("active_minutes", "SMALLINT NOT NULL"),
            new ColumnSpec("idle_minutes", "SMALLINT NOT NULL"),
            new ColumnSpec("unknown_minutes", "SMALLINT NOT NULL"),
            new ColumnSpec("updated_utc", "DATETIME NOT NULL"),
        }, "id", new[]
        {
            new IndexSpec("ux_aa_idle_hourly_key", true, "computerid", "user_name", "session_id", "hour_utc"),
            new IndexSpec("ix_aa_idle_hourly_hour", false, "hour_utc"),
        });
    }
}
