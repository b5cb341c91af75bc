using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Idle
{
    /// <summary>Get-IdleReport's default row: the IdleMon dataview, the latest report of each computer and user.</summary>
    public sealed class IdleReportRow
    {
        public int ClientId { get; set; }
        public int LocationId { get; set; }
        public int ComputerId { get; set; }
        public string Client { get; set; }
        public string Location { get; set; }
        public string Computer { get; set; }
        public string OperatingSystem { get; set; }
        public string Status { get; set; }
        /// <summary>The user, or "Not Logged In" when the report found nobody.</summary>
        public string UserName { get; set; }
        public string Domain { get; set; }
        /// <summary>As IdleMon writes it: [d.]hh:mm:ss[.fffffff].</summary>
        public string IdleTime { get; set; }
        public double? IdleMinutes { get; set; }
        public string IsAdmin { get; set; }
        public string IsDomainAdmin { get; set; }
        public string IsEnterpriseAdmin { get; set; }
        /// <summary>When the report was saved (server local time), ProVal's ScriptRunTime.</summary>
        public DateTime? ScriptRunTime { get; set; }
    }

    /// <summary>Get-IdleReport -Start/-End: how much of the window each user was active and idle, beside the computer's online time.</summary>
    public sealed class IdleWindowRow
    {
        public int ComputerId { get; set; }
        public string Client { get; set; }
        public string Location { get; set; }
        public string Computer { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public DateTime WindowStart { get; set; }
        public DateTime WindowEnd { get; set; }
        public int ActiveMinutes { get; set; }
        public int IdleMinutes { get; set; }
        /// <summary>Time the sampler did not see (not running, logged off): neither active nor idle.</summary>
        public int UnknownMinutes { get; set; }
        /// <summary>Idle minutes as a percentage of active plus idle; null when neither was seen.</summary>
        public double? IdlePercent { get; set; }
        /// <summary>The computer's online minutes in the same window, from the connection audit.</summary>
        public int OnlineMinutes { get; set; }
        public int OfflineMinutes { get; set; }
    }

    /// <summary>The idle reports over the stored samples and hours, joined with Automate's tables.</summary>
    internal sealed class IdleReport
    {
        private readonly AuditSession _session;
        private readonly ServerClock _clock;
        private readonly ConnectionReports _connections;

        public IdleReport(AuditSession session, ServerClock clock)
        {
            _session = session;
            _clock = clock;
            _connections = new ConnectionReports(session, clock, ConnectionRecorder.DefaultOfflineAfter);
        }

        public IEnumerable<IdleReportRow> Latest(ComputerFilter filter, string[] users)
        {
            var userLike = users?.Select(ComputerFilter.WildcardToLike).ToList();
            foreach (List<ComputerRecord> chunk in _connections.Computers.Chunks(filter))
            {
                var byId = chunk.ToDictionary(c => c.ComputerId);
                foreach (StoredIdleRow r in _session.Idle.Latest(byId.Keys.ToList(), userLike))
                {
                    ComputerRecord c = byId[r.ComputerId];
                    var row = new IdleReportRow
                    {
                        ClientId = c.ClientId, LocationId = c.LocationId, ComputerId = c.ComputerId, Client = c.Client, Location = c.Location, Computer = c.Computer,
                        OperatingSystem = c.OperatingSystem, UserName = r.UserName, Domain = r.Domain, IdleTime = r.IdleTime,
                        IsAdmin = r.IsAdmin, IsDomainAdmin = r.IsDomainAdmin, IsEnterpriseAdmin = r.IsEnterpriseAdmin, ScriptRunTime = r.ScriptRunTime,
                        IdleMinutes = r.IdleTime != null && TimeSpan.TryParseExact(r.IdleTime, "c", CultureInfo.InvariantCulture, out TimeSpan t) ? Math.Round(t.TotalMinutes, 2) : (double?)null,
                    };
                    row.Status = _connections.Computers.Fill(new WindowStatus(), c).Status;
                    yield return row;
                }
            }
        }

        private sealed class WindowStatus : ComputerRow { }

        public IEnumerable<IdleWindowRow> Window(ComputerFilter filter, string[] users, DateTime startLocal, DateTime endLocal)
        {
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            DateTime[] utc = _clock.ToUtc(startLocal, endLocal);
            _clock.CoverSpan(utc[0], utc[1]);
            var userLike = users?.Select(ComputerFilter.WildcardToLike).ToList();
            foreach (List<ComputerRecord> chunk in _connections.Computers.Chunks(filter))
            {
                var ids = chunk.Select(c => c.ComputerId).ToList();
                var sums = _session.Idle.Sums(ids, utc[0], utc[1], userLike);
                if (sums.Count == 0) continue;
                var withIdle = new HashSet<int>(sums.Select(s => s.ComputerId));
                var online = _connections.Accounting.Compute(new ComputerFilter { ComputerIds = withIdle.ToArray() }, new[] { new Interval(utc[0], utc[1]) })
                    .ToDictionary(t => t.Computer.ComputerId, t => t.Totals[0]);
                var byId = chunk.ToDictionary(c => c.ComputerId);
                foreach (var s in sums)
                {
                    ComputerRecord c = byId[s.ComputerId];
                    online.TryGetValue(s.ComputerId, out Totals connection);
                    // A user with several sessions at once has their minutes added; capped at the window, since hours cannot say how they overlapped.
                    int window = (int)Math.Round((utc[1] - utc[0]).TotalMinutes);
                    int active = Math.Min(window, (int)Math.Round(s.Active)), idle = Math.Min(window - active, (int)Math.Round(s.Idle));
                    yield return new IdleWindowRow
                    {
                        ComputerId = c.ComputerId, Client = c.Client, Location = c.Location, Computer = c.Computer,
                        UserName = s.UserName, Domain = s.Domain, WindowStart = startLocal, WindowEnd = endLocal,
                        ActiveMinutes = active, IdleMinutes = idle, UnknownMinutes = window - active - idle,
                        IdlePercent = active + idle > 0 ? Math.Round(100.0 * s.Idle / (s.Active + s.Idle), 2) : (double?)null,
                        OnlineMinutes = (int)Math.Round(connection.Online / 60.0), OfflineMinutes = (int)Math.Round(connection.Offline / 60.0),
                    };
                }
            }
        }
    }
}
