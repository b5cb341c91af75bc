using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using AutomateAudit.Endpoint.Idle.Linux;
using AutomateAudit.Endpoint.Idle.Windows;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Installs the idle sampler: on Windows a logon task that starts it in every user's session (and starts it in the sessions already open); on Linux one systemd service.</summary>
    [Cmdlet(VerbsLifecycle.Register, "IdleSampler", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string))]
    public sealed class RegisterIdleSamplerCommand : PSCmdlet
    {
        /// <summary>Users never monitored (shared kiosks, users who must not be monitored): DOMAIN\user or user on Windows, user on Linux.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] ExcludeUser { get; set; }

        /// <summary>Seconds without input after which a user counts as idle (default 300).</summary>
        [Parameter]
        [ValidateRange(60, 86400)]
        public int IdleThreshold { get; set; } = 300;

        /// <summary>Linux: the pwsh the service runs (default the first pwsh on PATH).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string PwshPath { get; set; }

        /// <summary>Linux: where systemd units go (default /etc/systemd/system).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string UnitDirectory { get; set; }

        /// <summary>Writes what was done, one line per step.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            string moduleBase = MyInvocation.MyCommand.Module?.ModuleBase ?? Path.GetDirectoryName(typeof(RegisterIdleSamplerCommand).Assembly.Location);
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) RegisterOnWindows(moduleBase);
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) RegisterOnLinux(moduleBase);
                else throw new PlatformNotSupportedException("The idle sampler runs on Windows and Linux endpoints only.");
            }
            catch (Exception ex) when (ex is ArgumentException || ex is FileNotFoundException || ex is PlatformNotSupportedException || ex is InvalidOperationException || ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "IdleSamplerNotRegistered", ErrorCategory.InvalidOperation, null));
            }
        }

        private void RegisterOnWindows(string moduleBase)
        {
            var setup = new WindowsIdleSamplerSetup(IdleSamplerPaths.ForThisMachine(Path.Combine(moduleBase, "sampler", IdleSamplerPaths.ExeName)), new WindowsIdleSamplerHost());
            var exclude = ExcludeUser ?? new string[0];
            TimeSpan threshold = TimeSpan.FromSeconds(IdleThreshold);
            if (!ShouldProcess(Environment.MachineName, "Install the idle sampler:" + Environment.NewLine + string.Join(Environment.NewLine, setup.Plan(exclude, threshold)))) return;
            var result = setup.Apply(exclude, threshold);
            foreach (string warning in result.Warnings) WriteWarning(warning);
            foreach (string done in result.Done) { WriteVerbose(done); if (PassThru) WriteObject(done); }
        }

        private void RegisterOnLinux(string moduleBase)
        {
            string pwsh = PwshPath ?? FindOnPath("pwsh") ?? throw new FileNotFoundException("No pwsh on PATH: give -PwshPath (the service runs the sampler in PowerShell 7).");
            var parameters = new List<KeyValuePair<string, string>>();
            if (IdleThreshold != 300) parameters.Add(new KeyValuePair<string, string>("IdleThreshold", IdleThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var setup = new LinuxIdleSamplerSetup(pwsh, Path.Combine(moduleBase, "AutomateAudit.psd1"), ExcludeUser, parameters,
                UnitDirectory == null ? null : GetUnresolvedProviderPathFromPSPath(UnitDirectory));
            foreach (SetupStep step in setup.Plan())
            {
                if (!ShouldProcess(step.Target, step.ToString())) continue;
                setup.Execute(new[] { step });
                WriteVerbose(step.ToString());
                if (PassThru) WriteObject(step.ToString());
            }
        }

        internal static string FindOnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Where(d => d.Length > 0).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
    }
}
