using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;

namespace AutomateAudit.Endpoint.Platform.Linux
{
    /// <summary>
    /// Linux sessions from files only (no child processes, no native code): utmp for who is logged in, logind's
    /// state files to enrich those sessions and to add graphical ones, terminal access times for idle, wtmp for events.
    /// <para>Conventions (documented for the cmdlet's help):</para>
    /// <list type="bullet">
    /// <item>Live sessions are utmp USER_PROCESS records whose ut_pid still exists under /proc (as `who` shows them,
    /// minus stale records left by a crashed login). In a container with its own pid namespace the host's login
    /// processes are not visible, so no session is live there.</item>
    /// <item>Domain: the short host name for local accounts, the same as Windows (and IdleMon) give the computer
    /// name as the domain of a local user. Directory accounts that carry their domain in the name (sssd
    /// "user@example.com", winbind "EXAMPLE\user") are split into UserName and Domain.</item>
    /// <item>SessionId: the logind session id when the utmp record joins a logind session (by LEADER = ut_pid, else
    /// TTY = ut_line), else ut_pid (the login process) as text; wtmp events use ut_pid too.</item>
    /// <item>State: Active for a utmp session logind does not know; with logind, STATE active → Active,
    /// online → Connected (logged in, not in the foreground of its seat), closing → Disconnected (the user has left,
    /// processes linger); ACTIVE=0 also → Connected.</item>
    /// <item>IdleTime / LastInputTime: the terminal's access time (stat of /dev/&lt;ut_line&gt;), idle = now − atime, the
    /// way procps `w` computes it; null when the terminal does not exist (X displays such as ":0") and for graphical
    /// sessions (x11/wayland), whose input never touches a tty: their idle time (logind's IdleSinceHint) is only
    /// available over D-Bus and is not read.</item>
    /// <item>IsLocked: null (utmp does not say; logind's LockedHint is D-Bus only). ConnectTime and DisconnectTime: null
    /// (Linux records no reconnects).</item>
    /// <item>IsConsole: a local seat (logind SEAT set and not REMOTE) or, without logind, a virtual console line
    /// (tty1..ttyN) or a local X display line (":0").</item>
    /// <item>Sessions logind knows but utmp does not are added when they are graphical user sessions; when there is no
    /// utmp file at all (systems that dropped utmp), every user-class logind session is added; includeSystem adds all
    /// other logind sessions too (greeter, lock-screen, background, manager, and sessions without a terminal such as
    /// `ssh host command`).</item>
    /// </list>
    /// </summary>
    internal sealed partial class LinuxSessionSource : ISessionSource
    {
        public const string DefaultUtmpPath = "/run/utmp";
        public const string LegacyUtmpPath = "/var/run/utmp";
        public const string DefaultWtmpPath = "/var/log/wtmp";
        public const string DefaultLogindSessionsDirectory = "/run/systemd/sessions";
        public const string DefaultProcRoot = "/proc";
        public const string DefaultDevRoot = "/dev";
        public const string EventSource = "wtmp";

