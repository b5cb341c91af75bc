using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;
using AutomateAudit.Storage;

namespace AutomateAudit.Cmdlets
{
    /// <summary>
    /// Creates or upgrades the module's tables (and adopts ProVal's), views (one per dataview) and procedures in the
    /// Automate database; or, with -Script, writes all of it as one SQL script without connecting.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Install, "AuditTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Install")]
    [OutputType(typeof(AuditTableResult), ParameterSetName = new[] { "Install" })]
    [OutputType(typeof(string), ParameterSetName = new[] { "Script" })]
    public sealed class InstallAuditTableCommand : AuditDatabaseCmdlet
    {
        [Parameter(ParameterSetName = "Install")]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Writes the whole installation as one SQL script (a string) instead of running it; needs no connection.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Script")]
        public SwitchParameter Script { get; set; }

        protected override void EndProcessing()
        {
            if (Script)
            {
                WriteObject(SchemaInstaller.Script(MyInvocation.BoundParameters.ContainsKey(nameof(Database)) ? Database : null));
                return;
            }
            WithDatabase(session =>
            {
                ThrowIfSchemaNewer(session, session.Schema.InstalledVersion());
                var installer = new SchemaInstaller(session);
                var plans = installer.Plan();
                var approved = new HashSet<TablePlan>(plans.Where(plan => plan.Statements.Count > 0
                    && ShouldProcess(session.Settings.Database + "." + plan.Spec.Name, string.Join(";\n", plan.Statements))));
                var results = installer.Apply(plans, approved, obj => ShouldProcess(session.Settings.Database + "." + obj.Name, "CREATE OR REPLACE " + obj.Kind),
                    () => ShouldProcess(session.Settings.Database + "." + ConnectionAuditTables.AuditTable, "Adopt rows ProVal's monitor wrote since the last install"));
                if (results.Any(r => r.Table == ConnectionAuditTables.AuditTable && r.Changes != null && r.Changes.Contains("adopted")))
                    RollUpAdoptedDays(session);
                foreach (var result in results)
                {
                    if (result.Action == TableAction.Skipped && result.Changes != null && result.Changes.StartsWith("not created: ", System.StringComparison.Ordinal))
                        WriteWarning(result.Table + ": " + result.Changes);
                    WriteVerbose(result.Table + ": " + result.Action + " (" + result.Changes + ")");
                    // -PassThru reports tables; the views and procedures (recreated on every run) are reported in verbose output.
                    if (PassThru && SchemaInstaller.Tables.Any(t => t.Name == result.Table)) WriteObject(result);
                }
            }, requireSchema: false);
        }

        /// <summary>
        /// The adopted days' figures, so the first Get-ConnectionReport need not account them from the raw history. The
        /// adoption stands when this fails (a rollup or recording run holding its lock): Invoke-DailyRollup does it later.
        /// </summary>
        private void RollUpAdoptedDays(AuditSession session)
        {
            AdoptedRollupResult result;
            try
            {
                result = new AdoptedHistoryRollup(session, ServerClock.Read(session.Server)).Run();
            }
            catch (AuditDatabaseException ex) when (!ex.IsConnectionFailure)
            {
                WriteWarning("The adopted ProVal history was not rolled up: " + ex.Message + " Run Invoke-DailyRollup: until it has rolled those days up, " +
                    "Get-ConnectionReport accounts them from the raw history, which takes far longer.");
                return;
            }
            var days = result.ProvisionalDays;
            if (days.Count + result.RolledDays.Count > 0)
                WriteVerbose("Adopted history: the figures of " + (days.Count + result.RolledDays.Count) + " days written in " + result.FiguresMs + " ms.");
            foreach (RolledDay day in result.RolledDays)
                WriteVerbose("Adopted history: " + day.Day.ToString("yyyy-MM-dd") + " rolled up (" + day.Computers + " computers, " + day.DurationMs + " ms).");
            if (days.Count > 0)
                WriteWarning(days.Count + (days.Count == 1 ? " day" : " days") + " of adopted ProVal history (" + days[0].ToString("yyyy-MM-dd") + " to " +
                    days[days.Count - 1].ToString("yyyy-MM-dd") + ") got only the figures the reports read. Run Invoke-DailyRollup to roll them up in full: " +
                    "the dataviews read their daily rows.");
        }
    }
}
