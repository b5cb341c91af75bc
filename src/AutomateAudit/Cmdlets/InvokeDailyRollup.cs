using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Rolls up every completed day not yet rolled up into pvl_automate_connection_audit_daily and aa_connection_summary, then applies retention.</summary>
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

        /// <summary>Months of long-term figures (aa_connection_summary) kept before the current month.</summary>
        [Parameter]
        [ValidateRange(2, 120)]
        public int RetainSummaryMonths { get; set; } = 13;

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
            var options = new RollupOptions { RetainDays = RetainDays, RetainHistoryDays = RetainHistoryDays, RetainSummaryMonths = RetainSummaryMonths, Days = Day, Force = Force };
            try
            {
                DailyRollup.Validate(options);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                // Checked before any connection is made.
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(ex.Message, ex), "InvalidRetention", ErrorCategory.InvalidArgument, RetainSummaryMonths));
            }
            WithDatabase(session =>
            {
                var rollup = new DailyRollup(session, ServerClock.Read(session.Server));
                var progress = new ProgressRecord(1, "Invoke-DailyRollup", "Starting");
                using (rollup.Exclusive())
                {
                    var days = rollup.PendingDays(options);
                    if (Day != null)
                    {
                        foreach (DateTime asked in Day.Select(d => d.Date).Distinct().Where(d => !days.Contains(d) && d < rollup.RerollFrom(options)))
                            WriteWarning(asked.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " is not rolled up again: " +
                                (asked < rollup.SummaryFrom(options) ? "it is older than -RetainSummaryMonths keeps." : "its raw history is older than -RetainHistoryDays and may have been thinned by retention; its figures are kept as they are."));
                    }
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
                        RolledDay rolled = rollup.RollDay(day, remaining, options);
                        WriteVerbose("Rolled up " + name + ": " + rolled.Computers + " computers in " + rolled.DurationMs + " ms" +
                            (day < rollup.DailyFrom(options) ? " (summary figures only: older than -RetainDays)." : "."));
                        if (PassThru) WriteObject(rolled);
                    }
                    RetentionPlan plan = rollup.PlanRetention(options, count: false);
                    string action = "Delete daily rows before " + plan.DailyBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) +
                        ", summary figures before " + plan.SummaryBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) +
                        ", raw history and run log before " + plan.HistoryBeforeUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
                    if (ShouldProcessWithDetail(session.Settings.Database, action, () =>
                    {
                        RetentionPlan counted = rollup.PlanRetention(options, count: true);
                        return "Retention would delete " + counted.DailyRows + " row(s) of pvl_automate_connection_audit_daily, " + counted.SummaryRows +
                            " row(s) of aa_connection_summary, " + counted.HistoryRows +
                            " row(s) of pvl_automate_connection_audit and " + counted.RunLogRows + " row(s) of aa_run_log.";
                    }))
                    {
                        progress.StatusDescription = "Applying retention";
                        progress.PercentComplete = 95;
                        WriteProgress(progress);
                        RetentionPlan done = rollup.ApplyRetention(plan);
                        WriteVerbose("Retention deleted " + done.DailyRows + " daily row(s), " + done.SummaryRows + " summary row(s), " + done.HistoryRows + " history row(s) and " + done.RunLogRows + " run(s).");
                    }
                }
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            });
        }
    }
}
