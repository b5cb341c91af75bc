using System;
using System.Collections.Generic;
using System.Management.Automation;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Sessions;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Saves an endpoint's sessions for one computer: pipeline objects, JSON, a payload, or files from File Upload.</summary>
    [Cmdlet(VerbsData.Save, "UserSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(SavedReport))]
    public sealed class SaveUserSessionCommand : AuditDatabaseCmdlet
    {
        public const string ObjectSet = "Object";
        public const string JsonSet = "Json";
        public const string PayloadSet = "Payload";
        public const string PathSet = "Path";

        private readonly List<PSObject> _objects = new List<PSObject>();

        /// <summary>The Automate ComputerID the sessions belong to (from Automate, never from the endpoint's text). With -Path, taken from the upload folder's "(id)" when omitted.</summary>
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

        private readonly List<(int ComputerId, PayloadEnvelope Envelope, string Source)> _reports = new List<(int, PayloadEnvelope, string)>();

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
                try { _reports.Add((id.Value, EndpointInput.FromFile(full, PayloadCodec.SessionsKind), full)); }
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
                if (ParameterSetName == ObjectSet) _reports.Add((ComputerId, EndpointInput.FromObjects(_objects, PayloadCodec.SessionsKind), "pipeline"));
                else if (ParameterSetName == JsonSet) _reports.Add((ComputerId, PayloadCodec.ParseJson(Json, PayloadCodec.SessionsKind), "-Json"));
                else if (ParameterSetName == PayloadSet) _reports.Add((ComputerId, PayloadCodec.Decode(Payload, PayloadCodec.SessionsKind), "-Payload"));
            }
            catch (PayloadException ex)
            {
                // Refused like any other report: non-terminating, so the same problem behaves one way whatever the route.
                WriteError(new ErrorRecord(ex, "PayloadRejected", ErrorCategory.InvalidData, ComputerId));
            }
            if (_reports.Count == 0) return;
            WithDatabase(session =>
            {
                var clock = ServerClock.Read(session.Server);
                var saver = new SessionSaver(session);
                foreach (var (computerId, envelope, source) in _reports)
                {
                    SessionBatch batch;
                    try { batch = saver.Check(computerId, envelope, clock); }
                    catch (PayloadException ex)
                    {
                        WriteError(new ErrorRecord(ex, "PayloadRejected", ErrorCategory.InvalidData, source));
                        continue;
                    }
                    if (!ShouldProcess("computer " + computerId, "Save " + batch.Sessions.Count + " session(s) and " + batch.Events.Count + " event(s)")) continue;
                    SavedReport saved = session.InTransaction(() => saver.Write(batch, clock));
                    if (saved.Status == "Stale") WriteWarning("Computer " + computerId + ": the report from " + source + " was not saved: " + saved.Reason + ".");
                    if (PassThru) WriteObject(saved);
                }
            });
        }
    }
}
