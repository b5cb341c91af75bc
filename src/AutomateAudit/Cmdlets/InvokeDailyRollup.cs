using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Rolls up every completed day not yet rolled up into pvl_automate_connection_audit_daily, then applies retention.</summary>
    /// <remarks>Medium impact: besides rolling up, it deletes old rows (retention), and each day and the retention are confirmed on their own.</remarks>
    [Cmdlet(VerbsLifecycle.Invoke, "DailyRollup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
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
            var options = new RollupOptions { RetainDays = RetainDays, RetainHistoryDays = RetainHistoryDays, Days = Day, Force = Force };
            WithDatabase(session =>
            {
                var rollup = new DailyRollup(session, ServerClock.Read(session.Server));
                var progress = new ProgressRecord(1, "Invoke-DailyRollup", "Starting");
                using (rollup.Exclusive())
                {
                    var days = rollup.PendingDays(options);
                    var remaining = new HashSet<DateTime>(days);
                    for (int i = 0; i < days.Count; i++)
                    {
                        DateTime day = days[i];
                        remaining.Remove(day);
                        string name = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                        progress.StatusDescription = "Rolling up " + name + " (" + (i + 1) + " of " + days.Count + ")";
                        progress.PercentComplete = i * 100 / days.Count;
                        WriteProgress(progress);
                        if (!ShouldProcess(name, "Roll up connection minutes")) continue;
                        RolledDay rolled = rollup.RollDay(day, remaining);
                        WriteVerbose("Rolled up " + name + ": " + rolled.Computers + " computers in " + rolled.DurationMs + " ms.");
                        if (PassThru) WriteObject(rolled);
                    }
                    RetentionPlan plan = rollup.PlanRetention(options, count: false);
                    string action = "Delete daily rows before " + plan.DailyBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) +
                        ", raw history and run log before " + plan.HistoryBeforeUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
                    if (ShouldProcessWithDetail(session.Settings.Database, action, () =>
                    {
                        RetentionPlan counted = rollup.PlanRetention(options, count: true);
                        return "Retention would delete " + counted.DailyRows + " row(s) of pvl_automate_connection_audit_daily, " + counted.HistoryRows +
                            " row(s) of pvl_automate_connection_audit and " + counted.RunLogRows + " row(s) of aa_run_log.";
                    }))
                    {
                        progress.StatusDescription = "Applying retention";
                        progress.PercentComplete = 95;
                        WriteProgress(progress);
                        RetentionPlan done = rollup.ApplyRetention(plan);
                        WriteVerbose("Retention deleted " + done.DailyRows + " daily row(s), " + done.HistoryRows + " history row(s) and " + done.RunLogRows + " run(s).");
                    }
                }
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            });
        }
    }
}
