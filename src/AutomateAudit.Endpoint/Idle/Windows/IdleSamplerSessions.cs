using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>A session as WTS lists it, with its user.</summary>
    internal struct SessionCandidate
    {
        public int SessionId;
        /// <summary>WTS_CONNECTSTATE_CLASS: 0 Active, 4 Disconnected, ...</summary>
        public int State;
        public string UserName;
        public string Domain;
    }

    /// <summary>Which logged-on sessions get a sampler at registration, and the command line it starts with. Pure.</summary>
    internal static class IdleSamplerSessions
    {
        public const int WTSActive = 0;
        public const int WTSDisconnected = 4;

        /// <summary>
        /// The sessions to start the sampler in: Active or Disconnected, with a user, not session 0 (services), not an
        /// excluded user; each session once. Starting it where one already runs is harmless (the mutex), so this does
        /// not look for running samplers.
        /// </summary>
        public static List<int> ToStart(IEnumerable<SessionCandidate> sessions, IEnumerable<string> excluded)
        {
            var exclude = new List<string>(excluded ?? new string[0]);
            var ids = new List<int>();
            foreach (SessionCandidate s in sessions ?? new SessionCandidate[0])
            {
                if (s.SessionId <= 0 || ids.Contains(s.SessionId)) continue;
                if (s.State != WTSActive && s.State != WTSDisconnected) continue;
                if (string.IsNullOrWhiteSpace(s.UserName)) continue;
                if (IdleExcludeList.IsExcluded(exclude, s.Domain, s.UserName)) continue;
                ids.Add(s.SessionId);
            }
            return ids;
        }

        /// <summary>
        /// The command line for CreateProcessAsUser: the path quoted (it holds "Program Files"), then the arguments.
        /// A path with a quote in it cannot be quoted and is refused.
        /// </summary>
        public static string CommandLine(string exePath, string arguments)
        {
            if (string.IsNullOrEmpty(exePath) || exePath.IndexOf('"') >= 0)
                throw new ArgumentException("The sampler's path is empty or holds a quote.", nameof(exePath));
            string line = "\"" + exePath + "\"";
            return string.IsNullOrEmpty(arguments) ? line : line + " " + arguments;
        }
    }

    /// <summary>
    /// Starts the sampler in the sessions already logged on, from SYSTEM: WTSEnumerateSessions, then per chosen session
    /// WTSQueryUserToken, CreateEnvironmentBlock and CreateProcessAsUser on winsta0\default, without a window. Thin;
    /// Windows only; the choice of sessions is <see cref="IdleSamplerSessions.ToStart"/>.
    /// </summary>
    internal static class WindowsSessionLauncher
    {
        public const string Desktop = "winsta0\\default";

        /// <summary>The logged-on sessions with their users (the user from WTSINFOEX, else WTSINFO).</summary>
        public static List<SessionCandidate> Sessions()
        {
            var candidates = new List<SessionCandidate>();
            if (!IdleNativeMethods.WTSEnumerateSessionsW(IdleNativeMethods.WTS_CURRENT_SERVER_HANDLE, 0, 1, out IntPtr list, out int count))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "WTSEnumerateSessions failed");
            var rows = new List<WtsLayout.SessionInfoRow>();
            try
            {
                var bytes = new byte[Math.Max(0, count) * WtsLayout.SessionInfoStride(IntPtr.Size)];
                if (bytes.Length > 0) Marshal.Copy(list, bytes, 0, bytes.Length);
                rows.AddRange(WtsLayout.ParseSessionInfoArray(bytes, count, IntPtr.Size));
            }
            finally
            {
                if (list != IntPtr.Zero) IdleNativeMethods.WTSFreeMemory(list);
            }
            foreach (var row in rows)
            {
                WtsSessionRecord record = Record(row.SessionId);
                candidates.Add(new SessionCandidate
                {
                    SessionId = row.SessionId,
                    State = row.State,
                    UserName = record?.UserName,
                    Domain = record?.Domain,
                });
            }
            return candidates;
        }

        /// <summary>Starts the exe in one session as that session's user; returns the new process id. Throws Win32Exception on failure.</summary>
        public static int Start(int sessionId, string exePath, string arguments)
        {
            IntPtr token = IntPtr.Zero, environment = IntPtr.Zero;
            var info = new IdleNativeMethods.PROCESS_INFORMATION();
            try
            {
                if (!IdleNativeMethods.WTSQueryUserToken(sessionId, out token))
                {
                    token = IntPtr.Zero;
                    throw new Win32Exception(Marshal.GetLastWin32Error(), $"WTSQueryUserToken({sessionId}) failed");
                }
                if (!IdleNativeMethods.CreateEnvironmentBlock(out environment, token, false))
                {
                    environment = IntPtr.Zero;
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "CreateEnvironmentBlock failed");
                }
                var startup = new IdleNativeMethods.STARTUPINFOW
                {
                    cb = Marshal.SizeOf(typeof(IdleNativeMethods.STARTUPINFOW)),
                    lpDesktop = Desktop,
                };
                var commandLine = new StringBuilder(IdleSamplerSessions.CommandLine(exePath, arguments));
                if (!IdleNativeMethods.CreateProcessAsUserW(token, exePath, commandLine, IntPtr.Zero, IntPtr.Zero, false,
                        IdleNativeMethods.CREATE_UNICODE_ENVIRONMENT | IdleNativeMethods.CREATE_NO_WINDOW | IdleNativeMethods.BELOW_NORMAL_PRIORITY_CLASS,
                        environment, Path.GetDirectoryName(exePath), ref startup, out info))
                    throw new Win32Exception(Marshal.GetLastWin32Error(), $"CreateProcessAsUser in session {sessionId} failed");
                return info.dwProcessId;
            }
            finally
            {
                if (info.hThread != IntPtr.Zero) IdleNativeMethods.CloseHandle(info.hThread);
                if (info.hProcess != IntPtr.Zero) IdleNativeMethods.CloseHandle(info.hProcess);
                if (environment != IntPtr.Zero) IdleNativeMethods.DestroyEnvironmentBlock(environment);
                if (token != IntPtr.Zero) IdleNativeMethods.CloseHandle(token);
            }
        }

        private static WtsSessionRecord Record(int sessionId)
        {
            byte[] ex = Query(sessionId, IdleNativeMethods.WTSSessionInfoEx);
            if (ex != null && ex.Length >= WtsLayout.ExSize)
            {
                try { return WtsLayout.ParseInfoEx(ex); }
                catch (FormatException) { }
            }
            byte[] info = Query(sessionId, IdleNativeMethods.WTSSessionInfo);
            return info != null && info.Length >= WtsLayout.InfoSize ? WtsLayout.ParseInfo(info) : null;
        }

        internal static byte[] Query(int sessionId, int infoClass)
        {
            if (!IdleNativeMethods.WTSQuerySessionInformationW(IdleNativeMethods.WTS_CURRENT_SERVER_HANDLE, sessionId, infoClass,
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
                if (buffer != IntPtr.Zero) IdleNativeMethods.WTSFreeMemory(buffer);
            }
        }
    }
}
