using System;
using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Engine.Html
{
    /// <summary>
    /// Everything Export-AuditReport's page shows: window figures for every computer (the summaries),
    /// the periods of the computers shown one by one (the worst MaxComputers), and per-computer usage
    /// from the session and idle data. Plain data: AuditReportPage turns it into HTML.
    /// </summary>
    public sealed class AuditReportModel
    {
        public const int DefaultMaxComputers = 500;

        public string Title { get; set; }
        /// <summary>What the report covers ("All computers", "Client: Contoso"), shown under the title.</summary>
        public string Scope { get; set; }
        /// <summary>Window in the database server's local time; End exclusive.</summary>
        public DateTime WindowStart { get; set; }
        public DateTime WindowEnd { get; set; }
        /// <summary>When the report was made (server local time).</summary>
        public DateTime GeneratedAt { get; set; }
        public int MaxComputers { get; set; } = DefaultMaxComputers;
        /// <summary>How many outage lists the page shows (the machines with the most offline time).</summary>
        public int OutageMachines { get; set; } = 10;
        /// <summary>Most outages listed per machine; the rest are counted.</summary>
        public int OutagesPerMachine { get; set; } = 25;

        /// <summary>Every computer the filters match, with its figures for the window.</summary>
        public List<ConnectionWindowRow> Computers { get; set; } = new List<ConnectionWindowRow>();

        /// <summary>Online, offline and unknown periods per ComputerId; needed only for the computers shown one by one.</summary>
        public Dictionary<int, List<ConnectionPeriodRow>> Periods { get; set; } = new Dictionary<int, List<ConnectionPeriodRow>>();

        /// <summary>Session and idle figures per ComputerId, for computers that have any in the window.</summary>
        public Dictionary<int, MachineUsage> Usage { get; set; } = new Dictionary<int, MachineUsage>();

        public int WindowMinutes => (int)Math.Round((WindowEnd - WindowStart).TotalMinutes);

        /// <summary>
        /// The computers shown one by one: all of them up to max, otherwise the max with the most offline
        /// time (then the most unknown time, then by name).
        /// </summary>
        public static List<ConnectionWindowRow> Worst(IEnumerable<ConnectionWindowRow> computers, int max) =>
            computers.OrderByDescending(c => c.OfflineMinutes).ThenByDescending(c => c.UnknownMinutes)
                .ThenBy(c => c.Computer, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.ComputerId)
                .Take(Math.Max(0, max)).ToList();
    }

    /// <summary>One computer's sessions and idle time in the window.</summary>
    public sealed class MachineUsage
    {
        public int ComputerId { get; set; }
        /// <summary>Users with a session or idle samples (DOMAIN\user where a domain is known).</summary>
        public SortedSet<string> Users { get; } = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        public int Sessions { get; set; }
        /// <summary>Sum of every session's minutes in the window (sessions can overlap).</summary>
        public double SessionMinutes { get; set; }
        public bool HasIdleData { get; set; }
        public int ActiveMinutes { get; set; }
        public int IdleMinutes { get; set; }

        /// <summary>"DOMAIN\user", or the user alone.</summary>
        public static string UserKey(string domain, string user) =>
            string.IsNullOrEmpty(domain) ? user ?? string.Empty : domain + "\\" + user;
    }
}
