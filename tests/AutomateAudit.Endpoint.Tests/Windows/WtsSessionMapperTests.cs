using System;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Tests.Windows
{
    public class FileTimeTests
    {
        [Fact]
        public void A_filetime_is_100ns_ticks_since_1601_utc()
        {
            // 2023-07-12T12:01:05.5944806Z, computed independently: (seconds from 1601-01-01 to then) * 10^7 + 5944806.
            const long ft = 133336368655944806;
            DateTime? utc = FileTime.ToUtc(ft);
            Assert.Equal(new DateTime(2023, 7, 12, 12, 1, 5, DateTimeKind.Utc).AddTicks(5944806), utc);
            Assert.Equal(DateTimeKind.Utc, utc.Value.Kind);

            DateTime? local = FileTime.ToLocal(ft);
            Assert.Equal(DateTimeKind.Local, local.Value.Kind);
            Assert.Equal(utc.Value, local.Value.ToUniversalTime());
        }

        [Theory]
        [InlineData(0L)]
        [InlineData(-1L)]
        [InlineData(long.MaxValue)]
        public void Zero_or_impossible_filetimes_are_null(long ft)
        {
            Assert.Null(FileTime.ToUtc(ft));
            Assert.Null(FileTime.ToLocal(ft));
        }
    }

    public class WtsSessionMapperTests
    {
        private static readonly long Logon = WindowsBuffer.FileTime(2024, 3, 10, 8, 14, 20);
        private static readonly long Connect = WindowsBuffer.FileTime(2024, 3, 10, 8, 15, 0);
        private static readonly long LastInput = WindowsBuffer.FileTime(2024, 3, 10, 9, 40, 30);
        private static readonly long Current = WindowsBuffer.FileTime(2024, 3, 10, 9, 45, 19, 9_999_999);

        private static WtsSessionRecord Rdp() => new WtsSessionRecord
        {
            SessionId = 3, State = 0, WinStationName = "RDP-Tcp#12", UserName = "alice", Domain = "CONTOSO",
            LogonTime = Logon, ConnectTime = Connect, DisconnectTime = 0, LastInputTime = LastInput, CurrentTime = Current,
            SessionFlags = 1,
        };

        private static UserSession Map(WtsSessionRecord r, int console = 1, bool includeSystem = false, long now = 0) =>
            WtsSessionMapper.Map(r, "LAPTOP-7", "192.168.0.1", console, false, now, "SRV01", 4711, includeSystem);

        [Fact]
        public void An_rdp_session_carries_every_field()
        {
            UserSession s = Map(Rdp());
            Assert.Equal("SRV01", s.ComputerName);
            Assert.Equal(4711, s.AgentId);
            Assert.Equal("alice", s.UserName);
            Assert.Equal("CONTOSO", s.Domain);
            Assert.Equal("3", s.SessionId);
            Assert.Equal("RDP-Tcp#12", s.SessionName);
            Assert.Equal(UserSessionState.Active, s.State);
            Assert.Equal("LAPTOP-7", s.ClientName);
            Assert.Equal("192.168.0.1", s.ClientAddress);
            Assert.Equal(WindowsBuffer.Utc(2024, 3, 10, 8, 14, 20), s.LogonTime.Value.ToUniversalTime());
            Assert.Equal(WindowsBuffer.Utc(2024, 3, 10, 8, 15, 0), s.ConnectTime.Value.ToUniversalTime());
            Assert.Null(s.DisconnectTime);
            Assert.Equal(WindowsBuffer.Utc(2024, 3, 10, 9, 40, 30), s.LastInputTime.Value.ToUniversalTime());
            // Idle = CurrentTime - LastInputTime, to the tick.
            Assert.Equal(new TimeSpan(0, 4, 49) + TimeSpan.FromTicks(9_999_999), s.IdleTime);
            // 8:14:20 to 9:45:19.9999999 is 90.99... minutes: whole minutes, 90.
            Assert.Equal(90, s.SessionLength);
            Assert.False(s.IsConsole);
            Assert.False(s.IsLocked);
        }

        [Fact]
        public void Times_are_local_datetimes()
        {
            UserSession s = Map(Rdp());
            Assert.Equal(DateTimeKind.Local, s.LogonTime.Value.Kind);
            Assert.Equal(DateTimeKind.Local, s.ConnectTime.Value.Kind);
            Assert.Equal(DateTimeKind.Local, s.LastInputTime.Value.Kind);
        }

        [Fact]
        public void The_console_has_no_last_input_time_and_no_idle_time()
        {
            var r = Rdp();
            r.SessionId = 1;
            r.WinStationName = "Console";
            UserSession s = Map(r, console: 1);
            Assert.True(s.IsConsole);
            Assert.Null(s.LastInputTime);
            Assert.Null(s.IdleTime);
            Assert.Equal(90, s.SessionLength);
        }

        [Fact]
        public void The_session_attached_to_the_console_is_the_console_whatever_its_name()
        {
            var r = Rdp();
            r.SessionId = 2;
            UserSession s = Map(r, console: 2);
            Assert.True(s.IsConsole);
            Assert.Null(s.IdleTime);
            Assert.False(Map(Rdp(), console: WtsSessionMapper.NoConsoleSession).IsConsole);
        }

        [Fact]
        public void A_zero_time_is_null_never_zero()
        {
            var r = Rdp();
            r.LastInputTime = 0;
            r.LogonTime = 0;
            r.ConnectTime = 0;
            UserSession s = Map(r);
            Assert.Null(s.LastInputTime);
            Assert.Null(s.IdleTime);
            Assert.Null(s.LogonTime);
            Assert.Null(s.SessionLength);
            Assert.Null(s.ConnectTime);
        }

        [Fact]
        public void A_disconnected_session_keeps_its_disconnect_time_and_state()
        {
            var r = Rdp();
            r.State = 4;
            r.WinStationName = null;
            r.DisconnectTime = WindowsBuffer.FileTime(2024, 3, 10, 9, 41, 0);
            UserSession s = Map(r);
            Assert.Equal(UserSessionState.Disconnected, s.State);
            Assert.Null(s.SessionName);
            Assert.Equal(WindowsBuffer.Utc(2024, 3, 10, 9, 41, 0), s.DisconnectTime.Value.ToUniversalTime());
        }

        [Fact]
        public void Without_current_time_now_is_used()
        {
            var r = Rdp();
            r.CurrentTime = 0;
            UserSession s = Map(r, now: WindowsBuffer.FileTime(2024, 3, 10, 10, 40, 30));
            Assert.Equal(TimeSpan.FromHours(1), s.IdleTime);
        }

        [Fact]
        public void Input_after_the_current_time_is_no_idle_time_not_negative()
        {
            var r = Rdp();
            r.LastInputTime = Current + TimeSpan.TicksPerSecond;
            Assert.Equal(TimeSpan.Zero, Map(r).IdleTime);
        }

        [Fact]
        public void Only_user_sessions_unless_system_sessions_are_asked_for()
        {
            var services = new WtsSessionRecord { SessionId = 0, State = 4, WinStationName = "Services" };
            var listener = new WtsSessionRecord { SessionId = 65536, State = 6, WinStationName = "RDP-Tcp" };
            Assert.Null(Map(services));
            Assert.Null(Map(listener));

            UserSession s0 = Map(services, includeSystem: true);
            Assert.Equal("0", s0.SessionId);
            Assert.Null(s0.UserName);
            Assert.Equal(UserSessionState.Disconnected, s0.State);
            UserSession l = Map(listener, includeSystem: true);
            Assert.Equal(UserSessionState.Listen, l.State);
            Assert.Equal("RDP-Tcp", l.SessionName);
        }

        [Fact]
        public void Wtsinfow_gives_no_lock_state()
        {
            var r = Rdp();
            r.SessionFlags = null;
            Assert.Null(Map(r).IsLocked);
            r.SessionFlags = -1;
            Assert.Null(Map(r).IsLocked);
            r.SessionFlags = 0;
            Assert.True(Map(r).IsLocked);
        }

        [Fact]
        public void Blank_client_names_are_null()
        {
            var s = WtsSessionMapper.Map(Rdp(), "", null, 1, false, 0, "SRV01", null, false);
            Assert.Null(s.ClientName);
            Assert.Null(s.ClientAddress);
            Assert.Null(s.AgentId);
        }

        [Fact]
        public void From_buffer_to_session()
        {
            // WTSINFOEXW bytes to UserSession in one go: the path GetSessions takes.
            var b = WtsLayoutTests.WtsInfoEx(3, 0, 0, "RDP-Tcp#12", "alice", "CONTOSO", Logon, Connect, 0, LastInput, Current);
            UserSession s = WtsSessionMapper.Map(WtsLayout.ParseInfoEx(b.Bytes), "LAPTOP-7",
                WtsLayout.ParseClientAddress(new byte[] { 2,0,0,0, 0,0,10,1,2,3, 0,0,0,0,0,0,0,0,0,0,0,0,0,0 }),
                1, false, 0, "SRV01", 4711, false);
            Assert.Equal("alice", s.UserName);
            Assert.Equal("10.1.2.3", s.ClientAddress);
            Assert.True(s.IsLocked);
            Assert.Equal(90, s.SessionLength);
            Assert.Equal(new TimeSpan(0, 4, 49) + TimeSpan.FromTicks(9_999_999), s.IdleTime);
        }
    }
}
