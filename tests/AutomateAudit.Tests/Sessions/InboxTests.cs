using System;
using System.Linq;
using AutomateAudit.Endpoint;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Sessions;
using AutomateAudit.Storage;
using Dapper;

namespace AutomateAudit.Tests.Sessions
{
    public class InboxTests
    {
        private static Harness NewHarness(string name)
        {
            var h = new Harness(name);
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (7, 'PC7', NOW()), (8, 'PC8', NOW())");
            return h;
        }

        /// <summary>What the kit's SQL Execute step does, after the server-side regex check of the variable.</summary>
        private static void Arrive(Harness h, int computerId, string payload) =>
            h.Simulator.Execute("INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (@computerId, @payload)", new { computerId, payload });

        private static System.Collections.Generic.List<SavedReport> Drain(Harness h, int maxPending = 20) =>
            new InboxImporter(h.Db, ServerClock.Read(h.Db.Server)).Drain(new InboxOptions { MaxPendingPerComputer = maxPending }).ToList();

        [Fact]
        public void PayloadsAreAppliedInTheOrderTheyWereMadeAndDeletedOnceApplied()
        {
            using var h = NewHarness("inbox_order");
            DateTime now = DateTime.UtcNow;
            string newer = Payloads.Encode(Payloads.Envelope(now.AddMinutes(-1), 7, new[] { Payloads.Session("alice", "2", now.AddHours(-1)) }));
            string older = Payloads.Encode(Payloads.Envelope(now.AddMinutes(-20), 7, new[] { Payloads.Session("bob", "3", now.AddHours(-2)) }));
            Arrive(h, 7, newer); // the newer one arrives first, the older one late
            Arrive(h, 7, older);
            var reports = Drain(h);
            Assert.Equal(new[] { "Saved", "Saved" }, reports.Select(r => r.Status).ToArray());
            Assert.True(reports[0].Generated < reports[1].Generated, "applied out of order");
            Assert.Equal(new[] { "alice" }, h.Simulator.Query<string>("SELECT user_name FROM aa_session_current WHERE computerid = 7").ToArray());
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox"));
            // Both snapshots went into the history.
            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM aa_session_history WHERE computerid = 7"));

            // Arriving after the newer one was applied: stale, applied as nothing, removed from the inbox.
            Arrive(h, 7, older);
            Assert.Equal("Stale", Assert.Single(Drain(h)).Status);
            Assert.Equal(new[] { "alice" }, h.Simulator.Query<string>("SELECT user_name FROM aa_session_current WHERE computerid = 7").ToArray());
        }

        [Fact]
        public void RejectedPayloadsStayWithTheirReasonAndAreWarnedAboutOnce()
        {
            using var h = NewHarness("inbox_reject");
            DateTime now = DateTime.UtcNow;
            foreach (var (name, payload, reason) in Payloads.Hostile(7, now).Where(p => p.Payload.Length <= 60000)) Arrive(h, 7, payload);
            Arrive(h, 8, Payloads.Encode(Payloads.Envelope(now, 8, new[] { Payloads.Session("carol", "4", now.AddHours(-1)) })));
            long pending = h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE computerid = 7");
            var reports = Drain(h, maxPending: 50);
            Assert.Equal(pending, reports.Count(r => r.ComputerId == 7 && r.Status == "Rejected"));
            Assert.Equal("Saved", reports.Single(r => r.ComputerId == 8).Status);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_session_current WHERE computerid = 7"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM plugin_proval_usersessions WHERE ComputerID = 7"));
            Assert.Equal(pending, h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE computerid = 7 AND status = 'rejected' AND reason IS NOT NULL AND rejected_utc IS NOT NULL"));
            Assert.Contains(h.Simulator.Query<string>("SELECT reason FROM aa_endpoint_inbox"), r => r.Contains("cloned agent or tampering"));

            var importer = new InboxImporter(h.Db, ServerClock.Read(h.Db.Server));
            Assert.Equal(pending, importer.TakeNewRejections().Count);
            Assert.Empty(importer.TakeNewRejections());
            Assert.Equal(pending, importer.Rejected().Count);
        }

        [Fact]
        public void AFloodingEndpointCannotFillTheInbox()
        {
            using var h = NewHarness("inbox_flood");
            DateTime now = DateTime.UtcNow;
            for (int i = 0; i < 30; i++)
                Arrive(h, 7, Payloads.Encode(Payloads.Envelope(now.AddMinutes(-60 + i), 7, new[] { Payloads.Session("alice", "2", now.AddHours(-2)) })));
            var reports = Drain(h, maxPending: 10);
            Assert.Equal(20, reports.Count(r => r.Status == "Rejected" && r.Reason.Contains("more than 10")));
            Assert.Equal(10, reports.Count(r => r.Status == "Saved"));
            // The newest were kept: the last one saved was made a minute before the end of the run of 30.
            Assert.Equal(reports.Where(r => r.Status == "Saved").Max(r => r.Generated), reports.Max(r => r.Generated));

            // Flooding on: the refusals do not pile up either; the newest are kept for whoever investigates.
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < 30; i++) Arrive(h, 7, "bm90IGpzb24=");
                Drain(h, maxPending: 10);
            }
            Assert.Equal(InboxImporter.MaxRejectedPerComputer, h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE computerid = 7 AND status = 'rejected'"));
            Assert.Equal(h.Scalar("SELECT MAX(id) FROM aa_endpoint_inbox"), h.Scalar("SELECT MAX(id) FROM aa_endpoint_inbox WHERE status = 'rejected'"));
        }

        [Fact]
        public void DrainersAreSerialised()
        {
            using var h = NewHarness("inbox_lock");
            h.Execute("DO GET_LOCK('" + ServerStore.LockName(InboxImporter.LockName, h.Settings.Database) + "', 0)");
            var importer = new InboxImporter(h.Db, ServerClock.Read(h.Db.Server)) { LockTimeoutSeconds = 1 };
            Assert.Contains("Another Import-AuditInbox", Assert.Throws<AuditDatabaseException>(() => importer.Drain(new InboxOptions()).ToList()).Message);
        }

        [Fact]
        public void RejectsArePurgedAfterTheirRetention()
        {
            using var h = NewHarness("inbox_purge");
            Arrive(h, 7, "bm90IGpzb24=");
            Drain(h);
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE status = 'rejected'"));
            h.Execute("UPDATE aa_endpoint_inbox SET rejected_utc = UTC_TIMESTAMP() - INTERVAL 15 DAY");
            Drain(h);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox"));
        }
    }
}
