using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;
using AutomateAudit.Storage;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Creates or upgrades the module's tables (and adopts ProVal's) in the Automate database.</summary>
    [Cmdlet(VerbsLifecycle.Install, "AuditTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AuditTableResult))]
    public sealed class InstallAuditTableCommand : AuditDatabaseCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            WithDatabase(session =>
            {
                var installer = new SchemaInstaller(session);
                var plans = installer.Plan();
                var approved = new HashSet<TablePlan>(plans.Where(plan => plan.Statements.Count > 0
                    && ShouldProcess(session.Settings.Database + "." + plan.Spec.Name, string.Join(";\n", plan.Statements))));
                foreach (var result in installer.Apply(plans, approved))
                {
                    WriteVerbose(result.Table + ": " + result.Action + " (" + result.Changes + ")");
                    if (PassThru) WriteObject(result);
                }
            }, requireSchema: false);
        }
    }
}
