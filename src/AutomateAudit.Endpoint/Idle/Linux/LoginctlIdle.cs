using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace AutomateAudit.Endpoint.Idle.Linux
{
    /// <summary>logind's idle and lock properties of one session, as `loginctl show-session` prints them; null where not printed.</summary>
    internal sealed class LogindIdleState
    {
        public bool? IdleHint { get; set; }
        /// <summary>IdleSinceHint as a UTC instant; null when 0 (never set) or absent.</summary>
        public DateTime? IdleSinceUtc { get; set; }
        public bool? LockedHint { get; set; }

        /// <summary>
        /// The idle time this state means at nowUtc: zero while IdleHint is no (the desktop reports activity);
        /// now − IdleSinceHint while IdleHint is yes; null when IdleHint is missing, or yes without a time.
        /// Desktops set IdleHint only after their own idle delay (GNOME's idle-delay, 5 minutes by default), and
        /// IdleSinceHint is when they set it, so a graphical session's idle stretch starts that delay after the
        /// last input: idle is under-counted by that delay and active time over-counted by it.
        /// </summary>
        public TimeSpan? IdleAt(DateTime nowUtc)
        {
            if (IdleHint == null) return null;
            if (IdleHint == false) return TimeSpan.Zero;
            if (IdleSinceUtc == null) return null;
            TimeSpan d = nowUtc - IdleSinceUtc.Value;
            return d < TimeSpan.Zero ? TimeSpan.Zero : d;
        }
    }

    /// <summary>Reads a session's IdleHint, IdleSinceHint and LockedHint from logind; null when it cannot.</summary>
    internal interface ILogindIdleReader
    {
        LogindIdleState Read(string sessionId);
    }

    /// <summary>
    /// The thin layer over logind's D-Bus-only idle properties: `loginctl show-session &lt;id&gt; -p IdleHint
    /// -p IdleSinceHint -p LockedHint` run as a child process (no shell, arguments as a list, a timeout), and a pure
    /// parser of its Key=value output. A missing loginctl, a failing or slow one, an unknown session and an
    /// unparsable answer all give null (idle unknown for that session).
    /// </summary>
    internal sealed class LoginctlIdleReader : ILogindIdleReader
    {
        public const string DefaultLoginctlPath = "loginctl";
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);
        private static readonly Regex SessionIdPattern = new Regex("^[A-Za-z0-9]{1,32}$", RegexOptions.CultureInvariant);
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        private readonly ICommandRunner _runner;

        public LoginctlIdleReader(ICommandRunner runner = null, string loginctlPath = null, TimeSpan? timeout = null)
        {
            _runner = runner ?? ProcessCommandRunner.Instance;
            LoginctlPath = loginctlPath ?? FindLoginctl();
            Timeout = timeout ?? DefaultTimeout;
        }

        public string LoginctlPath { get; }
        public TimeSpan Timeout { get; }

        /// <summary>Set when the last call failed: why (for a warning); null after a success.</summary>
        public string LastError { get; private set; }

        public static bool IsValidSessionId(string id) => id != null && SessionIdPattern.IsMatch(id);

        /// <summary>The argument list for one session (the id must already be valid).</summary>
        internal static string[] Arguments(string sessionId) =>
            new[] { "show-session", sessionId, "-p", "IdleHint", "-p", "IdleSinceHint", "-p", "LockedHint" };

        public LogindIdleState Read(string sessionId)
        {
            if (!IsValidSessionId(sessionId)) { LastError = "invalid session id"; return null; }
            CommandResult result;
            try
            {
                result = _runner.Run(LoginctlPath, Arguments(sessionId), Timeout);
            }
            catch (Win32Exception e) { LastError = "loginctl could not be started: " + e.Message; return null; }
            catch (FileNotFoundException e) { LastError = "loginctl could not be started: " + e.Message; return null; }
            catch (InvalidOperationException e) { LastError = "loginctl could not be started: " + e.Message; return null; }
            if (result.TimedOut) { LastError = "loginctl timed out"; return null; }
            if (result.ExitCode != 0) { LastError = "loginctl failed: " + result.StandardError.Trim(); return null; }
            LogindIdleState state = Parse(result.StandardOutput);
            LastError = state == null ? "loginctl printed no idle properties" : null;
            return state;
        }

        /// <summary>
        /// Parses loginctl's "Key=value" lines: IdleHint and LockedHint yes/no (systemd's boolean words also as
        /// 1/0/true/false), IdleSinceHint in microseconds since the epoch (CLOCK_REALTIME; 0 = never). Unknown keys
        /// and malformed values are ignored; null when neither IdleHint nor LockedHint was understood.
        /// </summary>
        public static LogindIdleState Parse(string text)
        {
            var state = new LogindIdleState();
            bool any = false;
            using (var reader = new StringReader(text ?? ""))
            {
                string line;
                while ((line = reader.ReadLine()) != null)
                {
                    int eq = line.IndexOf('=');
                    if (eq <= 0) continue;
                    string key = line.Substring(0, eq).Trim();
                    string value = line.Substring(eq + 1).Trim();
                    switch (key)
                    {
                        case "IdleHint":
                            state.IdleHint = Boolean(value);
                            any |= state.IdleHint.HasValue;
                            break;
                        case "LockedHint":
                            state.LockedHint = Boolean(value);
                            any |= state.LockedHint.HasValue;
                            break;
                        case "IdleSinceHint":
                            state.IdleSinceUtc = Microseconds(value);
                            break;
                    }
                }
            }
            return any ? state : null;
        }

        private static bool? Boolean(string v)
        {
            switch (v)
            {
                case "yes": case "1": case "true": case "on": case "y": case "t": return true;
                case "no": case "0": case "false": case "off": case "n": case "f": return false;
                default: return null;
            }
        }

        private static DateTime? Microseconds(string v)
        {
            if (!ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong us) || us == 0) return null;
            // After 9999-12-31 (or USEC_INFINITY) is not a time.
            const ulong max = 253402300799UL * 1000000UL;
            if (us > max) return null;
            return Epoch.AddTicks((long)us * 10);
        }

        private static string FindLoginctl()
        {
            foreach (string p in new[] { "/usr/bin/loginctl", "/bin/loginctl" })
            {
                if (File.Exists(p)) return p;
            }
            return DefaultLoginctlPath;
        }
    }
}
