using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Sessions;
using AutomateAudit.Storage;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.Tests.Hosted
{
    /// <summary>
    /// aa_import_inbox against Import-AuditInbox: the same corpus of good and hostile payloads in two identical
    /// databases, one drained by InboxImporter, the other by CALL aa_import_inbox; the outcome must be the same,
    /// row for row, in the inbox and in every table the importer writes.
    /// </summary>
    public class HostedInboxTests
    {
        private static readonly DateTime Now = new DateTime(2026, 11, 25, 15, 0, 0, DateTimeKind.Utc);

        /// <summary>Every table the importer writes, as text, ids left out (InnoDB reserves auto-increment ids differently for INSERT ... SELECT).</summary>
        private static readonly string[] Targets =
        {
            "SELECT ComputerID, Username, State, LogonDate, SessionLength, `Timestamp` FROM plugin_proval_usersessions ORDER BY id",
            "SELECT computerid, computer_name, session_id, user_name, domain, session_name, state, client_name, client_address, logon_utc, connect_utc, disconnect_utc, " +
                "last_input_utc, idle_seconds, session_minutes, is_console, is_locked, generated_utc, saved_utc FROM aa_session_current ORDER BY id",
            "SELECT computerid, session_id, user_name, domain, session_name, client_address, start_utc, start_exact, last_seen_utc, last_state, end_utc, end_exact FROM aa_session_history ORDER BY computerid, start_utc, user_name, session_id",
            "SELECT computerid, kind, generated_utc, saved_utc, items, computer_name FROM aa_report_status ORDER BY computerid, kind",
            "SELECT computerid, Username, Domain, IdleTime, IsAdmin, IsDomainAdmin, IsEnterpriseAdmin, ScriptRunTime FROM pvl_report_idlemon ORDER BY id",
            "SELECT computerid, user_name, domain, session_id, hour_utc, active_minutes, idle_minutes, unknown_minutes, updated_utc FROM aa_idle_hourly ORDER BY computerid, hour_utc, user_name, session_id",
        };

        private const string InboxRows = "SELECT id, computerid, status, kind, generated_utc, reason, rejected_utc, warned FROM aa_endpoint_inbox ORDER BY id";

        private static Harness NewDatabase(string name)
        {
            var h = new Harness(name);
            h.Execute("INSERT INTO computers (ComputerID, Name, LastContact) VALUES (7, 'PC7', NOW()), (8, 'PC8', NOW()), (9, 'PC9', NOW()), (10, 'PC10', NOW()), " +
                "(11, 'PC11', NOW()), (12, 'PC12', NOW())");
            return h;
        }

        private static List<string> Rows(MySqlConnection connection, string sql) =>
            connection.Query(sql).Select(r => string.Join("|", ((IDictionary<string, object>)r).Values.Select(v => v == null ? "NULL" :
                v is DateTime d ? d.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture)))).ToList();

        private static void Arrive(Harness h, IEnumerable<CorpusEntry> entries)
        {
            foreach (CorpusEntry e in entries)
                h.Simulator.Execute("INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (@ComputerId, @Payload)", new { e.ComputerId, e.Payload });
        }

        private static long Seconds(DateTime utc) => (long)(utc - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;

        private static List<SavedReport> DrainWithCode(Harness h, int maxPending, int retainDays = 14)
        {
            h.Db.Server.UseSimulatedClock(Now);
            return new InboxImporter(h.Db, ServerClock.Read(h.Db.Server)).Drain(new InboxOptions { MaxPendingPerComputer = maxPending, RetainDays = retainDays }).ToList();
        }

        private static void DrainWithSql(Harness h, string arguments)
        {
            h.Execute("SET timestamp = " + Seconds(Now));
            h.Execute("CALL aa_import_inbox(" + arguments + ")");
        }

        /// <summary>The inbox as the two importers left it; a refusal of the JSON text itself compared by its start (the module's reader also says where).</summary>
        private static List<string> Inbox(Harness h) => Rows(h.Simulator, InboxRows).Select(r => Regex.Replace(r, "The JSON is not valid[^|]*", "The JSON is not valid")).ToList();

        private static void AssertSame(Harness code, Harness sql, int round)
        {
            Assert.Equal(Inbox(code), Inbox(sql));
            foreach (string query in Targets)
            {
                var expected = Rows(code.Simulator, query);
                var actual = Rows(sql.Simulator, query);
                Assert.True(expected.SequenceEqual(actual), "round " + round + ": " + query + "\nC#:\n" + string.Join("\n", expected) + "\nSQL:\n" + string.Join("\n", actual));
            }
        }

        /// <summary>Each entry was treated as the corpus says (checked on the C# side, so the corpus really tests what it names).</summary>
        private static void AssertCorpus(IReadOnlyList<SavedReport> reports, IReadOnlyList<CorpusEntry> entries, long firstId)
        {
            var byId = reports.Where(r => r.InboxId.HasValue).ToDictionary(r => r.InboxId.Value);
            Assert.Equal(entries.Count, byId.Count);
            for (int i = 0; i < entries.Count; i++)
            {
                CorpusEntry e = entries[i];
                SavedReport r = byId[firstId + i];
                if (e.Expect == null) Assert.True(r.Status != "Rejected", e.Name + " was refused: " + r.Reason);
                else
                {
                    Assert.True(r.Status == "Rejected", e.Name + " was " + r.Status);
                    Assert.True(r.Reason.Contains(e.Expect, StringComparison.Ordinal), e.Name + ": '" + r.Reason + "' does not say '" + e.Expect + "'");
                }
            }
        }

        [Fact]
        public void HostedImporterDoesWhatImportAuditInboxDoesWithTheSameCorpus()
        {
            using var code = NewDatabase("inbox_eq_code");
            using var sql = NewDatabase("inbox_eq_sql");

            var round1 = InboxCorpus.Round1(Now);
            Assert.True(round1.Count > 90);
            Arrive(code, round1);
            Arrive(sql, round1);
            var reports = DrainWithCode(code, maxPending: 200);
            DrainWithSql(sql, "200, NULL");
            // Every refusal is still there to compare (none trimmed).
            Assert.Equal(reports.Count(r => r.Status == "Rejected"), code.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE status = 'rejected'"));
            AssertCorpus(reports, round1, 1);
            AssertSame(code, sql, 1);
            Assert.Equal(5, reports.Count(r => r.Status == "Saved"));
            Assert.True(reports.Count(r => r.Status == "Rejected") > 80);
            foreach (string query in Targets) Assert.NotEmpty(Rows(sql.Simulator, query));
            Assert.Contains(Rows(sql.Simulator, "SELECT user_name FROM aa_session_current"), u => u == "Jürgen Ñoño😀");
            // Seconds rounded as .NET rounds (half to even): 2.5 s and 1.02:03:03.5.
            Assert.Equal(new[] { "2", "93784", "180" }, Rows(sql.Simulator, "SELECT idle_seconds FROM aa_session_current ORDER BY id"));

            // Older reports than those saved (stale), and a flooding endpoint.
            long next = code.Scalar("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'aa_endpoint_inbox'");
            var round2 = InboxCorpus.Round2(Now);
            Arrive(code, round2);
            Arrive(sql, round2);
            reports = DrainWithCode(code, maxPending: 5);
            DrainWithSql(sql, "5, NULL");
            Assert.Contains(reports, r => r.Status == "Stale" && r.ComputerId == 7);
            Assert.Contains(reports, r => r.Status == "Stale" && r.ComputerId == 8);
            AssertCorpus(reports, round2, next);
            AssertSame(code, sql, 2);
            Assert.Empty(Rows(sql.Simulator, "SELECT 1 FROM aa_session_current WHERE user_name = 'mallory'"));
            // Computer 10 sent more refused payloads than are kept: only the newest 50 stay, on both sides.
            Assert.Equal(InboxImporter.MaxRejectedPerComputer, sql.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE computerid = 10"));
            Assert.Equal(code.Scalar("SELECT MAX(id) FROM aa_endpoint_inbox"), sql.Scalar("SELECT MAX(id) FROM aa_endpoint_inbox WHERE computerid = 10"));

            // Refusals past their retention are purged.
            foreach (var h in new[] { code, sql }) h.Execute("UPDATE aa_endpoint_inbox SET rejected_utc = '2026-11-10 00:00:00' WHERE computerid = 9");
            DrainWithCode(code, maxPending: 5, retainDays: 14);
            DrainWithSql(sql, "NULL, 14");
            Assert.Equal(0, sql.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE computerid = 9"));
            Assert.True(sql.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox") > 40);
            AssertSame(code, sql, 3);
            Assert.Equal(1, sql.Scalar("SELECT IS_FREE_LOCK('" + ServerStore.LockName(InboxImporter.LockName, sql.Settings.Database) + "')"));
        }

        [Fact]
        public void HostedImporterEmbedsTheStoresOwnStatements()
        {
            string body = string.Join("\n", HostedInboxProcedure.All("test").SelectMany(p => p.Statements));
            // The merge of the history, as SessionStore runs it, with its parameters bound to the procedure's variables.
            foreach (string statement in SessionStore.MergeStatements)
                Assert.Contains(statement.Replace("@computerId", "p_computer").Replace("@generatedUtc", "p_generated"), body);
            Assert.Contains(IdleStore.HoursUpdate, body);
            Assert.Contains(InboxStore.RejectSql.Replace("@reason", "LEFT(v_reason, 1000)").Replace("@kind", "v_kind").Replace("@generatedUtc", "v_generated").Replace("@id", "v_id"), body);
            // No literal backslash anywhere (a server with NO_BACKSLASH_ESCAPES would read it otherwise), no user variable, no DELIMITER.
            Assert.DoesNotContain("\\", body);
            Assert.DoesNotMatch(new Regex("(?<!@)@[A-Za-z]"), body);
            Assert.All(HostedInboxProcedure.All("test").SelectMany(p => p.Statements), s => Assert.True(s.Length < 60000, s.Length + " characters"));
        }

        [Fact]
        public void HostedImporterWaitsForImportAuditInboxsLockAndRefusesBadArguments()
        {
            using var h = NewDatabase("inbox_proc_lock");
            Assert.Contains("max_pending_per_computer", Assert.Throws<MySqlException>(() => h.Execute("CALL aa_import_inbox(0, NULL)")).Message);
            Assert.Contains("retain_days", Assert.Throws<MySqlException>(() => h.Execute("CALL aa_import_inbox(NULL, 4000)")).Message);
            h.Simulator.Execute("INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (7, 'bm90IGpzb24=')");
            string lockName = ServerStore.LockName(InboxImporter.LockName, h.Settings.Database);
            Assert.Equal($"{InboxImporter.LockName}@{h.Settings.Database}", lockName);
            // Held as Import-AuditInbox holds it while it drains.
            Assert.Equal(1L, h.Db.Server.TryGetLock(InboxImporter.LockName, 0) ? 1L : 0L);
            using var caller = new MySqlConnection(h.ConnectionString);
            caller.Open();
            var call = System.Threading.Tasks.Task.Run(() => caller.Execute("CALL aa_import_inbox(NULL, NULL)", commandTimeout: 120));
            System.Threading.Thread.Sleep(1500);
            Assert.False(call.IsCompleted);
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE status = 'pending'"));
            h.Db.Server.ReleaseLock(InboxImporter.LockName);
            Assert.True(call.Wait(TimeSpan.FromSeconds(60)));
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM aa_endpoint_inbox WHERE status = 'rejected' AND reason LIKE 'The JSON is not valid%'"));
            Assert.Equal(1, h.Scalar("SELECT IS_FREE_LOCK('" + lockName + "')"));
        }
    }
}
