using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AutomateAudit.Endpoint.Platform.Windows
{
    /// <summary>
    /// The byte layouts of the WTS structures, read from byte buffers copied out of the memory WTS returns.
    /// Pure: no P/Invoke here, so every offset is unit-tested on any OS.
    /// </summary>
    /// <remarks>
    /// Sources for the layouts:
    /// <list type="bullet">
    /// <item>The structure declarations in Microsoft's wtsapi32.h reference pages (learn.microsoft.com,
    /// ns-wtsapi32-wtsinfow, ns-wtsapi32-wtsinfoexw, ns-wtsapi32-wtsinfoex_level1_w, ns-wtsapi32-wts_session_infow,
    /// ns-wtsapi32-wts_client_address; the same text is mirrored in m417z/windows-docs-scraper
    /// sdk-api/wtsapi32/*.c).</item>
    /// <item>The lengths from wtsapi32.h: WINSTATIONNAME_LENGTH 32, DOMAIN_LENGTH 17, USERNAME_LENGTH 20.</item>
    /// <item>MSVC's default packing (/Zp8, no #pragma pack in wtsapi32.h): every member at its natural alignment,
    /// LARGE_INTEGER (a union holding a LONGLONG) aligned to 8 on x64 and on x86 alike.</item>
    /// <item>Cross-checks: Cassia (danports/cassia, Source/Cassia/Impl/WTSINFOEX.cs and WTSINFOEX_LEVEL1.cs) declares
    /// the same padding explicitly ("int Level; int Unknown;" before the union, and "int Unknown;" after DomainName);
    /// a C compiler with the same member types gives the same offsets (sizeof WTSINFOW 216, WTSINFOEXW 232); and the
    /// tests compare these constants with Marshal.OffsetOf on equivalent sequential structs.</item>
    /// </list>
    /// 32-bit processes: WTSINFOW and WTSINFOEXW have the same offsets (no pointers inside, and MSVC aligns the 8-byte
    /// members to 8 on x86 as well). WTS_SESSION_INFOW does differ, because it holds a pointer: 12 bytes a row on x86,
    /// 24 on x64.
    /// </remarks>
    internal static class WtsLayout
    {
        public const int WinStationNameLength = 32;  // WINSTATIONNAME_LENGTH
        public const int DomainLength = 17;          // DOMAIN_LENGTH
        public const int UserNameLength = 20;        // USERNAME_LENGTH

        // WTSINFOW (WTSQuerySessionInformationW, WTSSessionInfo = 24):
        //   0 WTS_CONNECTSTATE_CLASS State      4 DWORD SessionId
        //   8 DWORD IncomingBytes, OutgoingBytes, IncomingFrames, OutgoingFrames, IncomingCompressedBytes,
        //     OutgoingCompressedBytes (6 x 4 = 24 bytes, up to 32)
        //  32 WCHAR WinStationName[32] (64 bytes)   96 WCHAR Domain[17] (34 bytes)   130 WCHAR UserName[21] (42 bytes)
        // 172 4 bytes of padding to the 8-byte alignment of LARGE_INTEGER
        // 176 ConnectTime  184 DisconnectTime  192 LastInputTime  200 LogonTime  208 CurrentTime;  sizeof = 216
        public const int InfoState = 0;
        public const int InfoSessionId = 4;
        public const int InfoWinStationName = 32;
        public const int InfoDomain = 96;
        public const int InfoUserName = 130;
        public const int InfoConnectTime = 176;
        public const int InfoDisconnectTime = 184;
        public const int InfoLastInputTime = 192;
        public const int InfoLogonTime = 200;
        public const int InfoCurrentTime = 208;
        public const int InfoSize = 216;

        // WTSINFOEXW (WTSSessionInfoEx = 25): 0 DWORD Level, 4 bytes of padding, 8 WTSINFOEX_LEVEL_W Data (a union
        // whose only member, WTSINFOEX_LEVEL1_W, holds LARGE_INTEGERs, so the union is aligned to 8).
        // WTSINFOEX_LEVEL1_W, offsets relative to Data (absolute = +8):
        //   0 ULONG SessionId   4 WTS_CONNECTSTATE_CLASS SessionState   8 LONG SessionFlags
        //  12 WCHAR WinStationName[33] (66 bytes)   78 WCHAR UserName[21] (42 bytes)   120 WCHAR DomainName[18] (36)
        // 156 4 bytes of padding
        // 160 LogonTime  168 ConnectTime  176 DisconnectTime  184 LastInputTime  192 CurrentTime
        // 200 DWORD IncomingBytes ... OutgoingCompressedBytes (6 x 4);  sizeof LEVEL1 = 224, sizeof WTSINFOEXW = 232
        // Note the order of the times differs from WTSINFOW (LogonTime first here).
        public const int ExLevel = 0;
        public const int ExData = 8;
        public const int ExSessionId = ExData + 0;
        public const int ExSessionState = ExData + 4;
        public const int ExSessionFlags = ExData + 8;
        public const int ExWinStationName = ExData + 12;
        public const int ExUserName = ExData + 78;
        public const int ExDomainName = ExData + 120;
        public const int ExLogonTime = ExData + 160;
        public const int ExConnectTime = ExData + 168;
        public const int ExDisconnectTime = ExData + 176;
        public const int ExLastInputTime = ExData + 184;
        public const int ExCurrentTime = ExData + 192;
        public const int ExSize = ExData + 224;

        // WTS_SESSION_INFOW (WTSEnumerateSessionsW): DWORD SessionId; LPWSTR pWinStationName; WTS_CONNECTSTATE_CLASS State.
        //   x64: 0 SessionId, 4 padding, 8 pointer, 16 State, 20 padding; stride 24.
        //   x86: 0 SessionId, 4 pointer, 8 State; stride 12.
        public static int SessionInfoStride(int pointerSize) => CheckPointerSize(pointerSize) == 8 ? 24 : 12;
        public static int SessionInfoNamePointer(int pointerSize) => CheckPointerSize(pointerSize) == 8 ? 8 : 4;
        public static int SessionInfoState(int pointerSize) => CheckPointerSize(pointerSize) == 8 ? 16 : 8;

        // WTS_CLIENT_ADDRESS (WTSClientAddress = 14): 0 DWORD AddressFamily, 4 BYTE Address[20]; sizeof = 24.
        public const int ClientAddressFamily = 0;
        public const int ClientAddressBytes = 4;
        public const int ClientAddressSize = 24;
        public const int AF_UNSPEC = 0;
        public const int AF_INET = 2;
        public const int AF_INET6 = 23;

        // WTSINFOEX_LEVEL1 SessionFlags.
        public const int WTS_SESSIONSTATE_LOCK = 0;
        public const int WTS_SESSIONSTATE_UNLOCK = 1;
        public const int WTS_SESSIONSTATE_UNKNOWN = unchecked((int)0xFFFFFFFF);

        /// <summary>One row of WTSEnumerateSessionsW's array. The name is a pointer into WTS's memory.</summary>
        internal struct SessionInfoRow
        {
            public int SessionId;
            public long WinStationNamePointer;
            public int State;
        }

        /// <summary>Reads <paramref name="count"/> WTS_SESSION_INFOW rows laid out for a process of the given pointer size.</summary>
        public static IReadOnlyList<SessionInfoRow> ParseSessionInfoArray(byte[] buffer, int count, int pointerSize)
        {
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            int stride = SessionInfoStride(pointerSize);
            if (count < 0 || (long)count * stride > buffer.Length)
                throw new ArgumentException($"A buffer of {buffer.Length} bytes cannot hold {count} rows of {stride} bytes.", nameof(buffer));
            var rows = new SessionInfoRow[count];
            for (int i = 0; i < count; i++)
            {
                int row = i * stride;
                rows[i] = new SessionInfoRow
                {
                    SessionId = BitConverter.ToInt32(buffer, row),
                    WinStationNamePointer = pointerSize == 8
                        ? BitConverter.ToInt64(buffer, row + SessionInfoNamePointer(pointerSize))
                        : (long)(uint)BitConverter.ToInt32(buffer, row + SessionInfoNamePointer(pointerSize)),
                    State = BitConverter.ToInt32(buffer, row + SessionInfoState(pointerSize)),
                };
            }
            return rows;
        }

        /// <summary>Reads a WTSINFOW buffer.</summary>
        public static WtsSessionRecord ParseInfo(byte[] buffer)
        {
            Require(buffer, InfoSize, "WTSINFOW");
            return new WtsSessionRecord
            {
                State = BitConverter.ToInt32(buffer, InfoState),
                SessionId = BitConverter.ToInt32(buffer, InfoSessionId),
                WinStationName = ReadWideString(buffer, InfoWinStationName, WinStationNameLength),
                Domain = ReadWideString(buffer, InfoDomain, DomainLength),
                UserName = ReadWideString(buffer, InfoUserName, UserNameLength + 1),
                ConnectTime = BitConverter.ToInt64(buffer, InfoConnectTime),
                DisconnectTime = BitConverter.ToInt64(buffer, InfoDisconnectTime),
                LastInputTime = BitConverter.ToInt64(buffer, InfoLastInputTime),
                LogonTime = BitConverter.ToInt64(buffer, InfoLogonTime),
                CurrentTime = BitConverter.ToInt64(buffer, InfoCurrentTime),
                SessionFlags = null,
            };
        }

        /// <summary>Reads a WTSINFOEXW buffer (level 1, the only level Windows defines).</summary>
        public static WtsSessionRecord ParseInfoEx(byte[] buffer)
        {
            Require(buffer, ExSize, "WTSINFOEXW");
            int level = BitConverter.ToInt32(buffer, ExLevel);
            if (level != 1) throw new FormatException($"WTSINFOEXW level {level} is not level 1.");
            return new WtsSessionRecord
            {
                SessionId = BitConverter.ToInt32(buffer, ExSessionId),
                State = BitConverter.ToInt32(buffer, ExSessionState),
                SessionFlags = BitConverter.ToInt32(buffer, ExSessionFlags),
                WinStationName = ReadWideString(buffer, ExWinStationName, WinStationNameLength + 1),
                UserName = ReadWideString(buffer, ExUserName, UserNameLength + 1),
                Domain = ReadWideString(buffer, ExDomainName, DomainLength + 1),
                LogonTime = BitConverter.ToInt64(buffer, ExLogonTime),
                ConnectTime = BitConverter.ToInt64(buffer, ExConnectTime),
                DisconnectTime = BitConverter.ToInt64(buffer, ExDisconnectTime),
                LastInputTime = BitConverter.ToInt64(buffer, ExLastInputTime),
                CurrentTime = BitConverter.ToInt64(buffer, ExCurrentTime),
            };
        }

        /// <summary>
        /// WTS_CLIENT_ADDRESS as text. AF_INET: the four address bytes start two bytes into Address (Microsoft's
        /// example: 192.168.0.1 is "0x00 0x00 0xC0 0xA8 0x00 0x01"). AF_INET6: sixteen bytes from Address[2].
        /// AF_UNSPEC, other families, an all-zero address or a short buffer: null (the OS gave no address).
        /// </summary>
        public static string ParseClientAddress(byte[] buffer)
        {
            if (buffer == null || buffer.Length < ClientAddressBytes + 6) return null;
            int family = BitConverter.ToInt32(buffer, ClientAddressFamily);
            int start = ClientAddressBytes + 2;
            int length;
            if (family == AF_INET) length = 4;
            else if (family == AF_INET6) length = 16;
            else return null;
            if (buffer.Length < start + length) return null;
            bool allZero = true;
            for (int i = 0; i < length; i++) if (buffer[start + i] != 0) { allZero = false; break; }
            if (allZero) return null;
            if (family == AF_INET)
                return string.Format(CultureInfo.InvariantCulture, "{0}.{1}.{2}.{3}",
                    buffer[start], buffer[start + 1], buffer[start + 2], buffer[start + 3]);
            var bytes = new byte[16];
            Array.Copy(buffer, start, bytes, 0, 16);
            return new System.Net.IPAddress(bytes).ToString();
        }

        /// <summary>
        /// Whether SessionFlags says the session is locked; null when the flags say nothing (absent,
        /// WTS_SESSIONSTATE_UNKNOWN or any other value). On Windows 7 and Server 2008 R2 (version 6.1) the two flags
        /// are swapped, by a defect Microsoft documents on the WTSINFOEX_LEVEL1 page: LOCK there means unlocked.
        /// </summary>
        public static bool? IsLocked(int? sessionFlags, bool lockFlagsSwapped)
        {
            if (sessionFlags == null) return null;
            bool? locked;
            switch (sessionFlags.Value)
            {
                case WTS_SESSIONSTATE_LOCK: locked = true; break;
                case WTS_SESSIONSTATE_UNLOCK: locked = false; break;
                default: return null;
            }
            return lockFlagsSwapped ? !locked : locked;
        }

        /// <summary>Windows 7 and Windows Server 2008 R2 are version 6.1: the versions with the swapped lock flags.</summary>
        public static bool LockFlagsSwapped(Version osVersion) =>
            osVersion != null && osVersion.Major == 6 && osVersion.Minor == 1;

        /// <summary>A UTF-16LE string of at most maxChars characters, ended by the first NUL; null when empty.</summary>
        public static string ReadWideString(byte[] buffer, int offset, int maxChars)
        {
            if (buffer == null) return null;
            int end = Math.Min(buffer.Length, offset + 2 * maxChars);
            int chars = 0;
            for (int i = offset; i + 1 < end; i += 2, chars++)
                if (buffer[i] == 0 && buffer[i + 1] == 0) break;
            if (chars == 0) return null;
            return Encoding.Unicode.GetString(buffer, offset, chars * 2);
        }

        /// <summary>A whole UTF-16LE buffer as WTS returns a string (WTSClientName): up to its first NUL; null when empty.</summary>
        public static string ReadWideString(byte[] buffer) =>
            buffer == null ? null : ReadWideString(buffer, 0, buffer.Length / 2);

        private static int CheckPointerSize(int pointerSize)
        {
            if (pointerSize != 4 && pointerSize != 8) throw new ArgumentOutOfRangeException(nameof(pointerSize), "A pointer is 4 or 8 bytes.");
            return pointerSize;
        }

        private static void Require(byte[] buffer, int size, string what)
        {
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            if (buffer.Length < size) throw new FormatException($"{what} needs {size} bytes; WTS returned {buffer.Length}.");
        }
    }

    /// <summary>What WTSINFOW or WTSINFOEXW says about one session, raw: times are FILETIME ticks, 0 when not given.</summary>
    internal sealed class WtsSessionRecord
    {
        public int SessionId { get; set; }
        public int State { get; set; }
        public string WinStationName { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public long ConnectTime { get; set; }
        public long DisconnectTime { get; set; }
        public long LastInputTime { get; set; }
        public long LogonTime { get; set; }
        public long CurrentTime { get; set; }
        /// <summary>WTSINFOEX_LEVEL1's SessionFlags; null when read from WTSINFOW, which has none.</summary>
        public int? SessionFlags { get; set; }
    }
}
