using System;
using System.Runtime.InteropServices;
using System.Text;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Tests.Windows
{
    public class WindowsMachineInfoTests
    {
        private const int REG_SZ = 1, REG_BINARY = 3, REG_DWORD = 4, REG_QWORD = 11;

        private static int? Sz(string text)
        {
            byte[] b = Encoding.Unicode.GetBytes(text + "\0");
            return WindowsMachineInfo.ParseAgentId(REG_SZ, b, b.Length);
        }

        [Fact]
        public void A_string_id_is_read()
        {
            Assert.Equal(1234, Sz("1234"));
            Assert.Equal(42, Sz(" 42 "));
        }

        [Fact]
        public void A_dword_id_is_little_endian()
        {
            Assert.Equal(1234, WindowsMachineInfo.ParseAgentId(REG_DWORD, new byte[] { 0xD2, 0x04, 0x00, 0x00 }, 4));
            Assert.Equal(0x01020304, WindowsMachineInfo.ParseAgentId(REG_DWORD, new byte[] { 0x04, 0x03, 0x02, 0x01 }, 4));
            Assert.Equal(77, WindowsMachineInfo.ParseAgentId(REG_QWORD, new byte[] { 77, 0, 0, 0, 0, 0, 0, 0 }, 8));
        }

        [Fact]
        public void No_usable_id_is_null_never_zero()
        {
            Assert.Null(Sz("0"));
            Assert.Null(Sz("-5"));
            Assert.Null(Sz("abc"));
            Assert.Null(Sz(""));
            Assert.Null(WindowsMachineInfo.ParseAgentId(REG_DWORD, new byte[4], 4));
            Assert.Null(WindowsMachineInfo.ParseAgentId(REG_DWORD, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, 4)); // > int.MaxValue
            Assert.Null(WindowsMachineInfo.ParseAgentId(REG_DWORD, new byte[] { 1, 0 }, 2));
            Assert.Null(WindowsMachineInfo.ParseAgentId(REG_BINARY, new byte[] { 1, 0, 0, 0 }, 4));
            Assert.Null(WindowsMachineInfo.ParseAgentId(REG_SZ, null, 0));
        }

        [Fact]
        public void The_string_ends_at_the_length_windows_reports()
        {
            byte[] b = Encoding.Unicode.GetBytes("55\0" + "99");
            Assert.Equal(55, WindowsMachineInfo.ParseAgentId(REG_SZ, b, b.Length));
            Assert.Equal(5, WindowsMachineInfo.ParseAgentId(REG_SZ, b, 2));
        }

        [Fact]
        public void The_computer_name_is_the_machine_name()
        {
            Assert.Equal(Environment.MachineName, new WindowsMachineInfo().ComputerName);
        }

        [Fact]
        public void Off_windows_the_agent_id_is_null_rather_than_an_error()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            Assert.Null(new WindowsMachineInfo().AgentId);
        }
    }
}
