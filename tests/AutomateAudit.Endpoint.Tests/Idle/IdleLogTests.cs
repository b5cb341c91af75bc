using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Idle;
using AutomateAudit.Endpoint.Payload;

namespace AutomateAudit.Endpoint.Tests.Idle
{
    public class IdleLogTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc);

        /// <summary>Drives a tracker every 5 s over a scripted input pattern (the last input times), returning the lines it writes.</summary>
        private static List<IdleLogLine> Drive(IdleTracker tracker, DateTime from, DateTime to, Func<DateTime, DateTime> lastInput, Func<DateTime, bool> locked = null)
        {
            var lines = new List<IdleLogLine>();
            for (DateTime t = from; t < to; t += IdleLog.SampleInterval)
            {
                var line = tracker.Sample(t, t - lastInput(t), locked?.Invoke(t) ?? false);
                if (line.HasValue) lines.Add(line.Value);
            }
            return lines;
        }

        [Fact]
        public void IdleStartsAtTheLastInputAndActivityAtTheInputThatEndsIt()
        {
            var tracker = new IdleTracker("3", TimeSpan.FromMinutes(5));
            // Input every 30 s until 09:10, none until 09:40, then input again every 30 s.
            DateTime LastInput(DateTime t)
            {
                if (t < T0.AddMinutes(10)) return new DateTime(t.Ticks - t.Ticks % TimeSpan.FromSeconds(30).Ticks, DateTimeKind.Utc);
                if (t < T0.AddMinutes(40)) return T0.AddMinutes(10).AddSeconds(-30);
                return new DateTime(t.Ticks - t.Ticks % TimeSpan.FromSeconds(30).Ticks, DateTimeKind.Utc);
            }
            var lines = Drive(tracker, T0, T0.AddHours(1), LastInput);
            var changes = lines.Where(l => l.Mark != IdleMark.Heartbeat).ToList();
            Assert.Equal(new[] { IdleMark.Active, IdleMark.Idle, IdleMark.Active }, changes.Select(l => l.Mark).ToArray());
            Assert.Equal(T0, changes[0].Utc);
            Assert.Equal(T0.AddMinutes(9).AddSeconds(30), changes[1].Utc); // the last input, not when the threshold was crossed
            Assert.Equal(T0.AddMinutes(40), changes[2].Utc);
            // Heartbeats at least every 5 minutes while nothing changes.
            var times = lines.Select(l => l.Utc).OrderBy(t => t).ToList();
            Assert.All(times.Zip(times.Skip(1), (a, b) => b - a), gap => Assert.True(gap <= IdleLog.Heartbeat));

            var hours = IdleHistory.Hourly(lines, T0, T0.AddHours(1));
            var (_, _, active, idle, unknown) = Assert.Single(hours);
            // Active 09:00-09:09:30 and 09:40-10:00 (29.5 min), idle 09:09:30-09:40 (30.5 min): whole minutes that add up to 60.
            Assert.Equal((30, 30, 0), (active, idle, unknown));
            var known = IdleHistory.Intervals(lines, T0.AddHours(1));
            Assert.Equal(TimeSpan.FromMinutes(29.5), Sum(known, IdleMark.Active, T0, T0.AddHours(1)));
            Assert.Equal(TimeSpan.FromMinutes(30.5), Sum(known, IdleMark.Idle, T0, T0.AddHours(1)));
        }

        [Fact]
        public void ALockedSessionIsIdleAndStopsOrGapsAreUnknown()
        {
            var tracker = new IdleTracker("1", TimeSpan.FromMinutes(5));
            var lines = Drive(tracker, T0, T0.AddMinutes(20), t => t, t => t >= T0.AddMinutes(10));
            Assert.Equal(new[] { IdleMark.Active, IdleMark.Idle }, lines.Where(l => l.Mark != IdleMark.Heartbeat).Select(l => l.Mark).ToArray());
            lines.Add(tracker.Stop(T0.AddMinutes(20)));
            // The sampler is back an hour later.
            var later = new IdleTracker("1", TimeSpan.FromMinutes(5));
            lines.AddRange(Drive(later, T0.AddMinutes(80), T0.AddMinutes(90), t => t));
            var known = IdleHistory.Intervals(lines, T0.AddMinutes(90));
            Assert.Equal(TimeSpan.FromMinutes(10), Sum(known, IdleMark.Active, T0, T0.AddMinutes(20)));
            Assert.Equal(TimeSpan.FromMinutes(10), Sum(known, IdleMark.Idle, T0, T0.AddMinutes(20)));
            Assert.Equal(TimeSpan.Zero, Sum(known, IdleMark.Active, T0.AddMinutes(20), T0.AddMinutes(80)) + Sum(known, IdleMark.Idle, T0.AddMinutes(20), T0.AddMinutes(80)));
            // A sampler that died without a stop line: known for one heartbeat after its last line at most.
            var died = Drive(new IdleTracker("2", TimeSpan.FromMinutes(5)), T0, T0.AddMinutes(7), t => t);
            var afterDeath = IdleHistory.Intervals(died, T0.AddHours(2));
            Assert.True(afterDeath.Last().To <= died.Last().Utc + IdleLog.Heartbeat);
        }

        private static TimeSpan Sum(List<(DateTime From, DateTime To, IdleMark Mark)> known, IdleMark mark, DateTime from, DateTime to) =>
            TimeSpan.FromTicks(known.Where(k => k.Mark == mark).Sum(k => Math.Max(0, ((k.To < to ? k.To : to) - (k.From > from ? k.From : from)).Ticks)));

        [Fact]
        public void TheLogIsReadWhileWrittenAndRotatedAtomically()
        {
            string dir = Path.Combine(Path.GetTempPath(), "aa-idlelog-" + Guid.NewGuid().ToString("N"));
            string path = Path.Combine(dir, "alice.log");
            try
            {
                var old = Enumerable.Range(0, 50).Select(i => new IdleLogLine(T0.AddDays(-40).AddMinutes(5 * i), IdleMark.Heartbeat, "1"));
                var recent = Enumerable.Range(0, 50).Select(i => new IdleLogLine(T0.AddMinutes(5 * i), i == 0 ? IdleMark.Active : IdleMark.Heartbeat, "1")).ToList();
                IdleLog.Append(path, old.Concat(recent));
                File.AppendAllText(path, "2026-11-25T13:00:00Z A"); // a line half written when the reader came
                Assert.Equal(100, IdleLog.Read(path).Count);
                using (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)) // a reader holds it open
                {
                    Assert.True(IdleLog.Rotate(path, T0.AddHours(5), IdleLog.DefaultRetention));
                }
                Assert.Equal(recent.Select(l => l.ToString()), IdleLog.Read(path).Select(l => l.ToString()));
                Assert.False(IdleLog.Rotate(path, T0.AddHours(5), IdleLog.DefaultRetention));
                Assert.Null(IdleLogLine.Parse("2026-11-25T13:00:00Z Q 1"));
                Assert.Null(IdleLogLine.Parse("garbage"));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void IdleMonFilesAreReadOneByOne()
        {
            string root = Path.Combine(Path.GetTempPath(), "aa-idlemon-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(Path.Combine(root, "alice"));
                Directory.CreateDirectory(Path.Combine(root, "bob"));
                Directory.CreateDirectory(Path.Combine(root, "carol"));
                Directory.CreateDirectory(Path.Combine(root, "dave"));
                File.WriteAllText(Path.Combine(root, "alice", "idletime.json"), "{\"Username\":\"alice\",\"Domain\":\"CONTOSO\",\"IdleTime\":\"00:00:07.2809998\",\"IsAdmin\":true,\"IsDomainAdmin\":true,\"IsEnterpriseAdmin\":false}");
                File.WriteAllText(Path.Combine(root, "bob", "idletime.json"), "{\"Username\":\"bob\",\"Domain\":\"PC1\",\"IdleTime\":\"1.02:03:04.5000000\",\"IsAdmin\":false,\"IsDomainAdmin\":false,\"IsEnterpriseAdmin\":false}");
                File.WriteAllText(Path.Combine(root, "carol", "idletime.json"), "{\"Username\":\"carol\",\"IdleTime\":");
                File.WriteAllText(Path.Combine(root, "dave", "idletime.json"), "{\"Username\":\"dave\",\"IdleTime\":\"00:01:00\"}");
                File.SetLastWriteTimeUtc(Path.Combine(root, "dave", "idletime.json"), DateTime.UtcNow.AddHours(-3));
                var warnings = new List<string>();
                var samples = IdleMonFiles.Read(root, DateTime.UtcNow, warnings).ToDictionary(s => s.Sample.UserName);
                Assert.Equal(new[] { "alice", "bob", "dave" }, samples.Keys.OrderBy(k => k).ToArray());
                Assert.Equal(TimeSpan.FromTicks(72809998), samples["alice"].Sample.IdleTime);
                Assert.Equal(new TimeSpan(1, 2, 3, 4, 500), samples["bob"].Sample.IdleTime);
                Assert.Null(samples["alice"].Sample.IsAdmin); // the user's own claim is ignored
                Assert.Equal(IdleSource.IdleMon, samples["bob"].Sample.Source);
                Assert.False(samples["alice"].Stale);
                Assert.True(samples["dave"].Stale);
                Assert.Contains(warnings, w => w.Contains("carol"));
            }
            finally { Directory.Delete(root, true); }
        }
    }
}
