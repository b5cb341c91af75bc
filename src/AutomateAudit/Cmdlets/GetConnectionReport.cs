using System;
using System.Management.Automation;
using AutomateAudit.Engine;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Online, offline and unknown time per computer: the last 24 hours, 7 days and 30 days, or any window.</summary>
    [Cmdlet(VerbsCommon.Get, "ConnectionReport", DefaultParameterSetName = RollingSet)]
    [OutputType(typeof(ConnectionReportRow), ParameterSetName = new[] { RollingSet })]
    [OutputType(typeof(ConnectionWindowRow), ParameterSetName = new[] { WindowSet })]
    public sealed class GetConnectionReportCommand : AuditReportCmdlet
    {
        public const string RollingSet = "Rolling";
        public const string WindowSet = "Window";

        /// <summary>Start of the window, in the database server's local time.</summary>
        [Parameter(Mandatory = true, ParameterSetName = WindowSet)]
        public DateTime Start { get; set; }

        /// <summary>End of the window (exclusive), in the database server's local time; default now.</summary>
        [Parameter(ParameterSetName = WindowSet)]
        public DateTime? End { get; set; }

        [Parameter]
        [ValidateRange(1, 1440)]
        public int OfflineAfter { get; set; } = (int)ConnectionRecorder.DefaultOfflineAfter.TotalMinutes;

        protected override void BeginProcessing()
        {
            // Checked before any connection is made.
            if (ParameterSetName == WindowSet && End.HasValue && End.Value <= Start)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-End (" + End.Value.ToString("s") + ") must be later than -Start (" + Start.ToString("s") + ")."), "InvalidWindow", ErrorCategory.InvalidArgument, End));
        }

        internal override void Report(ComputerFilter filter)
        {
            WithDatabase(session =>
            {
                WriteUnmatched(session, filter);
                var reports = new ConnectionReports(session, ServerClock.Read(session.Server), TimeSpan.FromMinutes(OfflineAfter));
                if (ParameterSetName == WindowSet)
                {
                    // Time nothing covers (before the history held, or not recorded) is Unknown for every computer: say so once.
                    string warning = reports.Window.Uncovered(Start, End).Warning();
                    if (warning != null) WriteWarning(warning);
                    foreach (var row in reports.Window.Rows(filter, Start, End)) WriteObject(row);
                }
                else
                {
                    foreach (var row in reports.Rolling.Rows(filter)) WriteObject(row);
                }
            });
        }
    }
}
