namespace AutomateAudit.Storage
{
    /// <summary>The module's own bookkeeping tables: schema version and run log.</summary>
    internal static class ModuleTables
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
    }
}
