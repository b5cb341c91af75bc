using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Sessions
{
    internal sealed class InboxOptions
    {
        /// <summary>Rejected payloads are kept this many days for whoever investigates, then purged.</summary>
        public int RetainDays { get; set; } = 14;
        /// <summary>At most this many pending payloads per computer; older ones beyond it are rejected (a flooding endpoint).</summary>
        public int MaxPendingPerComputer { get; set; } = 20;
    }

    /// <summary>
    /// Drains aa_endpoint_inbox: decodes and checks each payload and applies it. An applied payload is deleted
    /// in the transaction that applies it; a refused one stays with its reason. Each computer's payloads are
    /// applied in the order the endpoint made them, so one that arrives late never overwrites newer data.
    /// Drainers are serialised by a named lock.
    /// </summary>
    internal sealed class InboxImporter
    {
        public const string LockName = "AutomateAudit.Inbox";
        /// <summary>Rejected payloads kept per computer (the newest): enough to investigate, too few to fill the table.</summary>
        public const int MaxRejectedPerComputer = 50;
        private const int ComputerChunk = 500;

        private readonly AuditSession _session;
        private readonly ServerClock _clock;
        private readonly EndpointReports _reports;

        public InboxImporter(AuditSession session, ServerClock clock)
        {
            _session = session;
            _clock = clock;
            _reports = new EndpointReports(session, clock);
        }

        public int LockTimeoutSeconds { get; set; } = 60;

        public IEnumerable<SavedReport> Drain(InboxOptions options)
        {
            if (!_session.Server.TryGetLock(LockName, LockTimeoutSeconds))
                throw new AuditDatabaseException("Another Import-AuditInbox has held the lock '" + LockName + "' on " + _session.Settings.Describe() + " for over " + LockTimeoutSeconds + " seconds; nothing was imported.");
            try
            {
                int after = int.MinValue;
                while (true)
                {
                    List<int> computers = _session.Inbox.ComputersWithPending(after, ComputerChunk);
                    if (computers.Count == 0) break;
                    after = computers[computers.Count - 1];
                    foreach (int computerId in computers)
                        foreach (SavedReport report in DrainComputer(computerId, options)) yield return report;
                }
                _session.Inbox.PurgeRejected(_clock.NowUtc.AddDays(-options.RetainDays), 5000);
            }
            finally
            {
                _session.Server.ReleaseLock(LockName);
            }
        }

        private IEnumerable<SavedReport> DrainComputer(int computerId, InboxOptions options)
        {
            List<InboxRow> pending = _session.Inbox.Pending(computerId);
            int flood = pending.Count - options.MaxPendingPerComputer;
            var decoded = new List<(InboxRow Row, PayloadEnvelope Envelope)>();
            for (int i = 0; i < pending.Count; i++)
            {
                InboxRow row = pending[i];
                if (i < flood)
                {
                    yield return Reject(row, null, "more than " + options.MaxPendingPerComputer + " payloads from this computer were waiting: the oldest are refused");
                    continue;
                }
                PayloadEnvelope envelope = null;
                string reason = null;
                try { envelope = PayloadCodec.Decode(row.Payload, null); }
                catch (PayloadException ex) { reason = ex.Message; }
                if (reason != null) yield return Reject(row, null, reason);
                else decoded.Add((row, envelope));
            }
            foreach (var (row, envelope) in decoded.OrderBy(d => d.Envelope.GeneratedUtc).ThenBy(d => d.Row.Id))
                yield return Apply(computerId, row, envelope);
            _session.Inbox.TrimRejected(computerId, MaxRejectedPerComputer);
        }

        private SavedReport Apply(int computerId, InboxRow row, PayloadEnvelope envelope)
        {
            CheckedReport report;
            try { report = _reports.Check(computerId, envelope); }
            catch (PayloadException ex) { return Reject(row, envelope, ex.Message); }
            SavedReport saved = _session.InTransaction(() =>
            {
                SavedReport written = report.Write();
                _session.Inbox.Delete(row.Id);
                return written;
            });
            saved.InboxId = row.Id;
            return saved;
        }

        private SavedReport Reject(InboxRow row, PayloadEnvelope envelope, string reason)
        {
            _session.Inbox.Reject(row.Id, reason, envelope?.Kind, envelope?.GeneratedUtc);
            return new SavedReport
            {
                ComputerId = row.ComputerId, Kind = envelope?.Kind, Status = "Rejected", Reason = reason, InboxId = row.Id,
                Generated = envelope?.GeneratedUtc == null ? (DateTime?)null : _clock.ToLocal(envelope.GeneratedUtc.Value),
            };
        }

        /// <summary>Rejected payloads not warned about yet; they are marked warned.</summary>
        public List<InboxRow> TakeNewRejections()
        {
            var rows = _session.Inbox.Unwarned();
            _session.Inbox.MarkWarned(rows.Select(r => r.Id).ToList());
            return rows;
        }

        public List<InboxRow> Rejected() => _session.Inbox.Rejected();
    }
}
