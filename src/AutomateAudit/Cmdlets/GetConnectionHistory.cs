using System;
using System.Management.Automation;
using AutomateAudit.Engine;

namespace AutomateAudit.Cmdlets
{
    public enum HistoryState { Online, Offline, Unknown }

    /// <summary>Each online, offline and unknown period of each computer in a window: the outage list.</summary>
    [Cmdlet(VerbsCommon.Get, "ConnectionHistory")]
    [OutputType(typeof(ConnectionPeriodRow))]
    public sealed class GetConnectionHistoryCommand : AuditReportCmdlet
    {
        /// <summary>Start of the window in the database server's local time; default 7 days before -End.</summary>
        [Parameter]
        public DateTime? Start { get; set; }

        /// <summary>End of the window (exclusive) in the database server's local time; default now.</summary>
        [Parameter]
        public DateTime? End { get; set; }

        /// <summary>Only periods in these states (for example Offline: the outage list).</summary>
        [Parameter]
        public HistoryState[] State { get; set; }

        /// <summary>Only periods at least this many minutes long.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public double MinimumMinutes { get; set; }

        protected override void BeginProcessing()
        {
            // Checked before any connection is made.
            if (Start.HasValue && End.HasValue && End.Value <= Start.Value)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-End (" + End.Value.ToString("s") + ") must be later than -Start (" + Start.Value.ToString("s") + ")."), "InvalidWindow", ErrorCategory.InvalidArgument, End));
        }

        internal override void Report(ComputerFilter filter)
        {
            WithDatabase(session =>
            {
                WriteUnmatched(session, filter);
                var reports = new ConnectionReports(session, ServerClock.Read(session.Server), ConnectionRecorder.DefaultOfflineAfter);
                foreach (ConnectionPeriodRow period in reports.History.Periods(filter, Start, End))
                {
                    if (State != null && Array.IndexOf(State, (HistoryState)Enum.Parse(typeof(HistoryState), period.State)) < 0) continue;
                    if (period.DurationMinutes < MinimumMinutes) continue;
                    WriteObject(period);
                }
            });
        }
    }
}
