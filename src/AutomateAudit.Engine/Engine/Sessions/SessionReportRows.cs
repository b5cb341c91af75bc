using System;

namespace AutomateAudit.Engine.Sessions
{
    /// <summary>
    /// Get-UserSessionReport's row: the columns of ProVal's user session dataview, one row per session a computer
    /// last reported (a computer that reported no session has one row with SessionState 'None'). Times are the
    /// database server's local time. FriendlyName, MasterPC and ProbePC rest on unconfirmed Automate columns and
    /// are null where this server does not have them.
    /// </summary>
    public sealed class UserSessionReportRow
    {
        public int ClientId { get; set; }
        public int LocationId { get; set; }
        public int ComputerId { get; set; }
        public string Client { get; set; }
        public string Location { get; set; }
        public string Computer { get; set; }
        /// <summary>The last logged-in user as Automate knows it (computers.LastUsername).</summary>
        public string LastLoggedInUser { get; set; }
        public string AgentType { get; set; }
        public string AssetTag { get; set; }
        public string FriendlyName { get; set; }
        public string Manufacturer { get; set; }
        public string OperatingSystem { get; set; }
        public string OsVersion { get; set; }
        public string Status { get; set; }
        public string MasterPC { get; set; }
        public string ProbePC { get; set; }
        public string LoggedInUser { get; set; }
        public string Domain { get; set; }
        public string SessionId { get; set; }
        public string SessionName { get; set; }
        public string SessionState { get; set; }
        public string ClientAddress { get; set; }
        public DateTime? LogonDate { get; set; }
        public int? SessionLength { get; set; }
        public int? IdleMinutes { get; set; }
        public bool? IsLocked { get; set; }
        /// <summary>When the report was saved (ProVal's Timestamp).</summary>
        public DateTime? Timestamp { get; set; }
        /// <summary>When the endpoint made its last report.</summary>
        public DateTime? LastReport { get; set; }
    }

    /// <summary>Get-UserSessionReport -Start/-End: who was logged on where in the window.</summary>
    public sealed class UserSessionPeriodRow
    {
        public int ComputerId { get; set; }
        public string Computer { get; set; }
        public string Client { get; set; }
        public string Location { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionId { get; set; }
        public string SessionName { get; set; }
        public string ClientAddress { get; set; }
        /// <summary>Logon time (StartKind Logon) or when a report first showed the session (FirstSeen).</summary>
        public DateTime Start { get; set; }
        public string StartKind { get; set; }
        /// <summary>Logoff time (EndKind Exact), the last report that showed it (LastSeen), or null while it goes on (Open).</summary>
        public DateTime? End { get; set; }
        public string EndKind { get; set; }
        public string LastState { get; set; }
        /// <summary>Minutes of the session inside the window (an open session counts to the last report that showed it).</summary>
        public double MinutesInWindow { get; set; }
    }
}
