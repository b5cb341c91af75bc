using System.Management.Automation;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Idle;
using AutomateAudit.Engine.Sessions;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Saves an endpoint's idle samples and hourly activity for one computer: pipeline objects, JSON, a payload, or files from File Upload.</summary>
    [Cmdlet(VerbsData.Save, "IdleSample", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(SavedReport))]
    public sealed class SaveIdleSampleCommand : SaveEndpointReportCmdlet
    {
        /// <summary>ProVal's ThresholdDays: rows of pvl_report_idlemon (and hourly minutes) older than this are deleted, in small batches.</summary>
        [Parameter]
        [ValidateRange(1, 3650)]
        public int? RetainDays { get; set; }

        internal override string Kind => PayloadCodec.IdleKind;

        internal override void AfterSave(Storage.AuditSession session, ServerClock clock)
        {
            if (!RetainDays.HasValue || !ShouldProcess("pvl_report_idlemon, aa_idle_hourly", "Delete rows older than " + RetainDays + " days")) return;
            var (proval, hours) = new IdleSaver(session).ApplyRetention(clock, RetainDays.Value);
            WriteVerbose("Retention deleted " + proval + " row(s) of pvl_report_idlemon and " + hours + " hour(s) of aa_idle_hourly.");
        }
    }
}
