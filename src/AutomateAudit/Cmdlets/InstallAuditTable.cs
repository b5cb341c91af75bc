using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;

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
            WithDatabase(db =>
            {
                var installer = new SchemaInstaller(db);
                var plans = installer.Plan();
                var results = installer.Apply(plans, plan =>
                    ShouldProcess(db.Settings.Database + "." + plan.Spec.Name, string.Join(";\n", plan.Statements)));
                foreach (var result in results)
                {
                    WriteVerbose(result.Table + ": " + result.Action + " (" + result.Changes + ")");
                    if (PassThru) WriteObject(result);
                }
            }, requireSchema: false);
        }
    }
}
