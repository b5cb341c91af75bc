using System.Globalization;
using System.Management.Automation;
using AutomateAudit.Engine;

namespace AutomateAudit.Cmdlets
{
    /// <summary>
    /// Removes the module's own tables, views, procedures, functions, events and triggers (aa_*, automateaudit_*);
    /// ProVal's tables and their rows stay exactly as they are.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Uninstall, "AuditTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(AuditObjectResult))]
    public sealed class UninstallAuditTableCommand : AuditDatabaseCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            WithDatabase(session =>
            {
                var uninstaller = new SchemaUninstaller(session);
                var objects = uninstaller.Plan();
                if (objects.Count == 0) WriteVerbose("No AutomateAudit tables, views or procedures in " + session.Settings.Database + ": nothing to remove.");
                foreach (AuditObject item in objects)
                {
                    string action = "Drop " + item.Kind + (item.Rows.HasValue
                        ? " (" + item.Rows.Value.ToString("N0", CultureInfo.InvariantCulture) + " rows)" : string.Empty);
                    AuditObjectResult result = ShouldProcess(session.Settings.Database + "." + item.Name, action)
                        ? uninstaller.Remove(item)
                        : uninstaller.Skip(item);
                    WriteVerbose(result.Type + " " + result.Name + ": " + result.Action);
                    if (PassThru) WriteObject(result);
                }
                foreach (string kept in SchemaUninstaller.KeptTables)
                    WriteVerbose("Kept " + kept + " (ProVal's table: its rows, columns and indexes are left as they are).");
            }, requireSchema: false);
        }
    }
}
