using System;
using System.Collections.Generic;
using System.Linq;
using static AutomateAudit.Storage.SessionTables;

namespace AutomateAudit.Storage
{
    /// <summary>A payload waiting in (or rejected from) the inbox.</summary>
    internal sealed class InboxRow
    {
        public long Id { get; set; }
        public int ComputerId { get; set; }
        public string Payload { get; set; }
        public DateTime Received { get; set; }
        public string Status { get; set; }
        public string Kind { get; set; }
        public DateTime? GeneratedUtc { get; set; }
        public string Reason { get; set; }
        public DateTime? RejectedUtc { get; set; }
        public bool Warned { get; set; }
    }

    /// <summary>aa_endpoint_inbox: payloads inserted by Automate's SQL Execute steps, drained by Import-AuditInbox.</summary>
    internal sealed class InboxStore
    {
        private readonly AuditDatabase _db;

        public InboxStore(AuditDatabase db) { _db = db; }

        /// <summary>The computers with pending payloads, in ComputerID order.</summary>
        public List<int> ComputersWithPending(int after, int limit) =>
            _db.Query<int>("SELECT DISTINCT computerid FROM " + InboxTable + " WHERE status = 'pending' AND computerid > @after ORDER BY computerid LIMIT @limit",
                new { after, limit }).ToList();

        /// <summary>A computer's pending payloads, oldest first (by arrival; the importer orders them by generation time after decoding).</summary>
        public List<InboxRow> Pending(int computerId) =>
            _db.Query<InboxRow>("SELECT id AS Id, computerid AS ComputerId, payload AS Payload, received AS Received, status AS Status FROM " + InboxTable +
                " WHERE computerid = @computerId AND status = 'pending' ORDER BY id", new { computerId }).ToList();

        // Written once, run here with parameters and embedded in the hosted importer (HostedInboxProcedure).
        internal const string DeleteSql = "DELETE FROM " + InboxTable + " WHERE id = @id";
        internal const string RejectSql = "UPDATE " + InboxTable + " SET status = 'rejected', reason = @reason, kind = @kind, generated_utc = @generatedUtc, rejected_utc = UTC_TIMESTAMP() WHERE id = @id";
        internal const string TrimRejectedSql = "DELETE FROM " + InboxTable + " WHERE computerid = @computerId AND status = 'rejected' AND id < COALESCE((SELECT id FROM (" +
            "SELECT id FROM " + InboxTable + " WHERE computerid = @computerId AND status = 'rejected' ORDER BY id DESC LIMIT 1 OFFSET @offset) AS k), 0)";
        internal const string PurgeRejectedSql = "DELETE FROM " + InboxTable + " WHERE status = 'rejected' AND rejected_utc < @before LIMIT @batch";

        public void Delete(long id) => _db.Execute(DeleteSql, new { id });

        /// <summary>Keeps a payload with the reason it was refused; its text stays for whoever investigates.</summary>
        public void Reject(long id, string reason, string kind, DateTime? generatedUtc)
        {
            if (reason != null && reason.Length > 1000) reason = reason.Substring(0, 1000);
            _db.Execute(RejectSql, new { id, reason, kind, generatedUtc });
        }

        /// <summary>Rejected payloads not warned about yet (each is warned about once).</summary>
        public List<InboxRow> Unwarned() =>
            _db.Query<InboxRow>("SELECT id AS Id, computerid AS ComputerId, received AS Received, status AS Status, kind AS Kind, generated_utc AS GeneratedUtc, " +
                "reason AS Reason, rejected_utc AS RejectedUtc, warned AS Warned FROM " + InboxTable + " WHERE status = 'rejected' AND warned = 0 ORDER BY id").ToList();

        public void MarkWarned(IReadOnlyCollection<long> ids)
        {
            if (ids.Count > 0) _db.Execute("UPDATE " + InboxTable + " SET warned = 1 WHERE id IN @ids", new { ids });
        }

        /// <summary>Every rejected payload still kept (for -PassThru).</summary>
        public List<InboxRow> Rejected() =>
            _db.Query<InboxRow>("SELECT id AS Id, computerid AS ComputerId, received AS Received, status AS Status, kind AS Kind, generated_utc AS GeneratedUtc, " +
                "reason AS Reason, rejected_utc AS RejectedUtc, warned AS Warned FROM " + InboxTable + " WHERE status = 'rejected' ORDER BY id").ToList();

        /// <summary>Keeps only a computer's newest rejected payloads, so a flooding endpoint cannot fill the table with refusals either.</summary>
        public int TrimRejected(int computerId, int keep) =>
            _db.Execute(TrimRejectedSql, new { computerId, offset = keep - 1 });

        /// <summary>Deletes rejected payloads older than the cut-off, in batches.</summary>
        public long PurgeRejected(DateTime beforeUtc, int batch)
        {
            long deleted = 0;
            int n;
            while ((n = _db.Execute(PurgeRejectedSql, new { before = beforeUtc, batch })) > 0) deleted += n;
            return deleted;
        }
    }
}
