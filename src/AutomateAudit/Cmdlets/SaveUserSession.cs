using System.Management.Automation;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine.Sessions;

namespace AutomateAudit.Cmdlets
{
    /// <summary>Saves an endpoint's sessions for one computer: pipeline objects, JSON, a payload, or files from File Upload.</summary>
    [Cmdlet(VerbsData.Save, "UserSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(SavedReport))]
    public sealed class SaveUserSessionCommand : SaveEndpointReportCmdlet
    {
        internal override string Kind => PayloadCodec.SessionsKind;
    }
}
