using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using AutomateAudit.Endpoint.Idle;
using AutomateAudit.Endpoint.Idle.Linux;
using AutomateAudit.Endpoint.Platform.Linux;
using AutomateAudit.Endpoint.Tests.Linux;
using Xunit.Abstractions;

namespace AutomateAudit.Endpoint.Tests.IdleLinux
{
    /// <summary>A logind reader that must never be asked (terminal sessions never go to logind).</summary>
    internal sealed class NoLogind : ILogindIdleReader
    {
        public int Calls;
        public LogindIdleState Read(string sessionId) { Calls++; return null; }
    }

    /// <summary>
    /// The "done when" on Linux: the sampler runs for real, for about 46 s, over real ptys listed in a utmp
    /// file as held by live processes, while a script moves the terminals' access times on a known pattern.
    /// </summary>
    public sealed class PtySamplerTests
    {
        private readonly ITestOutputHelper _output;
        public PtySamplerTests(ITestOutputHelper output) => _output = output;

        private static UtmpRecord Login(int pid, string line, string user)
        {
            var r = new UtmpRecord { Type = UtmpType.UserProcess, Pid = pid, Line = line, User = user, Id = line.Substring(line.Length - Math.Min(4, line.Length)) };
            r.SetTimeUtc(DateTime.UtcNow.AddMinutes(-1));
            return r;
        }

        private static (double Active, double Idle, DateTime From, DateTime To) Totals(string logPath, string session, DateTime nowUtc)
        {
            var lines = IdleLog.Read(logPath).Where(l => l.SessionId == session).ToList();
            var known = IdleHistory.Intervals(lines, nowUtc);
            double active = known.Where(k => k.Mark == IdleMark.Active).Sum(k => (k.To - k.From).TotalSeconds);
            double idle = known.Where(k => k.Mark == IdleMark.Idle).Sum(k => (k.To - k.From).TotalSeconds);
            return (active, idle, known.First().From, known.Last().To);
        }

        [Fact]
        public void SamplerFollowsScriptedPtySessions()
        {
            Assert.True(File.Exists("/dev/ptmx"), "needs /dev/ptmx");
            var interval = TimeSpan.FromSeconds(1);
            var threshold = TimeSpan.FromSeconds(10);
            const double exactTolerance = 1.0;   // one sample interval
            const double kernelTolerance = 10.0; // the kernel moves a tty's atime only when it changes beyond its low 3 bits (~8 s)

            using var procs = new LiveProcesses();
            using var dir = new TempDir();
            using var a = new Pty();   // alice: typed into (kernel atime), every 1 s for 20 s, then nothing
            using var b = new Pty();   // bob: typed into, idle from the start, input every 1 s from 15 s to 25 s
            using var c = new Pty();   // carol: atime set by the script, as alice
            using var d = new Pty();   // dave: atime set by the script, as bob
            int pa = procs.Start(), pb = procs.Start(), pc = procs.Start(), pd = procs.Start();
            string utmp = dir.WriteBytes("run/utmp", UtmpFormat.Serialize(new[]
            {
                Login(pa, a.Line, "alice"), Login(pb, b.Line, "bob"), Login(pc, c.Line, "carol"), Login(pd, d.Line, "dave"),
            }, UtmpFormat.HostLayout));
            _output.WriteLine($"ptys: alice {a.Path}, bob {b.Path}, carol {c.Path}, dave {d.Path}");

            var logind = new NoLogind();
            var source = new LinuxSessionSource(utmpPath: utmp, logindSessionsDirectory: dir.Path("run/systemd/sessions"), machine: new FixedMachine());
            var probe = new LinuxIdleProbe(source, logind);
            string logDir = dir.Path("idle");
            var warnings = new List<string>();
            var sampler = new LinuxIdleSampler(logDir, interval, threshold, excludeFile: dir.Path("exclude"), probe: probe, warn: warnings.Add);

            // The script, in seconds from t0.
            DateTime t0 = DateTime.UtcNow.AddMilliseconds(300);
            var script = new List<(double At, Action Act)>();
            for (int k = 0; k <= 20; k++) script.Add((k, a.Type));
            for (int k = 15; k <= 25; k++) script.Add((k, b.Type));
            for (int k = 0; k <= 20; k += 2) { DateTime at = t0.AddSeconds(k); script.Add((k, () => File.SetLastAccessTimeUtc(c.Path, at))); }
            script.Add((15, () => File.SetLastAccessTimeUtc(d.Path, t0.AddSeconds(15))));
            for (int k = 16; k <= 25; k++) { DateTime at = t0.AddSeconds(k); script.Add((k, () => File.SetLastAccessTimeUtc(d.Path, at))); }
            const double end = 45;
            script = script.OrderBy(s => s.At).ToList();

            File.SetLastAccessTimeUtc(b.Path, t0.AddSeconds(-60));
            File.SetLastAccessTimeUtc(c.Path, t0);
            File.SetLastAccessTimeUtc(d.Path, t0.AddSeconds(-60));
            a.Type();

            while (DateTime.UtcNow < t0) Thread.Sleep(5);
            using var cts = new CancellationTokenSource();
            var thread = new Thread(() => sampler.Run(cts.Token)) { IsBackground = true, Name = "idle sampler" };
            var watch = Stopwatch.StartNew();
            thread.Start();

            List<LatestSample> carolAt30 = null;
            DateTime carolReadAt = default;
            script.Add((30.3, () => { carolReadAt = DateTime.UtcNow; carolAt30 = LatestSampleFile.Read(Path.Combine(logDir, "carol.now")); }));
            foreach (var (at, act) in script.OrderBy(s => s.At))
            {
                TimeSpan wait = t0.AddSeconds(at) - DateTime.UtcNow;
                if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                act();
            }
            TimeSpan rest = t0.AddSeconds(end) - DateTime.UtcNow;
            if (rest > TimeSpan.Zero) Thread.Sleep(rest);
            cts.Cancel();
            Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "the sampler stops when cancelled");
            DateTime stopped = DateTime.UtcNow;
            _output.WriteLine($"ran {watch.Elapsed.TotalSeconds:F1} s");

