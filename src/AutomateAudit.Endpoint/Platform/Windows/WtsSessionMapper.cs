using System;
using System.Globalization;

namespace AutomateAudit.Endpoint.Platform.Windows
{
    /// <summary>FILETIME values (100-ns ticks since 1601-01-01 UTC) as DateTimes.</summary>
    internal static class FileTime
    {
        private static readonly long MaxFileTime = DateTime.MaxValue.ToFileTimeUtc();

        /// <summary>The instant in UTC (Kind Utc); null for 0 (not given) or a value no DateTime holds.</summary>
        public static DateTime? ToUtc(long fileTime)
        {
            if (fileTime <= 0 || fileTime > MaxFileTime) return null;
            return DateTime.FromFileTimeUtc(fileTime);
        }

        /// <summary>The instant as local time (Kind Local), as UserSession carries it; null for 0.</summary>
        public static DateTime? ToLocal(long fileTime) => ToUtc(fileTime)?.ToLocalTime();
    }

    /// <summary>Turns what WTS says about a session into a UserSession. Pure.</summary>
    internal static class WtsSessionMapper
    {
        /// <summary>WTSGetActiveConsoleSessionId's answer when no session is attached to the console.</summary>
        public const int NoConsoleSession = unchecked((int)0xFFFFFFFF);

        /// <summary>
        /// The UserSession for one WTS record, or null when it is not a user session (no user name) and
        /// includeSystem is false.
        /// </summary>
        /// <param name="record">WTSINFOW or WTSINFOEXW as read.</param>
        /// <param name="clientName">WTSClientName, or null.</param>
        /// <param name="clientAddress">WTSClientAddress as text, or null.</param>
        /// <param name="activeConsoleSessionId">WTSGetActiveConsoleSessionId.</param>
        /// <param name="lockFlagsSwapped">Windows 7 / Server 2008 R2.</param>
        /// <param name="nowFileTime">"Now" as a FILETIME, used only when the record has no CurrentTime.</param>
        public static UserSession Map(WtsSessionRecord record, string clientName, string clientAddress,
            int activeConsoleSessionId, bool lockFlagsSwapped, long nowFileTime,
            string computerName, int? agentId, bool includeSystem)
        {
            if (record == null) throw new ArgumentNullException(nameof(record));
            string user = Blank(record.UserName);
            if (user == null && !includeSystem) return null;

            bool isConsole = string.Equals(record.WinStationName, "Console", StringComparison.OrdinalIgnoreCase)
                || (activeConsoleSessionId != NoConsoleSession && record.SessionId == activeConsoleSessionId);

            long now = record.CurrentTime > 0 ? record.CurrentTime : nowFileTime;
            // WTS keeps no reliable last-input time for the console session: unknown, never "not idle".
            long lastInput = isConsole ? 0 : record.LastInputTime;
            DateTime? lastInputUtc = FileTime.ToUtc(lastInput);
            DateTime? logonUtc = FileTime.ToUtc(record.LogonTime);
            DateTime? nowUtc = FileTime.ToUtc(now);

            TimeSpan? idle = null;
            if (lastInputUtc != null && nowUtc != null)
            {
                var span = nowUtc.Value - lastInputUtc.Value;
                idle = span < TimeSpan.Zero ? TimeSpan.Zero : span;
            }
            int? length = null;
            if (logonUtc != null && nowUtc != null)
            {
                double minutes = Math.Floor((nowUtc.Value - logonUtc.Value).TotalMinutes);
                length = minutes < 0 ? 0 : minutes > int.MaxValue ? int.MaxValue : (int)minutes;
            }

            return new UserSession
            {
                ComputerName = computerName,
                AgentId = agentId,
                UserName = user,
                Domain = Blank(record.Domain),
                SessionId = record.SessionId.ToString(CultureInfo.InvariantCulture),
                SessionName = Blank(record.WinStationName),
                State = (UserSessionState)record.State,
                ClientName = Blank(clientName),
                ClientAddress = Blank(clientAddress),
                LogonTime = logonUtc?.ToLocalTime(),
                ConnectTime = FileTime.ToLocal(record.ConnectTime),
                DisconnectTime = FileTime.ToLocal(record.DisconnectTime),
                LastInputTime = lastInputUtc?.ToLocalTime(),
                IdleTime = idle,
                SessionLength = length,
                IsConsole = isConsole,
                IsLocked = WtsLayout.IsLocked(record.SessionFlags, lockFlagsSwapped),
            };
        }

        private static string Blank(string s)
        {
            if (s == null) return null;
            s = s.Trim();
            return s.Length == 0 ? null : s;
        }
    }
}
