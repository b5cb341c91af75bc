using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MySqlConnector;

namespace AutomateAudit.Testing
{
    public enum AgentProfile { Server, Workstation, Laptop, Flaky, Dead }

    public sealed class FleetOptions
    {
        public int Agents { get; set; } = 1000;
        public int Clients { get; set; } = 25;
        public int LocationsPerClient { get; set; } = 3;
        /// <summary>First instant of the simulated period (UTC); agents that exist from the start were added well before it.</summary>
        public DateTime StartUtc { get; set; } = new DateTime(2026, 10, 21, 4, 0, 0, DateTimeKind.Utc);
        public int Days { get; set; } = 30;
        public int Seed { get; set; } = 20261124;
        public string TimeZone { get; set; } = MariaDbServer.DefaultTimeZone;
        public TimeSpan CheckInInterval { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>Share of agents that change state about ten times a day.</summary>
        public double FlakyShare { get; set; } = 0.1;
        public double AddedShare { get; set; } = 0.03;
        public double RemovedShare { get; set; } = 0.03;
        public double DeadShare { get; set; } = 0.02;
        public DateTime EndUtc => StartUtc.AddDays(Days);
    }

    /// <summary>One simulated agent and its ground truth: when it really existed and was really up.</summary>
    public sealed class SimulatedAgent
    {
        public int ComputerId { get; set; }
        public int ClientId { get; set; }
        public int LocationId { get; set; }
        public string Name { get; set; }
        public AgentProfile Profile { get; set; }
        public string OS { get; set; }
        public string BiosFlash { get; set; }
        public int Flags { get; set; }
        public string LastUser { get; set; }
        public DateTime AddedUtc { get; set; }
        public DateTime? RemovedUtc { get; set; }
        /// <summary>Periods the agent service was running, sorted, disjoint, inside [AddedUtc, RemovedUtc).</summary>
        public List<(DateTime Start, DateTime End)> Up { get; } = new List<(DateTime, DateTime)>();
        /// <summary>Down periods too short to be an outage by Automate's rule (never reported offline).</summary>
        public List<(DateTime Start, DateTime End)> Blips { get; } = new List<(DateTime, DateTime)>();

        public bool ExistsAt(DateTime utc) => utc >= AddedUtc && (RemovedUtc == null || utc < RemovedUtc);

        /// <summary>Latest check-in at or before the instant, or null (never checked in yet).</summary>
        private int _cursor;

        public DateTime? LastCheckIn(DateTime utc, TimeSpan interval)
        {
            // Calls usually move forward in time: start from the last period found.
            if (_cursor >= Up.Count || Up[_cursor].Start > utc) _cursor = 0;
            while (_cursor + 1 < Up.Count && Up[_cursor + 1].Start <= utc) _cursor++;
            for (int i = Math.Min(_cursor, Up.Count - 1); i >= 0; i--)
            {
                var (start, end) = Up[i];
                if (start > utc) continue;
                DateTime last = utc < end ? utc : end.AddTicks(-1);
                long steps = (last - start).Ticks / interval.Ticks;
                return start.AddTicks(steps * interval.Ticks);
            }
            return null;
        }

        public DateTime? UpSince(DateTime utc)
        {
            for (int i = Math.Min(_cursor, Up.Count - 1); i >= 0; i--)
            {
                if (Up[i].Start <= utc && utc < Up[i].End) return Up[i].Start;
                if (Up[i].End <= utc) break;
            }
            foreach (var (start, end) in Up) if (start <= utc && utc < end) return start;
            return null;
        }

        /// <summary>Every instant the truth changes: added, removed, up, down (blips merged into the up time).</summary>
        public IEnumerable<DateTime> Transitions()
        {
            yield return AddedUtc;
            if (RemovedUtc.HasValue) yield return RemovedUtc.Value;
            foreach (var (start, end) in Up) { yield return start; yield return end; }
        }

