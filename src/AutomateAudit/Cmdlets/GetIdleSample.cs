using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Idle;
using AutomateAudit.Endpoint.Payload;

namespace AutomateAudit.Cmdlets
{
    /// <summary>This machine's users' idle time now, or their active and idle minutes per hour: for an Automate script step on the endpoint.</summary>
    /// <remarks>An endpoint cmdlet: it loads no database library. Run it as SYSTEM (Windows) or root (Linux).</remarks>
    [Cmdlet(VerbsCommon.Get, "IdleSample", DefaultParameterSetName = ObjectsSet)]
    [OutputType(typeof(IdleSample), typeof(IdleHour), ParameterSetName = new[] { ObjectsSet })]
    [OutputType(typeof(string), ParameterSetName = new[] { PayloadSet, JsonSet })]
    public sealed class GetIdleSampleCommand : PSCmdlet
    {
        public const string ObjectsSet = "Objects";
        public const string PayloadSet = "Payload";
        public const string JsonSet = "Json";

        /// <summary>Only these users (wildcards).</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] UserName { get; set; }

        /// <summary>Writes the active, idle and unknown minutes per user per hour from the sampler's history instead of the current samples.</summary>
        [Parameter(ParameterSetName = ObjectsSet)]
        public SwitchParameter Summary { get; set; }

        /// <summary>The hours from this time on (default 24 hours ago): a frequent Automate run sends only what is new. The hour still going on is always included.</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Windows: the profiles folder where each user's sampler log and IdleMon's idletime.json are (default C:\Users). On Linux, give it to read IdleMon files copied from elsewhere.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ProfileRoot { get; set; }

        /// <summary>Linux: the sampler's folder (default /var/lib/automateaudit/idle).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string LogDirectory { get; set; }

        /// <summary>Linux: read the sessions from another utmp file (as Get-UserSession -UtmpPath).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string UtmpPath { get; set; }

        /// <summary>Writes one line of base64 (the current samples and the hours since -Since) for an Automate variable.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PayloadSet)]
        public SwitchParameter AsPayload { get; set; }

        /// <summary>Writes the same report as JSON, for a file sent with File Upload.</summary>
        [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
        public SwitchParameter AsJson { get; set; }

        protected override void EndProcessing()
        {
            IdleCollector collector = null;
            try
            {
                string utmp = UtmpPath == null ? null : GetUnresolvedProviderPathFromPSPath(UtmpPath);
                if (utmp != null && !System.IO.File.Exists(utmp))
                    ThrowTerminatingError(new ErrorRecord(new System.IO.FileNotFoundException("There is no file " + UtmpPath + ".", UtmpPath), "FileNotFound", ErrorCategory.ObjectNotFound, UtmpPath));
                collector = new IdleCollector(ProfileRoot == null ? null : GetUnresolvedProviderPathFromPSPath(ProfileRoot),
                    LogDirectory == null ? null : GetUnresolvedProviderPathFromPSPath(LogDirectory), utmp);
            }
            catch (PlatformNotSupportedException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "PlatformNotSupported", ErrorCategory.NotImplemented, null));
            }
            DateTime now = DateTime.UtcNow;
            DateTime since = (Since ?? DateTime.Now.AddHours(-24)).ToUniversalTime();
            var warnings = new List<string>();
            List<IdleSample> samples = null;
            List<IdleHour> hours = null;
            try
            {
                if (!Summary) samples = collector.Current(now, warnings).Where(s => Wanted(s.UserName)).ToList();
                if (Summary || ParameterSetName != ObjectsSet) hours = collector.Hours(since, now, samples?.FirstOrDefault()?.ComputerName).Where(h => Wanted(h.UserName)).ToList();
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is System.ComponentModel.Win32Exception)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "IdleUnreadable", ErrorCategory.ReadError, null));
            }
            foreach (string warning in warnings) WriteWarning(warning);
            if (ParameterSetName == ObjectsSet)
            {
                if (Summary) foreach (IdleHour h in hours) WriteObject(h);
                else foreach (IdleSample s in samples) WriteObject(s);
                return;
            }
            var machine = Endpoint.Platform.ThisMachine.Open().Machine;
            var envelope = new PayloadEnvelope
            {
                Kind = PayloadCodec.IdleKind, ComputerName = machine.ComputerName, AgentId = machine.AgentId, GeneratedUtc = now,
                Items = samples.Select(IdleJson.ToMembers).ToList(),
                Hours = hours.Select(IdleJson.ToMembers).ToList(),
            };
            try
            {
                WriteObject(AsPayload ? PayloadCodec.Encode(envelope) : PayloadCodec.ToJson(envelope));
            }
            catch (PayloadException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "PayloadTooLarge", ErrorCategory.LimitsExceeded, samples.Count));
            }
        }

        private bool Wanted(string user) =>
            UserName == null || (user != null && UserName.Any(p => new WildcardPattern(p, WildcardOptions.IgnoreCase).IsMatch(user)));
    }
}
