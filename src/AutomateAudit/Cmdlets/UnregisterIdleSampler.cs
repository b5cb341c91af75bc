using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using AutomateAudit.Endpoint.Idle.Linux;
using AutomateAudit.Endpoint.Idle.Windows;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Removes every trace of the idle sampler: the task or service, running samplers, the program, the exclusion list and the users' idle logs.</summary>
    [Cmdlet(VerbsLifecycle.Unregister, "IdleSampler", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(string))]
    public sealed class UnregisterIdleSamplerCommand : PSCmdlet
    {
        /// <summary>Linux: where the systemd unit was put (default /etc/systemd/system).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string UnitDirectory { get; set; }

        /// <summary>Writes what was done, one line per step.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    var setup = new WindowsIdleSamplerSetup(IdleSamplerPaths.ForThisMachine(null), new WindowsIdleSamplerHost());
                    if (!ShouldProcess(Environment.MachineName, "Remove the idle sampler:" + Environment.NewLine + string.Join(Environment.NewLine, setup.PlanRemoval()))) return;
                    var result = setup.Remove();
                    foreach (string warning in result.Warnings) WriteWarning(warning);
                    foreach (string done in result.Done) { WriteVerbose(done); if (PassThru) WriteObject(done); }
                }
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    var setup = new LinuxIdleSamplerSetup("pwsh", string.Empty, unitDirectory: UnitDirectory == null ? null : GetUnresolvedProviderPathFromPSPath(UnitDirectory));
                    foreach (SetupStep step in setup.PlanUnregister())
                    {
                        if (!ShouldProcess(step.Target, step.ToString())) continue;
                        setup.Execute(new[] { step });
                        WriteVerbose(step.ToString());
                        if (PassThru) WriteObject(step.ToString());
                    }
                }
                else throw new PlatformNotSupportedException("The idle sampler runs on Windows and Linux endpoints only.");
            }
            catch (Exception ex) when (ex is PlatformNotSupportedException || ex is InvalidOperationException || ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "IdleSamplerNotRemoved", ErrorCategory.InvalidOperation, null));
            }
        }
    }
}
