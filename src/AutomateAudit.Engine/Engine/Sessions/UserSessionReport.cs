using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Sessions
{
    /// <summary>Which sessions a report covers, besides the computer filter: users (wildcards) and states.</summary>
    internal sealed class SessionFilter
    {
        public string[] UserName { get; set; }
        public string[] State { get; set; }
    }

    /// <summary>Get-UserSessionReport: the stored sessions joined with Automate's tables, now or over a window.</summary>
    internal sealed class UserSessionReport
    {
        private static readonly (string, string, string, string)[] DataviewColumns =
        {
            ("c", "computers", "AssetTag", "AssetTag"),
            ("c", "computers", "Comment", "FriendlyName"),
            ("c", "computers", "BiosMFG", "Manufacturer"),
            ("l", "locations", "ProbeID", "ProbeID"),
            ("l", "locations", "MasterID", "MasterID"),
        };

        private readonly AuditSession _session;
        private readonly ServerClock _clock;
        private readonly ReportComputers _computers;

        public UserSessionReport(AuditSession session, ServerClock clock)
        {
            _session = session;
            _clock = clock;
            _computers = new ReportComputers(session.Computers, clock, ConnectionRecorder.DefaultOfflineAfter);
        }

        /// <summary>Rows with, when asked, every column of the computer's computers, clients, locations and contacts rows (flat, prefixed).</summary>
        public IEnumerable<(UserSessionReportRow Row, IDictionary<string, object> AllColumns)> Current(ComputerFilter filter, SessionFilter sessions, bool allColumns)
        {
            var userLike = sessions?.UserName?.Select(ComputerFilter.WildcardToLike).ToList();
            foreach (List<ComputerRecord> chunk in _computers.Chunks(filter))
            {
                var ids = chunk.Select(c => c.ComputerId).ToList();
                var status = _session.Sessions.ReportStatus(ids, PayloadCodec.SessionsKind);
                if (status.Count == 0) continue;
                var reported = ids.Where(status.ContainsKey).ToList();
                var current = _session.Sessions.Current(reported, userLike, sessions?.State).ToLookup(s => s.ComputerId);
                var details = _session.Computers.Details(reported, DataviewColumns, allColumns);
                bool filtered = (userLike != null && userLike.Count > 0) || (sessions?.State != null && sessions.State.Length > 0);
                foreach (ComputerRecord computer in chunk.Where(c => status.ContainsKey(c.ComputerId)))
                {
                    details.TryGetValue(computer.ComputerId, out IDictionary<string, object> detail);
                    var rows = current[computer.ComputerId].ToList();
                    if (rows.Count == 0 && filtered) continue;
                    if (rows.Count == 0) yield return (Row(computer, detail, status[computer.ComputerId], null), allColumns ? Extra(detail) : null);
                    foreach (StoredSession s in rows) yield return (Row(computer, detail, status[computer.ComputerId], s), allColumns ? Extra(detail) : null);
                }
            }
        }

        private UserSessionReportRow Row(ComputerRecord c, IDictionary<string, object> detail, (DateTime GeneratedUtc, DateTime SavedUtc) status, StoredSession s)
        {
            var probe = detail == null ? null : detail["ProbeID"];
            var master = detail == null ? null : detail["MasterID"];
            var row = new UserSessionReportRow
            {
                ClientId = c.ClientId, LocationId = c.LocationId, ComputerId = c.ComputerId,
                Client = c.Client, Location = c.Location, Computer = c.Computer, LastLoggedInUser = c.LastLoggedInUser,
                AgentType = ReportComputers.FormFactor(c.OperatingSystem, c.BiosFlash, c.Flags),
                AssetTag = Text(detail, "AssetTag"), FriendlyName = Text(detail, "FriendlyName"), Manufacturer = Text(detail, "Manufacturer"),
                OperatingSystem = c.OperatingSystem, OsVersion = c.OsVersion,
                ProbePC = probe == null || probe is DBNull ? null : Convert.ToInt64(probe) == c.ComputerId ? "Yes" : "No",
                MasterPC = master == null || master is DBNull ? null : Convert.ToInt64(master) == c.ComputerId ? "Yes" : "No",
                LastReport = _clock.ToLocal(status.GeneratedUtc),
                Timestamp = _clock.ToLocal(status.SavedUtc),
                SessionState = s == null ? "None" : s.State,
            };
            row.Status = _computers.Fill(new StatusOnly(), c).Status;
            if (s != null)
            {
                row.LoggedInUser = s.UserName; row.Domain = s.Domain; row.SessionId = s.SessionId; row.SessionName = s.SessionName;
                row.ClientAddress = s.ClientAddress; row.SessionLength = s.SessionMinutes; row.IsLocked = s.IsLocked;
                row.LogonDate = s.LogonUtc.HasValue ? _clock.ToLocal(s.LogonUtc.Value) : (DateTime?)null;
                row.IdleMinutes = s.IdleSeconds.HasValue ? (int?)(s.IdleSeconds.Value / 60) : null;
                row.Timestamp = _clock.ToLocal(s.SavedUtc);
            }
            return row;
        }

        private sealed class StatusOnly : ComputerRow { }

        private static string Text(IDictionary<string, object> detail, string name)
        {
            if (detail == null || !detail.TryGetValue(name, out object v) || v == null || v is DBNull) return null;
            string text = Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture);
            return text.Length == 0 ? null : text;
        }

        private static IDictionary<string, object> Extra(IDictionary<string, object> detail)
        {
            var extra = new Dictionary<string, object>();
            if (detail == null) return extra;
            foreach (var kv in detail)
                if (kv.Key.IndexOf('_') > 0) extra[kv.Key] = kv.Value is DBNull ? null : kv.Value;
            return extra;
        }

        /// <summary>Who was logged on where in [start, end) (server local times), with exact or last-seen ends marked.</summary>
        public IEnumerable<UserSessionPeriodRow> Window(ComputerFilter filter, SessionFilter sessions, DateTime startLocal, DateTime endLocal)
        {
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            DateTime[] utc = _clock.ToUtc(startLocal, endLocal);
            _clock.CoverSpan(utc[0], utc[1]);
            var userLike = sessions?.UserName?.Select(ComputerFilter.WildcardToLike).ToList();
            foreach (List<ComputerRecord> chunk in _computers.Chunks(filter))
            {
                var byId = chunk.ToDictionary(c => c.ComputerId);
                foreach (StoredSessionPeriod p in _session.Sessions.Periods(byId.Keys.ToList(), utc[0], utc[1], userLike))
                {
                    ComputerRecord c = byId[p.ComputerId];
                    DateTime end = p.EndUtc ?? p.LastSeenUtc;
                    DateTime from = p.StartUtc > utc[0] ? p.StartUtc : utc[0];
                    DateTime to = end < utc[1] ? end : utc[1];
                    yield return new UserSessionPeriodRow
                    {
                        ComputerId = c.ComputerId, Computer = c.Computer, Client = c.Client, Location = c.Location,
                        UserName = p.UserName, Domain = p.Domain, SessionId = p.SessionId, SessionName = p.SessionName, ClientAddress = p.ClientAddress,
                        Start = _clock.ToLocal(p.StartUtc), StartKind = p.StartExact ? "Logon" : "FirstSeen",
                        End = p.EndUtc.HasValue ? _clock.ToLocal(p.EndUtc.Value) : (DateTime?)null,
                        EndKind = p.EndUtc == null ? "Open" : p.EndExact ? "Exact" : "LastSeen",
                        LastState = p.LastState,
                        MinutesInWindow = to > from ? Math.Round((to - from).TotalMinutes, 2) : 0,
                    };
                }
            }
        }
    }
}