        /// <summary>Seconds up, down and not existing in [from, to), counted only inside the covered intervals.</summary>
        public (double Online, double Offline, double Absent) Truth(DateTime from, DateTime to, IReadOnlyList<(DateTime Start, DateTime End)> covered)
        {
            double online = 0, offline = 0, total = 0;
            foreach (var (cs, ce) in covered)
            {
                DateTime a = Max(from, cs), b = Min(to, ce);
                if (b <= a) continue;
                total += (b - a).TotalSeconds;
                DateTime ea = Max(a, AddedUtc), eb = Min(b, RemovedUtc ?? DateTime.MaxValue);
                if (eb <= ea) continue;
                double exists = (eb - ea).TotalSeconds;
                double up = 0;
                foreach (var (us, ue) in Up)
                {
                    DateTime x = Max(ea, us), y = Min(eb, ue);
                    if (y > x) up += (y - x).TotalSeconds;
                }
                online += up;
                offline += exists - up;
            }
            return (online, offline, (to - from).TotalSeconds - online - offline);
        }

        private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
        private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
    }

    /// <summary>
    /// A deterministic simulated Automate fleet. Agents check in every interval while up (the first
    /// check-in when they come up), and the simulator writes computers.LastContact/Uptime in the
    /// database server's local time exactly as Automate would at any simulated instant.
    /// Outages last at least 25 minutes and blips at most 9, so by Automate's 15-minute rule each is
    /// unambiguously offline or not, whatever the check-in phase.
    /// </summary>
    public sealed class FleetSimulator
    {
        private static readonly string[] WorkstationOs = { "Microsoft Windows 11 Pro x64", "Microsoft Windows 10 Pro x64", "Microsoft Windows 11 Enterprise x64" };
        private static readonly string[] ServerOs = { "Microsoft Windows Server 2022 Standard x64", "Microsoft Windows Server 2019 Standard x64" };
        private static readonly string[] Users = { "jsmith", "mgarcia", "akhan", "lchen", "pmartin", "sjones", "tnguyen", "rpatel" };

        private readonly Dictionary<int, DateTime?> _written = new Dictionary<int, DateTime?>();
        private readonly HashSet<int> _present = new HashSet<int>();

        public FleetSimulator(FleetOptions options)
        {
            Options = options;
            Zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
            var random = new Random(options.Seed);
            Agents = Enumerable.Range(1, options.Agents).Select(i => MakeAgent(i, random)).ToList();
        }

        public FleetOptions Options { get; }
        public TimeZoneInfo Zone { get; }
        public IReadOnlyList<SimulatedAgent> Agents { get; }

        public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

        /// <summary>UTC bounds of a local calendar day (23, 24 or 25 hours long).</summary>
        public (DateTime Start, DateTime End) DayBoundsUtc(DateTime localDay)
        {
            DateTime start = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(localDay.Date, DateTimeKind.Unspecified), Zone);
            DateTime end = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(localDay.Date.AddDays(1), DateTimeKind.Unspecified), Zone);
            return (start, end);
        }

        private SimulatedAgent MakeAgent(int id, Random random)
        {
            var o = Options;
            double roll = random.NextDouble();
            AgentProfile profile = roll < o.FlakyShare ? AgentProfile.Flaky
                : roll < o.FlakyShare + o.DeadShare ? AgentProfile.Dead
                : roll < o.FlakyShare + o.DeadShare + 0.2 ? AgentProfile.Server
                : roll < o.FlakyShare + o.DeadShare + 0.45 ? AgentProfile.Laptop
                : AgentProfile.Workstation;
            int client = 1 + (id - 1) % o.Clients;
            int location = (client - 1) * o.LocationsPerClient + 1 + random.Next(o.LocationsPerClient);
            var agent = new SimulatedAgent
            {
                ComputerId = id,
                ClientId = client,
                LocationId = location,
                Profile = profile,
                Name = (profile == AgentProfile.Server ? "SRV" : "WS") + id.ToString("D5", CultureInfo.InvariantCulture),
                OS = profile == AgentProfile.Server ? ServerOs[random.Next(ServerOs.Length)] : WorkstationOs[random.Next(WorkstationOs.Length)],
                BiosFlash = profile == AgentProfile.Laptop ? "Portable" : "Desktop",
                Flags = profile == AgentProfile.Server && random.NextDouble() < 0.5 ? 2048 : 0,
                LastUser = Users[random.Next(Users.Length)],
                AddedUtc = o.StartUtc.AddDays(-60 - random.Next(300)),
            };
            DateTime horizon = o.EndUtc.AddDays(2);
            bool added = random.NextDouble() < o.AddedShare;
            // An agent that never checks in never appears in Automate: dead agents were added long ago.
            if (added && profile != AgentProfile.Dead) agent.AddedUtc = o.StartUtc.AddMinutes(random.Next(o.Days * 1440 - 600));
            if (random.NextDouble() < o.RemovedShare)
            {
                DateTime removed = o.StartUtc.AddMinutes(random.Next(o.Days * 1440));
                if (removed > agent.AddedUtc.AddHours(6)) agent.RemovedUtc = removed;
            }
            DateTime end = agent.RemovedUtc ?? horizon;
            BuildTimeline(agent, end, random);
            return agent;
        }

