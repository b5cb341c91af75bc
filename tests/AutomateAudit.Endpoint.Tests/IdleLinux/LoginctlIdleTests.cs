using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using AutomateAudit.Endpoint.Idle.Linux;

namespace AutomateAudit.Endpoint.Tests.IdleLinux
{
    /// <summary>Records the commands it is asked to run and answers from a script.</summary>
    internal sealed class RecordingRunner : ICommandRunner
    {
        public readonly List<(string File, string[] Arguments, TimeSpan Timeout)> Calls = new List<(string, string[], TimeSpan)>();
        public Func<string, IReadOnlyList<string>, CommandResult> Answer = (f, a) => new CommandResult(0, "", "");

        public CommandResult Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout)
        {
            Calls.Add((file, new List<string>(arguments).ToArray(), timeout));
            return Answer(file, arguments);
        }
    }

    public sealed class LoginctlIdleTests
    {
        // Recorded shapes of `loginctl show-session <id> -p IdleHint -p IdleSinceHint -p LockedHint` (systemd 252,
        // Debian 12): the properties in the order asked, one Key=value per line, booleans as yes/no, the time in µs.
        private const string GnomeActive = "IdleHint=no\nIdleSinceHint=1732540000123456\nLockedHint=no\n";
        private const string GnomeIdle = "IdleHint=yes\nIdleSinceHint=1732540000123456\nLockedHint=no\n";
        private const string GnomeLocked = "IdleHint=yes\nIdleSinceHint=1732540300000000\nLockedHint=yes\n";
        private const string NeverSet = "IdleHint=no\nIdleSinceHint=0\nLockedHint=no\n";
        private const string OldSystemd = "IdleHint=yes\nIdleSinceHint=1732540000123456\n"; // before LockedHint existed (v230)

        private static readonly DateTime Since = new DateTime(2024, 11, 25, 13, 6, 40, DateTimeKind.Utc).AddTicks(1234560);

        [Fact]
        public void ParsesRecordedOutput()
        {
            var active = LoginctlIdleReader.Parse(GnomeActive);
            Assert.False(active.IdleHint);
            Assert.False(active.LockedHint);
            Assert.Equal(Since, active.IdleSinceUtc);
            Assert.Equal(DateTimeKind.Utc, active.IdleSinceUtc.Value.Kind);
            Assert.Equal(TimeSpan.Zero, active.IdleAt(Since.AddMinutes(30)));

            var idle = LoginctlIdleReader.Parse(GnomeIdle);
            Assert.True(idle.IdleHint);
            Assert.Equal(TimeSpan.FromMinutes(7), idle.IdleAt(Since.AddMinutes(7)));
            Assert.Equal(TimeSpan.Zero, idle.IdleAt(Since.AddMinutes(-1))); // clock went back: never negative

            var locked = LoginctlIdleReader.Parse(GnomeLocked);
            Assert.True(locked.LockedHint);

            var never = LoginctlIdleReader.Parse(NeverSet);
            Assert.Null(never.IdleSinceUtc);
            Assert.Equal(TimeSpan.Zero, never.IdleAt(Since));

            var old = LoginctlIdleReader.Parse(OldSystemd);
            Assert.True(old.IdleHint);
            Assert.Null(old.LockedHint);
        }

        [Theory]
        [InlineData("")]
        [InlineData("Failed to get session path: No session '7' known\n")]
        [InlineData("IdleHint=maybe\nIdleSinceHint=x\n")]
        [InlineData("garbage without equals\n=yes\n")]
        public void NothingUnderstoodIsNull(string text) => Assert.Null(LoginctlIdleReader.Parse(text));

        [Fact]
        public void ToleratesCrLfSpacesUnknownKeysAndBadTimes()
        {
            var s = LoginctlIdleReader.Parse("Id=2\r\nIdleHint = yes \r\nIdleSinceHint=18446744073709551615\r\nLockedHint=1\r\n");
            Assert.True(s.IdleHint);
            Assert.True(s.LockedHint);
            Assert.Null(s.IdleSinceUtc);       // USEC_INFINITY is not a time
            Assert.Null(s.IdleAt(Since));      // idle, but since when is unknown
            Assert.Null(new LogindIdleState().IdleAt(Since));
        }

        [Fact]
        public void RunsLoginctlWithAnArgumentListAndATimeout()
        {
            var runner = new RecordingRunner { Answer = (f, a) => new CommandResult(0, GnomeLocked, "") };
            var reader = new LoginctlIdleReader(runner, "/usr/bin/loginctl", TimeSpan.FromSeconds(2));
            var state = reader.Read("c2");
            Assert.True(state.LockedHint);
            var call = Assert.Single(runner.Calls);
            Assert.Equal("/usr/bin/loginctl", call.File);
            Assert.Equal(new[] { "show-session", "c2", "-p", "IdleHint", "-p", "IdleSinceHint", "-p", "LockedHint" }, call.Arguments);
            Assert.Equal(TimeSpan.FromSeconds(2), call.Timeout);
            Assert.Null(reader.LastError);
        }

        [Theory]
        [InlineData("")]
        [InlineData("2; rm -rf /")]
        [InlineData("-h")]
        [InlineData("../2")]
        [InlineData("2 3")]
        [InlineData("123456789012345678901234567890123")]
        [InlineData(null)]
        public void InvalidSessionIdsAreNeverPassedOn(string id)
        {
            var runner = new RecordingRunner();
            Assert.Null(new LoginctlIdleReader(runner).Read(id));
            Assert.Empty(runner.Calls);
        }

        [Fact]
        public void FailuresGiveNull()
        {
            var failing = new RecordingRunner { Answer = (f, a) => new CommandResult(1, "", "Failed to get session path: No session '9' known") };
            var r1 = new LoginctlIdleReader(failing);
            Assert.Null(r1.Read("9"));
            Assert.Contains("No session", r1.LastError);

            var slow = new RecordingRunner { Answer = (f, a) => new CommandResult(-1, "", "", timedOut: true) };
            Assert.Null(new LoginctlIdleReader(slow).Read("9"));

            var missing = new RecordingRunner { Answer = (f, a) => throw new Win32Exception(2, "No such file or directory") };
            var r3 = new LoginctlIdleReader(missing);
            Assert.Null(r3.Read("9"));
            Assert.Contains("could not be started", r3.LastError);

            var empty = new RecordingRunner { Answer = (f, a) => new CommandResult(0, "\n", "") };
            Assert.Null(new LoginctlIdleReader(empty).Read("9"));
        }

        [Fact]
        public void RealProcessRunnerMissingProgramAndRealLoginctlWithoutLogind()
        {
            // A program that does not exist: the real runner throws, the reader answers null.
            Assert.Null(new LoginctlIdleReader(loginctlPath: "/nonexistent/loginctl").Read("1"));
            // The real loginctl, where installed, on a session that does not exist (CI has no logind at all): null.
            if (File.Exists("/usr/bin/loginctl"))
                Assert.Null(new LoginctlIdleReader().Read("zz999"));
        }

        [Fact]
        public void RealProcessRunnerPassesEachArgumentWhole()
        {
            string[] args = { "%s|", "plain", "two words", "quote\"inside", "back\\slash", "trailing\\", "it's", "", "$HOME", "a;b" };
            var r = ProcessCommandRunner.Instance.Run("/usr/bin/printf", args, TimeSpan.FromSeconds(10));
            Assert.True(r.Succeeded, r.StandardError);
            Assert.Equal(string.Join("|", args, 1, args.Length - 1) + "|", r.StandardOutput);
        }

        [Fact]
        public void RealProcessRunnerKillsAfterTheTimeout()
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var r = ProcessCommandRunner.Instance.Run("sleep", new[] { "30" }, TimeSpan.FromMilliseconds(300));
            Assert.True(r.TimedOut);
            Assert.False(r.Succeeded);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        }
    }
}
