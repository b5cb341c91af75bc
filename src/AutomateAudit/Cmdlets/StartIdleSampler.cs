using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Threading;
using AutomateAudit.Endpoint.Idle.Linux;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Linux: samples every session's idle time until stopped, writing each user's history; what the systemd service Register-IdleSampler installs runs.</summary>
    [Cmdlet(VerbsLifecycle.Start, "IdleSampler")]
    [OutputType(typeof(void))]
    public sealed class StartIdleSamplerCommand : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>Where the per-user logs go (default /var/lib/automateaudit/idle).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string LogDirectory { get; set; }

        /// <summary>Seconds without input after which a user counts as idle (default 300).</summary>
        [Parameter]
        [ValidateRange(10, 86400)]
        public int IdleThreshold { get; set; } = 300;

        /// <summary>Seconds between samples (default 5).</summary>
        [Parameter]
        [ValidateRange(1, 300)]
        public int Interval { get; set; } = 5;

        /// <summary>Users never sampled (added to those in /etc/automateaudit/idle-exclude).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] ExcludeUser { get; set; }

        /// <summary>Stop after this many seconds (for a trial run); default: until stopped.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Seconds { get; set; }

        protected override void StopProcessing() => _stop.Cancel();

        protected override void EndProcessing()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                ThrowTerminatingError(new ErrorRecord(new PlatformNotSupportedException("Start-IdleSampler is the Linux sampler. On Windows the sampler runs inside each user's session: run Register-IdleSampler."),
                    "PlatformNotSupported", ErrorCategory.NotImplemented, null));
            var sampler = new LinuxIdleSampler(LogDirectory == null ? null : GetUnresolvedProviderPathFromPSPath(LogDirectory),
                TimeSpan.FromSeconds(Interval), TimeSpan.FromSeconds(IdleThreshold), ExcludeUser, warn: WriteWarning);
            if (Seconds.HasValue) _stop.CancelAfter(TimeSpan.FromSeconds(Seconds.Value));
            WriteVerbose("Sampling every " + Interval + " s into " + sampler.LogDirectory + "; idle after " + IdleThreshold + " s without input.");
            sampler.Run(_stop.Token);
        }
    }
}
