using System;
using System.Linq;
using AutomateAudit.Endpoint.Platform.Linux;

namespace AutomateAudit.Endpoint.Tests.Linux
{
    /// <summary>Recorded-style logind state files, laid out as systemd's session_save() writes them.</summary>
    internal static class LogindFixtures
    {
        /// <summary>An ssh login with a pty (pam_systemd from sshd).</summary>
        public static string Ssh(int leader, string tty = "pts/0") =>
$@"# This is private data. Do not parse.
UID=1000
USER=alice
ACTIVE=1
IS_DISPLAY=0
STATE=active
REMOTE=1
TYPE=tty
ORIGINAL_TYPE=tty
CLASS=user
SCOPE=session-12.scope
FIFO=/run/systemd/sessions/12.ref
TTY={tty}
TTY_VALIDITY=from-pam
REMOTE_HOST=203.0.113.7
SERVICE=sshd
POSITION=0
LEADER={leader}
AUDIT=12
REALTIME=1718000000123456
MONOTONIC=81234567890
";

        /// <summary>A GNOME Wayland session on seat0 started by gdm, no utmp record.</summary>
        public static string GnomeWayland(int leader) =>
$@"# This is private data. Do not parse.
UID=1001
USER=bob
ACTIVE=1
IS_DISPLAY=1
STATE=active
REMOTE=0
TYPE=wayland
ORIGINAL_TYPE=wayland
CLASS=user
SCOPE=session-2.scope
FIFO=/run/systemd/sessions/2.ref
SEAT=seat0
TTY=tty2
TTY_VALIDITY=from-pam
SERVICE=gdm-password
DESKTOP=GNOME
VTNR=2
LEADER={leader}
AUDIT=2
REALTIME=1718003600000000
MONOTONIC=3612345678
CONTROLLER=:1.45
DEVICES=13:64 13:65 226:0 
";

        public static string Greeter(int leader) =>
$@"# This is private data. Do not parse.
UID=127
USER=gdm
ACTIVE=0
IS_DISPLAY=1
STATE=online
REMOTE=0
TYPE=wayland
ORIGINAL_TYPE=wayland
CLASS=greeter
SCOPE=session-c1.scope
FIFO=/run/systemd/sessions/c1.ref
SEAT=seat0
TTY=tty1
SERVICE=gdm-launch-environment
DESKTOP=gdm
VTNR=1
LEADER={leader}
REALTIME=1717990000000000
MONOTONIC=12345678
";

        /// <summary>A text console login on tty3, switched away from (fast user switching): STATE online, ACTIVE 0.</summary>
        public static string ConsoleOnline(int leader) =>
$@"# This is private data. Do not parse.
UID=1002
USER=carol
ACTIVE=0
IS_DISPLAY=0
STATE=online
REMOTE=0
TYPE=tty
ORIGINAL_TYPE=tty
CLASS=user
SCOPE=session-5.scope
FIFO=/run/systemd/sessions/5.ref
SEAT=seat0
TTY=/dev/tty3
TTY_VALIDITY=from-pam
SERVICE=login
VTNR=3
LEADER={leader}
AUDIT=5
REALTIME=1718001000000000
MONOTONIC=1012345678
";

        /// <summary>`ssh host command`: a logind session without a terminal and without a utmp record.</summary>
        public static string SshCommand(int leader) =>
$@"# This is private data. Do not parse.
UID=1000
USER=alice
ACTIVE=1
IS_DISPLAY=0
STATE=active
REMOTE=1
TYPE=tty
ORIGINAL_TYPE=tty
CLASS=user
SCOPE=session-14.scope
REMOTE_HOST=2001:db8::7
SERVICE=sshd
POSITION=0
LEADER={leader}
AUDIT=14
REALTIME=1718004000000000
MONOTONIC=4012345678
";

        /// <summary>A session whose user has logged out while processes linger (KillUserProcesses=no).</summary>
        public static string Closing(int leader) =>
$@"# This is private data. Do not parse.
UID=1003
USER=dave
ACTIVE=1
IS_DISPLAY=0
STATE=closing
REMOTE=1
TYPE=tty
CLASS=user
SCOPE=session-9.scope
REMOTE_HOST=laptop.example.com
REMOTE_USER=dave\x20smith
SERVICE=sshd
LEADER={leader}
REALTIME=1717999000000000
MONOTONIC=999
";
    }

