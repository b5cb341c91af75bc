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
    internal sealed class SchemaInstaller
    {
        public const int SchemaVersion = 1;

        public static readonly IReadOnlyList<TableSpec> Tables = new[]
        {
            ModuleTables.SchemaVersion, ModuleTables.RunLog,
            ConnectionAuditTables.Audit, ConnectionAuditTables.Daily, ConnectionAuditTables.State, ConnectionAuditTables.Rollup,
            ProValTables.IdleMon, ProValTables.UserSessions,
            SessionTables.Current, SessionTables.History, SessionTables.ReportStatus, SessionTables.Inbox,
            IdleTables.Hourly,
        };

        private readonly AuditSession _session;

        public SchemaInstaller(AuditSession session) { _session = session; }

        /// <summary>The DDL each table needs, without running any of it.</summary>
        public IReadOnlyList<TablePlan> Plan() => _session.Schema.Plan(Tables);

        /// <summary>Plans and applies everything, unprompted (jobs, simulations, tests).</summary>
        public IReadOnlyList<AuditTableResult> InstallAll()
        {
            var plans = Plan();
            return Apply(plans, plans.ToList());
        }

        /// <summary>Runs the approved plans: DDL first for every table, then each family's adoption of existing rows.</summary>
        public IReadOnlyList<AuditTableResult> Apply(IReadOnlyList<TablePlan> plans, ICollection<TablePlan> approved)
        {
            _session.Server.AssertRowBasedLogging();
            var results = new List<AuditTableResult>();
            foreach (TablePlan plan in plans)
            {
                TableAction action = plan.Statements.Count == 0 ? TableAction.Unchanged
                    : !approved.Contains(plan) ? TableAction.Skipped
                    : plan.Exists ? TableAction.Upgraded : TableAction.Created;
                if (action == TableAction.Created || action == TableAction.Upgraded)
                {
                    foreach (string ddl in plan.Statements) _session.Schema.Apply(ddl);
                }
                results.Add(new AuditTableResult { Table = plan.Spec.Name, Family = plan.Spec.Family, Action = action, Changes = plan.Statements.Count == 0 ? "none" : plan.Summary, Database = _session.Settings.Database });
            }

            if (results.All(r => r.Action != TableAction.Skipped))
            {
                foreach (TablePlan plan in plans)
                {
                    foreach (string sql in plan.Spec.AdoptSql)
                    {
                        int changed = _session.Schema.Apply(sql);
                        if (changed <= 0) continue;
                        AuditTableResult result = results.First(r => r.Table == plan.Spec.Name);
                        result.Changes = (result.Changes == "none" ? string.Empty : result.Changes + "; ") + "adopted " + changed + " existing rows";
                        if (result.Action == TableAction.Unchanged) result.Action = TableAction.Upgraded;
                    }
                }
                if (_session.Schema.InstalledVersion() != SchemaVersion) _session.Schema.SetVersion(SchemaVersion, ModuleInfo.Version);
            }

            foreach (AuditTableResult result in results.Where(r => r.Action != TableAction.Skipped))
                result.Rows = _session.Schema.CountRows(Tables.First(t => t.Name == result.Table));
            return results;
        }
    }
}
