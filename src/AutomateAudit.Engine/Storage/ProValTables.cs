namespace AutomateAudit.Storage
{
    /// <summary>Tables of the IdleMon report and the user session audit, with ProVal's published columns.</summary>
    internal static class ProValTables
    {
        // ProVal's IdleMon and user-session scripts keep writing these tables until the module's own
        // collectors replace them, so existing ones are not altered.
        public static readonly TableSpec IdleMon = new TableSpec("pvl_report_idlemon", "IdleMon", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("computerid", "INT NOT NULL"),
            new ColumnSpec("Username", "VARCHAR(50) NULL"),
            new ColumnSpec("Domain", "VARCHAR(50) NULL"),
            new ColumnSpec("IdleTime", "VARCHAR(50) NULL"),
            new ColumnSpec("IsAdmin", "VARCHAR(5) NULL"),
            new ColumnSpec("IsDomainAdmin", "VARCHAR(5) NULL"),
            new ColumnSpec("IsEnterpriseAdmin", "VARCHAR(5) NULL"),
            new ColumnSpec("ScriptRunTime", "DATETIME NULL"),
        }, "id", new[]
        {
            new IndexSpec("ix_aa_idlemon_computer_time", false, "computerid", "ScriptRunTime"),
            new IndexSpec("ix_aa_idlemon_time", false, "ScriptRunTime"),
        }) { ExtendExisting = false };

        public static readonly TableSpec UserSessions = new TableSpec("plugin_proval_usersessions", "UserSessions", new[]
        {
            new ColumnSpec("id", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT"),
            new ColumnSpec("ComputerID", "INT NOT NULL"),
            new ColumnSpec("Username", "VARCHAR(100) NULL"),
            new ColumnSpec("State", "VARCHAR(32) NULL"),
            new ColumnSpec("LogonDate", "DATETIME NULL"),
            new ColumnSpec("SessionLength", "INT NULL"),
            new ColumnSpec("Timestamp", "DATETIME NULL"),
        }, "id", new[]
        {
            new IndexSpec("ix_aa_usersessions_computer_time", false, "ComputerID", "Timestamp"),
            new IndexSpec("ix_aa_usersessions_time", false, "Timestamp"),
        }) { ExtendExisting = false };
    }
}
