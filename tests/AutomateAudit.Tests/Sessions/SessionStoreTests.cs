using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Sessions;
using AutomateAudit.Storage;
using Dapper;

namespace AutomateAudit.Tests.Sessions
{
    public class SessionStoreTests
    {
        private static readonly string[] ModuleTables = { "plugin_proval_usersessions", "aa_session_current", "aa_session_history", "aa_report_status" };

        private static Harness NewHarness(string name)
        {
            var h = new Harness(name);
            h.Execute("INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso')");
            h.Execute("INSERT INTO locations (LocationID, ClientID, Name, ProbeID) VALUES (1, 1, 'HQ', 7)");
            h.Execute("INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, LastContact, LastUsername, AssetTag, BiosMFG, Comment) VALUES " +
                "(7, 1, 1, 'PC7', 'Windows 11 Pro', NOW(), 'CONTOSO\\\\alice', 'A-7', 'Dell Inc.', 'Front desk'), (8, 1, 1, 'PC8', 'Windows Server 2022', NOW() - INTERVAL 2 HOUR, '', '', '', '')");
            return h;
        }

        private static SavedReport Save(Harness h, int computerId, PayloadEnvelope envelope) =>
            new SessionSaver(h.Db).Save(computerId, envelope, ServerClock.Read(h.Db.Server));

        [Fact]
        public void AReportFillsProValsTableTheModulesTablesAndTheHistory()
        {
            using var h = NewHarness("sess_save");
            DateTime now = DateTime.UtcNow;
            DateTime logon = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, DateTimeKind.Utc).AddHours(-3);
            var saved = Save(h, 7, Payloads.Envelope(now, 7, new[] { Payloads.Session("alice", "2", logon), Payloads.Session("bob", "3", logon.AddMinutes(30), UserSessionState.Disconnected) }));
            Assert.Equal("Saved", saved.Status);
            Assert.Equal(2, saved.Items);

            var proval = h.Simulator.Query<(string Username, string State, DateTime LogonDate, int SessionLength)>(
                "SELECT Username, State, LogonDate, SessionLength FROM plugin_proval_usersessions WHERE ComputerID = 7 ORDER BY Username").ToList();
            Assert.Equal(2, proval.Count);
            Assert.Equal(("alice", "Active", 42), (proval[0].Username, proval[0].State, proval[0].SessionLength));
            Assert.Equal("Disconnected", proval[1].State);
            // LogonDate is the server's local time of the UTC logon.
            Assert.Equal(h.Simulator.QuerySingle<DateTime>("SELECT CONVERT_TZ(@logon, '+00:00', @@session.time_zone)", new { logon }), proval[0].LogonDate);
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM plugin_proval_usersessions WHERE ComputerID = 7 AND `Timestamp` > NOW() - INTERVAL 1 MINUTE AND Username = 'alice'"));

            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM aa_session_current WHERE computerid = 7 AND client_address LIKE '10.1.2.%' AND idle_seconds = 180"));
            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM aa_session_history WHERE computerid = 7 AND end_utc IS NULL AND start_exact = 1"));
            Assert.Equal(2, h.Scalar("SELECT items FROM aa_report_status WHERE computerid = 7 AND kind = 'UserSessions'"));
        }

        [Fact]
        public void TheHistoryEndsSessionsExactlyAtALogoffOrWhenLastSeen()
        {
            using var h = NewHarness("sess_hist");
            DateTime t0 = DateTime.UtcNow.Date.AddDays(-1).AddHours(8);
            var alice = Payloads.Session("alice", "2", t0);
            var bob = Payloads.Session("bob", "3", t0.AddMinutes(10));
            Save(h, 7, Payloads.Envelope(t0.AddMinutes(20), 7, new[] { alice, bob }));
            Save(h, 7, Payloads.Envelope(t0.AddMinutes(80), 7, new[] { alice, bob }));
            // Bob logs off at 09:30 (an event); alice is simply gone from the next report at 10:20.
            var logoff = new SessionEvent { UserName = "bob", Domain = "CONTOSO", SessionId = "3", Kind = SessionEventKind.Logoff, TimeCreated = t0.AddMinutes(90).ToLocalTime(), Source = "wtmp" };
            Save(h, 7, Payloads.Envelope(t0.AddMinutes(140), 7, new UserSession[0], new[] { logoff }));

            var rows = h.Simulator.Query<(string User, DateTime Start, DateTime? End, bool Exact)>(
                "SELECT user_name, start_utc, end_utc, end_exact FROM aa_session_history WHERE computerid = 7 ORDER BY user_name").ToList();
            Assert.Equal(2, rows.Count);
            Assert.Equal(("alice", t0, (DateTime?)t0.AddMinutes(80), false), rows[0]);
            Assert.Equal(("bob", t0.AddMinutes(10), (DateTime?)t0.AddMinutes(90), true), rows[1]);
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM aa_session_current WHERE computerid = 7"));
            Assert.Equal(0, h.Scalar("SELECT COUNT(*) FROM plugin_proval_usersessions WHERE ComputerID = 7"));
            Assert.Equal(0, h.Scalar("SELECT items FROM aa_report_status WHERE computerid = 7"));

            // Who was logged on between 09:00 and 09:45 (server local time)?
            var clock = ServerClock.Read(h.Db.Server);
            var window = new UserSessionReport(h.Db, clock).Window(new ComputerFilter(), null, clock.ToLocal(t0.AddMinutes(60)), clock.ToLocal(t0.AddMinutes(105))).ToList();
            Assert.Equal(new[] { "alice", "bob" }, window.Select(w => w.UserName).ToArray());
            var bobRow = window.Single(w => w.UserName == "bob");
            Assert.Equal("Exact", bobRow.EndKind);
            Assert.Equal("Logon", bobRow.StartKind);
            Assert.Equal(30, bobRow.MinutesInWindow);
            Assert.Equal("LastSeen", window.Single(w => w.UserName == "alice").EndKind);
            Assert.Equal(20, window.Single(w => w.UserName == "alice").MinutesInWindow);
            Assert.Empty(new UserSessionReport(h.Db, clock).Window(new ComputerFilter(), null, clock.ToLocal(t0.AddMinutes(200)), clock.ToLocal(t0.AddMinutes(260))));
        }

