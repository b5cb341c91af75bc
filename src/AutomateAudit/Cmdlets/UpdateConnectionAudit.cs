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
            WithDatabase(session =>
            {
                var recorder = new ConnectionRecorder(session);
                var clock = ServerClock.Read(session.Server);
                TimeSpan offlineAfter = TimeSpan.FromMinutes(OfflineAfter);
                // The change query runs once: as the write, or (under -WhatIf only) as a preview.
                if (!ShouldProcessWithDetail(session.Settings.Database + ".pvl_automate_connection_audit", "Record connection state changes", () =>
                {
                    var preview = recorder.Preview(clock, offlineAfter).Changes;
                    return "Would record " + preview.Count + " connection state change(s): " + preview.Count(c => c.State == "Online") + " online, " +
                        preview.Count(c => c.State == "Offline") + " offline, " + preview.Count(c => c.State == "Removed") + " removed.";
                })) return;
                RecordResult result = recorder.Record(clock, offlineAfter);
                WriteVerbose("Run " + result.RunId + " at " + result.NowLocal.ToString("yyyy-MM-dd HH:mm:ss") + " (server time) recorded " + result.Changes.Count + " change(s).");
                if (PassThru) foreach (ConnectionChange change in result.Changes) WriteObject(change);
            });
        }
    }
}
