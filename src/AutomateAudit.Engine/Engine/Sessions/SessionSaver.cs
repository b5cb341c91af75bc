using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Sessions
{
    /// <summary>What Save-UserSession (or Import-AuditInbox) did with one report.</summary>
    public sealed class SavedReport
    {
        public int ComputerId { get; set; }
        public string ComputerName { get; set; }
        public string Kind { get; set; }
        /// <summary>When the endpoint made the report (server local time).</summary>
        public DateTime? Generated { get; set; }
        public int Items { get; set; }
        public int Events { get; set; }
        /// <summary>Saved, Stale (an older report than the one already saved: nothing overwritten), or Rejected.</summary>
        public string Status { get; set; }
        public string Reason { get; set; }
        /// <summary>The inbox row it came from, for Import-AuditInbox.</summary>
        public long? InboxId { get; set; }
    }

    /// <summary>
    /// Saves one computer's session report in one transaction: ProVal's rows for its dataview, the module's
    /// current sessions and history, and the computer's last report time. A report older than the one already
    /// saved never overwrites it.
    /// </summary>
    internal sealed class SessionSaver
    {
        private readonly AuditSession _session;
        private SessionValidator.Limits _limits;

        public SessionSaver(AuditSession session) { _session = session; }

        /// <summary>Checks a report against everything the server knows (its clock, its columns, that the computer exists); throws PayloadException when it is refused.</summary>
        public SessionBatch Check(int computerId, PayloadEnvelope envelope, ServerClock clock)
        {
            if (!_session.Computers.ExistingComputerIds(new[] { computerId }).Contains(computerId))
                throw new PayloadException("Automate has no computer with ComputerID " + computerId + ".");
            _limits = _limits ?? SessionValidator.Limits.From(_session.Schema);
            return SessionValidator.Validate(computerId, envelope, clock.NowUtc, _limits);
        }

        /// <summary>Writes a checked report inside the caller's transaction.</summary>
        public SavedReport Write(SessionBatch batch, ServerClock clock)
        {
            var report = new SavedReport
            {
                ComputerId = batch.ComputerId, ComputerName = batch.ComputerName, Kind = PayloadCodec.SessionsKind,
                Generated = clock.ToLocal(batch.GeneratedUtc), Items = batch.Sessions.Count, Events = batch.Events.Count,
            };
            DateTime? last = _session.Sessions.LastGenerated(batch.ComputerId, PayloadCodec.SessionsKind);
            if (last.HasValue && last.Value > batch.GeneratedUtc)
            {
                report.Status = "Stale";
                report.Reason = "made at " + clock.ToLocal(batch.GeneratedUtc).ToString("yyyy-MM-dd HH:mm:ss") + ", before the report already saved (" + clock.ToLocal(last.Value).ToString("yyyy-MM-dd HH:mm:ss") + ")";
                return report;
            }
            _session.Sessions.ReplaceProValRows(batch.ComputerId, batch.Sessions);
            _session.Sessions.ReplaceCurrent(batch.ComputerId, batch.GeneratedUtc, batch.Sessions);
            _session.Sessions.MergeHistory(batch.ComputerId, batch.GeneratedUtc, batch.Sessions, batch.Events);
            _session.Sessions.MarkReported(batch.ComputerId, PayloadCodec.SessionsKind, batch.GeneratedUtc, batch.Sessions.Count, batch.ComputerName);
            report.Status = "Saved";
            return report;
        }

        /// <summary>Checks and saves in one transaction.</summary>
        public SavedReport Save(int computerId, PayloadEnvelope envelope, ServerClock clock)
        {
            SessionBatch batch = Check(computerId, envelope, clock);
            return _session.InTransaction(() => Write(batch, clock));
        }
    }
}
