using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace AutomateAudit.Endpoint.Platform.Windows
{
    /// <summary>
    /// Sessions through the WTS API and session events from the LocalSessionManager operational log. Thin: it
    /// calls Windows, copies each buffer out (freeing it in a finally) and hands the bytes to the pure readers.
    /// </summary>
    internal sealed class WindowsSessionSource : ISessionSource
    {
        private const int EventBatch = 64;

        private readonly IMachineInfo _machine;
        private readonly List<string> _warnings = new List<string>();

        public WindowsSessionSource(IMachineInfo machine)
        {
            _machine = machine ?? throw new ArgumentNullException(nameof(machine));
        }

        /// <summary>
        /// What the calls so far could not read: sessions whose details WTS refused (the session ended meanwhile,
        /// typically) and events skipped as malformed. Kept across calls, so that reading them after GetSessions and
        /// GetEvents loses none; a source lives for one cmdlet call.
        /// </summary>
        public IReadOnlyList<string> Warnings => _warnings;

        public IReadOnlyList<UserSession> GetSessions(bool includeSystem)
        {
            string computer = _machine.ComputerName;
            int? agentId = _machine.AgentId;
            int console = NativeMethods.WTSGetActiveConsoleSessionId();
            bool swapped = WtsLayout.LockFlagsSwapped(OsVersion());
            long now = DateTime.UtcNow.ToFileTimeUtc();

            var sessions = new List<UserSession>();
            foreach (var row in EnumerateSessions())
            {
                WtsSessionRecord record = QueryRecord(row.SessionId);
                if (record == null)
                {
                    // Listeners may refuse the query, and a session can end between the two calls. What the
                    // enumeration said is kept (no user, so it is listed only with includeSystem); a session that
                    // could hold a user is worth a warning.
                    if (row.State == (int)UserSessionState.Active || row.State == (int)UserSessionState.Disconnected)
                        _warnings.Add($"Session {row.SessionId}: WTS gave no session information; it may have ended.");
                    record = new WtsSessionRecord { SessionId = row.SessionId, State = row.State, WinStationName = row.WinStationName };
                }
                if (record.WinStationName == null) record.WinStationName = row.WinStationName;
                string user = record.UserName;
                if (string.IsNullOrWhiteSpace(user) && !includeSystem) continue;

                string clientName = WtsLayout.ReadWideString(Query(row.SessionId, NativeMethods.WTSClientName));
                string clientAddress = WtsLayout.ParseClientAddress(Query(row.SessionId, NativeMethods.WTSClientAddress));
                var session = WtsSessionMapper.Map(record, clientName, clientAddress, console, swapped, now,
                    computer, agentId, includeSystem);
                if (session != null) sessions.Add(session);
            }
            return sessions;
        }

        public IReadOnlyList<SessionEvent> GetEvents(DateTime sinceUtc)
        {
            DateTime since = sinceUtc.Kind == DateTimeKind.Local ? sinceUtc.ToUniversalTime() : DateTime.SpecifyKind(sinceUtc, DateTimeKind.Utc);
            var xmls = ReadEventXml(LocalSessionManagerEvents.Channel, LocalSessionManagerEvents.BuildQuery(since));
            var events = LocalSessionManagerEvents.ParseAll(xmls, _machine.ComputerName, _machine.AgentId, _warnings);
            // The query compares to the millisecond; keep exactly what is at or after the instant asked for.
            events.RemoveAll(e => e.TimeCreated.ToUniversalTime() < since);
            return events;
        }

        private struct Row
        {
            public int SessionId;
            public int State;
            public string WinStationName;
        }

        private static List<Row> EnumerateSessions()
        {
            if (!NativeMethods.WTSEnumerateSessionsW(NativeMethods.WTS_CURRENT_SERVER_HANDLE, 0, 1, out IntPtr list, out int count))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "WTSEnumerateSessions failed");
            try
            {
                int pointerSize = IntPtr.Size;
                var bytes = new byte[Math.Max(0, count) * WtsLayout.SessionInfoStride(pointerSize)];
                if (bytes.Length > 0) Marshal.Copy(list, bytes, 0, bytes.Length);
                var rows = new List<Row>(count);
                foreach (var r in WtsLayout.ParseSessionInfoArray(bytes, count, pointerSize))
                {
                    rows.Add(new Row
                    {
                        SessionId = r.SessionId,
                        State = r.State,
                        // The name lives in the same WTS allocation: read it before WTSFreeMemory.
                        WinStationName = r.WinStationNamePointer == 0 ? null : Marshal.PtrToStringUni(new IntPtr(r.WinStationNamePointer)),
                    });
                }
                return rows;
            }
            finally
            {
                if (list != IntPtr.Zero) NativeMethods.WTSFreeMemory(list);
            }
        }

        /// <summary>WTSINFOEXW where Windows has it (7 / 2008 R2 and later), else WTSINFOW; null when both fail.</summary>
        private static WtsSessionRecord QueryRecord(int sessionId)
        {
            byte[] ex = Query(sessionId, NativeMethods.WTSSessionInfoEx);
            if (ex != null && ex.Length >= WtsLayout.ExSize)
            {
                try { return WtsLayout.ParseInfoEx(ex); }
                catch (FormatException) { /* another level: fall back to WTSINFOW */ }
            }
            byte[] info = Query(sessionId, NativeMethods.WTSSessionInfo);
            return info != null && info.Length >= WtsLayout.InfoSize ? WtsLayout.ParseInfo(info) : null;
        }

        /// <summary>One WTSQuerySessionInformationW buffer, copied out and freed; null when the call fails.</summary>
        private static byte[] Query(int sessionId, int infoClass)
        {
            if (!NativeMethods.WTSQuerySessionInformationW(NativeMethods.WTS_CURRENT_SERVER_HANDLE, sessionId, infoClass,
                    out IntPtr buffer, out int size))
                return null;
            try
            {
                if (buffer == IntPtr.Zero || size <= 0) return null;
                var bytes = new byte[size];
                Marshal.Copy(buffer, bytes, 0, size);
                return bytes;
            }
            finally
            {
                if (buffer != IntPtr.Zero) NativeMethods.WTSFreeMemory(buffer);
            }
        }

        private static Version OsVersion()
        {
            try
            {
                var info = new NativeMethods.RTL_OSVERSIONINFOW
                {
                    dwOSVersionInfoSize = Marshal.SizeOf(typeof(NativeMethods.RTL_OSVERSIONINFOW)),
                };
                if (NativeMethods.RtlGetVersion(ref info) == 0)
                    return new Version(info.dwMajorVersion, info.dwMinorVersion, info.dwBuildNumber);
            }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
            return Environment.OSVersion.Version;
        }

        /// <summary>
        /// The rendered XML of every event the query matches, oldest first. A missing channel (no Remote Desktop
        /// Services component) reads as no events; other failures throw.
        /// </summary>
        private static List<string> ReadEventXml(string channel, string xpath)
        {
            var xmls = new List<string>();
            IntPtr query = NativeMethods.EvtQuery(IntPtr.Zero, channel, xpath,
                NativeMethods.EvtQueryChannelPath | NativeMethods.EvtQueryForwardDirection);
            if (query == IntPtr.Zero)
            {
                int error = Marshal.GetLastWin32Error();
                if (error == NativeMethods.ERROR_EVT_CHANNEL_NOT_FOUND) return xmls;
                throw new Win32Exception(error, "EvtQuery on " + channel + " failed");
            }
            try
            {
                var handles = new IntPtr[EventBatch];
                byte[] buffer = new byte[8192];
                while (true)
                {
                    if (!NativeMethods.EvtNext(query, handles.Length, handles, NativeMethods.INFINITE, 0, out int returned))
                    {
                        int error = Marshal.GetLastWin32Error();
                        if (error == NativeMethods.ERROR_NO_MORE_ITEMS) break;
                        throw new Win32Exception(error, "EvtNext on " + channel + " failed");
                    }
                    try
                    {
                        for (int i = 0; i < returned; i++)
                            xmls.Add(Render(handles[i], ref buffer));
                    }
                    finally
                    {
                        for (int i = 0; i < returned; i++)
                        {
                            if (handles[i] != IntPtr.Zero) NativeMethods.EvtClose(handles[i]);
                            handles[i] = IntPtr.Zero;
                        }
                    }
                }
            }
            finally
            {
                NativeMethods.EvtClose(query);
            }
            return xmls;
        }

        /// <summary>One event as XML; null when it cannot be rendered (the parser then reports it as skipped).</summary>
        private static string Render(IntPtr evt, ref byte[] buffer)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                if (NativeMethods.EvtRender(IntPtr.Zero, evt, NativeMethods.EvtRenderEventXml, buffer.Length, buffer,
                        out int used, out _))
                    return LocalSessionManagerEvents.DecodeRendered(buffer, used);
                if (Marshal.GetLastWin32Error() != NativeMethods.ERROR_INSUFFICIENT_BUFFER || used <= buffer.Length) return null;
                buffer = new byte[used];
            }
            return null;
        }
    }
}