        [Fact]
        public void AnOlderReportArrivingLateNeverOverwritesANewerOne()
        {
            using var h = NewHarness("sess_stale");
            DateTime now = DateTime.UtcNow;
            Save(h, 7, Payloads.Envelope(now.AddMinutes(-5), 7, new[] { Payloads.Session("alice", "2", now.AddHours(-1)) }));
            long before = h.Checksum("aa_session_current") ^ h.Checksum("plugin_proval_usersessions") ^ h.Checksum("aa_report_status");
            var late = Save(h, 7, Payloads.Envelope(now.AddMinutes(-30), 7, new[] { Payloads.Session("mallory", "5", now.AddHours(-2)) }));
            Assert.Equal("Stale", late.Status);
            Assert.Equal(before, h.Checksum("aa_session_current") ^ h.Checksum("plugin_proval_usersessions") ^ h.Checksum("aa_report_status"));
        }

        [Fact]
        public void TheReportShowsTheDataviewsColumnsAndEveryColumnOnRequest()
        {
            using var h = NewHarness("sess_report");
            DateTime now = DateTime.UtcNow;
            Save(h, 7, Payloads.Envelope(now, 7, new[] { Payloads.Session("alice", "2", now.AddHours(-1)) }));
            Save(h, 8, Payloads.Envelope(now, 8, new UserSession[0]));
            var clock = ServerClock.Read(h.Db.Server);
            var rows = new UserSessionReport(h.Db, clock).Current(new ComputerFilter(), null, allColumns: true).ToList();
            Assert.Equal(2, rows.Count);
            var (alice, all) = rows.Single(r => r.Row.ComputerId == 7);
            Assert.Equal(("Contoso", "HQ", "PC7", "alice", "Active"), (alice.Client, alice.Location, alice.Computer, alice.LoggedInUser, alice.SessionState));
            Assert.Equal(("A-7", "Dell Inc.", "Front desk", "Yes", "Online", "Desktop"), (alice.AssetTag, alice.Manufacturer, alice.FriendlyName, alice.ProbePC, alice.Status, alice.AgentType));
            Assert.Null(alice.MasterPC); // no such column on this server
            Assert.Equal(42, alice.SessionLength);
            Assert.Equal(3, alice.IdleMinutes);
            Assert.NotNull(alice.LastReport);
            Assert.Equal("Contoso", all["Client_Name"]);
            Assert.Equal("HQ", all["Location_Name"]);
            Assert.True(all.ContainsKey("Computer_TotalMemory") && all.ContainsKey("Contact_Email"));
            var (empty, _) = rows.Single(r => r.Row.ComputerId == 8);
            Assert.Equal("None", empty.SessionState);
            Assert.Null(empty.LoggedInUser);
            Assert.Equal(("Offline", "Physical Server", "No"), (empty.Status, empty.AgentType, empty.ProbePC));
            // A computer that never reported has no row; a user filter keeps only matching sessions.
            Assert.Equal(new[] { 7 }, new UserSessionReport(h.Db, clock).Current(new ComputerFilter(), new SessionFilter { UserName = new[] { "al*" } }, false).Select(r => r.Row.ComputerId).ToArray());
        }

        [Fact]
        public void EveryHostilePayloadIsRefusedWholeWithNothingWritten()
        {
            using var h = NewHarness("sess_hostile");
            DateTime now = DateTime.UtcNow;
            Save(h, 7, Payloads.Envelope(now.AddMinutes(-10), 7, new[] { Payloads.Session("alice", "2", now.AddHours(-1)) }));
            long Sum() => ModuleTables.Aggregate(0L, (acc, t) => acc ^ h.Checksum(t) * 31);
            long before = Sum();
            var corpus = Payloads.Hostile(7, now).ToList();
            Assert.True(corpus.Count >= 15);
            foreach (var (name, payload, reason) in corpus)
            {
                var ex = Assert.Throws<PayloadException>(() => Save(h, 7, PayloadCodec.Decode(payload, PayloadCodec.SessionsKind)));
                Assert.True(ex.Message.Contains(reason, StringComparison.OrdinalIgnoreCase), name + ": " + ex.Message);
                Assert.True(before == Sum(), name + " wrote something");
            }
            // The direct JSON route has its own limits: 10,000 sessions and 3 MB.
            var many = Payloads.Envelope(now, 7, Enumerable.Range(1, 10000).Select(i => Payloads.Session("u" + i, i.ToString(), now.AddHours(-1))));
            var tooMany = Assert.Throws<PayloadException>(() => Save(h, 7, PayloadCodec.ParseJson(PayloadCodec.ToJson(many), PayloadCodec.SessionsKind)));
            Assert.Contains("at most 2000", tooMany.Message);
            Assert.Contains("at most", Assert.Throws<PayloadException>(() => PayloadCodec.ParseJson("[" + new string(' ', 3 * 1024 * 1024) + "]", PayloadCodec.SessionsKind)).Message);
            Assert.Equal(before, Sum());
        }
    }
}
