using System;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Records every agent's connection state change since the last run (schedule it every 5 minutes).</summary>
    [Cmdlet(VerbsData.Update, "ConnectionAudit", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ConnectionChange))]
    public sealed class UpdateConnectionAuditCommand : AuditDatabaseCmdlet
    {
        /// <summary>Minutes without a check-in after which an agent counts as offline (Automate's own rule: 15).</summary>
        [Parameter]
        [ValidateRange(1, 1440)]
        public int OfflineAfter { get; set; } = (int)ConnectionRecorder.DefaultOfflineAfter.TotalMinutes;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            WithDatabase(db =>
            {
                var recorder = new ConnectionRecorder(db);
                TimeSpan offlineAfter = TimeSpan.FromMinutes(OfflineAfter);
                // The 5-minute job makes one pass; only -WhatIf and -Confirm pay for a preview of what would change.
                string action = "Record connection state changes";
                if (WantsPreview())
                {
                    var preview = recorder.Record(offlineAfter, write: false).Changes;
                    action = "Record " + preview.Count + " connection state change(s): " +
                        preview.Count(c => c.State == "Online") + " online, " + preview.Count(c => c.State == "Offline") + " offline, " +
                        preview.Count(c => c.State == "Removed") + " removed";
                }
                if (!ShouldProcess(db.Settings.Database + ".pvl_automate_connection_audit", action)) return;
                RecordResult result = recorder.Record(offlineAfter);
                WriteVerbose("Run " + result.RunId + " at " + result.NowLocal.ToString("yyyy-MM-dd HH:mm:ss") + " (server time) recorded " + result.Changes.Count + " change(s).");
                if (PassThru) foreach (ConnectionChange change in result.Changes) WriteObject(change);
            });
        }

        private bool WantsPreview()
        {
            object whatIf = SessionState.PSVariable.GetValue("WhatIfPreference");
            bool preference = whatIf is SwitchParameter sw ? sw.IsPresent : whatIf is bool b && b;
            return preference || MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm");
        }
    }
}
