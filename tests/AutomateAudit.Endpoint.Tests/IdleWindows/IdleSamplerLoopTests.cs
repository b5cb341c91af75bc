using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint.Idle;
using AutomateAudit.Endpoint.Idle.Windows;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class IdleSamplerLoopTests
    {
        private static readonly DateTime Start = new DateTime(2026, 11, 25, 23, 50, 0, DateTimeKind.Utc);
        private const int Lock = 0, Unlock = 1;

        /// <summary>Runs the loop every 5 s for the given seconds with a scripted last-input tick; returns every step.</summary>
        private static List<(DateTime At, IdleSamplerStep Step)> Run(IdleSamplerLoop loop, ulong bootTick, int seconds,
            Func<int, uint> lastInputAt, Func<int, int?> flagsAt)
        {
            var steps = new List<(DateTime, IdleSamplerStep)>();
            for (int s = 0; s <= seconds; s += 5)
            {
                DateTime now = Start.AddSeconds(s);
                steps.Add((now, loop.Step(now, bootTick + (ulong)s * 1000, lastInputAt(s), flagsAt(s))));
            }
            return steps;
        }

        [Fact]
        public void Active_then_idle_from_the_last_input_across_the_tick_wrap()
        {
            // GetTickCount wraps 100 s into the run; the user types until second 60 and then leaves. A 2-minute
            // threshold puts the idle line before the first heartbeat (see Idle_start_is_not_clamped_to_a_heartbeat).
            ulong boot = 0xFFFFFFFFUL - 100_000;
            var loop = new IdleSamplerLoop(3, TimeSpan.FromMinutes(2), lockFlagsSwapped: false);
            var steps = Run(loop, boot, 600, s => unchecked((uint)(boot + (ulong)Math.Min(s, 60) * 1000)), s => Unlock);

            var lines = steps.Where(x => x.Step.Line.HasValue).Select(x => x.Step.Line.Value).ToList();
            Assert.Equal(IdleMark.Active, lines[0].Mark);
            Assert.Equal(Start, lines[0].Utc);
            IdleLogLine idle = lines.Single(l => l.Mark == IdleMark.Idle);
            Assert.Equal(Start.AddSeconds(60), idle.Utc); // from the last input, not from the threshold
            Assert.Equal("3", idle.SessionId);
            // idle.now every sample, idle seconds counted through the wrap
            Assert.Equal(540, steps.Last().Step.Now.IdleSeconds);
            Assert.Equal(3, steps.Last().Step.Now.SessionId);
        }

        [Fact]
        public void Idle_start_is_not_clamped_to_a_heartbeat()
        {
            // Default threshold: the user types until second 60; the heartbeat at second 300 comes before the threshold
            // is crossed at second 360. The idle stretch must still start at second 60 (the issue: "The idle interval
            // then starts at the last input, not at the threshold").
            var loop = new IdleSamplerLoop(3, TimeSpan.FromMinutes(5), lockFlagsSwapped: false);
            var steps = Run(loop, 1_000_000, 600, s => (uint)(1_000_000 + Math.Min(s, 60) * 1000), s => Unlock);
            IdleLogLine idle = steps.Where(x => x.Step.Line.HasValue).Select(x => x.Step.Line.Value).Single(l => l.Mark == IdleMark.Idle);
            Assert.Equal(Start.AddSeconds(60), idle.Utc);
        }

        [Fact]
        public void Locked_session_is_idle_and_windows7_flags_are_swapped()
        {
            var loop = new IdleSamplerLoop(2, TimeSpan.FromMinutes(5), lockFlagsSwapped: false);
            IdleSamplerStep first = loop.Step(Start, 1_000_000, 999_000, Unlock);
            Assert.Equal(IdleMark.Active, first.Line.Value.Mark);
            IdleSamplerStep locked = loop.Step(Start.AddSeconds(5), 1_005_000, 1_004_000, Lock);
            Assert.Equal(IdleMark.Idle, locked.Line.Value.Mark);
            Assert.True(locked.Now.Locked);

            // Windows 7 / 2008 R2: WTS_SESSIONSTATE_LOCK (0) means unlocked there.
            var seven = new IdleSamplerLoop(2, TimeSpan.FromMinutes(5), lockFlagsSwapped: true);
            Assert.False(seven.Step(Start, 1_000_000, 999_000, Lock).Now.Locked);
            Assert.True(seven.Step(Start.AddSeconds(5), 1_005_000, 1_004_000, Unlock).Now.Locked);
        }

        [Fact]
        public void Unknown_lock_state_counts_as_unlocked()
        {
            var loop = new IdleSamplerLoop(2, TimeSpan.FromMinutes(5), false);
            Assert.False(loop.Step(Start, 1_000_000, 999_000, null).Now.Locked);
            Assert.False(loop.Step(Start.AddSeconds(5), 1_005_000, 1_004_000, -1).Now.Locked);
        }

        [Fact]
        public void Rotates_on_the_first_sample_and_once_per_utc_day()
        {
            var loop = new IdleSamplerLoop(2, TimeSpan.FromMinutes(5), false);
            var steps = Run(loop, 1_000_000, 1200, s => 1_000_000, s => Unlock); // 23:50 to 00:10
            var rotations = steps.Where(x => x.Step.Rotate).Select(x => x.At).ToList();
            Assert.Equal(new[] { Start, new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc) }, rotations);
        }

        [Fact]
        public void Heartbeat_every_five_minutes_and_stop()
        {
            var loop = new IdleSamplerLoop(4, TimeSpan.FromMinutes(5), false);
            var steps = Run(loop, 1_000_000, 600, s => (uint)(1_000_000 + s * 1000), s => Unlock); // always active
            var marks = steps.Where(x => x.Step.Line.HasValue).Select(x => x.Step.Line.Value.Mark).ToList();
            Assert.Equal(new[] { IdleMark.Active, IdleMark.Heartbeat, IdleMark.Heartbeat }, marks);
            IdleLogLine stop = loop.Stop(Start.AddSeconds(602));
            Assert.Equal(IdleMark.Stopped, stop.Mark);
            Assert.Equal("4", stop.SessionId);
        }

        [Theory]
        [InlineData(new string[0], 300)]
        [InlineData(new[] { "/threshold:60" }, 60)]
        [InlineData(new[] { "/THRESHOLD:900" }, 900)]
        [InlineData(new[] { "/threshold:86400" }, 86400)]
        public void Options_parse(string[] args, int seconds)
        {
            IdleSamplerOptions options = IdleSamplerOptions.Parse(args, out string error);
            Assert.Null(error);
            Assert.Equal(TimeSpan.FromSeconds(seconds), options.Threshold);
        }

        [Theory]
        [InlineData("/threshold:59")]
        [InlineData("/threshold:86401")]
        [InlineData("/threshold:-5")]
        [InlineData("/threshold:")]
        [InlineData("/threshold:1e3")]
        [InlineData("--verbose")]
        public void Options_reject(string arg)
        {
            Assert.Null(IdleSamplerOptions.Parse(new[] { arg }, out string error));
            Assert.Contains(arg, error);
        }

        [Fact]
        public void Options_format()
        {
            Assert.Equal("", IdleSamplerOptions.Format(null));
            Assert.Equal("", IdleSamplerOptions.Format(TimeSpan.FromMinutes(5)));
            Assert.Equal("/threshold:600", IdleSamplerOptions.Format(TimeSpan.FromMinutes(10)));
            Assert.Throws<ArgumentOutOfRangeException>(() => IdleSamplerOptions.Format(TimeSpan.FromSeconds(30)));
            Assert.Throws<ArgumentOutOfRangeException>(() => IdleSamplerOptions.Format(TimeSpan.FromSeconds(90.5)));
            var back = IdleSamplerOptions.Parse(new[] { IdleSamplerOptions.Format(TimeSpan.FromMinutes(10)) }, out _);
            Assert.Equal(TimeSpan.FromMinutes(10), back.Threshold);
        }
    }
}
