using System;
using System.Collections.Generic;
using AutomateAudit.Endpoint.Platform;
using AutomateAudit.Endpoint.Platform.Linux;

namespace AutomateAudit.Endpoint.Idle.Linux
{
    /// <summary>One session with its idle time now, as the probe measured it.</summary>
    internal sealed class SessionIdle
    {
        public UserSession Session { get; set; }
        /// <summary>Time since the last input; null when unknown.</summary>
        public TimeSpan? Idle { get; set; }
        /// <summary>logind's LockedHint; null when not known (terminal sessions, no loginctl).</summary>
        public bool? Locked { get; set; }
        /// <summary>Terminal or Logind.</summary>
        public IdleSource Source { get; set; }
    }

    /// <summary>
    /// The current idle time of every user session on Linux, read as root:
    /// <list type="bullet">
    /// <item>a session with a terminal (tty/pts): now − the terminal's access time, as `w` computes it (the session
    /// source already does; Source Terminal, IsLocked null);</item>
    /// <item>a session without one that logind knows (graphical x11/wayland sessions): logind's IdleHint,
    /// IdleSinceHint and LockedHint through <see cref="ILogindIdleReader"/> (loginctl; Source Logind);</item>
    /// <item>anything else (an X display in utmp without logind, loginctl missing or failing): idle null.</item>
    /// </list>
    /// </summary>
    internal sealed class LinuxIdleProbe
    {
        private readonly ISessionSource _sessions;
        private readonly ILogindIdleReader _logind;
        private readonly Func<string, bool> _isLogindSession;
        private readonly Func<DateTime> _utcNow;

        /// <param name="sessions">Default a <see cref="LinuxSessionSource"/> over the real /run, /dev and /proc.</param>
        /// <param name="logind">Default <see cref="LoginctlIdleReader"/>; pass null-returning readers to forbid child processes.</param>
        /// <param name="isLogindSession">Which session ids to ask logind about; default LinuxSessionSource.IsLogindSession, or every valid id for another source.</param>
        /// <param name="utcNow">The clock; default DateTime.UtcNow.</param>
        public LinuxIdleProbe(ISessionSource sessions = null, ILogindIdleReader logind = null, Func<string, bool> isLogindSession = null, Func<DateTime> utcNow = null)
        {
            _utcNow = utcNow ?? (() => DateTime.UtcNow);
            _sessions = sessions ?? new LinuxSessionSource(utcNow: _utcNow);
            _logind = logind ?? new LoginctlIdleReader();
            _isLogindSession = isLogindSession
                ?? (_sessions is LinuxSessionSource linux ? (Func<string, bool>)linux.IsLogindSession : LoginctlIdleReader.IsValidSessionId);
        }

        /// <summary>Every user session (includeSystem false) with its idle time at nowUtc.</summary>
        public IReadOnlyList<SessionIdle> Measure(DateTime nowUtc)
        {
            var result = new List<SessionIdle>();
            foreach (UserSession s in _sessions.GetSessions(false))
            {
                var m = new SessionIdle { Session = s, Source = IdleSource.Terminal, Idle = s.IdleTime };
                if (s.LastInputTime.HasValue)
                {
                    // Against this sample's own instant, so that "now − idle" is exactly the terminal's access time.
                    TimeSpan d = nowUtc - s.LastInputTime.Value.ToUniversalTime();
                    m.Idle = d < TimeSpan.Zero ? TimeSpan.Zero : d;
                }
                if (s.IdleTime == null && LoginctlIdleReader.IsValidSessionId(s.SessionId) && _isLogindSession(s.SessionId))
                {
                    m.Source = IdleSource.Logind;
                    LogindIdleState state = _logind.Read(s.SessionId);
                    m.Idle = state?.IdleAt(nowUtc);
                    m.Locked = state?.LockedHint;
                }
                result.Add(m);
            }
            return result;
        }

        /// <summary>
        /// Get-IdleSample's current rows on Linux: one per user session, Source Terminal or Logind, Timestamp now
        /// (Kind Local), IsAdmin from the account files (null when unknown), IsDomainAdmin/IsEnterpriseAdmin null.
        /// SamplerRunning/SamplerLastWrite are left for the caller (from <see cref="LatestSampleFile"/>).
        /// </summary>
        public IReadOnlyList<IdleSample> GetSamples(LinuxAdminGroups admins = null)
        {
            admins = admins ?? LinuxAdminGroups.Load();
            DateTime nowUtc = _utcNow();
            var samples = new List<IdleSample>();
            foreach (SessionIdle m in Measure(nowUtc))
            {
                samples.Add(new IdleSample
                {
                    ComputerName = m.Session.ComputerName,
                    AgentId = m.Session.AgentId,
                    UserName = m.Session.UserName,
                    Domain = m.Session.Domain,
                    SessionId = m.Session.SessionId,
                    Timestamp = nowUtc.ToLocalTime(),
                    IdleTime = m.Idle,
                    Source = m.Source,
                    IsLocked = m.Locked,
                    IsAdmin = IsAdmin(admins, m.Session),
                    IsDomainAdmin = null,
                    IsEnterpriseAdmin = null,
                });
            }
            return samples;
        }

        /// <summary>
        /// A local account (Domain = the computer name) is looked up by name; a directory account (sssd's
        /// "user@domain", winbind's "DOMAIN\user") only by its full name on the group lines, else unknown.
        /// </summary>
        internal static bool? IsAdmin(LinuxAdminGroups admins, UserSession s)
        {
            if (string.IsNullOrEmpty(s.UserName)) return null;
            bool local = string.IsNullOrEmpty(s.Domain) || string.Equals(s.Domain, s.ComputerName, StringComparison.OrdinalIgnoreCase);
            if (local) return admins.IsAdmin(s.UserName);
            return admins.IsAdmin(s.UserName + "@" + s.Domain) ?? admins.IsAdmin(s.Domain + "\\" + s.UserName);
        }
    }
}
