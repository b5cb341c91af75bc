using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Endpoint.Platform;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Lists this machine's user sessions (WTS API on Windows; utmp and logind on Linux), optionally with their logon and logoff events.</summary>
    /// <remarks>An endpoint cmdlet: it loads no database library.</remarks>
    [Cmdlet(VerbsCommon.Get, "UserSession", DefaultParameterSetName = ObjectsSet)]
    [OutputType(typeof(UserSession), typeof(SessionEvent), ParameterSetName = new[] { ObjectsSet })]
    [OutputType(typeof(string), ParameterSetName = new[] { PayloadSet, JsonSet })]
    public sealed class GetUserSessionCommand : PSCmdlet
    {
        public const string ObjectsSet = "Objects";
        public const string PayloadSet = "Payload";
        public const string JsonSet = "Json";

        /// <summary>Only sessions of these users (wildcards).</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] UserName { get; set; }

        /// <summary>Only sessions in these states.</summary>
        [Parameter]
        public AutomateAudit.Endpoint.UserSessionState[] State { get; set; }

        /// <summary>Adds the sessions without a user: services (session 0) and listeners on Windows, greeters and background sessions on Linux.</summary>
        [Parameter]
        public SwitchParameter IncludeSystem { get; set; }

        /// <summary>Adds the logon, logoff, disconnect and reconnect events recorded since -Since.</summary>
        [Parameter]
        public SwitchParameter IncludeEvents { get; set; }

        /// <summary>With -IncludeEvents: from when (default 24 hours ago).</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Writes one line of base64 for an Automate variable (at most 60,000 characters), instead of objects.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PayloadSet)]
        public SwitchParameter AsPayload { get; set; }

        /// <summary>Writes the report as JSON text, for a file sent with Automate's File Upload step (no size limit of a variable).</summary>
        [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
        public SwitchParameter AsJson { get; set; }

        /// <summary>Linux: read another utmp file (as `who FILE`). Default /run/utmp.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string UtmpPath { get; set; }

        /// <summary>Linux: read another wtmp file for -IncludeEvents (as `last -f FILE`). Default /var/log/wtmp.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string WtmpPath { get; set; }

        protected override void EndProcessing()
        {
            if (Since.HasValue && !IncludeEvents)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Since applies to events: add -IncludeEvents."), "SinceWithoutEvents", ErrorCategory.InvalidArgument, Since));
            foreach (string path in new[] { UtmpPath, WtmpPath })
            {
                if (path != null && !System.IO.File.Exists(GetUnresolvedProviderPathFromPSPath(path)))
                    ThrowTerminatingError(new ErrorRecord(new System.IO.FileNotFoundException("There is no file " + path + ".", path), "FileNotFound", ErrorCategory.ObjectNotFound, path));
            }
            (ISessionSource source, IMachineInfo machine) platform = default;
            try
            {
                platform = ThisMachine.Open(UtmpPath == null ? null : GetUnresolvedProviderPathFromPSPath(UtmpPath), WtmpPath == null ? null : GetUnresolvedProviderPathFromPSPath(WtmpPath));
            }
            catch (PlatformNotSupportedException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "PlatformNotSupported", ErrorCategory.NotImplemented, null));
            }
            List<UserSession> sessions;
            try
            {
                sessions = platform.source.GetSessions(IncludeSystem).Where(Wanted).ToList();
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is System.ComponentModel.Win32Exception)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "SessionsUnreadable", ErrorCategory.ReadError, null));
                return;
            }
            var events = new List<SessionEvent>();
            if (IncludeEvents)
            {
                DateTime since = (Since ?? DateTime.Now.AddHours(-24)).ToUniversalTime();
                try
                {
                    events = platform.source.GetEvents(since).Where(e => UserName == null || Matches(e.UserName)).ToList();
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is System.ComponentModel.Win32Exception)
                {
                    WriteError(new ErrorRecord(ex, "EventsUnreadable", ErrorCategory.ReadError, null));
                }
            }
            foreach (string warning in platform.source.Warnings) WriteWarning(warning);

            if (ParameterSetName == ObjectsSet)
            {
                foreach (UserSession s in sessions) WriteObject(s);
                foreach (SessionEvent e in events) WriteObject(e);
                return;
            }
            var envelope = new PayloadEnvelope
            {
                Kind = PayloadCodec.SessionsKind, ComputerName = platform.machine.ComputerName, AgentId = platform.machine.AgentId, GeneratedUtc = DateTime.UtcNow,
                Items = sessions.Select(SessionJson.ToMembers).ToList(),
                Events = events.Select(SessionJson.ToMembers).ToList(),
            };
            try
            {
                WriteObject(AsPayload ? PayloadCodec.Encode(envelope) : PayloadCodec.ToJson(envelope));
            }
            catch (PayloadException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "PayloadTooLarge", ErrorCategory.LimitsExceeded, sessions.Count));
            }
        }

        private bool Wanted(UserSession s) =>
            (UserName == null || Matches(s.UserName)) && (State == null || State.Length == 0 || Array.IndexOf(State, s.State) >= 0);

        private bool Matches(string user) =>
            user != null && UserName.Any(p => new WildcardPattern(p, WildcardOptions.IgnoreCase).IsMatch(user));
    }
}
