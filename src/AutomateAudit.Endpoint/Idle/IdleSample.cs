using System;

namespace AutomateAudit.Endpoint
{
    /// <summary>Where an idle figure came from.</summary>
    public enum IdleSource
    {
        /// <summary>The module's sampler (in the user's session on Windows; the system service on Linux).</summary>
        Sampler,
        /// <summary>An IdleMon idletime.json file (ProVal's per-user service).</summary>
        IdleMon,
        /// <summary>The terminal's last access time (tty/pts sessions on Linux, as `w` reads it).</summary>
        Terminal,
        /// <summary>logind's IdleSinceHint (graphical sessions on Linux).</summary>
        Logind,
    }

    /// <summary>
    /// One user's idle time now, as Get-IdleSample reports it. The admin flags come from the collector running
    /// as SYSTEM or root (the user's token groups; sudo/wheel/admin on Linux), never from a file the user can
    /// write; null when unknown.
    /// </summary>
    public sealed class IdleSample
    {
        public string ComputerName { get; set; }
        public int? AgentId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionId { get; set; }
        /// <summary>When the idle time was measured (Kind Local).</summary>
        public DateTime Timestamp { get; set; }
        public TimeSpan? IdleTime { get; set; }
        public IdleSource Source { get; set; }
        public bool? IsLocked { get; set; }
        /// <summary>Whether the sampler for this user is running (it wrote within the last two heartbeats).</summary>
        public bool SamplerRunning { get; set; }
        /// <summary>The sampler's last write (Kind Local), null when it never ran for this user.</summary>
        public DateTime? SamplerLastWrite { get; set; }
        public bool? IsAdmin { get; set; }
        public bool? IsDomainAdmin { get; set; }
        public bool? IsEnterpriseAdmin { get; set; }
    }

    /// <summary>Get-IdleSample -Summary: one user's active, idle and unknown minutes in one hour of one session.</summary>
    public sealed class IdleHour
    {
        public string ComputerName { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionId { get; set; }
        /// <summary>The hour's start in UTC (hours are stored in UTC and shown in the database server's local time).</summary>
        public DateTime HourUtc { get; set; }
        public int ActiveMinutes { get; set; }
        public int IdleMinutes { get; set; }
        public int UnknownMinutes { get; set; }
    }
}
