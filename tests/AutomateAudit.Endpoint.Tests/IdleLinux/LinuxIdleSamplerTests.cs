using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Idle;
using AutomateAudit.Endpoint.Idle.Linux;
using AutomateAudit.Endpoint.Platform;
using AutomateAudit.Endpoint.Tests.Linux;

namespace AutomateAudit.Endpoint.Tests.IdleLinux
{
    /// <summary>Sessions as a test sets them; idle is computed from LastInputTime against the shared clock.</summary>
    internal sealed class FakeSessions : ISessionSource
    {
        public List<UserSession> Sessions = new List<UserSession>();
        public Exception Throw;
        public IReadOnlyList<string> Warnings { get; } = new string[0];
        public IReadOnlyList<UserSession> GetSessions(bool includeSystem) => Throw != null ? throw Throw : Sessions.ToList();
        public IReadOnlyList<SessionEvent> GetEvents(DateTime sinceUtc) => new SessionEvent[0];

        public UserSession Add(string user, string id, DateTime? lastInputUtc)
        {
            var s = new UserSession { ComputerName = "testhost", UserName = user, Domain = "testhost", SessionId = id, LastInputTime = lastInputUtc?.ToLocalTime(), IdleTime = lastInputUtc.HasValue ? TimeSpan.Zero : (TimeSpan?)null };
            Sessions.Add(s);
            return s;
        }
    }

    internal sealed class FakeLogind : ILogindIdleReader
    {
        public Dictionary<string, LogindIdleState> States = new Dictionary<string, LogindIdleState>();
        public List<string> Asked = new List<string>();
        public LogindIdleState Read(string sessionId) { Asked.Add(sessionId); return States.TryGetValue(sessionId, out var s) ? s : null; }
    }

