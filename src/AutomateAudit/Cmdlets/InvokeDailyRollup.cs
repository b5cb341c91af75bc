using System;
using System.Globalization;
using System.Management.Automation;
using AutomateAudit.Engine;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Rolls up every completed day not yet rolled up into pvl_automate_connection_audit_daily, then applies retention.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "DailyRollup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(RolledDay))]
    public sealed class InvokeDailyRollupCommand : AuditDatabaseCmdlet
    {
        [Parameter]
        [ValidateRange(30, 3650)]
        public int RetainDays { get; set; } = 30;

        [Parameter]
        [ValidateRange(32, 3650)]
        public int RetainHistoryDays { get; set; } = 45;

        /// <summary>Roll up these days (server local dates) again, even if they were rolled up before.</summary>
        [Parameter]
        public DateTime[] Day { get; set; }

        /// <summary>Roll up again every completed day within RetainDays.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            WithDatabase(db =>
            {
                var progress = new ProgressRecord(1, "Invoke-DailyRollup", "Starting");
                var rollup = new DailyRollup(db)
                {
                    Progress = (status, percent) =>
                    {
                        progress.StatusDescription = status ?? "Done";
                        progress.PercentComplete = percent;
                        progress.RecordType = status == null ? ProgressRecordType.Completed : ProgressRecordType.Processing;
                        WriteProgress(progress);
                    },
                };
                var options = new RollupOptions { RetainDays = RetainDays, RetainHistoryDays = RetainHistoryDays, Days = Day, Force = Force };
                foreach (RolledDay day in rollup.Run(options, d => d == DateTime.MinValue
                    ? ShouldProcess(db.Settings.Database, "Delete daily rows older than " + RetainDays + " days and raw history older than " + RetainHistoryDays + " days")
                    : ShouldProcess(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "Roll up connection minutes")))
                {
                    WriteVerbose("Rolled up " + day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ": " + day.Computers + " computers in " + day.DurationMs + " ms.");
                    if (PassThru) WriteObject(day);
                }
            });
        }
    }
}
