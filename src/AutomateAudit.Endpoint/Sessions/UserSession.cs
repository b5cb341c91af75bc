using System;

namespace AutomateAudit.Endpoint
{
    /// <summary>A session's connection state, named as WTS_CONNECTSTATE_CLASS names them (same order and values).</summary>
    public enum UserSessionState
    {
        Active = 0,
        Connected = 1,
        ConnectQuery = 2,
        Shadow = 3,
        Disconnected = 4,
        Idle = 5,
        Listen = 6,
        Reset = 7,
        Down = 8,
        Init = 9,
    }

    /// <summary>
    /// One user session on an endpoint, as Get-UserSession reports it. A value the OS does not give is null,
    /// never zero. Times are local DateTimes (Kind Local), so the UTC instant survives ConvertTo-Json.
    /// </summary>
    public sealed class UserSession
    {
        public string ComputerName { get; set; }
        /// <summary>The Automate agent's ComputerID on this machine, where it can be read; else null.</summary>
        public int? AgentId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        /// <summary>The OS's session id: the WTS session id on Windows, the logind session id (or the login process id) on Linux.</summary>
        public string SessionId { get; set; }
        /// <summary>The WinStation name (Console, RDP-Tcp#3) or the terminal line (tty1, pts/0).</summary>
        public string SessionName { get; set; }
        public UserSessionState State { get; set; }
        public string ClientName { get; set; }
        public string ClientAddress { get; set; }
        public DateTime? LogonTime { get; set; }
        public DateTime? ConnectTime { get; set; }
        public DateTime? DisconnectTime { get; set; }
        /// <summary>Last keyboard or mouse input, where the OS records it (never for a Windows console session).</summary>
        public DateTime? LastInputTime { get; set; }
        public TimeSpan? IdleTime { get; set; }
        /// <summary>Whole minutes since logon.</summary>
        public int? SessionLength { get; set; }
        public bool IsConsole { get; set; }
        /// <summary>Whether the session is locked; null where the OS does not say.</summary>
        public bool? IsLocked { get; set; }
    }

    public enum SessionEventKind { Logon, Logoff, Disconnect, Reconnect }

    /// <summary>A logon, logoff, disconnect or reconnect the OS recorded (wtmp; TerminalServices-LocalSessionManager events 21, 23, 24, 25).</summary>
    public sealed class SessionEvent
    {
        public string ComputerName { get; set; }
        public int? AgentId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionId { get; set; }
        public string SessionName { get; set; }
        public SessionEventKind Kind { get; set; }
        /// <summary>When it happened (Kind Local).</summary>
        public DateTime TimeCreated { get; set; }
        public string ClientAddress { get; set; }
        /// <summary>Where it was read: wtmp, or the event log's record id.</summary>
        public string Source { get; set; }
    }
}
