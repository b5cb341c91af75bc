using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Idle;
using AutomateAudit.Engine.Sessions;
using Dapper;

namespace AutomateAudit.Tests.Idle
{
    public class IdleSaverTests
    {
        private static Harness NewHarness(string name)
        {
            var h = new Harness(name);
            h.Execute("INSERT INTO clients (ClientID, Name) VALUES (1, 'Contoso')");
            h.Execute("INSERT INTO locations (LocationID, ClientID, Name) VALUES (1, 1, 'HQ')");
            h.Execute("INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, LastContact) VALUES (7, 1, 1, 'PC7', 'Windows 11 Pro', NOW()), (8, 1, 1, 'PC8', 'Windows 10 Pro', NOW())");
            return h;
        }

        private static IdleSample Sample(string user, TimeSpan idle, bool? admin = false, int? agentId = 7) => new IdleSample
        {
            ComputerName = "PC7", AgentId = agentId, UserName = user, Domain = "CONTOSO", SessionId = "2", Timestamp = DateTime.Now,
            IdleTime = idle, Source = IdleSource.Sampler, SamplerRunning = true, SamplerLastWrite = DateTime.Now, IsAdmin = admin, IsDomainAdmin = false, IsEnterpriseAdmin = false,
        };

        internal static PayloadEnvelope Envelope(DateTime generatedUtc, IEnumerable<IdleSample> samples, IEnumerable<IdleHour> hours = null, int? agentId = 7) => new PayloadEnvelope
        {
            Kind = PayloadCodec.IdleKind, ComputerName = "PC7", AgentId = agentId, GeneratedUtc = generatedUtc,
            Items = samples.Select(IdleJson.ToMembers).ToList(),
            Hours = (hours ?? Enumerable.Empty<IdleHour>()).Select(IdleJson.ToMembers).ToList(),
        };

        private static SavedReport Save(Harness h, int computerId, PayloadEnvelope envelope)
        {
            var report = new EndpointReports(h.Db, ServerClock.Read(h.Db.Server)).Check(computerId, envelope);
            return h.Db.InTransaction(report.Write);
        }

        private static DateTime Hour(DateTime utc) => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);

        [Fact]
        public void AReportFillsProValsIdleMonTableAndTheHourlyMinutes()
        {
            using var h = NewHarness("idle_save");
            DateTime now = DateTime.UtcNow, hour = Hour(now).AddHours(-2);
            var hours = new[]
            {
                new IdleHour { UserName = "alice", Domain = "CONTOSO", SessionId = "2", HourUtc = hour, ActiveMinutes = 40, IdleMinutes = 15, UnknownMinutes = 5 },
                new IdleHour { UserName = "alice", Domain = "CONTOSO", SessionId = "2", HourUtc = hour.AddHours(1), ActiveMinutes = 10, IdleMinutes = 50, UnknownMinutes = 0 },
            };
            var saved = Save(h, 7, Envelope(now, new[] { Sample("alice", new TimeSpan(1, 2, 3, 4, 500), admin: true), Sample("bob", TimeSpan.FromSeconds(7.2809998)) }, hours));
            Assert.Equal("Saved", saved.Status);
            var rows = h.Simulator.Query<(string User, string Domain, string Idle, string Admin, string DomainAdmin)>(
                "SELECT Username, Domain, IdleTime, IsAdmin, IsDomainAdmin FROM pvl_report_idlemon WHERE computerid = 7 ORDER BY Username").ToList();
            Assert.Equal(("alice", "CONTOSO", "1.02:03:04.5000000", "True", "False"), rows[0]);
            Assert.Equal(("bob", "CONTOSO", "00:00:07.2809998", "False", "False"), rows[1]);
            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM pvl_report_idlemon WHERE ScriptRunTime > NOW() - INTERVAL 1 MINUTE"));
            Assert.Equal(100, h.Scalar("SELECT SUM(active_minutes + idle_minutes) FROM aa_idle_hourly WHERE computerid = 7 AND user_name = 'alice'") - 15);

            // Re-sending an hour replaces it; nobody logged on gives ProVal's "Not Logged In" row.
            hours[1].ActiveMinutes = 20; hours[1].IdleMinutes = 40;
            Save(h, 7, Envelope(now.AddSeconds(1), new IdleSample[0], hours.Skip(1)));
            Assert.Equal(20, h.Scalar("SELECT active_minutes FROM aa_idle_hourly WHERE computerid = 7 AND hour_utc = '" + hour.AddHours(1).ToString("yyyy-MM-dd HH:mm:ss") + "'"));
            Assert.Equal(2, h.Scalar("SELECT COUNT(*) FROM aa_idle_hourly"));
            Assert.Equal(1, h.Scalar("SELECT COUNT(*) FROM pvl_report_idlemon WHERE Username = 'Not Logged In' AND IdleTime IS NULL"));
        }

