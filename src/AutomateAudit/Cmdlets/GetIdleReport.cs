using System;
using System.Management.Automation;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Idle;

namespace AutomateAudit.Cmdlets
{
    /// <summary>The IdleMon dataview (the latest idle report per computer and user), or active and idle minutes per user over a window beside the computer's online time.</summary>
    [Cmdlet(VerbsCommon.Get, "IdleReport", DefaultParameterSetName = LatestSet)]
    [OutputType(typeof(IdleReportRow), ParameterSetName = new[] { LatestSet })]
    [OutputType(typeof(IdleWindowRow), ParameterSetName = new[] { WindowSet })]
    public sealed class GetIdleReportCommand : AuditReportCmdlet
    {
        public const string LatestSet = "Latest";
        public const string WindowSet = "Window";

        /// <summary>Only these users (wildcards).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] UserName { get; set; }

        /// <summary>Start of the window, in the database server's local time.</summary>
        [Parameter(Mandatory = true, ParameterSetName = WindowSet)]
        public DateTime Start { get; set; }

        /// <summary>End of the window (exclusive), in the database server's local time; default now.</summary>
        [Parameter(ParameterSetName = WindowSet)]
        public DateTime? End { get; set; }

        protected override void BeginProcessing()
        {
            if (ParameterSetName == WindowSet && End.HasValue && End.Value <= Start)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-End (" + End.Value.ToString("s") + ") must be later than -Start (" + Start.ToString("s") + ")."), "InvalidWindow", ErrorCategory.InvalidArgument, End));
        }

        internal override void Report(ComputerFilter filter)
        {
            WithDatabase(session =>
            {
                WriteUnmatched(session, filter);
                var clock = ServerClock.Read(session.Server);
                var report = new IdleReport(session, clock);
                if (ParameterSetName == WindowSet)
                    foreach (IdleWindowRow row in report.Window(filter, UserName, Start, End ?? clock.NowLocal)) WriteObject(row);
                else
                    foreach (IdleReportRow row in report.Latest(filter, UserName)) WriteObject(row);
            });
        }
    }
}
