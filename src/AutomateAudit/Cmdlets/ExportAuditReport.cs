using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Html;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Writes one self-contained HTML page: fleet and per-client uptime, outages, per-computer uptime bars, users and activity.</summary>
    [Cmdlet(VerbsData.Export, "AuditReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportAuditReportCommand : AuditReportCmdlet
    {
        /// <summary>The HTML file to write (overwritten if it exists).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Start of the window in the database server's local time; default 7 days before -End.</summary>
        [Parameter]
        public DateTime? Start { get; set; }

        /// <summary>End of the window (exclusive) in the database server's local time; default now.</summary>
        [Parameter]
        public DateTime? End { get; set; }

        /// <summary>The page's heading and title.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Title { get; set; }

        /// <summary>Most computers shown one by one (rows, bars, usage rows); summaries always cover every computer.</summary>
        [Parameter]
        [ValidateRange(1, 100000)]
        public int MaxComputers { get; set; } = AuditReportModel.DefaultMaxComputers;

        /// <summary>Writes the FileInfo of the written page.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            // Checked before any connection is made.
            if (Start.HasValue && End.HasValue && End.Value <= Start.Value)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-End (" + End.Value.ToString("s") + ") must be later than -Start (" + Start.Value.ToString("s") + ")."), "InvalidWindow", ErrorCategory.InvalidArgument, End));
        }

        internal override void Report(ComputerFilter filter)
        {
            string path = GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(path, "Write HTML audit report")) return;
            string html = null;
            WithDatabase(session =>
            {
                WriteUnmatched(session, filter);
                var builder = new AuditReportBuilder(session, ServerClock.Read(session.Server), ConnectionRecorder.DefaultOfflineAfter);
                AuditReportModel model = builder.Build(filter, Start, End, MaxComputers, Title, step => WriteVerbose("Export-AuditReport: " + step));
                html = AuditReportPage.Render(model);
            });
            if (html == null) return;
            try
            {
                File.WriteAllText(path, html, new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is ArgumentException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "ReportNotWritten", ErrorCategory.WriteError, path));
            }
            if (PassThru) WriteObject(new FileInfo(path));
        }
    }
}