        [Fact]
        public void TheReportShowsTheLatestSamplesAndActivityBesideOnlineTime()
        {
            using var h = NewHarness("idle_report");
            DateTime now = DateTime.UtcNow, hour = Hour(now).AddHours(-3);
            // The connection audit knows computer 7 online all along.
            h.RecordAt(hour.AddHours(-1));
            RollupAndReportTests.FillRunLog(h, hour.AddHours(-1), now);
            h.Db.Server.UseSimulatedClock(now);
            Save(h, 7, Envelope(now.AddMinutes(-30), new[] { Sample("mallory", TimeSpan.FromHours(5)) }));
            h.Execute("UPDATE pvl_report_idlemon SET ScriptRunTime = ScriptRunTime - INTERVAL 30 MINUTE"); // that report ran half an hour ago
            Save(h, 7, Envelope(now, new[] { Sample("alice", TimeSpan.FromMinutes(12)) }, new[]
            {
                new IdleHour { UserName = "alice", Domain = "CONTOSO", SessionId = "2", HourUtc = hour, ActiveMinutes = 30, IdleMinutes = 30, UnknownMinutes = 0 },
                new IdleHour { UserName = "alice", Domain = "CONTOSO", SessionId = "2", HourUtc = hour.AddHours(1), ActiveMinutes = 6, IdleMinutes = 54, UnknownMinutes = 0 },
            }));
            Save(h, 8, Envelope(now, new IdleSample[0], agentId: 8));
            var clock = ServerClock.Read(h.Db.Server);
            var report = new IdleReport(h.Db, clock);
            var latest = report.Latest(new ComputerFilter(), null).ToList();
            Assert.Equal(new[] { (7, "alice"), (8, "Not Logged In") }, latest.Select(r => (r.ComputerId, r.UserName)).ToArray());
            Assert.Equal(12, latest[0].IdleMinutes);
            Assert.Equal(("Contoso", "HQ", "PC7", "Online"), (latest[0].Client, latest[0].Location, latest[0].Computer, latest[0].Status));

            // The window: the two hours, and half of the first one.
            var window = report.Window(new ComputerFilter(), null, clock.ToLocal(hour.AddMinutes(30)), clock.ToLocal(hour.AddHours(2))).Single();
            Assert.Equal(("alice", 15 + 6, 15 + 54), (window.UserName, window.ActiveMinutes, window.IdleMinutes));
            Assert.Equal(90, window.OnlineMinutes);
            Assert.Equal(Math.Round(100.0 * 69 / 90, 2), window.IdlePercent);
        }

        [Fact]
        public void HostileIdleReportsAreRefusedWithNothingWritten()
        {
            using var h = NewHarness("idle_hostile");
            DateTime now = DateTime.UtcNow;
            long Sum() => h.Checksum("pvl_report_idlemon") ^ h.Checksum("aa_idle_hourly") * 31 ^ h.Checksum("aa_report_status") * 17;
            long before = Sum();
            var hostile = new List<(string, PayloadEnvelope, string)>
            {
                ("negative idle", Envelope(now, new[] { Sample("alice", TimeSpan.FromMinutes(-5)) }), "IdleTime"),
                ("absurd idle", Envelope(now, new[] { Sample("alice", TimeSpan.FromDays(5000)) }), "IdleTime"),
                ("name too long for ProVal's column", Envelope(now, new[] { Sample(new string('x', 60), TimeSpan.Zero) }), "UserName"),
                ("SQL fragment", Envelope(now, new[] { Sample("x'); DELETE FROM computers; --", TimeSpan.Zero) }), "UserName"),
                ("mismatched agent", Envelope(now, new[] { Sample("alice", TimeSpan.Zero) }, agentId: 99), "cloned agent"),
                ("too many samples", Envelope(now, Enumerable.Range(0, 2001).Select(i => Sample("u" + i, TimeSpan.Zero))), "at most 2000"),
                ("an hour of 90 minutes", Envelope(now, new IdleSample[0], new[] { new IdleHour { UserName = "alice", HourUtc = Hour(now), ActiveMinutes = 60, IdleMinutes = 30 } }), "more than an hour"),
                ("an hour not on the hour", Envelope(now, new IdleSample[0], new[] { new IdleHour { UserName = "alice", HourUtc = Hour(now).AddMinutes(7), ActiveMinutes = 1 } }), "start of an hour"),
            };
            foreach (var (name, envelope, reason) in hostile)
            {
                var ex = Assert.Throws<PayloadException>(() => Save(h, 7, PayloadCodec.ParseJson(PayloadCodec.ToJson(envelope), PayloadCodec.IdleKind)));
                Assert.True(ex.Message.Contains(reason), name + ": " + ex.Message);
                Assert.True(before == Sum(), name + " wrote something");
            }
        }

        [Fact]
        public void IdleReportsTravelThroughTheInboxAndRetentionDeletesOldRows()
        {
            using var h = NewHarness("idle_inbox");
            DateTime now = DateTime.UtcNow;
            h.Simulator.Execute("INSERT INTO aa_endpoint_inbox (computerid, payload) VALUES (7, @p)", new { p = PayloadCodec.Encode(Envelope(now, new[] { Sample("alice", TimeSpan.FromMinutes(3)) })) });
            var result = new InboxImporter(h.Db, ServerClock.Read(h.Db.Server)).Drain(new InboxOptions()).Single();
            Assert.Equal(("Saved", PayloadCodec.IdleKind), (result.Status, result.Kind));
            Assert.Equal("00:03:00", h.Simulator.QuerySingle<string>("SELECT IdleTime FROM pvl_report_idlemon WHERE computerid = 7"));

            h.Execute("INSERT INTO pvl_report_idlemon (computerid, Username, IdleTime, ScriptRunTime) VALUES (7, 'old', '00:00:01', NOW() - INTERVAL 40 DAY)");
            var (proval, _) = new IdleSaver(h.Db).ApplyRetention(ServerClock.Read(h.Db.Server), 30);
            Assert.Equal(1, proval);
            Assert.Equal(new[] { "alice" }, h.Simulator.Query<string>("SELECT Username FROM pvl_report_idlemon").ToArray());
        }
    }
}
