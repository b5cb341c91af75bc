using System;
using System.Runtime.InteropServices;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Tests.Windows
{
    public class WtsLayoutTests
    {
        // ---------- WTSINFOW ----------

        /// <summary>
        /// A WTSINFOW for an RDP session as WTSQuerySessionInformationW(WTSSessionInfo) returns it, written at the
        /// offsets derived from wtsapi32.h: State 0, SessionId 4, six DWORD counters 8..31, WinStationName[32] at 32,
        /// Domain[17] at 96, UserName[21] at 130, 4 bytes of padding at 172, then the five LARGE_INTEGERs at 176.
        /// </summary>
        private static WindowsBuffer RdpWtsInfo() => new WindowsBuffer(216)
            .Dword(0, 0)                                   // State = WTSActive
            .Dword(4, 3)                                   // SessionId
            .Dword(8, 0x11111111).Dword(12, 0x22222222)    // IncomingBytes, OutgoingBytes
            .Dword(16, 0x33333333).Dword(20, 0x44444444)   // IncomingFrames, OutgoingFrames
            .Dword(24, 0x55555555).Dword(28, 0x66666666)   // Incoming/OutgoingCompressedBytes
            .Wchars(32, 32, "RDP-Tcp#12")
            .Wchars(96, 17, "CONTOSO")
            .Wchars(130, 21, "alice")
            // 172..175 stay 0xCC: padding, never read
            .Qword(176, WindowsBuffer.FileTime(2024, 3, 10, 8, 15, 0))     // ConnectTime
            .Qword(184, 0)                                                 // DisconnectTime: never disconnected
            .Qword(192, WindowsBuffer.FileTime(2024, 3, 10, 9, 40, 30))    // LastInputTime
            .Qword(200, WindowsBuffer.FileTime(2024, 3, 10, 8, 14, 20))    // LogonTime
            .Qword(208, WindowsBuffer.FileTime(2024, 3, 10, 9, 45, 0));    // CurrentTime

        [Fact]
        public void Wtsinfow_is_read_at_the_documented_offsets()
        {
            var r = WtsLayout.ParseInfo(RdpWtsInfo().Bytes);
            Assert.Equal(0, r.State);
            Assert.Equal(3, r.SessionId);
            Assert.Equal("RDP-Tcp#12", r.WinStationName);
            Assert.Equal("CONTOSO", r.Domain);
            Assert.Equal("alice", r.UserName);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 8, 15, 0), r.ConnectTime);
            Assert.Equal(0L, r.DisconnectTime);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 9, 40, 30), r.LastInputTime);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 8, 14, 20), r.LogonTime);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 9, 45, 0), r.CurrentTime);
            Assert.Null(r.SessionFlags);
        }

        [Fact]
        public void Wtsinfow_fields_at_full_length_do_not_run_into_each_other()
        {
            // WinStationName[32] full with no NUL, Domain[17] with 16 characters + NUL, UserName[21] with 20 + NUL.
            var b = RdpWtsInfo()
                .Wchars(32, 32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")
                .Wchars(96, 17, "DOMAIN6789012345")
                .Wchars(130, 21, "u2345678901234567890");
            var r = WtsLayout.ParseInfo(b.Bytes);
            Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", r.WinStationName);
            Assert.Equal("DOMAIN6789012345", r.Domain);
            Assert.Equal("u2345678901234567890", r.UserName);
        }

        [Fact]
        public void A_short_wtsinfow_buffer_is_refused()
        {
            Assert.Throws<FormatException>(() => WtsLayout.ParseInfo(new byte[215]));
        }

        // ---------- WTSINFOEXW ----------

        /// <summary>
        /// A WTSINFOEXW (WTSSessionInfoEx) as Windows returns it: Level DWORD at 0, 4 bytes of padding, then
        /// WTSINFOEX_LEVEL1_W at 8: SessionId 8, SessionState 12, SessionFlags 16, WinStationName[33] at 20,
        /// UserName[21] at 86, DomainName[18] at 128, 4 bytes of padding at 164, LogonTime 168, ConnectTime 176,
        /// DisconnectTime 184, LastInputTime 192, CurrentTime 200, six DWORD counters 208..231.
        /// </summary>
        internal static WindowsBuffer WtsInfoEx(int sessionId, int state, int flags, string station, string user, string domain,
            long logon, long connect, long disconnect, long lastInput, long current)
        {
            var b = new WindowsBuffer(232)
                .Dword(0, 1)             // Level 1
                                         // 4..7: padding before the 8-aligned union
                .Dword(8, sessionId)
                .Dword(12, state)
                .Dword(16, flags)
                .Wchars(20, 33, station)
                .Wchars(86, 21, user)
                .Wchars(128, 18, domain)
                                         // 164..167: padding before LogonTime
                .Qword(168, logon)
                .Qword(176, connect)
                .Qword(184, disconnect)
                .Qword(192, lastInput)
                .Qword(200, current);
            for (int i = 208; i < 232; i += 4) b.Dword(i, 0x7A7A7A7A); // the counters
            return b;
        }

        [Fact]
        public void Wtsinfoexw_is_read_at_the_documented_offsets()
        {
            var b = WtsInfoEx(5, 4, 1, "RDP-Tcp#7", "bob", "FABRIKAM",
                logon: WindowsBuffer.FileTime(2024, 3, 10, 7, 0, 0),
                connect: WindowsBuffer.FileTime(2024, 3, 10, 7, 1, 0),
                disconnect: WindowsBuffer.FileTime(2024, 3, 10, 9, 0, 0),
                lastInput: WindowsBuffer.FileTime(2024, 3, 10, 8, 59, 0),
                current: WindowsBuffer.FileTime(2024, 3, 10, 9, 30, 0));
            var r = WtsLayout.ParseInfoEx(b.Bytes);
            Assert.Equal(5, r.SessionId);
            Assert.Equal(4, r.State);
            Assert.Equal(1, r.SessionFlags);
            Assert.Equal("RDP-Tcp#7", r.WinStationName);
            Assert.Equal("bob", r.UserName);
            Assert.Equal("FABRIKAM", r.Domain);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 7, 0, 0), r.LogonTime);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 7, 1, 0), r.ConnectTime);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 9, 0, 0), r.DisconnectTime);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 8, 59, 0), r.LastInputTime);
            Assert.Equal(WindowsBuffer.FileTime(2024, 3, 10, 9, 30, 0), r.CurrentTime);
        }

        [Fact]
        public void Wtsinfoexw_names_at_full_length_do_not_run_into_each_other()
        {
            var b = WtsInfoEx(1, 0, 0, "S2345678901234567890123456789012", "u2345678901234567890", "D2345678901234567",
                1, 1, 1, 1, 1);
            var r = WtsLayout.ParseInfoEx(b.Bytes);
            Assert.Equal("S2345678901234567890123456789012", r.WinStationName);
            Assert.Equal("u2345678901234567890", r.UserName);
            Assert.Equal("D2345678901234567", r.Domain);
        }

        [Fact]
        public void Wtsinfoexw_of_another_level_or_too_short_is_refused()
        {
            var b = WtsInfoEx(1, 0, 0, "Console", "a", "b", 1, 1, 1, 1, 1).Dword(0, 2);
            Assert.Throws<FormatException>(() => WtsLayout.ParseInfoEx(b.Bytes));
            Assert.Throws<FormatException>(() => WtsLayout.ParseInfoEx(new byte[231]));
        }

        // ---------- the constants against the marshaler's own layout of the same declarations ----------

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct WTSINFOW
        {
            public int State; public int SessionId;
            public int IncomingBytes, OutgoingBytes, IncomingFrames, OutgoingFrames, IncomingCompressedBytes, OutgoingCompressedBytes;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 32)] public string WinStationName;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 17)] public string Domain;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 21)] public string UserName;
            public long ConnectTime, DisconnectTime, LastInputTime, LogonTime, CurrentTime;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct WTSINFOEX_LEVEL1_W
        {
            public int SessionId; public int SessionState; public int SessionFlags;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 33)] public string WinStationName;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 21)] public string UserName;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 18)] public string DomainName;
            public long LogonTime, ConnectTime, DisconnectTime, LastInputTime, CurrentTime;
            public int IncomingBytes, OutgoingBytes, IncomingFrames, OutgoingFrames, IncomingCompressedBytes, OutgoingCompressedBytes;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct WTSINFOEXW
        {
            public int Level;
            public WTSINFOEX_LEVEL1_W Data;
        }

        private static int Off<T>(string field) => Marshal.OffsetOf<T>(field).ToInt32();

        [Fact]
        public void The_offsets_agree_with_the_marshalers_layout_of_the_header_declarations()
        {
            Assert.Equal(216, Marshal.SizeOf<WTSINFOW>());
            Assert.Equal(WtsLayout.InfoSize, Marshal.SizeOf<WTSINFOW>());
            Assert.Equal(WtsLayout.InfoWinStationName, Off<WTSINFOW>("WinStationName"));
            Assert.Equal(WtsLayout.InfoDomain, Off<WTSINFOW>("Domain"));
            Assert.Equal(WtsLayout.InfoUserName, Off<WTSINFOW>("UserName"));
            Assert.Equal(WtsLayout.InfoConnectTime, Off<WTSINFOW>("ConnectTime"));
            Assert.Equal(WtsLayout.InfoDisconnectTime, Off<WTSINFOW>("DisconnectTime"));
            Assert.Equal(WtsLayout.InfoLastInputTime, Off<WTSINFOW>("LastInputTime"));
            Assert.Equal(WtsLayout.InfoLogonTime, Off<WTSINFOW>("LogonTime"));
            Assert.Equal(WtsLayout.InfoCurrentTime, Off<WTSINFOW>("CurrentTime"));

            Assert.Equal(232, Marshal.SizeOf<WTSINFOEXW>());
            Assert.Equal(WtsLayout.ExSize, Marshal.SizeOf<WTSINFOEXW>());
            int data = Off<WTSINFOEXW>("Data");
            Assert.Equal(WtsLayout.ExData, data);
            Assert.Equal(WtsLayout.ExSessionFlags, data + Off<WTSINFOEX_LEVEL1_W>("SessionFlags"));
            Assert.Equal(WtsLayout.ExWinStationName, data + Off<WTSINFOEX_LEVEL1_W>("WinStationName"));
            Assert.Equal(WtsLayout.ExUserName, data + Off<WTSINFOEX_LEVEL1_W>("UserName"));
            Assert.Equal(WtsLayout.ExDomainName, data + Off<WTSINFOEX_LEVEL1_W>("DomainName"));
            Assert.Equal(WtsLayout.ExLogonTime, data + Off<WTSINFOEX_LEVEL1_W>("LogonTime"));
            Assert.Equal(WtsLayout.ExConnectTime, data + Off<WTSINFOEX_LEVEL1_W>("ConnectTime"));
            Assert.Equal(WtsLayout.ExDisconnectTime, data + Off<WTSINFOEX_LEVEL1_W>("DisconnectTime"));
            Assert.Equal(WtsLayout.ExLastInputTime, data + Off<WTSINFOEX_LEVEL1_W>("LastInputTime"));
            Assert.Equal(WtsLayout.ExCurrentTime, data + Off<WTSINFOEX_LEVEL1_W>("CurrentTime"));
        }

        // ---------- WTS_SESSION_INFOW arrays ----------

        [Fact]
        public void A_64_bit_session_array_has_24_byte_rows()
        {
            // SessionId DWORD, 4 bytes padding, pWinStationName (8), State DWORD, 4 bytes padding.
            byte[] b =
            {
                0x00,0x00,0x00,0x00, 0xCC,0xCC,0xCC,0xCC, 0x10,0x32,0x54,0x76,0x98,0x7F,0x00,0x00, 0x04,0x00,0x00,0x00, 0xCC,0xCC,0xCC,0xCC,
                0x01,0x00,0x00,0x00, 0xCC,0xCC,0xCC,0xCC, 0x40,0x32,0x54,0x76,0x98,0x7F,0x00,0x00, 0x00,0x00,0x00,0x00, 0xCC,0xCC,0xCC,0xCC,
                0x00,0x00,0x01,0x00, 0xCC,0xCC,0xCC,0xCC, 0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00, 0x06,0x00,0x00,0x00, 0xCC,0xCC,0xCC,0xCC,
            };
            var rows = WtsLayout.ParseSessionInfoArray(b, 3, 8);
            Assert.Equal(3, rows.Count);
            Assert.Equal((0, 0x00007F9876543210L, 4), (rows[0].SessionId, rows[0].WinStationNamePointer, rows[0].State));
            Assert.Equal((1, 0x00007F9876543240L, 0), (rows[1].SessionId, rows[1].WinStationNamePointer, rows[1].State));
            Assert.Equal((65536, 0L, 6), (rows[2].SessionId, rows[2].WinStationNamePointer, rows[2].State));
        }

        [Fact]
        public void A_32_bit_session_array_has_12_byte_rows()
        {
            // SessionId DWORD, pWinStationName (4), State DWORD: no padding. A pointer above 2 GB stays positive.
            byte[] b =
            {
                0x00,0x00,0x00,0x00, 0x10,0x32,0x54,0x06, 0x04,0x00,0x00,0x00,
                0x02,0x00,0x00,0x00, 0x34,0x12,0x00,0x80, 0x01,0x00,0x00,0x00,
            };
            var rows = WtsLayout.ParseSessionInfoArray(b, 2, 4);
            Assert.Equal((0, 0x06543210L, 4), (rows[0].SessionId, rows[0].WinStationNamePointer, rows[0].State));
            Assert.Equal((2, 0x80001234L, 1), (rows[1].SessionId, rows[1].WinStationNamePointer, rows[1].State));
        }

        [Fact]
        public void The_session_array_stride_depends_on_the_pointer_size()
        {
            Assert.Equal(24, WtsLayout.SessionInfoStride(8));
            Assert.Equal(12, WtsLayout.SessionInfoStride(4));
            Assert.Throws<ArgumentOutOfRangeException>(() => WtsLayout.SessionInfoStride(2));
            Assert.Throws<ArgumentException>(() => WtsLayout.ParseSessionInfoArray(new byte[47], 2, 8));
        }

        // ---------- WTS_CLIENT_ADDRESS ----------

        [Fact]
        public void An_ipv4_client_address_starts_two_bytes_into_address()
        {
            // AddressFamily = AF_INET (2); Address = 00 00 C0 A8 00 01 ... (Microsoft's own example for 192.168.0.1).
            byte[] b = { 0x02,0x00,0x00,0x00, 0x00,0x00,0xC0,0xA8,0x00,0x01, 0,0,0,0,0,0,0,0,0,0,0,0,0,0 };
            Assert.Equal("192.168.0.1", WtsLayout.ParseClientAddress(b));
        }

        [Fact]
        public void An_ipv6_client_address_is_sixteen_bytes_from_address_2()
        {
            byte[] b = new byte[24];
            b[0] = 23; // AF_INET6
            byte[] ip = { 0x20,0x01,0x0D,0xB8, 0,0,0,0, 0,0,0,0, 0,0,0,0x01 };
            Array.Copy(ip, 0, b, 6, 16);
            Assert.Equal("2001:db8::1", WtsLayout.ParseClientAddress(b));
        }

        [Fact]
        public void A_client_address_the_os_does_not_give_is_null()
        {
            Assert.Null(WtsLayout.ParseClientAddress(new byte[24]));                                  // AF_UNSPEC (console)
            Assert.Null(WtsLayout.ParseClientAddress(new byte[] { 2,0,0,0, 0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0 })); // AF_INET 0.0.0.0
            Assert.Null(WtsLayout.ParseClientAddress(new byte[] { 6,0,0,0, 0,0,1,2,3,4, 0,0,0,0,0,0,0,0,0,0,0,0,0,0 })); // AF_IPX
            Assert.Null(WtsLayout.ParseClientAddress(new byte[] { 2,0,0,0, 0,0,10 }));               // short
            Assert.Null(WtsLayout.ParseClientAddress(null));
        }

        // ---------- SessionFlags ----------

        [Theory]
        [InlineData(0, false, true)]    // WTS_SESSIONSTATE_LOCK
        [InlineData(1, false, false)]   // WTS_SESSIONSTATE_UNLOCK
        [InlineData(-1, false, null)]   // WTS_SESSIONSTATE_UNKNOWN (0xFFFFFFFF)
        [InlineData(7, false, null)]
        [InlineData(0, true, false)]    // Windows 7 / 2008 R2: LOCK means unlocked
        [InlineData(1, true, true)]     // ... and UNLOCK means locked
        [InlineData(-1, true, null)]
        public void Lock_flags_read_as_documented(int flags, bool swapped, bool? locked)
        {
            Assert.Equal(locked, WtsLayout.IsLocked(flags, swapped));
        }

        [Fact]
        public void No_flags_means_no_lock_state()
        {
            Assert.Null(WtsLayout.IsLocked(null, false));
            Assert.Null(WtsLayout.IsLocked(null, true));
        }

        [Theory]
        [InlineData(6, 1, true)]     // Windows 7, Server 2008 R2
        [InlineData(6, 0, false)]    // Vista, 2008
        [InlineData(6, 2, false)]    // 8, 2012
        [InlineData(6, 3, false)]    // 8.1, 2012 R2
        [InlineData(10, 0, false)]   // 10, 11, 2016+
        public void Only_version_6_1_has_the_swapped_flags(int major, int minor, bool swapped)
        {
            Assert.Equal(swapped, WtsLayout.LockFlagsSwapped(new Version(major, minor, 7601)));
        }

        [Fact]
        public void A_windows_7_buffer_saying_lock_is_an_unlocked_session()
        {
            // A WTSINFOEXW laid out as Windows 7 returns it, with SessionFlags = 0 (WTS_SESSIONSTATE_LOCK) for a session the user is
            // working in. Read with the Windows 7 rule it is unlocked; the same bytes on Windows 10 mean locked.
            long t = WindowsBuffer.FileTime(2024, 3, 10, 9, 0, 0);
            var b = WtsInfoEx(2, 0, 0, "RDP-Tcp#0", "carol", "WIN7LAB", t, t, 0, t, t);
            var r = WtsLayout.ParseInfoEx(b.Bytes);
            Assert.Equal(0, r.SessionFlags);
            var win7 = WtsSessionMapper.Map(r, null, null, 1, WtsLayout.LockFlagsSwapped(new Version(6, 1, 7601)), 0, "PC", null, false);
            var win10 = WtsSessionMapper.Map(r, null, null, 1, WtsLayout.LockFlagsSwapped(new Version(10, 0, 19045)), 0, "PC", null, false);
            Assert.False(win7.IsLocked);
            Assert.True(win10.IsLocked);

            var lockedOn7 = WtsLayout.ParseInfoEx(WtsInfoEx(2, 0, 1, "RDP-Tcp#0", "carol", "WIN7LAB", t, t, 0, t, t).Bytes);
            Assert.True(WtsSessionMapper.Map(lockedOn7, null, null, 1, true, 0, "PC", null, false).IsLocked);
        }

        // ---------- strings ----------

        [Fact]
        public void A_wts_string_buffer_ends_at_its_first_nul()
        {
            byte[] b = { (byte)'L', 0, (byte)'T', 0, (byte)'-', 0, (byte)'7', 0, 0, 0, (byte)'x', 0 };
            Assert.Equal("LT-7", WtsLayout.ReadWideString(b));
            Assert.Null(WtsLayout.ReadWideString(new byte[] { 0, 0 }));
            Assert.Null(WtsLayout.ReadWideString((byte[])null));
        }
    }
}
