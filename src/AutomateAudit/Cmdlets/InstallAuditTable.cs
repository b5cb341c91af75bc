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
                {
                    var pending = new DailyRollup(session, ServerClock.Read(session.Server)).PendingAdoptedDays();
                    if (pending.Count > 0)
                        WriteWarning(pending.Count + (pending.Count == 1 ? " day" : " days") + " of adopted ProVal history (" + pending[0].ToString("yyyy-MM-dd") + " to " +
                            pending[pending.Count - 1].ToString("yyyy-MM-dd") + (pending.Count == 1 ? ") is" : ") are") + " not rolled up yet. Run Invoke-DailyRollup now: until it has " +
                            "rolled them up, Get-ConnectionReport accounts those days from the raw history, which takes far longer.");
                }
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
    }
}
