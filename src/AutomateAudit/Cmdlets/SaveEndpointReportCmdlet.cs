using System;
using System.Collections.Generic;
using System.Management.Automation;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Sessions;

namespace AutomateAudit.Cmdlets
{
    /// <summary>
    /// What Save-UserSession and Save-IdleSample share: the routes a report arrives by (pipeline objects, -Json,
    /// -Payload, -Path to files from File Upload), the computer id from Automate, and one non-terminating
    /// PayloadRejected error per refused report, with nothing of it written.
    /// </summary>
    public abstract class SaveEndpointReportCmdlet : AuditDatabaseCmdlet
    {
        public const string ObjectSet = "Object";
        public const string JsonSet = "Json";
        public const string PayloadSet = "Payload";
        public const string PathSet = "Path";

        private readonly List<PSObject> _objects = new List<PSObject>();
        private readonly List<(int ComputerId, PayloadEnvelope Envelope, string Source)> _reports = new List<(int, PayloadEnvelope, string)>();

        /// <summary>The Automate ComputerID the report belongs to (from Automate, never from the endpoint's text). With -Path, taken from the upload folder's "(id)" when omitted.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ObjectSet)]
        [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
        [Parameter(Mandatory = true, ParameterSetName = PayloadSet)]
        [Parameter(ParameterSetName = PathSet)]
        [ValidateRange(1, int.MaxValue)]
        public int ComputerId { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
        [AllowEmptyCollection]
        public PSObject[] InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
        [ValidateNotNullOrEmpty]
        public string Json { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PayloadSet)]
        [ValidateNotNullOrEmpty]
        public string Payload { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>The kind of report this cmdlet saves (PayloadCodec.SessionsKind or IdleKind).</summary>
        internal abstract string Kind { get; }

        /// <summary>Work after the reports are saved, in the same connection (retention, for Save-IdleSample).</summary>
        internal virtual void AfterSave(Storage.AuditSession session, ServerClock clock) { }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ObjectSet && InputObject != null) _objects.AddRange(InputObject);
            if (ParameterSetName != PathSet) return;
            foreach (string path in Path)
            {
                string full = GetUnresolvedProviderPathFromPSPath(path);
                int? fromFolder = EndpointInput.ComputerIdFromUploadPath(full);
                bool given = MyInvocation.BoundParameters.ContainsKey(nameof(ComputerId));
                if (given && fromFolder.HasValue && fromFolder.Value != ComputerId)
                {
                    WriteError(new ErrorRecord(new ArgumentException("The upload folder of " + full + " names computer " + fromFolder + ", not -ComputerId " + ComputerId + "; nothing was saved from it."),
                        "ComputerIdMismatch", ErrorCategory.InvalidArgument, full));
                    continue;
                }
                int? id = given ? ComputerId : fromFolder;
                if (id == null)
                {
                    WriteError(new ErrorRecord(new ArgumentException("No computer id for " + full + ": give -ComputerId, or keep the file in its upload folder ('<Computer> (<id>)')."),
                        "ComputerIdMissing", ErrorCategory.InvalidArgument, full));
                    continue;
                }
                try { _reports.Add((id.Value, EndpointInput.FromFile(full, Kind), full)); }
                catch (Exception ex) when (ex is PayloadException || ex is System.IO.IOException || ex is UnauthorizedAccessException)
                {
                    WriteError(new ErrorRecord(ex, "PayloadRejected", ErrorCategory.InvalidData, full));
                }
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                if (ParameterSetName == ObjectSet) _reports.Add((ComputerId, EndpointInput.FromObjects(_objects, Kind), "pipeline"));
                else if (ParameterSetName == JsonSet) _reports.Add((ComputerId, PayloadCodec.ParseJson(Json, Kind), "-Json"));
                else if (ParameterSetName == PayloadSet) _reports.Add((ComputerId, PayloadCodec.Decode(Payload, Kind), "-Payload"));
            }
            catch (PayloadException ex)
            {
                // Refused like any other report: non-terminating, so the same problem behaves one way whatever the route.
                WriteError(new ErrorRecord(ex, "PayloadRejected", ErrorCategory.InvalidData, ComputerId));
            }
            WithDatabase(session =>
            {
                var clock = ServerClock.Read(session.Server);
                var reports = new EndpointReports(session, clock);
                foreach (var (computerId, envelope, source) in _reports)
                {
                    CheckedReport report;
                    try { report = reports.Check(computerId, envelope); }
                    catch (PayloadException ex)
                    {
                        WriteError(new ErrorRecord(ex, "PayloadRejected", ErrorCategory.InvalidData, source));
                        continue;
                    }
                    if (!ShouldProcess("computer " + computerId, report.Action)) continue;
                    SavedReport saved = session.InTransaction(report.Write);
                    if (saved.Status == "Stale") WriteWarning("Computer " + computerId + ": the report from " + source + " was not saved whole: " + saved.Reason + ".");
                    if (PassThru) WriteObject(saved);
                }
                AfterSave(session, clock);
            });
        }
    }
}
