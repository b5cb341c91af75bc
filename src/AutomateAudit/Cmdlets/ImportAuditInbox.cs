using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Sessions;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Applies the payloads endpoints left in aa_endpoint_inbox (schedule it every few minutes).</summary>
    [Cmdlet(VerbsData.Import, "AuditInbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SavedReport))]
    public sealed class ImportAuditInboxCommand : AuditDatabaseCmdlet
    {
        /// <summary>Days a rejected payload is kept for investigation before it is purged.</summary>
        [Parameter]
        [ValidateRange(1, 3650)]
        public int RetainDays { get; set; } = 14;

        /// <summary>At most this many payloads per computer are applied in one run; the oldest beyond it are rejected (a flooding endpoint).</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int MaxPendingPerComputer { get; set; } = 20;

        /// <summary>Writes one object per payload handled in this run, then every payload rejected earlier and still kept.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            WithDatabase(session =>
            {
                var importer = new InboxImporter(session, ServerClock.Read(session.Server));
                if (!ShouldProcess(session.Settings.Database + ".aa_endpoint_inbox", "Apply the waiting payloads and delete them")) return;
                int saved = 0, rejected = 0;
                var seen = new System.Collections.Generic.HashSet<long>();
                foreach (SavedReport report in importer.Drain(new InboxOptions { RetainDays = RetainDays, MaxPendingPerComputer = MaxPendingPerComputer }))
                {
                    if (report.Status == "Rejected") rejected++; else saved++;
                    if (report.InboxId.HasValue) seen.Add(report.InboxId.Value);
                    if (PassThru) WriteObject(report);
                }
                foreach (var row in importer.TakeNewRejections())
                    WriteWarning("Inbox payload " + row.Id + " from computer " + row.ComputerId + " was rejected: " + row.Reason);
                WriteVerbose("Applied " + saved + " payload(s); rejected " + rejected + ".");
                if (PassThru)
                {
                    foreach (var row in importer.Rejected().Where(r => !seen.Contains(r.Id)))
                        WriteObject(new SavedReport { ComputerId = row.ComputerId, Kind = row.Kind, Status = "Rejected", Reason = row.Reason, InboxId = row.Id });
                }
            });
        }
    }
}
