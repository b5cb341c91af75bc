using System;
using System.Management.Automation;
using AutomateAudit.Endpoint;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Sessions;

namespace AutomateAudit.Cmdlets
{
    /// <summary>The stored user sessions joined with Automate's tables (ProVal's user session dataview), or who was logged on where in a window.</summary>
    [Cmdlet(VerbsCommon.Get, "UserSessionReport", DefaultParameterSetName = CurrentSet)]
    [OutputType(typeof(UserSessionReportRow), ParameterSetName = new[] { CurrentSet })]
    [OutputType(typeof(UserSessionPeriodRow), ParameterSetName = new[] { WindowSet })]
    public sealed class GetUserSessionReportCommand : AuditReportCmdlet
    {
        public const string CurrentSet = "Current";
        public const string WindowSet = "Window";

        /// <summary>Only sessions of these users (wildcards).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("LoggedInUser")]
        public string[] UserName { get; set; }

        /// <summary>Only sessions in these states (the sessions as last reported).</summary>
        [Parameter(ParameterSetName = CurrentSet)]
        public AutomateAudit.Endpoint.UserSessionState[] State { get; set; }

        /// <summary>Adds every column of the computer's computers, clients, locations and contacts rows, as flat prefixed properties (Computer_Domain, Client_City, Location_Phone, Contact_Email, ...).</summary>
        [Parameter(ParameterSetName = CurrentSet)]
        public SwitchParameter IncludeAllColumns { get; set; }

        /// <summary>Start of the window, in the database server's local time: who was logged on from then.</summary>
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
            var sessions = new SessionFilter { UserName = UserName, State = State == null ? null : Array.ConvertAll(State, s => s.ToString()) };
            WithDatabase(session =>
            {
                WriteUnmatched(session, filter);
                var clock = ServerClock.Read(session.Server);
                var report = new UserSessionReport(session, clock);
                if (ParameterSetName == WindowSet)
                {
                    foreach (UserSessionPeriodRow row in report.Window(filter, sessions, Start, End ?? clock.NowLocal)) WriteObject(row);
                    return;
                }
                foreach (var (row, all) in report.Current(filter, sessions, IncludeAllColumns))
                {
                    if (all == null) { WriteObject(row); continue; }
                    var wrapped = PSObject.AsPSObject(row);
                    foreach (var column in all) wrapped.Properties.Add(new PSNoteProperty(column.Key, column.Value));
                    WriteObject(wrapped);
                }
            });
        }
    }
}
