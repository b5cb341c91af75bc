using System;
using System.Globalization;
using System.Text;

namespace AutomateAudit.Endpoint.Platform.Windows
{
    /// <summary>
    /// The machine name, and the Automate agent id from HKLM\SOFTWARE\LabTech\Service, value ID (REG_SZ or REG_DWORD),
    /// read from the 64-bit registry view and then the 32-bit one (WOW6432Node), since the agent has been both.
    /// </summary>
    internal sealed class WindowsMachineInfo : IMachineInfo
    {
        public const string AgentKey = @"SOFTWARE\LabTech\Service";
        public const string AgentValue = "ID";

        private const int REG_SZ = 1;
        private const int REG_EXPAND_SZ = 2;
        private const int REG_DWORD = 4;
        private const int REG_QWORD = 11;

        private readonly Lazy<int?> _agentId = new Lazy<int?>(ReadAgentId);

        public string ComputerName => Environment.MachineName;

        public int? AgentId => _agentId.Value;

        private static int? ReadAgentId()
        {
            // KEY_WOW64_64KEY / KEY_WOW64_32KEY on RegOpenKeyEx select the view on every version; the RRF_SUBKEY_WOW64*
            // flags of RegGetValue do not map to WOW6432Node on Windows 8 and earlier (dotnet/aspnetcore#6589).
            return ReadAgentId(NativeMethods.KEY_WOW64_64KEY) ?? ReadAgentId(NativeMethods.KEY_WOW64_32KEY);
        }

        private static int? ReadAgentId(int view)
        {
            IntPtr key = IntPtr.Zero;
            try
            {
                if (NativeMethods.RegOpenKeyExW(NativeMethods.HKEY_LOCAL_MACHINE, AgentKey, 0,
                        NativeMethods.KEY_QUERY_VALUE | view, out key) != NativeMethods.ERROR_SUCCESS)
                {
                    key = IntPtr.Zero;
                    return null;
                }
                const int flags = NativeMethods.RRF_RT_REG_SZ | NativeMethods.RRF_RT_REG_DWORD | NativeMethods.RRF_RT_REG_QWORD;
                var data = new byte[64];
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    int size = data.Length;
                    int rc = NativeMethods.RegGetValueW(key, null, AgentValue, flags, out int type, data, ref size);
                    if (rc == NativeMethods.ERROR_SUCCESS) return ParseAgentId(type, data, size);
                    if (rc != NativeMethods.ERROR_MORE_DATA || size <= data.Length || size > 4096) return null;
                    data = new byte[size];
                }
                return null;
            }
            catch (DllNotFoundException) { return null; }
            catch (EntryPointNotFoundException) { return null; }
            finally
            {
                if (key != IntPtr.Zero) NativeMethods.RegCloseKey(key);
            }
        }

        /// <summary>
        /// The agent id from the registry value's type and bytes: REG_SZ (UTF-16LE digits, NUL-terminated),
        /// REG_DWORD (4 bytes little-endian) or REG_QWORD. Null for anything else, for text that is not a number,
        /// and for 0 or less (no agent id has been assigned; never report 0 as an id).
        /// </summary>
        public static int? ParseAgentId(int type, byte[] data, int length)
        {
            if (data == null) return null;
            length = Math.Min(length, data.Length);
            long value;
            switch (type)
            {
                case REG_SZ:
                case REG_EXPAND_SZ:
                    string text = Encoding.Unicode.GetString(data, 0, length & ~1);
                    int nul = text.IndexOf('\0');
                    if (nul >= 0) text = text.Substring(0, nul);
                    if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value)) return null;
                    break;
                case REG_DWORD:
                    if (length < 4) return null;
                    value = BitConverter.ToUInt32(data, 0);
                    break;
                case REG_QWORD:
                    if (length < 8) return null;
                    value = BitConverter.ToInt64(data, 0);
                    break;
                default:
                    return null;
            }
            return value > 0 && value <= int.MaxValue ? (int)value : (int?)null;
        }
    }
}