    public sealed class LinuxIdleSamplerTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 11, 25, 13, 0, 0, DateTimeKind.Utc);

        private sealed class Rig : IDisposable
        {
            public readonly TempDir Dir = new TempDir();
            public readonly FakeSessions Sessions = new FakeSessions();
            public readonly FakeLogind Logind = new FakeLogind();
            public readonly List<string> Warnings = new List<string>();
            public DateTime Now = T0;
            public readonly LinuxIdleSampler Sampler;
            public readonly HashSet<string> LogindIds = new HashSet<string>();

            public Rig(IEnumerable<string> exclude = null, TimeSpan? threshold = null)
            {
                var probe = new LinuxIdleProbe(Sessions, Logind, id => LogindIds.Contains(id), () => Now);
                Sampler = new LinuxIdleSampler(Dir.Path("automateaudit/idle"), TimeSpan.FromSeconds(5), threshold ?? TimeSpan.FromMinutes(5),
                    exclude, Dir.Path("exclude"), probe, () => Now, warn: Warnings.Add);
            }

            public string Log(string user) => Dir.Path("automateaudit/idle/" + user + ".log");
            public string Latest(string user) => Dir.Path("automateaudit/idle/" + user + ".now");
            public List<string> Lines(string user) => IdleLog.Read(Log(user)).Select(l => l.ToString()).ToList();

            /// <summary>Samples every 5 s for the given span.</summary>
            public void Advance(TimeSpan span)
            {
                DateTime end = Now + span;
                while (Now < end) { Now += TimeSpan.FromSeconds(5); Sampler.SampleOnce(Now); }
            }

            public void Dispose() => Dir.Dispose();
        }

        [Fact]
        public void TerminalSessionActiveThenIdleFromTheLastInput()
        {
            using var rig = new Rig(threshold: TimeSpan.FromMinutes(1));
            var alice = rig.Sessions.Add("alice", "12", T0);
            rig.Sampler.SampleOnce(rig.Now);
            // Input until 13:02, then nothing; active again at 13:06:30.
            for (int i = 0; i < 24; i++) { rig.Now += TimeSpan.FromSeconds(5); alice.LastInputTime = rig.Now.ToLocalTime(); rig.Sampler.SampleOnce(rig.Now); }
            rig.Advance(TimeSpan.FromMinutes(4.5));
            var idleNow = Assert.Single(LatestSampleFile.Read(rig.Latest("alice")));
            Assert.Equal(rig.Now, idleNow.Utc);
            Assert.Equal(rig.Now - T0.AddMinutes(2), idleNow.Idle);
            Assert.Equal("12", idleNow.SessionId);
            Assert.False(idleNow.Locked);

            alice.LastInputTime = rig.Now.AddSeconds(-3).ToLocalTime();
            rig.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(new[] { "2026-11-25T13:00:00Z A 12", "2026-11-25T13:02:00Z I 12", "2026-11-25T13:06:27Z A 12" }, rig.Lines("alice"));
            Assert.Empty(rig.Warnings);
            Assert.Empty(rig.Logind.Asked);
        }

        [Fact]
        public void DefaultThresholdIdleStartsAtTheLastInputDespiteHeartbeats()
        {
            using var rig = new Rig();
            var alice = rig.Sessions.Add("alice", "12", T0);
            rig.Sampler.SampleOnce(rig.Now);
            for (int i = 0; i < 24; i++) { rig.Now += TimeSpan.FromSeconds(5); alice.LastInputTime = rig.Now.ToLocalTime(); rig.Sampler.SampleOnce(rig.Now); }
            rig.Advance(TimeSpan.FromMinutes(8));
            var lines = IdleLog.Read(rig.Log("alice"));
            var known = IdleHistory.Intervals(lines, rig.Now);
            Assert.Equal(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(known.Where(k => k.Mark == IdleMark.Active).Sum(k => (k.To - k.From).TotalSeconds)));
        }

        [Fact]
        public void VanishedSessionsStopAndTheirNowFileGoes()
        {
            using var rig = new Rig();
            var a1 = rig.Sessions.Add("alice", "12", T0);
            var a2 = rig.Sessions.Add("alice", "13", T0);
            rig.Sessions.Add("bob", "14", T0.AddMinutes(-30));
            rig.Sampler.SampleOnce(rig.Now);
            Assert.Equal(2, LatestSampleFile.Read(rig.Latest("alice")).Count);
            Assert.Equal(new[] { "2026-11-25T13:00:00Z I 14" }, rig.Lines("bob"));

            rig.Sessions.Sessions.Remove(a2);
            rig.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(new[] { "2026-11-25T13:00:00Z A 12", "2026-11-25T13:00:00Z A 13", "2026-11-25T13:00:05Z X 13" }, rig.Lines("alice"));
            Assert.Single(LatestSampleFile.Read(rig.Latest("alice")));

            rig.Sessions.Sessions.RemoveAll(s => s.UserName == "bob");
            rig.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal("2026-11-25T13:00:10Z X 14", rig.Lines("bob").Last());
            Assert.False(File.Exists(rig.Latest("bob")));

            // Shutdown: a stop line for what is left; the .now file stays (its age shows the sampler stopped).
            rig.Sampler.StopAll(rig.Now);
            Assert.Equal("2026-11-25T13:00:10Z X 12", rig.Lines("alice").Last());
            Assert.True(File.Exists(rig.Latest("alice")));
            Assert.Empty(rig.Sampler.Followed);
        }

        [Fact]
        public void GraphicalSessionsGoToLogindAndLockedIsIdle()
        {
            using var rig = new Rig();
            rig.LogindIds.Add("2");
            rig.Sessions.Add("bob", "2", null);       // no terminal: logind
            rig.Sessions.Add("carol", "900", null);    // no terminal, not logind's (an X display in utmp): unknown
            rig.Logind.States["2"] = new LogindIdleState { IdleHint = false, IdleSinceUtc = T0.AddHours(-1), LockedHint = false };
            rig.Sampler.SampleOnce(rig.Now);
            rig.Advance(TimeSpan.FromMinutes(1));
            rig.Logind.States["2"] = new LogindIdleState { IdleHint = false, IdleSinceUtc = T0.AddHours(-1), LockedHint = true };
            rig.Advance(TimeSpan.FromSeconds(5));
            rig.Logind.States["2"] = new LogindIdleState { IdleHint = true, IdleSinceUtc = rig.Now.AddMinutes(-1), LockedHint = true };
            rig.Advance(TimeSpan.FromMinutes(1));
            rig.Logind.States["2"] = new LogindIdleState { IdleHint = false, IdleSinceUtc = rig.Now, LockedHint = false };
            rig.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(new[]
            {
                "2026-11-25T13:00:00Z A 2",
                "2026-11-25T13:01:05Z I 2", // locked: idle from the moment it was seen locked
                "2026-11-25T13:02:10Z A 2",
            }, rig.Lines("bob"));
            var now = Assert.Single(LatestSampleFile.Read(rig.Latest("bob")));
            Assert.False(now.Locked);
            Assert.All(rig.Logind.Asked, id => Assert.Equal("2", id));
            Assert.False(File.Exists(rig.Log("carol")));

            // logind stops answering: the session's time becomes Unknown (a stop line), and it resumes later.
            rig.Logind.States.Remove("2");
            rig.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal("2026-11-25T13:02:15Z X 2", rig.Lines("bob").Last());
            rig.Logind.States["2"] = new LogindIdleState { IdleHint = true, IdleSinceUtc = rig.Now.AddMinutes(-20), LockedHint = false };
            rig.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal("2026-11-25T13:02:20Z I 2", rig.Lines("bob").Last());
        }

        [Fact]
        public void ExcludedAndInvalidUsersAreNotSampled()
        {
            using var rig = new Rig(exclude: new[] { "kiosk" });
            rig.Sessions.Add("kiosk", "1", T0);
            rig.Sessions.Add("../etc/passwd", "2", T0);
            rig.Sessions.Add("..", "3", T0);
            rig.Sessions.Add("eve", "4;x", T0);
            rig.Sessions.Add("alice", "5", T0);
            rig.Sampler.SampleOnce(rig.Now);
            rig.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(new[] { "alice.log", "alice.now" }, Directory.GetFiles(rig.Dir.Path("automateaudit/idle")).Select(Path.GetFileName).OrderBy(n => n));
            Assert.Equal(3, rig.Warnings.Count); // each warned once, not every sample
            Assert.False(File.Exists(rig.Dir.Path("automateaudit/etc/passwd.log")));

            // The exclude file is re-read when it changes: alice stops being followed.
            File.WriteAllText(rig.Dir.Path("exclude"), "# kiosk users\n\nalice\n");
            rig.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal("2026-11-25T13:00:15Z X 5", rig.Lines("alice").Last());
            Assert.False(File.Exists(rig.Latest("alice")));
            Assert.Equal(new[] { "kiosk", "alice" }, LinuxIdleSampler.ParseExcludeList("kiosk\r\n # x\n  alice  \n"));
        }

        [Fact]
        public void SessionsThatCannotBeListedWriteNothing()
        {
            using var rig = new Rig();
            rig.Sessions.Add("alice", "5", T0);
            rig.Sampler.SampleOnce(rig.Now);
            rig.Sessions.Throw = new FileNotFoundException("no utmp");
            rig.Advance(TimeSpan.FromSeconds(10));
            Assert.Single(rig.Lines("alice"));
            Assert.Contains(rig.Warnings, w => w.Contains("no utmp"));
        }

        [Fact]
        public void LogsRotateOnceADay()
        {
            using var rig = new Rig();
            string gone = rig.Log("gone");
            IdleLog.Append(gone, new[]
            {
                new IdleLogLine(T0.AddDays(-36), IdleMark.Active, "1"),
                new IdleLogLine(T0.AddDays(-34.5), IdleMark.Active, "2"),
                new IdleLogLine(T0.AddDays(-1), IdleMark.Idle, "2"),
            });
            rig.Sampler.SampleOnce(rig.Now); // the first sample rotates
            Assert.Equal(new[] { "2026-10-22T01:00:00Z A 2", "2026-11-24T13:00:00Z I 2" }, rig.Lines("gone"));

            rig.Now = T0.AddHours(12);        // line 2 is now 35 days old, but the last rotation was 12 h ago
            rig.Sampler.SampleOnce(rig.Now);
            Assert.Equal(2, rig.Lines("gone").Count);
            rig.Now = T0.AddDays(1);
            rig.Sampler.SampleOnce(rig.Now);
            Assert.Equal(new[] { "2026-11-24T13:00:00Z I 2" }, rig.Lines("gone"));
        }

        [Fact]
        public void RunSamplesUntilCancelledAndStopsEverySession()
        {
            using var rig = new Rig();
            rig.Sessions.Add("alice", "5", T0);
            var clockLock = new object();
            DateTime fake = T0;
            var probe = new LinuxIdleProbe(rig.Sessions, rig.Logind, _ => false, () => { lock (clockLock) return fake; });
            var sampler = new LinuxIdleSampler(rig.Dir.Path("automateaudit/run"), TimeSpan.FromMilliseconds(20), TimeSpan.FromMinutes(1),
                excludeFile: rig.Dir.Path("none"), probe: probe, utcNow: () => { lock (clockLock) { fake += TimeSpan.FromSeconds(5); return fake; } });
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            sampler.Run(cts.Token);
            var lines = IdleLog.Read(rig.Dir.Path("automateaudit/run/alice.log"));
            Assert.Equal(IdleMark.Active, lines.First().Mark);
            Assert.Equal(IdleMark.Stopped, lines.Last().Mark);
            Assert.Contains(lines, l => l.Mark == IdleMark.Idle); // 5 fake seconds per sample: idle after a minute
            Assert.Empty(sampler.Followed);
        }

        [Theory]
        [InlineData("alice", true)]
        [InlineData("a.b-c_d", true)]
        [InlineData("..", false)]
        [InlineData(".", false)]
        [InlineData("a/b", false)]
        [InlineData("a b", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        [InlineData("alice@example.com", false)]
        public void UserNames(string name, bool valid) => Assert.Equal(valid, LinuxIdleSampler.IsValidUserName(name));
    }

    public sealed class LatestSampleFileTests
    {
        [Fact]
        public void FormatParseAndAtomicWrite()
        {
            using var dir = new TempDir();
            var t = new DateTime(2026, 11, 25, 13, 5, 0, 400, DateTimeKind.Utc);
            var samples = new[] { new LatestSample(t, TimeSpan.FromSeconds(42.9), false, "3"), new LatestSample(t, TimeSpan.FromDays(2), true, "c7") };
            Assert.Equal("2026-11-25T13:05:00Z 42 0 3\n2026-11-25T13:05:00Z 172800 1 c7\n", LatestSampleFile.Format(samples));
            string path = dir.Path("alice.now");
            LatestSampleFile.Write(path, samples);
            LatestSampleFile.Write(path, samples.Take(1));
            Assert.False(File.Exists(path + ".tmp"));
            var back = Assert.Single(LatestSampleFile.Read(path));
            Assert.Equal(TimeSpan.FromSeconds(42), back.Idle);
            Assert.Equal(t.AddMilliseconds(-400), LatestSampleFile.LastWriteUtc(new[] { back }));
            Assert.True(LatestSampleFile.IsRunning(back.Utc, back.Utc.AddMinutes(9)));
            Assert.False(LatestSampleFile.IsRunning(back.Utc, back.Utc.AddMinutes(11)));
            Assert.False(LatestSampleFile.IsRunning(null, back.Utc));

            dir.Write("bob.now", "junk\n2026-11-25T13:05:00Z -1 0 3\n2026-11-25T13:05:00Z 1 2 3\n2026-11-25T13:05:00Z 1 0 a/b\n2026-11-25T13:05:00Z 5 1 4\n");
            dir.Write("..now", "2026-11-25T13:05:00Z 5 1 4\n");
            var all = LatestSampleFile.ReadDirectory(dir.Root);
            Assert.Equal(new[] { "alice", "bob" }, all.Keys.OrderBy(k => k));
            Assert.Equal("4", Assert.Single(all["bob"]).SessionId);
            Assert.Empty(LatestSampleFile.Read(dir.Path("nobody.now")));
        }
    }
}
