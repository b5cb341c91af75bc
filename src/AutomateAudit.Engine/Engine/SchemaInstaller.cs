using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    public enum TableAction { Created, Upgraded, Unchanged, Skipped }

    /// <summary>What Install-AuditTable did (or would do) to one table, view or procedure.</summary>
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
    /// without losing a row: columns and indexes are only ever added (an index a later one supersedes is dropped). Touches no other table.
    /// </summary>
    internal sealed class SchemaInstaller
    {
        /// <summary>
        /// 2: aa_connection_summary (the long-term figures). 3: covering indexes on the raw history. 4: provisional rollup
        /// marks (days adopted from ProVal that have only their summary figures; a module before 4 would take them as rolled up).
        /// </summary>
        public const int SchemaVersion = 4;

        public static readonly IReadOnlyList<TableSpec> Tables = new[]
        {
            ModuleTables.SchemaVersion, ModuleTables.RunLog,
            ConnectionAuditTables.Audit, ConnectionAuditTables.Daily, ConnectionAuditTables.State, ConnectionAuditTables.Rollup,
            ConnectionAuditTables.Summary, // after Daily and Rollup: its adoption copies their figures
            ProValTables.IdleMon, ProValTables.UserSessions,
            SessionTables.Current, SessionTables.History, SessionTables.ReportStatus, SessionTables.Inbox,
            IdleTables.Hourly,
        };

        /// <summary>The views (one per dataview) and procedures (the hosted jobs) created after the tables, in order.</summary>
        public static IReadOnlyList<SqlObjectSpec> Objects =>
            new List<SqlObjectSpec>(DataviewViews.All) { HostedProcedures.RecordConnections(ModuleInfo.Version) }.Concat(HostedInboxProcedure.All(ModuleInfo.Version)).ToList();

        /// <summary>Ends every statement of <see cref="Script"/>: a client that runs one statement at a time splits there.</summary>
        public const string StatementMarker = "-- AutomateAudit: end of statement";

        private readonly AuditSession _session;

        public SchemaInstaller(AuditSession session) { _session = session; }

        /// <summary>
        /// The whole installation as one SQL script that needs no connection (Install-AuditTable -Script): tables
        /// created when missing, missing columns and indexes added (a one-off procedure reads information_schema),
        /// ProVal rows adopted, the schema version, the views and the procedures. Every statement is idempotent, so
        /// running the script twice changes nothing. No DELIMITER anywhere: each statement ends with ';' and the line
        /// <see cref="StatementMarker"/>; the server parses a procedure's BEGIN ... END itself, so the script runs as
        /// one multi-statement batch or one statement at a time (split at the marker lines).
        /// </summary>
        public static string Script(string database = null)
        {
            var statements = new List<(string Comment, string Sql)>();
            foreach (TableSpec table in Tables) statements.Add(("table " + table.Name, table.CreateSql()));
            foreach (string sql in HostedProcedures.UpgradeStatements(Tables, indexes: false)) statements.Add(("add the columns existing tables lack", sql));
            statements.Add(("larger in-memory temporary tables for this session's adoption passes", SchemaStore.LargeTemporaryTablesSql));
            foreach (TableSpec table in Tables)
                foreach (string sql in table.AdoptSql) statements.Add(("adopt existing rows of " + table.Name, sql));
            // After the adoption, as Install-AuditTable does: filling columns then maintains no index row by row.
            foreach (string sql in HostedProcedures.UpgradeStatements(Tables, indexes: true)) statements.Add(("add the indexes existing tables lack", sql));
            statements.Add(("schema version", SchemaStore.SetVersionSql(SchemaVersion, ModuleInfo.Version)));
            foreach (SqlObjectSpec obj in Objects)
                foreach (string sql in obj.Statements) statements.Add((obj.Kind.ToLowerInvariant() + " " + obj.Name, sql));

            var script = new StringBuilder();
            script.Append("-- AutomateAudit " + ModuleInfo.Version + ": Install-AuditTable -Script (schema version " + SchemaVersion + ")\n");
            script.Append("-- Run it in the Automate database" + (string.IsNullOrEmpty(database) ? string.Empty : " (" + database + ")") +
                ", whole or statement by statement; running it again changes nothing.\n");
            script.Append("-- No DELIMITER is needed: each statement ends with ';' and a '" + StatementMarker + "' line.\n");
            script.Append("-- The connection audit's recorder: CALL " + HostedProcedures.RecordConnectionsName + "(15); every 5 minutes.\n");
            script.Append("-- The inbox importer: CALL " + HostedInboxProcedure.Name + "(NULL, NULL); every few minutes.\n\n");
            for (int i = 0; i < statements.Count; i++)
            {
                script.Append("-- [" + (i + 1) + "/" + statements.Count + "] " + statements[i].Comment + "\n");
                script.Append(statements[i].Sql.TrimEnd() + ";\n" + StatementMarker + "\n\n");
            }
            return script.ToString();
        }

        /// <summary>The statements of a <see cref="Script"/>, each without its ';' (comment-only pieces dropped).</summary>
        public static IReadOnlyList<string> SplitScript(string script)
        {
            var result = new List<string>();
            foreach (string piece in script.Replace("\r\n", "\n").Split(new[] { StatementMarker + "\n" }, StringSplitOptions.None))
            {
                string sql = string.Join("\n", piece.Split('\n').Where(line => !line.StartsWith("-- ", StringComparison.Ordinal))).Trim();
                if (sql.EndsWith(";", StringComparison.Ordinal)) sql = sql.Substring(0, sql.Length - 1).TrimEnd();
                if (sql.Length > 0) result.Add(sql);
            }
            return result;
        }

        /// <summary>The DDL each table needs, without running any of it.</summary>
        public IReadOnlyList<TablePlan> Plan() => _session.Schema.Plan(Tables);

        /// <summary>Plans and applies everything, unprompted (jobs, simulations, tests).</summary>
        public IReadOnlyList<AuditTableResult> InstallAll()
        {
            var plans = Plan();
            return Apply(plans, plans.ToList());
        }

        /// <summary>Runs the approved plans: DDL first for every table, then each family's adoption of existing rows.</summary>
        public IReadOnlyList<AuditTableResult> Apply(IReadOnlyList<TablePlan> plans, ICollection<TablePlan> approved, Func<SqlObjectSpec, bool> approveObject = null,
            Func<bool> approveAdoption = null)
        {
            _session.Server.AssertRowBasedLogging();
            int? installed = _session.Schema.InstalledVersion();
            var results = new List<AuditTableResult>();
            foreach (TablePlan plan in plans)
            {
                TableAction action = plan.Statements.Count == 0 ? TableAction.Unchanged
                    : !approved.Contains(plan) ? TableAction.Skipped
                    : plan.Exists ? TableAction.Upgraded : TableAction.Created;
                if (action == TableAction.Created || action == TableAction.Upgraded)
                {
                    foreach (string ddl in plan.Statements.Where(ddl => ddl != plan.IndexStatement)) _session.Schema.Apply(ddl);
                }
                results.Add(new AuditTableResult { Table = plan.Spec.Name, Family = plan.Spec.Family, Action = action, Changes = plan.Statements.Count == 0 ? "none" : plan.Summary, Database = _session.Settings.Database });
            }

            // -WhatIf writes nothing, not even rows adopted over tables that need no DDL.
            bool adopt = results.All(r => r.Action != TableAction.Skipped) && (approveAdoption == null || approveAdoption());
            if (adopt)
            {
                _session.Schema.UseLargeTemporaryTables();
                bool resumed = _session.Schema.AdoptionPending();
                _session.Schema.MarkAdoptionPending(ModuleInfo.Version);
                var created = new HashSet<string>(results.Where(r => r.Action == TableAction.Created).Select(r => r.Table));
                foreach (TablePlan plan in plans.Where(p => p.Spec.AdoptsOver(installed, created.Contains(p.Spec.Name))))
                {
                    // A finished installation adopted every earlier row: the passes over the whole table (62 s for the step-back
                    // fix at 5.7 million rows) run again only for rows claimed now, after an install that stopped during its
                    // adoption, or to fill a table of the family created now (one dropped since).
                    bool passesDue = installed == null || resumed || Tables.Any(t => t.Family == plan.Spec.Family && created.Contains(t.Name));
                    for (int i = 0; i < plan.Spec.AdoptSql.Count; i++)
                    {
                        int changed = _session.Schema.Apply(plan.Spec.AdoptSql[i]);
                        if (i == 0 && changed <= 0 && !passesDue) break;
                        if (changed <= 0) continue;
                        AuditTableResult result = results.First(r => r.Table == plan.Spec.Name);
                        result.Changes = (result.Changes == "none" ? string.Empty : result.Changes + "; ") + "adopted " + changed + " existing rows";
                        if (result.Action == TableAction.Unchanged) result.Action = TableAction.Upgraded;
                    }
                }
                _session.Schema.ClearAdoptionPending();
            }
            // An existing table's new indexes are built after its rows were adopted (see TablePlan.IndexStatement).
            foreach (TablePlan plan in plans.Where(p => p.IndexStatement != null && approved.Contains(p))) _session.Schema.Apply(plan.IndexStatement);
            if (adopt && _session.Schema.InstalledVersion() != SchemaVersion)
                _session.Schema.SetVersion(SchemaVersion, ModuleInfo.Version);

            var objectResults = new List<AuditTableResult>();
            if (results.All(r => r.Action != TableAction.Skipped))
            {
                var existing = _session.Schema.ExistingObjects();
                foreach (SqlObjectSpec obj in Objects)
                {
                    bool exists = existing.Contains(obj.Name);
                    var result = new AuditTableResult { Table = obj.Name, Family = obj.Kind == "VIEW" ? "Dataview" : "Hosted", Database = _session.Settings.Database };
                    if (approveObject != null && !approveObject(obj))
                    {
                        result.Action = TableAction.Skipped;
                        result.Changes = "not " + (exists ? "replaced" : "created");
                    }
                    else
                    {
                        try
                        {
                            foreach (string sql in obj.Statements) _session.Schema.Apply(sql);
                            result.Action = exists ? TableAction.Unchanged : TableAction.Created;
                            result.Changes = (exists ? "replaced by" : "created as") + " the module's " + obj.Kind.ToLowerInvariant();
                        }
                        catch (AuditDatabaseException ex) when (!ex.IsConnectionFailure)
                        {
                            // A login without CREATE VIEW / CREATE ROUTINE keeps its tables; the object is reported, not fatal.
                            result.Action = TableAction.Skipped;
                            result.Changes = "not created: " + ex.Message;
                        }
                    }
                    objectResults.Add(result);
                }
            }

            foreach (AuditTableResult result in results.Where(r => r.Action != TableAction.Skipped))
                result.Rows = _session.Schema.CountRows(Tables.First(t => t.Name == result.Table));
            results.AddRange(objectResults);
            return results;
        }
    }
}
