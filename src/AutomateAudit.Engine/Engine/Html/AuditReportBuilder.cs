using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Engine.Idle;
using AutomateAudit.Engine.Sessions;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Html
{
    /// <summary>
    /// Gathers Export-AuditReport's data through the existing reports (window figures, connection history,
    /// user sessions, idle time). Periods are read only for the computers the page shows one by one, so a
    /// fleet of 100,000 computers costs one pass of window figures plus MaxComputers histories.
    /// </summary>
    internal sealed class AuditReportBuilder
    {
        private readonly AuditSession _session;
        private readonly ServerClock _clock;
        private readonly TimeSpan _offlineAfter;

        public AuditReportBuilder(AuditSession session, ServerClock clock, TimeSpan offlineAfter)
        {
            _session = session;
            _clock = clock;
            _offlineAfter = offlineAfter;
        }

        /// <summary>The report for [start, end) in server local time (default: the 7 days ending now).</summary>
        public AuditReportModel Build(ComputerFilter filter, DateTime? start, DateTime? end, int maxComputers, string title, Action<string> progress = null)
        {
            DateTime endLocal = end ?? _clock.NowLocal;
            DateTime startLocal = start ?? endLocal.AddDays(-7);
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            var model = new AuditReportModel
            {
                Title = string.IsNullOrWhiteSpace(title) ? DefaultTitle(filter) : title.Trim(),
                Scope = Describe(filter),
                WindowStart = startLocal, WindowEnd = endLocal, GeneratedAt = _clock.NowLocal,
                MaxComputers = maxComputers,
            };
            var reports = new ConnectionReports(_session, _clock, _offlineAfter);

            progress?.Invoke("Window figures");
            model.Computers = reports.Window.Rows(filter, startLocal, endLocal).ToList();
            if (model.Computers.Count == 0) return model;

            progress?.Invoke("Connection history");
            var shown = AuditReportModel.Worst(model.Computers, maxComputers).Select(c => c.ComputerId).ToArray();
            if (shown.Length > 0)
            {
                foreach (ConnectionPeriodRow p in reports.History.Periods(new ComputerFilter { ComputerIds = shown }, startLocal, endLocal))
                {
                    if (!model.Periods.TryGetValue(p.ComputerId, out List<ConnectionPeriodRow> list))
                        model.Periods[p.ComputerId] = list = new List<ConnectionPeriodRow>();
                    list.Add(p);
                }
            }

            progress?.Invoke("User sessions");
            foreach (UserSessionPeriodRow s in new UserSessionReport(_session, _clock).Window(filter, null, startLocal, endLocal))
            {
                MachineUsage u = Usage(model, s.ComputerId);
                u.Users.Add(MachineUsage.UserKey(s.Domain, s.UserName));
                u.Sessions++;
                u.SessionMinutes += s.MinutesInWindow;
            }

            progress?.Invoke("Idle time");
            foreach (IdleWindowRow i in new IdleReport(_session, _clock).Window(filter, null, startLocal, endLocal))
            {
                MachineUsage u = Usage(model, i.ComputerId);
                u.Users.Add(MachineUsage.UserKey(i.Domain, i.UserName));
                u.HasIdleData = true;
                u.ActiveMinutes += i.ActiveMinutes;
                u.IdleMinutes += i.IdleMinutes;
            }
            return model;
        }

        private static MachineUsage Usage(AuditReportModel model, int computerId)
        {
            if (!model.Usage.TryGetValue(computerId, out MachineUsage u))
                model.Usage[computerId] = u = new MachineUsage { ComputerId = computerId };
            return u;
        }

        private static string DefaultTitle(ComputerFilter filter)
        {
            if (filter?.Client != null && filter.Client.Length == 1 && !ComputerFilter.HasWildcard(filter.Client[0]))
                return "Uptime report: " + filter.Client[0];
            return "Automate uptime report";
        }

        internal static string Describe(ComputerFilter filter)
        {
            var parts = new List<string>();
            if (filter?.ComputerIds != null && filter.ComputerIds.Length > 0) parts.Add("ComputerID: " + string.Join(", ", filter.ComputerIds.Take(20)) + (filter.ComputerIds.Length > 20 ? ", ..." : string.Empty));
            if (filter?.Client != null) parts.Add("Client: " + string.Join(", ", filter.Client));
            if (filter?.Location != null) parts.Add("Location: " + string.Join(", ", filter.Location));
            if (filter?.Computer != null) parts.Add("Computer: " + string.Join(", ", filter.Computer));
            return parts.Count == 0 ? "All computers" : string.Join("; ", parts);
        }
    }
}