    public sealed class LogindSessionFileTests
    {
        [Fact]
        public void ParsesAnSshSession()
        {
            var s = LogindSessionFile.Parse("12", LogindFixtures.Ssh(4242));
            Assert.Equal("12", s.Id);
            Assert.Equal(1000, s.Uid);
            Assert.Equal("alice", s.User);
            Assert.True(s.Active);
            Assert.False(s.IsDisplay);
            Assert.Equal("active", s.State);
            Assert.True(s.Remote);
            Assert.Equal("tty", s.Type);
            Assert.Equal("user", s.Class);
            Assert.Equal("session-12.scope", s.Scope);
            Assert.Null(s.Seat);
            Assert.Equal("pts/0", s.Tty);
            Assert.Null(s.Display);
            Assert.Equal("203.0.113.7", s.RemoteHost);
            Assert.Equal("sshd", s.Service);
            Assert.Equal(4242, s.Leader);
            Assert.Null(s.VtNr);
            Assert.Equal(new DateTime(2024, 6, 10, 6, 13, 20, DateTimeKind.Utc).AddTicks(1234560), s.StartedUtc);
            Assert.Equal(DateTimeKind.Utc, s.StartedUtc.Value.Kind);
            Assert.False(s.IsGraphical);
            Assert.True(s.IsUserClass);
            Assert.Equal("12", s.Values["AUDIT"]);
        }

        [Fact]
        public void ParsesAGraphicalSessionOnASeat()
        {
            var s = LogindSessionFile.Parse("2", LogindFixtures.GnomeWayland(1));
            Assert.True(s.IsGraphical);
            Assert.Equal("seat0", s.Seat);
            Assert.Equal(2, s.VtNr);
            Assert.Equal("GNOME", s.Desktop);
            Assert.Equal("13:64 13:65 226:0", s.Values["DEVICES"]);
        }

        [Fact]
        public void ClassesAndTtyPrefixes()
        {
            Assert.False(LogindSessionFile.Parse("c1", LogindFixtures.Greeter(1)).IsUserClass);
            Assert.Equal("tty3", LogindSessionFile.Parse("5", LogindFixtures.ConsoleOnline(1)).Tty);
            Assert.True(LogindSessionFile.Parse("x", "CLASS=user-early\n").IsUserClass);
            Assert.True(LogindSessionFile.Parse("x", "USER=a\n").IsUserClass);
            Assert.False(LogindSessionFile.Parse("x", "CLASS=background\n").IsUserClass);
        }

        [Fact]
        public void UnescapesWhatCescapeWrites()
        {
            var s = LogindSessionFile.Parse("9", LogindFixtures.Closing(1));
            Assert.Equal("dave smith", s.RemoteUser);
            Assert.Equal("a\tb\"c\\d", LogindSessionFile.Unescape("a\\tb\\\"c\\\\d"));
            Assert.Equal("José", LogindSessionFile.Unescape("Jos\\xc3\\xa9"));
            Assert.Equal("plain", LogindSessionFile.Unescape("plain"));
            Assert.Equal("odd\\q", LogindSessionFile.Unescape("odd\\q"));
        }

        [Fact]
        public void StateMapping()
        {
            UserSessionState Map(string text) => LinuxSessionSource.MapState(LogindSessionFile.Parse("x", text));
            Assert.Equal(UserSessionState.Active, Map("STATE=active\nACTIVE=1\n"));
            Assert.Equal(UserSessionState.Connected, Map("STATE=online\nACTIVE=0\n"));
            Assert.Equal(UserSessionState.Disconnected, Map("STATE=closing\nACTIVE=1\n"));
            Assert.Equal(UserSessionState.Connected, Map("STATE=active\nACTIVE=0\n"));
            Assert.Equal(UserSessionState.Active, Map("USER=a\n"));
        }

        [Fact]
        public void ToleratesJunk()
        {
            var s = LogindSessionFile.Parse("x", "garbage\n=novalue\nUID=notanumber\nLEADER=\nACTIVE=maybe\nREALTIME=-5\n\n");
            Assert.Null(s.Uid);
            Assert.Null(s.Leader);
            Assert.Null(s.Active);
            Assert.Null(s.StartedUtc);
        }

        [Fact]
        public void ReadsADirectorySkippingTemporaryFiles()
        {
            using var dir = new TempDir();
            dir.Write("sessions/2", LogindFixtures.GnomeWayland(1));
            dir.Write("sessions/12", LogindFixtures.Ssh(1));
            dir.Write("sessions/.#12abcdef", "USER=half-written\n");
            var list = LogindSessionFile.ReadDirectory(dir.Path("sessions"));
            Assert.Equal(new[] { "12", "2" }, list.Select(x => x.Id));
            Assert.Empty(LogindSessionFile.ReadDirectory(dir.Path("missing")));
        }
    }
}