        private void BuildTimeline(SimulatedAgent agent, DateTime end, Random random)
        {
            DateTime t = agent.AddedUtc;
            if (agent.Profile == AgentProfile.Dead)
            {
                // Checked in for a while after being added, then went silent before the period started.
                DateTime stop = Options.StartUtc.AddDays(-1 - random.Next(20));
                if (stop > t) agent.Up.Add((t, stop));
                return;
            }
            bool up = true; // every agent checks in when it is added
            while (t < end)
            {
                TimeSpan length = up ? UpLength(agent, t, random) : DownLength(agent, t, random);
                DateTime next = t + length;
                if (next > end) next = end;
                if (up) AddUpWithBlips(agent, t, next, random);
                t = next;
                up = !up;
            }
        }

        private void AddUpWithBlips(SimulatedAgent agent, DateTime start, DateTime end, Random random)
        {
            DateTime t = start;
            // An occasional service restart or network hiccup: a silence too short to count as offline.
            while (random.NextDouble() < 0.15 && (end - t).TotalMinutes > 90)
            {
                DateTime blipStart = t.AddMinutes(20 + random.Next((int)(end - t).TotalMinutes - 60));
                DateTime blipEnd = blipStart.AddSeconds(60 + random.Next(480));
                agent.Up.Add((t, blipStart));
                agent.Blips.Add((blipStart, blipEnd));
                t = blipEnd;
            }
            agent.Up.Add((t, end));
        }

        private TimeSpan UpLength(SimulatedAgent agent, DateTime utc, Random random)
        {
            switch (agent.Profile)
            {
                case AgentProfile.Server: return TimeSpan.FromHours(24 + random.NextDouble() * 24 * 12);
                case AgentProfile.Flaky: return TimeSpan.FromMinutes(30 + random.Next(210));
                case AgentProfile.Laptop: return TimeSpan.FromMinutes(60 + random.Next(420));
                default:
                    // On until the evening, sometimes left on overnight.
                    DateTime local = ToLocal(utc);
                    double hoursToEvening = Math.Max(1, 17.5 + random.NextDouble() * 2 - local.TimeOfDay.TotalHours);
                    if (random.NextDouble() < 0.15) hoursToEvening += 12 + random.Next(36);
                    return TimeSpan.FromHours(hoursToEvening);
            }
        }

        private TimeSpan DownLength(SimulatedAgent agent, DateTime utc, Random random)
        {
            switch (agent.Profile)
            {
                case AgentProfile.Server: return TimeSpan.FromMinutes(25 + random.Next(random.NextDouble() < 0.8 ? 60 : 600));
                case AgentProfile.Flaky: return TimeSpan.FromMinutes(25 + random.Next(150));
                case AgentProfile.Laptop: return TimeSpan.FromMinutes(25 + random.Next(900));
                default:
                    DateTime local = ToLocal(utc);
                    double hoursToMorning = 24 - local.TimeOfDay.TotalHours + 7.5 + random.NextDouble() * 1.5;
                    if (local.DayOfWeek == DayOfWeek.Friday) hoursToMorning += random.NextDouble() < 0.8 ? 48 : 0;
                    if (local.DayOfWeek == DayOfWeek.Saturday) hoursToMorning += 24;
                    return TimeSpan.FromHours(Math.Max(0.5, hoursToMorning));
            }
        }

