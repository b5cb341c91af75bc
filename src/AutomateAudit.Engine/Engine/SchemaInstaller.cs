using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    public enum TableAction { Created, Upgraded, Unchanged, Skipped }

    /// <summary>What Install-AuditTable did (or would do) to one table.</summary>
    public sealed class AuditTableResult
    {
        public string Table { get; set; }
        public string Family { get; set; }
        public TableAction Action { get; set; }
        /// <summary>What changed, in words: "added columns effective_utc, collected_utc; added index ...".</summary>
        public string Changes { get; set; }
        public long Rows { get; set; }
        public string Database { get; set; }
    }

    /// <summary>
    /// Creates the module's tables or brings existing ones (including ProVal's) up to the module's shape
    /// without losing a row: columns and indexes are only ever added. Touches no other table.
    /// </summary>
    public sealed class SchemaInstaller
    {
        public const int SchemaVersion = 1;

        public static readonly IReadOnlyList<TableSpec> Tables = new[]
        {
            ModuleSql.SchemaVersion, ModuleSql.RunLog,
            ConnectionAuditSql.Audit, ConnectionAuditSql.Daily, ConnectionAuditSql.State, ConnectionAuditSql.Rollup,
            ProValTablesSql.IdleMon, ProValTablesSql.UserSessions,
        };

        private readonly AuditDatabase _db;

        public SchemaInstaller(AuditDatabase db) { _db = db; }

        /// <summary>The DDL each table needs, without running any of it.</summary>
        public IReadOnlyList<TablePlan> Plan(IEnumerable<TableSpec> tables = null)
        {
            var specs = (tables ?? Tables).ToList();
            var names = specs.Select(t => t.Name).ToArray();
            var columns = _db.Query<(string Table, string Column, string Key)>(
                "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN @names",
                new { names }).ToList();
            var indexes = _db.Query<(string Table, string Index)>(
                "SELECT DISTINCT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN @names",
                new { names }).ToList();
            return specs.Select(spec => PlanTable(spec,
                columns.Where(c => c.Table.Equals(spec.Name, StringComparison.OrdinalIgnoreCase)).ToList(),
                indexes.Where(i => i.Table.Equals(spec.Name, StringComparison.OrdinalIgnoreCase)).Select(i => i.Index).ToList())).ToList();
        }

        internal static TablePlan PlanTable(TableSpec spec, IList<(string Table, string Column, string Key)> existingColumns, IList<string> existingIndexes)
        {
            if (existingColumns.Count == 0)
                return new TablePlan(spec, exists: false, new[] { spec.CreateSql() }, "created with " + spec.Columns.Count + " columns");

            if (!spec.ExtendExisting)
                return new TablePlan(spec, exists: true, new string[0], "kept as it is: another solution still writes to it");
            var have = new HashSet<string>(existingColumns.Select(c => c.Column), StringComparer.OrdinalIgnoreCase);
            var haveIndex = new HashSet<string>(existingIndexes, StringComparer.OrdinalIgnoreCase);
            bool hasPrimaryKey = haveIndex.Contains("PRIMARY");
            var clauses = new List<string>();
            var said = new List<string>();

            var missing = spec.Columns.Where(c => !have.Contains(c.Name)).ToList();
            foreach (ColumnSpec column in missing)
            {
                bool isKey = column.Name.Equals(spec.PrimaryKey, StringComparison.OrdinalIgnoreCase);
                clauses.Add("ADD COLUMN `" + column.Name + "` " + column.Definition + (isKey ? " FIRST" : string.Empty));
                if (isKey)
                {
                    // An auto-increment column must be a key; a table that already has another primary key
                    // keeps it and gets ours as a unique key.
                    clauses.Add(hasPrimaryKey ? "ADD UNIQUE KEY `ux_aa_" + column.Name + "` (`" + column.Name + "`)" : "ADD PRIMARY KEY (`" + column.Name + "`)");
                }
            }
            if (missing.Count > 0) said.Add("added column" + (missing.Count > 1 ? "s " : " ") + string.Join(", ", missing.Select(c => c.Name)));

            var missingIndexes = spec.Indexes.Where(i => !haveIndex.Contains(i.Name)).ToList();
            clauses.AddRange(missingIndexes.Select(i => "ADD " + i.Clause()));
            if (missingIndexes.Count > 0) said.Add("added index" + (missingIndexes.Count > 1 ? "es " : " ") + string.Join(", ", missingIndexes.Select(i => i.Name)));

            var statements = clauses.Count == 0 ? new string[0] : new[] { "ALTER TABLE `" + spec.Name + "`\n  " + string.Join(",\n  ", clauses) };
            return new TablePlan(spec, exists: true, statements, string.Join("; ", said));
        }

        /// <summary>Runs a plan: DDL first for every table, then each family's adoption of existing rows.</summary>
        public IEnumerable<AuditTableResult> Apply(IReadOnlyList<TablePlan> plans, Func<TablePlan, bool> approve)
        {
            var results = new List<AuditTableResult>();
            foreach (TablePlan plan in plans)
            {
                TableAction action = plan.Statements.Count == 0 ? TableAction.Unchanged
                    : !approve(plan) ? TableAction.Skipped
                    : plan.Exists ? TableAction.Upgraded : TableAction.Created;
                if (action == TableAction.Created || action == TableAction.Upgraded)
                {
                    foreach (string ddl in plan.Statements) _db.Execute(ddl);
                }
                results.Add(new AuditTableResult { Table = plan.Spec.Name, Family = plan.Spec.Family, Action = action, Changes = plan.Statements.Count == 0 ? "none" : plan.Summary, Database = _db.Settings.Database });
            }

            bool allInPlace = results.All(r => r.Action != TableAction.Skipped);
            if (allInPlace)
            {
                foreach (TablePlan plan in plans)
                {
                    foreach (string sql in plan.Spec.AdoptSql)
                    {
                        int changed = _db.Execute(sql);
                        if (changed > 0)
                        {
                            AuditTableResult result = results.First(r => r.Table == plan.Spec.Name);
                            result.Changes = (result.Changes == "none" ? string.Empty : result.Changes + "; ") + "adopted " + changed + " existing rows";
                            if (result.Action == TableAction.Unchanged) result.Action = TableAction.Upgraded;
                        }
                    }
                }
                int? version = _db.QuerySingle<int?>(ModuleSql.SelectVersion, new { component = "schema" });
                if (version != SchemaVersion)
                    _db.Execute(ModuleSql.UpsertVersion, new { component = "schema", version = SchemaVersion, moduleVersion = ModuleInfo.Version });
            }

            foreach (AuditTableResult result in results.Where(r => r.Action != TableAction.Skipped))
            {
                result.Rows = _db.QuerySingle<long>("SELECT COUNT(*) FROM `" + result.Table + "`");
            }
            return results;
        }

        /// <summary>The installed schema version, or null when Install-AuditTable never ran here.</summary>
        public static int? InstalledVersion(AuditDatabase db)
        {
            bool exists = db.QuerySingle<long>(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @name",
                new { name = ModuleSql.SchemaVersionTable }) > 0;
            return exists ? db.QuerySingle<int?>(ModuleSql.SelectVersion, new { component = "schema" }) : null;
        }
    }

    public sealed class TablePlan
    {
        public TablePlan(TableSpec spec, bool exists, IReadOnlyList<string> statements, string summary)
        {
            Spec = spec; Exists = exists; Statements = statements; Summary = summary;
        }

        public TableSpec Spec { get; }
        public bool Exists { get; }
        public IReadOnlyList<string> Statements { get; }
        public string Summary { get; }
    }
}