            Assert.Empty(warnings);
            Assert.Equal(0, logind.Calls);
            Assert.Empty(sampler.Followed);

            void Check(string user, Pty pty, double activeUntil, double? activeFrom, double tolerance)
            {
                string log = Path.Combine(logDir, user + ".log");
                var lines = IdleLog.Read(log);
                _output.WriteLine($"{user}: " + string.Join(" | ", lines.Select(l => $"{(l.Utc - t0).TotalSeconds:F1} {(char)l.Mark}")));
                string session = source.GetSessions(false).FirstOrDefault(s => s.UserName == user)?.SessionId;
                Assert.NotNull(session);
                Assert.All(lines, l => Assert.Equal(session, l.SessionId));
                Assert.Equal(IdleMark.Stopped, lines.Last().Mark);
                var (active, idle, from, to) = Totals(log, session, stopped);
                // What the script says for the logged window [from, to].
                double start = (from - t0).TotalSeconds, stop = (to - t0).TotalSeconds;
                double expectedActive = activeFrom == null
                    ? activeUntil - start
                    : activeUntil - activeFrom.Value;
                double expectedIdle = (stop - start) - expectedActive;
                _output.WriteLine($"{user}: window {start:F1}..{stop:F1} s, active {active:F0} s (script {expectedActive:F1}), idle {idle:F0} s (script {expectedIdle:F1}), tolerance {tolerance} s");
                Assert.InRange(active, expectedActive - tolerance, expectedActive + tolerance);
                Assert.InRange(idle, expectedIdle - tolerance, expectedIdle + tolerance);
                Assert.InRange(start, -1.0, interval.TotalSeconds + 1);
                Assert.InRange(stop, end - 1, end + 3);

                // The summary (active/idle minutes per hour) adds up to the same time.
                var hours = IdleHistory.Hourly(IdleLog.Read(log), from.AddHours(-1), stopped).Where(h => h.SessionId == session).ToList();
                Assert.InRange(hours.Sum(h => h.Active), Math.Floor(active / 60) - 1, Math.Ceiling(active / 60) + 1);
                Assert.InRange(hours.Sum(h => h.Idle), Math.Floor(idle / 60) - 1, Math.Ceiling(idle / 60) + 1);
            }

            Check("carol", c, activeUntil: 20, activeFrom: null, tolerance: exactTolerance);
            Check("dave", d, activeUntil: 25, activeFrom: 15, tolerance: exactTolerance);
            Check("alice", a, activeUntil: 20, activeFrom: null, tolerance: kernelTolerance);
            Check("bob", b, activeUntil: 25, activeFrom: 15, tolerance: kernelTolerance);

            // The sampler's current view at 30 s: carol idle 10 s since her last input at 20 s.
            Assert.NotNull(carolAt30);
            var now30 = Assert.Single(carolAt30);
            Assert.False(now30.Locked);
            Assert.InRange((carolReadAt - now30.Utc).TotalSeconds, 0, 2.5);
            Assert.InRange(now30.Idle.TotalSeconds, (now30.Utc - t0).TotalSeconds - 20 - 1.5, (now30.Utc - t0).TotalSeconds - 20 + 1);
            Assert.True(LatestSampleFile.IsRunning(LatestSampleFile.LastWriteUtc(carolAt30), carolReadAt));
        }

        [Fact]
        public void APtyIdleForTenMinutesReadsAsTenMinutes()
        {
            using var procs = new LiveProcesses();
            using var dir = new TempDir();
            using var pty = new Pty();
            int pid = procs.Start();
            string utmp = dir.WriteBytes("utmp", UtmpFormat.Serialize(new[] { Login(pid, pty.Line, "alice") }, UtmpFormat.HostLayout));
            File.SetLastAccessTimeUtc(pty.Path, DateTime.UtcNow.AddMinutes(-10));

            var source = new LinuxSessionSource(utmpPath: utmp, logindSessionsDirectory: dir.Path("sessions"), machine: new FixedMachine());
            var admins = new LinuxAdminGroups(
                LinuxAdminGroups.ParsePasswd("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n"),
                LinuxAdminGroups.ParseGroup("sudo:x:27:alice\nalice:x:1000:\n"));
            var logind = new NoLogind();
            var sample = Assert.Single(new LinuxIdleProbe(source, logind).GetSamples(admins));

            Assert.Equal("alice", sample.UserName);
            Assert.Equal("testhost", sample.Domain);
            Assert.Equal(pid.ToString(), sample.SessionId);
            Assert.Equal(IdleSource.Terminal, sample.Source);
            Assert.InRange(sample.IdleTime.Value, TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(2));
            Assert.InRange((DateTime.Now - sample.Timestamp).TotalSeconds, 0, 5);
            Assert.Equal(DateTimeKind.Local, sample.Timestamp.Kind);
            Assert.Null(sample.IsLocked);
            Assert.True(sample.IsAdmin);
            Assert.Null(sample.IsDomainAdmin);
            Assert.Null(sample.IsEnterpriseAdmin);
            Assert.Equal(0, logind.Calls);

            // Typing moves it back to (almost) zero through the kernel.
            pty.Type();
            var after = Assert.Single(new LinuxIdleProbe(source, logind).GetSamples(admins));
            Assert.InRange(after.IdleTime.Value, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        }
    }
}
