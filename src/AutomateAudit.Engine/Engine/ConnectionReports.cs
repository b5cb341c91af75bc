using System;
using System.Collections.Generic;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>The three connection reports over one session and one read of the server clock.</summary>
    internal sealed class ConnectionReports
    {
        public ConnectionReports(AuditSession session, ServerClock clock, TimeSpan offlineAfter)
        {
            Computers = new ReportComputers(session.Computers, clock, offlineAfter);
            Accounting = new WindowAccounting(session, clock, Computers);
            Rolling = new RollingReport(session, clock, Computers, Accounting);
            Window = new WindowReport(clock, Computers, Accounting);
            History = new HistoryReport(session, clock, Computers);
        }

        public ReportComputers Computers { get; }
        public WindowAccounting Accounting { get; }
        public RollingReport Rolling { get; }
        public WindowReport Window { get; }
        public HistoryReport History { get; }
    }
}
