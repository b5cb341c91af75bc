namespace AutomateAudit.Storage
{
    /// <summary>The module's own bookkeeping tables: schema version and run log.</summary>
    internal static class ModuleSql
    {
        public const string SchemaVersionTable = "aa_schema_version";
        public const string RunLogTable = "aa_run_log";

        public static readonly TableSpec SchemaVersion = new TableSpec(SchemaVersionTable, "Module", new[]
        {
            new ColumnSpec("component", "VARCHAR(64) NOT NULL"),
            new ColumnSpec("version", "INT NOT NULL"),
            new ColumnSpec("module_version", "VARCHAR(32) NOT NULL"),
            new ColumnSpec("updated_utc", "DATETIME NOT NULL"),
        }, "component");

        public static readonly TableSpec RunLog = new TableSpec(RunLogTable, "Module", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("job", "VARCHAR(32) NOT NULL"),
            new ColumnSpec("started_utc", "DATETIME NOT NULL"),
            new ColumnSpec("started_local", "DATETIME NOT NULL"),
            new ColumnSpec("finished_utc", "DATETIME NULL"),
            new ColumnSpec("status", "VARCHAR(16) NOT NULL"),
            new ColumnSpec("rows_written", "INT NOT NULL DEFAULT 0"),
            new ColumnSpec("detail", "VARCHAR(1024) NULL"),
            new ColumnSpec("host", "VARCHAR(255) NULL"),
            new ColumnSpec("module_version", "VARCHAR(32) NULL"),
        }, "id", new[] { new IndexSpec("ix_aa_run_job_started", false, "job", "started_utc") });

        public const string UpsertVersion =
            "INSERT INTO aa_schema_version (component, version, module_version, updated_utc) VALUES (@component, @version, @moduleVersion, UTC_TIMESTAMP()) " +
            "ON DUPLICATE KEY UPDATE version = VALUES(version), module_version = VALUES(module_version), updated_utc = VALUES(updated_utc)";

        public const string SelectVersion = "SELECT version FROM aa_schema_version WHERE component = @component";

        public const string InsertRun =
            "INSERT INTO aa_run_log (job, started_utc, started_local, status, host, module_version) " +
            "VALUES (@job, @startedUtc, @startedLocal, 'running', @host, @moduleVersion)";

        public const string FinishRun =
            "UPDATE aa_run_log SET finished_utc = UTC_TIMESTAMP(), status = @status, rows_written = @rows, detail = @detail WHERE id = @id";

        public const string ServerClock = "SELECT NOW() AS Local, UTC_TIMESTAMP() AS Utc";
    }
}