        private static readonly Regex VirtualConsole = new Regex("^tty[0-9]+$", RegexOptions.CultureInvariant);
        private static readonly Regex XDisplay = new Regex("^:[0-9]+(\\.[0-9]+)?$", RegexOptions.CultureInvariant);
        private static readonly Regex HostNameChars = new Regex("^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant);

        private readonly IMachineInfo _machine;
        private readonly Func<DateTime> _utcNow;
        private readonly UtmpLayout _layout;

        /// <param name="utmpPath">Default /run/utmp, or /var/run/utmp when /run/utmp does not exist.</param>
        /// <param name="wtmpPath">Default /var/log/wtmp.</param>
        /// <param name="logindSessionsDirectory">Default /run/systemd/sessions.</param>
        /// <param name="procRoot">Default /proc (a pid is alive when &lt;procRoot&gt;/&lt;pid&gt; exists).</param>
        /// <param name="devRoot">Default /dev (terminals are &lt;devRoot&gt;/&lt;ut_line&gt;).</param>
        /// <param name="machine">Default a <see cref="LinuxMachineInfo"/> over the same procRoot.</param>
        /// <param name="utcNow">The clock; default DateTime.UtcNow.</param>
        /// <param name="layout">The utmp record layout; default the running architecture's.</param>
        public LinuxSessionSource(
            string utmpPath = null,
            string wtmpPath = null,
            string logindSessionsDirectory = null,
            string procRoot = null,
            string devRoot = null,
            IMachineInfo machine = null,
            Func<DateTime> utcNow = null,
            UtmpLayout? layout = null)
        {
            UtmpPath = utmpPath ?? (File.Exists(DefaultUtmpPath) || !File.Exists(LegacyUtmpPath) ? DefaultUtmpPath : LegacyUtmpPath);
            WtmpPath = wtmpPath ?? DefaultWtmpPath;
            LogindSessionsDirectory = logindSessionsDirectory ?? DefaultLogindSessionsDirectory;
            ProcRoot = procRoot ?? DefaultProcRoot;
            DevRoot = devRoot ?? DefaultDevRoot;
            _machine = machine ?? new LinuxMachineInfo(ProcRoot);
            _utcNow = utcNow ?? (() => DateTime.UtcNow);
            _layout = layout ?? UtmpFormat.HostLayout;
        }

        /// <summary>Nothing on Linux is skipped with a warning: unreadable records are ignored as `who` ignores them.</summary>
        public IReadOnlyList<string> Warnings { get; } = new string[0];

        public string UtmpPath { get; }
        public string WtmpPath { get; }
        public string LogindSessionsDirectory { get; }
        public string ProcRoot { get; }
        public string DevRoot { get; }

        public IReadOnlyList<UserSession> GetSessions(bool includeSystem)
        {
            DateTime nowUtc = _utcNow();
            bool haveUtmp = File.Exists(UtmpPath);
            bool haveLogind = Directory.Exists(LogindSessionsDirectory);
            if (!haveUtmp && !haveLogind)
            {
                throw new FileNotFoundException(
                    $"Neither a utmp file ({UtmpPath}) nor logind session state ({LogindSessionsDirectory}) was found, so the sessions of this machine cannot be read.",
                    UtmpPath);
            }

            string computerName = _machine.ComputerName;
            int? agentId = _machine.AgentId;
            IReadOnlyList<LogindSession> logind = haveLogind ? LogindSessionFile.ReadDirectory(LogindSessionsDirectory) : new LogindSession[0];
            var joined = new HashSet<LogindSession>();
            var result = new List<UserSession>();

            if (haveUtmp)
            {
                foreach (UtmpRecord r in UtmpFormat.ReadFile(UtmpPath, _layout))
                {
                    if (r.Type != UtmpType.UserProcess || r.User.Length == 0 || r.Pid <= 0 || !IsAlive(r.Pid)) continue;
                    LogindSession ls = Join(r, logind);
                    if (ls != null) joined.Add(ls);
                    result.Add(FromUtmp(r, ls, nowUtc, computerName, agentId));
                }
            }

            foreach (LogindSession ls in logind)
            {
                if (joined.Contains(ls)) continue;
                bool wanted = includeSystem || (ls.IsUserClass && (ls.IsGraphical || !haveUtmp));
                if (!wanted) continue;
                if (ls.Leader.HasValue && ls.Leader.Value > 0 && !IsAlive(ls.Leader.Value)) continue;
                result.Add(FromLogind(ls, nowUtc, computerName, agentId));
            }
            return result;
        }

        private UserSession FromUtmp(UtmpRecord r, LogindSession ls, DateTime nowUtc, string computerName, int? agentId)
        {
            SplitUser(r.User, computerName, out string user, out string domain);
            DescribeClient(r.Host, r.Address, out string clientName, out string clientAddress);
            if (clientName == null && clientAddress == null && ls != null)
                DescribeClient(ls.RemoteHost, null, out clientName, out clientAddress);

            DateTime? logonUtc = r.TimeUtc;
            bool graphical = (ls != null && ls.IsGraphical) || XDisplay.IsMatch(r.Line);
            DateTime? lastInputUtc = null;
            TimeSpan? idle = null;
            if (!graphical) TerminalIdle(r.Line, nowUtc, out lastInputUtc, out idle);

            bool isConsole = ls != null
                ? ls.Remote != true && (ls.Seat != null || IsConsoleLine(r.Line, r.Host))
                : IsConsoleLine(r.Line, r.Host);

            return new UserSession
            {
                ComputerName = computerName,
                AgentId = agentId,
                UserName = user,
                Domain = domain,
                SessionId = ls?.Id ?? r.Pid.ToString(CultureInfo.InvariantCulture),
                SessionName = r.Line,
                State = ls != null ? MapState(ls) : UserSessionState.Active,
                ClientName = clientName,
                ClientAddress = clientAddress,
                LogonTime = logonUtc?.ToLocalTime(),
                ConnectTime = null,
                DisconnectTime = null,
                LastInputTime = lastInputUtc?.ToLocalTime(),
                IdleTime = idle,
                SessionLength = Minutes(logonUtc, nowUtc),
                IsConsole = isConsole,
                IsLocked = null,
            };
        }

        private UserSession FromLogind(LogindSession ls, DateTime nowUtc, string computerName, int? agentId)
        {
            SplitUser(ls.User, computerName, out string user, out string domain);
            DescribeClient(ls.RemoteHost, null, out string clientName, out string clientAddress);
            DateTime? lastInputUtc = null;
            TimeSpan? idle = null;
            if (!ls.IsGraphical && ls.Tty != null) TerminalIdle(ls.Tty, nowUtc, out lastInputUtc, out idle);

            return new UserSession
            {
                ComputerName = computerName,
                AgentId = agentId,
                UserName = user,
                Domain = domain,
                SessionId = ls.Id,
                SessionName = ls.Tty ?? ls.Display,
                State = MapState(ls),
                ClientName = clientName,
                ClientAddress = clientAddress,
                LogonTime = ls.StartedUtc?.ToLocalTime(),
                ConnectTime = null,
                DisconnectTime = null,
                LastInputTime = lastInputUtc?.ToLocalTime(),
                IdleTime = idle,
                SessionLength = Minutes(ls.StartedUtc, nowUtc),
                IsConsole = ls.Remote != true && ls.Seat != null,
                IsLocked = null,
            };
        }

        internal static UserSessionState MapState(LogindSession ls)
        {
            switch (ls.State)
            {
                case "closing": return UserSessionState.Disconnected;
                case "online": return UserSessionState.Connected;
                case "active": return ls.Active == false ? UserSessionState.Connected : UserSessionState.Active;
                default: return ls.Active == false ? UserSessionState.Connected : UserSessionState.Active;
            }
        }

        /// <summary>The logind session of a utmp record: LEADER = ut_pid first (sshd and login are the session leaders), else TTY = ut_line.</summary>
        private static LogindSession Join(UtmpRecord r, IReadOnlyList<LogindSession> logind)
        {
            if (logind.Count == 0) return null;
            LogindSession byLeader = logind.FirstOrDefault(s => s.Leader == r.Pid);
            if (byLeader != null) return byLeader;
            if (r.Line.Length == 0 || r.Line == "~") return null;
            // Prefer a live session over one closing on the same terminal.
            return logind.Where(s => s.Tty == r.Line || (s.Tty == null && s.Display != null && s.Display == r.Line))
                         .OrderBy(s => s.State == "closing" ? 1 : 0)
                         .FirstOrDefault();
        }

        /// <summary>
        /// Whether a session id names a session logind keeps state for (a file &lt;LogindSessionsDirectory&gt;/&lt;id&gt;),
        /// so that its D-Bus-only properties (IdleHint, IdleSinceHint, LockedHint) can be asked for. Ids other than
        /// [A-Za-z0-9]+ are never logind's. Added for the idle sampler; reads nothing else.
        /// </summary>
        internal bool IsLogindSession(string sessionId)
        {
            if (string.IsNullOrEmpty(sessionId) || sessionId.Length > 64) return false;
            foreach (char c in sessionId)
            {
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
            }
            try { return File.Exists(Path.Combine(LogindSessionsDirectory, sessionId)); }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        }

        private bool IsAlive(int pid) =>
            Directory.Exists(Path.Combine(ProcRoot, pid.ToString(CultureInfo.InvariantCulture)));

        /// <summary>Idle from the terminal's access time, as procps `w` does (now − st_atime of /dev/&lt;line&gt;); nothing when there is no such terminal.</summary>
        private void TerminalIdle(string line, DateTime nowUtc, out DateTime? lastInputUtc, out TimeSpan? idle)
        {
            lastInputUtc = null;
            idle = null;
            if (string.IsNullOrEmpty(line) || line[0] == ':' || line[0] == '/' || line.Contains("..")) return;
            try
            {
                var fi = new FileInfo(Path.Combine(DevRoot, line));
                if (!fi.Exists) return;
                DateTime atime = fi.LastAccessTimeUtc;
                lastInputUtc = atime;
                TimeSpan d = nowUtc - atime;
                idle = d < TimeSpan.Zero ? TimeSpan.Zero : d;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        private static int? Minutes(DateTime? startUtc, DateTime nowUtc)
        {
            if (!startUtc.HasValue) return null;
            double m = (nowUtc - startUtc.Value).TotalMinutes;
            if (m < 0) return 0;
            return m >= int.MaxValue ? int.MaxValue : (int)Math.Floor(m);
        }

        internal static bool IsConsoleLine(string line, string host)
        {
            if (string.IsNullOrEmpty(line)) return false;
            if (VirtualConsole.IsMatch(line)) return true;
            // A local X display: the line is ":0" and the host, if any, is the same local display.
            return XDisplay.IsMatch(line) && (string.IsNullOrEmpty(host) || XDisplay.IsMatch(host));
        }

        /// <summary>
        /// UserName and Domain: "user@domain" (sssd) and "DOMAIN\user" (winbind) are split; a local account gets the
        /// short host name as its domain, as Windows reports local users.
        /// </summary>
        internal static void SplitUser(string raw, string computerName, out string user, out string domain)
        {
            user = string.IsNullOrEmpty(raw) ? null : raw;
            domain = computerName;
            if (user == null) { domain = null; return; }
            int bs = user.IndexOf('\\');
            if (bs > 0 && bs < user.Length - 1)
            {
                domain = user.Substring(0, bs);
                user = user.Substring(bs + 1);
                return;
            }
            int at = user.LastIndexOf('@');
            if (at > 0 && at < user.Length - 1)
            {
                domain = user.Substring(at + 1);
                user = user.Substring(0, at);
            }
        }

        /// <summary>
        /// ClientName is ut_host when it names a remote host (a host name or an address, as `who` prints it, without an
        /// X display suffix); ClientAddress is ut_addr_v6 when set, else ut_host when that is an address. A local X
        /// display (":0") and multiplexer tags ("tmux(1234).%0") give neither.
        /// </summary>
        internal static void DescribeClient(string host, IPAddress recorded, out string clientName, out string clientAddress)
        {
            clientName = null;
            clientAddress = recorded?.ToString();
            if (string.IsNullOrEmpty(host)) return;
            string h = host.Trim();
            if (h.Length == 0 || h[0] == ':') return;

            if (IPAddress.TryParse(h, out IPAddress parsed) && LooksLikeAddress(h))
            {
                if (parsed.IsIPv4MappedToIPv6) parsed = parsed.MapToIPv4();
                clientName = parsed.ToString();
                if (clientAddress == null) clientAddress = parsed.ToString();
                return;
            }
            // "host:0" or "10.0.0.5:0.0" (remote X): drop the display.
            int colon = h.LastIndexOf(':');
            if (colon > 0 && h.IndexOf(':') == colon && XDisplay.IsMatch(h.Substring(colon)))
            {
                string bare = h.Substring(0, colon);
                if (IPAddress.TryParse(bare, out IPAddress p2) && LooksLikeAddress(bare))
                {
                    clientName = p2.ToString();
                    if (clientAddress == null) clientAddress = p2.ToString();
                    return;
                }
                h = bare;
            }
            if (HostNameChars.IsMatch(h)) clientName = h;
        }

        // IPAddress.TryParse accepts "5" or "1.2" as IPv4 shorthands; a host field holds dotted quads or IPv6 only.
        private static bool LooksLikeAddress(string s) =>
            s.IndexOf(':') >= 0 || (s.Split('.').Length == 4 && s.All(c => char.IsDigit(c) || c == '.'));
    }
}
