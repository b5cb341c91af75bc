using System;
using System.Runtime.InteropServices;

namespace AutomateAudit.Endpoint.Platform.Windows
{
    /// <summary>
    /// The Windows calls, declared and nothing more: every buffer is copied out and read by WtsLayout,
    /// LocalSessionManagerEvents and WindowsMachineInfo.ParseAgentId, which are tested on any OS.
    /// </summary>
    internal static class NativeMethods
    {
        // ---- wtsapi32 ----
        public static readonly IntPtr WTS_CURRENT_SERVER_HANDLE = IntPtr.Zero;
        public const int WTSClientName = 10;
        public const int WTSClientAddress = 14;
        public const int WTSSessionInfo = 24;
        public const int WTSSessionInfoEx = 25;

        [DllImport("wtsapi32.dll", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool WTSEnumerateSessionsW(IntPtr hServer, int reserved, int version, out IntPtr ppSessionInfo, out int pCount);

        [DllImport("wtsapi32.dll", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool WTSQuerySessionInformationW(IntPtr hServer, int sessionId, int wtsInfoClass, out IntPtr ppBuffer, out int pBytesReturned);

        [DllImport("wtsapi32.dll", ExactSpelling = true)]
        public static extern void WTSFreeMemory(IntPtr pMemory);

        [DllImport("kernel32.dll", ExactSpelling = true)]
        public static extern int WTSGetActiveConsoleSessionId();

        // ---- ntdll: the true OS version (GetVersionEx and Environment.OSVersion follow compatibility shims) ----
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        public struct RTL_OSVERSIONINFOW
        {
            public int dwOSVersionInfoSize;
            public int dwMajorVersion;
            public int dwMinorVersion;
            public int dwBuildNumber;
            public int dwPlatformId;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 128)]
            public string szCSDVersion;
        }

        [DllImport("ntdll.dll", ExactSpelling = true)]
        public static extern int RtlGetVersion(ref RTL_OSVERSIONINFOW versionInformation);

        // ---- advapi32 registry ----
        public static readonly IntPtr HKEY_LOCAL_MACHINE = new IntPtr(unchecked((int)0x80000002));
        public const int KEY_QUERY_VALUE = 0x0001;
        public const int KEY_WOW64_64KEY = 0x0100;
        public const int KEY_WOW64_32KEY = 0x0200;
        public const int RRF_RT_REG_SZ = 0x00000002;
        public const int RRF_RT_REG_DWORD = 0x00000010;
        public const int RRF_RT_REG_QWORD = 0x00000040;
        public const int ERROR_SUCCESS = 0;
        public const int ERROR_MORE_DATA = 234;

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, ExactSpelling = true)]
        public static extern int RegOpenKeyExW(IntPtr hKey, string lpSubKey, int ulOptions, int samDesired, out IntPtr phkResult);

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, ExactSpelling = true)]
        public static extern int RegGetValueW(IntPtr hkey, string lpSubKey, string lpValue, int dwFlags,
            out int pdwType, [Out] byte[] pvData, ref int pcbData);

        [DllImport("advapi32.dll", ExactSpelling = true)]
        public static extern int RegCloseKey(IntPtr hKey);

        // ---- wevtapi ----
        public const int EvtQueryChannelPath = 0x1;
        public const int EvtQueryForwardDirection = 0x100;
        public const int EvtRenderEventXml = 1;
        public const int INFINITE = -1;
        public const int ERROR_INSUFFICIENT_BUFFER = 122;
        public const int ERROR_NO_MORE_ITEMS = 259;
        public const int ERROR_EVT_CHANNEL_NOT_FOUND = 15007;

        [DllImport("wevtapi.dll", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
        public static extern IntPtr EvtQuery(IntPtr session, string path, string query, int flags);

        [DllImport("wevtapi.dll", SetLastError = true, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool EvtNext(IntPtr resultSet, int eventsSize, [Out] IntPtr[] events, int timeout, int flags, out int returned);

        [DllImport("wevtapi.dll", SetLastError = true, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool EvtRender(IntPtr context, IntPtr fragment, int flags, int bufferSize,
            [Out] byte[] buffer, out int bufferUsed, out int propertyCount);

        [DllImport("wevtapi.dll", SetLastError = true, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool EvtClose(IntPtr handle);
    }
}
