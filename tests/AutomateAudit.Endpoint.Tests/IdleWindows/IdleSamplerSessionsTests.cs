using System;
using System.Runtime.InteropServices;
using AutomateAudit.Endpoint.Idle.Windows;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class IdleSamplerSessionsTests
    {
        private static SessionCandidate S(int id, int state, string user, string domain = "CONTOSO") =>
            new SessionCandidate { SessionId = id, State = state, UserName = user, Domain = domain };

        [Fact]
        public void Active_and_disconnected_user_sessions_not_excluded()
        {
            var sessions = new[]
            {
                S(0, 4, null, null),            // services session (Disconnected, no user)
                S(1, 0, "alice"),               // console, active
                S(2, 4, "bob"),                 // disconnected RDP
                S(3, 1, "carol"),               // Connected (at the logon screen): no
                S(4, 0, "kiosk", "PC01"),       // excluded by bare name
                S(5, 0, "dave", "FABRIKAM"),
                S(6, 6, null, null),            // RDP-Tcp listener
                S(7, 0, "  "),                  // no user
                S(2, 4, "bob"),                 // listed twice
                S(8, 0, "Dave", "contoso"),     // excluded as CONTOSO\dave
            };
            var ids = IdleSamplerSessions.ToStart(sessions, IdleExcludeList.Parse("kiosk\nCONTOSO\\dave\n"));
            Assert.Equal(new[] { 1, 2, 5 }, ids);
        }

        [Fact]
        public void No_exclusions()
        {
            Assert.Equal(new[] { 1 }, IdleSamplerSessions.ToStart(new[] { S(1, 0, "alice") }, null));
            Assert.Empty(IdleSamplerSessions.ToStart(null, null));
        }

        [Fact]
        public void Command_line_quotes_the_path()
        {
            Assert.Equal("\"C:\\Program Files\\AutomateAudit\\IdleSampler\\AutomateAudit.IdleSampler.exe\"",
                IdleSamplerSessions.CommandLine(@"C:\Program Files\AutomateAudit\IdleSampler\AutomateAudit.IdleSampler.exe", ""));
            Assert.Equal("\"C:\\x\\s.exe\" /threshold:600", IdleSamplerSessions.CommandLine(@"C:\x\s.exe", "/threshold:600"));
            Assert.Throws<ArgumentException>(() => IdleSamplerSessions.CommandLine("C:\\a\"b.exe", ""));
        }

        // ---------- the P/Invoke structures have the sizes Windows expects (this test process is 64-bit) ----------

        [Fact]
        public void Native_structure_sizes_on_x64()
        {
            Assert.Equal(8, IntPtr.Size);
            Assert.Equal(8, Marshal.SizeOf(typeof(IdleNativeMethods.LASTINPUTINFO)));
            Assert.Equal(104, Marshal.SizeOf(typeof(IdleNativeMethods.STARTUPINFOW)));   // sizeof(STARTUPINFOW) on x64
            Assert.Equal(24, Marshal.SizeOf(typeof(IdleNativeMethods.PROCESS_INFORMATION)));
            Assert.Equal(276, Marshal.SizeOf(typeof(IdleNativeMethods.RTL_OSVERSIONINFOW)));
            Assert.Equal(8, (int)Marshal.OffsetOf(typeof(IdleNativeMethods.STARTUPINFOW), "lpReserved"));
            Assert.Equal(16, (int)Marshal.OffsetOf(typeof(IdleNativeMethods.STARTUPINFOW), "lpDesktop"));
            Assert.Equal(64, (int)Marshal.OffsetOf(typeof(IdleNativeMethods.STARTUPINFOW), "wShowWindow"));
            Assert.Equal(72, (int)Marshal.OffsetOf(typeof(IdleNativeMethods.STARTUPINFOW), "lpReserved2"));
            Assert.Equal(16, (int)Marshal.OffsetOf(typeof(IdleNativeMethods.PROCESS_INFORMATION), "dwProcessId"));
        }
    }
}
