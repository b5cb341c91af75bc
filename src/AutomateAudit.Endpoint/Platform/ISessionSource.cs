using System;
using System.Collections.Generic;

namespace AutomateAudit.Endpoint.Platform
{
    /// <summary>The OS boundary for sessions: one implementation per OS, as thin as the OS allows.</summary>
    internal interface ISessionSource
    {
        /// <summary>The machine's sessions now. includeSystem adds services and listener sessions (Windows session 0, listeners).</summary>
        IReadOnlyList<UserSession> GetSessions(bool includeSystem);

        /// <summary>Logon, logoff, disconnect and reconnect events recorded since an instant (UTC), oldest first.</summary>
        IReadOnlyList<SessionEvent> GetEvents(DateTime sinceUtc);

        /// <summary>What the last call could not read (a session that ended meanwhile, a malformed event): shown as warnings.</summary>
        IReadOnlyList<string> Warnings { get; }
    }

    /// <summary>Facts about the machine itself.</summary>
    internal interface IMachineInfo
    {
        string ComputerName { get; }

        /// <summary>The Automate agent's ComputerID, read from the agent's own configuration; null when not found.</summary>
        int? AgentId { get; }
    }
}