        /// <summary>Inserts the clients, locations and contacts the agents belong to.</summary>
        public void WriteDirectory(MySqlConnection connection)
        {
            var sql = new StringBuilder();
            var o = Options;
            sql.Append("INSERT INTO clients (ClientID, Name, City) VALUES ");
            sql.Append(string.Join(",", Enumerable.Range(1, o.Clients).Select(c => $"({c}, 'Client {c:D3}', 'City {c}')")));
            sql.Append(";INSERT INTO locations (LocationID, ClientID, Name, ProbeID) VALUES ");
            sql.Append(string.Join(",", Enumerable.Range(1, o.Clients * o.LocationsPerClient).Select(l =>
                $"({l}, {(l - 1) / o.LocationsPerClient + 1}, 'Site {(l - 1) % o.LocationsPerClient + 1}', 0)")));
            sql.Append(";INSERT INTO contacts (ContactID, ClientID, LocationID, FirstName, LastName, Email) VALUES ");
            sql.Append(string.Join(",", Enumerable.Range(1, o.Clients).Select(c => $"({c}, {c}, {(c - 1) * o.LocationsPerClient + 1}, 'Pat', 'Owner{c}', 'owner{c}@example.com')")));
            Execute(connection, sql.ToString());
        }

        /// <summary>
        /// Brings computers up to the simulated instant: agents that have signed up appear, removed ones
        /// vanish, and every agent's LastContact/Uptime is its latest check-in at or before the instant.
        /// </summary>
        public int ApplyUntil(MySqlConnection connection, DateTime utc)
        {
            var upserts = new List<string>();
            var updates = new List<string>();
            var deletes = new List<int>();
            foreach (SimulatedAgent agent in Agents)
            {
                bool exists = agent.ExistsAt(utc);
                DateTime? checkIn = exists ? agent.LastCheckIn(utc, Options.CheckInInterval) : null;
                if (!exists || checkIn == null)
                {
                    if (_present.Remove(agent.ComputerId)) deletes.Add(agent.ComputerId);
                    continue;
                }
                if (_present.Contains(agent.ComputerId) && _written.TryGetValue(agent.ComputerId, out DateTime? written) && written == checkIn)
                    continue;
                DateTime? upSince = agent.UpSince(checkIn.Value);
                int uptime = upSince.HasValue ? (int)(checkIn.Value - upSince.Value).TotalMinutes : -1;
                string lastContact = ToLocal(checkIn.Value).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                if (_present.Contains(agent.ComputerId))
                {
                    updates.Add(string.Format(CultureInfo.InvariantCulture, "({0},'{1}',{2})", agent.ComputerId, lastContact, uptime));
                    _written[agent.ComputerId] = checkIn;
                    continue;
                }
                string added = ToLocal(agent.AddedUtc).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                upserts.Add(string.Format(CultureInfo.InvariantCulture,
                    "({0},{1},{2},'{3}','CORP','{4}','{4}','{5}','{6}','{7}',{8},'{9}','{10}',{11},'Dell Inc.','TAG{0}',{1})",
                    agent.ComputerId, agent.ClientId, agent.LocationId, agent.Name, agent.LastUser, agent.OS,
                    agent.Profile == AgentProfile.Server ? "10.0.20348" : "10.0.22631", lastContact, uptime, added,
                    agent.BiosFlash, agent.Flags));
                _written[agent.ComputerId] = checkIn;
                _present.Add(agent.ComputerId);
            }
            for (int i = 0; i < upserts.Count; i += 2000)
            {
                Execute(connection,
                    "INSERT INTO computers (ComputerID, ClientID, LocationID, Name, Domain, UserName, LastUsername, OS, Version, LastContact, Uptime, DateAdded, BiosFlash, Flags, BiosMFG, AssetTag, ContactID) VALUES " +
                    string.Join(",", upserts.Skip(i).Take(2000)) +
                    " ON DUPLICATE KEY UPDATE LastContact = VALUES(LastContact), Uptime = VALUES(Uptime), UserName = VALUES(UserName)");
            }
            for (int i = 0; i < updates.Count; i += 5000)
            {
                Execute(connection, "INSERT INTO computers (ComputerID, LastContact, Uptime) VALUES " + string.Join(",", updates.Skip(i).Take(5000)) +
                    " ON DUPLICATE KEY UPDATE LastContact = VALUES(LastContact), Uptime = VALUES(Uptime)");
            }
            if (deletes.Count > 0) Execute(connection, "DELETE FROM computers WHERE ComputerID IN (" + string.Join(",", deletes) + ")");
            return upserts.Count + updates.Count + deletes.Count;
        }

        private static void Execute(MySqlConnection connection, string sql)
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = sql;
                command.CommandTimeout = 600;
                command.ExecuteNonQuery();
            }
        }
    }
}
