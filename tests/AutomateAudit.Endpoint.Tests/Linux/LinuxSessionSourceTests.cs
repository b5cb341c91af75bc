using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using AutomateAudit.Endpoint.Platform;
using AutomateAudit.Endpoint.Platform.Linux;

namespace AutomateAudit.Endpoint.Tests.Linux
{
    internal sealed class FixedMachine : IMachineInfo
    {
        public string ComputerName { get; set; } = "testhost";
        public int? AgentId { get; set; } = 4711;
    }

    /// <summary>Real processes for utmp records to point at; killed on dispose.</summary>
    internal sealed class LiveProcesses : IDisposable
    {
        private readonly List<Process> _processes = new List<Process>();

        public int Start()
        {
            var p = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false });
            _processes.Add(p);
            return p.Id;
        }

        /// <summary>The pid of a process that has exited (and been reaped).</summary>
        public static int DeadPid()
        {
            using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false });
            p.WaitForExit();
            int pid = p.Id;
            Assert.False(Directory.Exists("/proc/" + pid), "the dead pid must not exist");
            return pid;
        }

        public void Dispose()
        {
            foreach (var p in _processes)
            {
                try { if (!p.HasExited) p.Kill(); p.WaitForExit(5000); } catch (InvalidOperationException) { }
                p.Dispose();
            }
        }
    }

    public sealed class LinuxSessionSourceTests
    {
        private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

        private static DateTime Micro(DateTime utc) => new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);

        private static UtmpRecord User(int pid, string line, string user, DateTime utc, string host = "", string address = null)
        {
            var r = new UtmpRecord { Type = UtmpType.UserProcess, Pid = pid, Line = line, User = user, Host = host, Id = line.Length > 4 ? line.Substring(line.Length - 4) : line };
            r.SetTimeUtc(utc);
            if (address != null) r.Address = IPAddress.Parse(address);
            return r;
        }

        private static UtmpRecord Rec(UtmpType type, int pid, string line, string user, DateTime utc)
        {
            var r = new UtmpRecord { Type = type, Pid = pid, Line = line, User = user };
            r.SetTimeUtc(utc);
            return r;
        }

        private static void Terminal(TempDir dir, string line, DateTime atimeUtc)
        {
            string p = dir.Write("dev/" + line, "");
            File.SetLastAccessTimeUtc(p, atimeUtc);
        }

        // ---------------------------------------------------------------- the real test, as the "done when" asks

        [Fact]
        public void RealUtmpGivesExactlyTheLiveSessionsWithTerminalIdle()
        {
            Assert.True(Directory.Exists("/proc/self"), "needs Linux /proc");
            using var procs = new LiveProcesses();
            using var dir = new TempDir();
            int alicePid = procs.Start(), bobPid = procs.Start(), carolPid = procs.Start(), otherPid = procs.Start();
            int deadPid = LiveProcesses.DeadPid();

            DateTime now = DateTime.UtcNow;
            DateTime aliceLogon = Micro(now.AddHours(-2).AddSeconds(-5).AddTicks(1234560));
            DateTime bobLogon = Micro(now.AddMinutes(-30).AddSeconds(-1));
            DateTime carolLogon = Micro(now.AddMinutes(-5).AddSeconds(-1));

            string utmp = dir.WriteBytes("run/utmp", UtmpFormat.Serialize(new[]
            {
                Rec(UtmpType.BootTime, 0, "~", "reboot", now.AddDays(-1)),
                Rec(UtmpType.LoginProcess, otherPid, "tty2", "LOGIN", now.AddHours(-3)),
                User(alicePid, "pts/0", "alice", aliceLogon, "203.0.113.7", "203.0.113.7"),
                User(bobPid, "tty1", "bob", bobLogon),
                User(carolPid, "pts/1", "carol", carolLogon, "laptop.example.com", "2001:db8::5"),
                User(deadPid, "pts/2", "dave", now.AddHours(-1)),                 // stale: its process is gone
                Rec(UtmpType.DeadProcess, otherPid, "pts/3", "", now.AddHours(-1)), // a closed entry
                User(otherPid, "pts/4", "", now.AddHours(-1)),                      // no user name
            }, UtmpFormat.HostLayout));

            DateTime tenMinutesAgo = now.AddMinutes(-10);
            Terminal(dir, "pts/0", tenMinutesAgo);
            Terminal(dir, "tty1", tenMinutesAgo);
            Terminal(dir, "pts/2", tenMinutesAgo);
            // no dev/pts/1: carol's terminal does not exist, so her idle time is unknown

            var source = new LinuxSessionSource(utmpPath: utmp, wtmpPath: dir.Path("log/wtmp"),
                logindSessionsDirectory: dir.Path("run/systemd/sessions"), devRoot: dir.Path("dev"), machine: new FixedMachine());
            var sessions = source.GetSessions(includeSystem: false);

            Assert.Equal(new[] { "alice", "bob", "carol" }, sessions.Select(s => s.UserName));

            var alice = sessions[0];
            Assert.Equal("testhost", alice.ComputerName);
            Assert.Equal(4711, alice.AgentId);
            Assert.Equal("testhost", alice.Domain);
            Assert.Equal(alicePid.ToString(), alice.SessionId);
            Assert.Equal("pts/0", alice.SessionName);
            Assert.Equal(UserSessionState.Active, alice.State);
            Assert.Equal("203.0.113.7", alice.ClientName);
            Assert.Equal("203.0.113.7", alice.ClientAddress);
            Assert.Equal(DateTimeKind.Local, alice.LogonTime.Value.Kind);
            Assert.Equal(aliceLogon, alice.LogonTime.Value.ToUniversalTime());
            Assert.InRange(alice.IdleTime.Value, TimeSpan.FromMinutes(10) - Tolerance, TimeSpan.FromMinutes(10) + Tolerance);
            Assert.Equal(DateTimeKind.Local, alice.LastInputTime.Value.Kind);
            Assert.InRange(alice.LastInputTime.Value.ToUniversalTime(), tenMinutesAgo - Tolerance, tenMinutesAgo + Tolerance);
            Assert.Equal(120, alice.SessionLength);
            Assert.False(alice.IsConsole);
            Assert.Null(alice.IsLocked);
            Assert.Null(alice.ConnectTime);
            Assert.Null(alice.DisconnectTime);

            var bob = sessions[1];
            Assert.Equal("tty1", bob.SessionName);
            Assert.True(bob.IsConsole);
            Assert.Null(bob.ClientName);
            Assert.Null(bob.ClientAddress);
            Assert.Equal(bobLogon, bob.LogonTime.Value.ToUniversalTime());
            Assert.InRange(bob.IdleTime.Value, TimeSpan.FromMinutes(10) - Tolerance, TimeSpan.FromMinutes(10) + Tolerance);
            Assert.Equal(30, bob.SessionLength);

            var carol = sessions[2];
            Assert.Equal("laptop.example.com", carol.ClientName);
            Assert.Equal("2001:db8::5", carol.ClientAddress);
            Assert.Null(carol.IdleTime);
            Assert.Null(carol.LastInputTime);
            Assert.Equal(5, carol.SessionLength);
        }

        [Fact]
        public void ASessionEndsWhenItsProcessDies()
        {
            using var procs = new LiveProcesses();
            using var dir = new TempDir();
            int pid = procs.Start();
            string utmp = dir.WriteBytes("utmp", UtmpFormat.Serialize(new[] { User(pid, "pts/0", "alice", DateTime.UtcNow) }, UtmpFormat.HostLayout));
            var source = new LinuxSessionSource(utmpPath: utmp, logindSessionsDirectory: dir.Path("none"), devRoot: dir.Path("dev"), machine: new FixedMachine());
            Assert.Single(source.GetSessions(false));
            procs.Dispose();
            Assert.Empty(source.GetSessions(false));
        }

        // ---------------------------------------------------------------- utmp joined with logind state files

        private static readonly DateTime FixedNow = new DateTime(2024, 6, 10, 8, 0, 0, DateTimeKind.Utc);

        [Fact]
        public void LogindEnrichesUtmpSessionsAndAddsGraphicalOnes()
        {
            using var procs = new LiveProcesses();
            using var dir = new TempDir();
            int sshd = procs.Start(), login = procs.Start(), gnome = procs.Start(), greeter = procs.Start(), sshCmd = procs.Start();
            int dead = LiveProcesses.DeadPid();

            string utmp = dir.WriteBytes("run/utmp", UtmpFormat.Serialize(new[]
            {
                User(sshd, "pts/0", "alice", FixedNow.AddHours(-1), "203.0.113.7", "203.0.113.7"),
                User(login, "tty3", "carol", FixedNow.AddMinutes(-45)),
            }, UtmpFormat.HostLayout));
            dir.Write("run/systemd/sessions/12", LogindFixtures.Ssh(sshd));               // joins by LEADER
            dir.Write("run/systemd/sessions/5", LogindFixtures.ConsoleOnline(dead));      // joins by TTY
            dir.Write("run/systemd/sessions/2", LogindFixtures.GnomeWayland(gnome));      // graphical, no utmp
            dir.Write("run/systemd/sessions/c1", LogindFixtures.Greeter(greeter));        // system: greeter
            dir.Write("run/systemd/sessions/14", LogindFixtures.SshCommand(sshCmd));      // system: no terminal
            dir.Write("run/systemd/sessions/9", LogindFixtures.Closing(dead));            // leader gone: never shown
            Terminal(dir, "pts/0", FixedNow.AddMinutes(-3));
            Terminal(dir, "tty3", FixedNow.AddMinutes(-7));
            Terminal(dir, "tty2", FixedNow.AddSeconds(-1)); // a graphical session's VT: not its input, so not used

            var source = new LinuxSessionSource(utmpPath: utmp, logindSessionsDirectory: dir.Path("run/systemd/sessions"),
                devRoot: dir.Path("dev"), machine: new FixedMachine(), utcNow: () => FixedNow);

            var sessions = source.GetSessions(includeSystem: false);
            Assert.Equal(new[] { "12", "5", "2" }, sessions.Select(s => s.SessionId));

            var alice = sessions[0];
            Assert.Equal("alice", alice.UserName);
            Assert.Equal("pts/0", alice.SessionName);
            Assert.Equal(UserSessionState.Active, alice.State);
            Assert.False(alice.IsConsole);
            Assert.Equal(TimeSpan.FromMinutes(3), alice.IdleTime);
            Assert.Equal(60, alice.SessionLength);
            Assert.Equal(FixedNow.AddHours(-1), alice.LogonTime.Value.ToUniversalTime()); // utmp's time, not logind's

            var carol = sessions[1];
            Assert.Equal(UserSessionState.Connected, carol.State);   // switched away from: STATE=online, ACTIVE=0
            Assert.True(carol.IsConsole);
            Assert.Equal(TimeSpan.FromMinutes(7), carol.IdleTime);

            var bob = sessions[2];
            Assert.Equal("bob", bob.UserName);
            Assert.Equal("testhost", bob.Domain);
            Assert.Equal("tty2", bob.SessionName);
            Assert.Equal(UserSessionState.Active, bob.State);
            Assert.True(bob.IsConsole);
            Assert.Null(bob.IdleTime);
            Assert.Null(bob.LastInputTime);
            Assert.Null(bob.IsLocked);
            Assert.Null(bob.ClientName);
            Assert.Equal(new DateTime(2024, 6, 10, 7, 13, 20, DateTimeKind.Utc), bob.LogonTime.Value.ToUniversalTime());
            Assert.Equal(DateTimeKind.Local, bob.LogonTime.Value.Kind);
            Assert.Equal(46, bob.SessionLength);

            var all = source.GetSessions(includeSystem: true);
            Assert.Equal(new[] { "12", "5", "14", "2", "c1" }, all.Select(s => s.SessionId));
            var gdm = all.Single(s => s.SessionId == "c1");
            Assert.Equal("gdm", gdm.UserName);
            Assert.Equal(UserSessionState.Connected, gdm.State);
            var cmd = all.Single(s => s.SessionId == "14");
            Assert.Null(cmd.SessionName);
            Assert.Equal("2001:db8::7", cmd.ClientAddress);
            Assert.False(cmd.IsConsole);
            Assert.Null(cmd.IdleTime);
        }

        [Fact]
        public void WithoutUtmpEveryUserClassLogindSessionCounts()
        {
            using var procs = new LiveProcesses();
            using var dir = new TempDir();
            int sshd = procs.Start(), gnome = procs.Start(), greeter = procs.Start();
            dir.Write("sessions/12", LogindFixtures.Ssh(sshd));
            dir.Write("sessions/2", LogindFixtures.GnomeWayland(gnome));
            dir.Write("sessions/c1", LogindFixtures.Greeter(greeter));
            Terminal(dir, "pts/0", FixedNow.AddMinutes(-4));

            var source = new LinuxSessionSource(utmpPath: dir.Path("no-utmp"), logindSessionsDirectory: dir.Path("sessions"),
                devRoot: dir.Path("dev"), machine: new FixedMachine(), utcNow: () => FixedNow);
            var sessions = source.GetSessions(false);
            Assert.Equal(new[] { "12", "2" }, sessions.Select(s => s.SessionId));
            var ssh = sessions[0];
            Assert.Equal("pts/0", ssh.SessionName);
            Assert.Equal("203.0.113.7", ssh.ClientAddress);
            Assert.Equal(TimeSpan.FromMinutes(4), ssh.IdleTime);
            Assert.Equal(new DateTime(2024, 6, 10, 6, 13, 20, DateTimeKind.Utc).AddTicks(1234560), ssh.LogonTime.Value.ToUniversalTime());
        }

        [Fact]
        public void NoUtmpAndNoLogindIsAnError()
        {
            using var dir = new TempDir();
            var source = new LinuxSessionSource(utmpPath: dir.Path("utmp"), logindSessionsDirectory: dir.Path("sessions"), machine: new FixedMachine());
            Assert.Throws<FileNotFoundException>(() => source.GetSessions(false));
        }

        [Fact]
        public void DirectoryAccountsCarryTheirDomain()
        {
            using var procs = new LiveProcesses();
            using var dir = new TempDir();
            int a = procs.Start(), b = procs.Start();
            string utmp = dir.WriteBytes("utmp", UtmpFormat.Serialize(new[]
            {
                User(a, "pts/0", "alice@example.com", FixedNow),
                User(b, "pts/1", "EXAMPLE\\bob", FixedNow),
            }, UtmpFormat.HostLayout));
            var s = new LinuxSessionSource(utmpPath: utmp, logindSessionsDirectory: dir.Path("x"), devRoot: dir.Path("dev"),
                machine: new FixedMachine(), utcNow: () => FixedNow).GetSessions(false);
            Assert.Equal(("alice", "example.com"), (s[0].UserName, s[0].Domain));
            Assert.Equal(("bob", "EXAMPLE"), (s[1].UserName, s[1].Domain));
        }

        [Theory]
        [InlineData("", null, null, null)]
        [InlineData(":0", null, null, null)]
        [InlineData(":1.0", null, null, null)]
        [InlineData("tmux(1234).%0", null, null, null)]
        [InlineData("203.0.113.7", null, "203.0.113.7", "203.0.113.7")]
        [InlineData("2001:db8::1", null, "2001:db8::1", "2001:db8::1")]
        [InlineData("laptop.example.com", null, "laptop.example.com", null)]
        [InlineData("laptop.example.com", "198.51.100.4", "laptop.example.com", "198.51.100.4")]
        [InlineData("laptop:0", null, "laptop", null)]
        [InlineData("10.1.2.3:0.0", null, "10.1.2.3", "10.1.2.3")]
        [InlineData("", "198.51.100.4", null, "198.51.100.4")]
        public void ClientNameAndAddress(string host, string recorded, string name, string address)
        {
            LinuxSessionSource.DescribeClient(host, recorded == null ? null : IPAddress.Parse(recorded), out string n, out string a);
            Assert.Equal(name, n);
            Assert.Equal(address, a);
        }

        [Theory]
        [InlineData("tty1", "", true)]
        [InlineData("tty63", "", true)]
        [InlineData(":0", ":0", true)]
        [InlineData(":0", "", true)]
        [InlineData(":10", "laptop", false)]
        [InlineData("pts/0", "", false)]
        [InlineData("ttyS0", "", false)]
        public void ConsoleLines(string line, string host, bool console)
        {
            Assert.Equal(console, LinuxSessionSource.IsConsoleLine(line, host));
        }

        // ---------------------------------------------------------------- wtmp events

        private static readonly DateTime T0 = new DateTime(2024, 6, 1, 9, 0, 0, DateTimeKind.Utc);

        private static UtmpRecord[] History()
        {
            var boot = Rec(UtmpType.BootTime, 0, "~", "reboot", T0);
            boot.Host = "6.1.0-18-amd64";
            var bob = User(700, "pts/0", "bob", T0.AddMinutes(2), "198.51.100.9", "198.51.100.9");
            return new[]
            {
                boot,                                                                  // 0
                Rec(UtmpType.RunLevel, 53, "~", "runlevel", T0.AddSeconds(5)),       // 1 runlevel change: ignored
                Rec(UtmpType.LoginProcess, 600, "tty1", "LOGIN", T0.AddSeconds(30)), // 2
                User(600, "tty1", "alice", T0.AddMinutes(1)),                         // 3 logon alice
                bob,                                                                   // 4 logon bob
                Rec(UtmpType.DeadProcess, 700, "pts/0", "", T0.AddMinutes(10)),      // 5 logoff bob
                Rec(UtmpType.DeadProcess, 800, "tty2", "", T0.AddMinutes(11)),       // 6 getty restart: no login
                User(900, "pts/1", "carol", T0.AddMinutes(12)),                       // 7 logon carol (900)
                User(901, "pts/1", "carol", T0.AddMinutes(13)),                       // 8 line reused: 900 "gone - no logout"
                Rec(UtmpType.RunLevel, 0, "~", "shutdown", T0.AddMinutes(20)),       // 9 down: closes alice, carol 901
                Rec(UtmpType.BootTime, 0, "~", "reboot", T0.AddMinutes(22)),         // 10
                User(1000, "pts/0", "dave", T0.AddMinutes(23)),                       // 11 logon dave
                Rec(UtmpType.BootTime, 0, "~", "reboot", T0.AddMinutes(30)),         // 12 crash: closes dave
                User(1100, "pts/0", "erin", T0.AddMinutes(31)),                       // 13 logon erin, still open
                Rec(UtmpType.DeadProcess, 0, "pts/0", "", T0.AddMinutes(40)),        // 14 logoff erin (no pid: by line)
            };
        }

        private static string Describe(SessionEvent e) =>
            $"{e.Kind} {e.UserName} {e.SessionName} {e.SessionId} +{(e.TimeCreated.ToUniversalTime() - T0).TotalMinutes}";

        [Fact]
        public void WtmpEventsSinceAnInstantInOrder()
        {
            using var dir = new TempDir();
            string wtmp = dir.WriteBytes("log/wtmp", UtmpFormat.Serialize(History(), UtmpFormat.HostLayout));
            var source = new LinuxSessionSource(utmpPath: dir.Path("utmp"), wtmpPath: wtmp, machine: new FixedMachine());

            var events = source.GetEvents(T0.AddMinutes(10));
            Assert.Equal(new[]
            {
                "Logoff bob pts/0 700 +10",
                "Logon carol pts/1 900 +12",
                "Logon carol pts/1 901 +13",
                "Logoff alice tty1 600 +20",
                "Logoff carol pts/1 901 +20",
                "Logon dave pts/0 1000 +23",
                "Logoff dave pts/0 1000 +30",
                "Logon erin pts/0 1100 +31",
                "Logoff erin pts/0 1100 +40",
            }, events.Select(Describe));

            var bobOff = events[0];
            Assert.Equal("testhost", bobOff.ComputerName);
            Assert.Equal(4711, bobOff.AgentId);
            Assert.Equal("testhost", bobOff.Domain);
            Assert.Equal("198.51.100.9", bobOff.ClientAddress);
            Assert.Equal("wtmp", bobOff.Source);
            Assert.Equal(DateTimeKind.Local, bobOff.TimeCreated.Kind);

            var all = source.GetEvents(DateTime.MinValue);
            Assert.Equal(new[] { "Logon alice tty1 600 +1", "Logon bob pts/0 700 +2" }, all.Take(2).Select(Describe));
            Assert.Equal(11, all.Count);
            Assert.Empty(source.GetEvents(T0.AddMinutes(41)));
        }

        [Fact]
        public void RotatedWtmpIsReplayedFirstSoLogoffsKeepTheirUser()
        {
            using var dir = new TempDir();
            var history = History();
            dir.WriteBytes("log/wtmp.1", UtmpFormat.Serialize(history.Take(7), UtmpFormat.HostLayout));
            string wtmp = dir.WriteBytes("log/wtmp", UtmpFormat.Serialize(history.Skip(7), UtmpFormat.HostLayout));
            var source = new LinuxSessionSource(utmpPath: dir.Path("utmp"), wtmpPath: wtmp, machine: new FixedMachine());
            var events = source.GetEvents(T0.AddMinutes(15));
            Assert.Equal("Logoff alice tty1 600 +20", Describe(events[0]));
            Assert.Equal(6, events.Count);
            Assert.Equal(11, source.GetEvents(DateTime.MinValue).Count);
        }

        [Fact]
        public void Aarch64WtmpLayout()
        {
            using var dir = new TempDir();
            string wtmp = dir.WriteBytes("wtmp", UtmpFormat.Serialize(History(), UtmpLayout.Lp64));
            Assert.Equal(15 * 400, new FileInfo(wtmp).Length);
            var source = new LinuxSessionSource(utmpPath: dir.Path("utmp"), wtmpPath: wtmp, machine: new FixedMachine(), layout: UtmpLayout.Lp64);
            Assert.Equal(11, source.GetEvents(DateTime.MinValue).Count);
        }

        [Fact]
        public void MissingWtmpIsAnError()
        {
            using var dir = new TempDir();
            var source = new LinuxSessionSource(utmpPath: dir.Path("utmp"), wtmpPath: dir.Path("wtmp"), machine: new FixedMachine());
            var ex = Assert.Throws<FileNotFoundException>(() => source.GetEvents(T0));
            Assert.Contains("wtmp", ex.Message);
        }
    }
}
