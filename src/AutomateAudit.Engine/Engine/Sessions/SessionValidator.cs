using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Sessions
{
    /// <summary>A report from one computer, checked and ready to save.</summary>
    internal sealed class SessionBatch
    {
        public int ComputerId { get; set; }
        public string ComputerName { get; set; }
        public DateTime GeneratedUtc { get; set; }
        public List<SessionRecord> Sessions { get; set; }
        public List<SessionEventRecord> Events { get; set; }
    }

    /// <summary>
    /// Everything an endpoint sends is checked before anything is written, all or nothing: counts, types,
    /// the characters each field may hold, lengths against the columns as the server has them (over-long
    /// values are refused, never cut), dates within sane bounds, and the agent id against the computer id
    /// Automate gave. The first problem found is reported, naming the item and the field.
    /// </summary>
    internal static class SessionValidator
    {
        public const int MaxSessions = 2000;
        public const int MaxEvents = 5000;
        private static readonly DateTime Earliest = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        internal static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3650);

        // What each field may hold. A user logon name cannot contain " / \ [ ] : ; | = , + * ? < > on Windows
        // (and less on Linux); the other fields are names, terminals and addresses.
        internal static readonly Regex UserName = new Regex("^[^\\x00-\\x1f\\x7f\"/\\\\\\[\\]:;|=,+*?<>]+\\z", RegexOptions.CultureInvariant);
        internal static readonly Regex Name = new Regex(@"^[\p{L}\p{Nd}._ -]+\z", RegexOptions.CultureInvariant);
        internal static readonly Regex Terminal = new Regex(@"^[\p{L}\p{Nd}#:/._ -]+\z", RegexOptions.CultureInvariant);
        internal static readonly Regex Identifier = new Regex("^[A-Za-z0-9_-]+\\z", RegexOptions.CultureInvariant);
        internal static readonly Regex HostName = new Regex("^[A-Za-z0-9.:%_-]+\\z", RegexOptions.CultureInvariant);

        /// <summary>Column limits: the smaller of the module's column and ProVal's (which an existing installation may have made narrower).</summary>
        internal sealed class Limits
        {
            public int ComputerName = 255, SessionId = 32, UserName = 100, Domain = 100, SessionName = 64, ClientName = 255, ClientAddress = 64;

            public static Limits From(SchemaStore schema)
            {
                var limits = new Limits();
                var ours = schema.TextColumnLengths(SessionTables.CurrentTable);
                var proval = schema.TextColumnLengths("plugin_proval_usersessions");
                int Of(Dictionary<string, int> columns, string column, int fallback) => columns.TryGetValue(column, out int n) ? Math.Min(n, fallback) : fallback;
                limits.ComputerName = Of(ours, "computer_name", limits.ComputerName);
                limits.SessionId = Of(ours, "session_id", limits.SessionId);
                limits.UserName = Of(proval, "Username", Of(ours, "user_name", limits.UserName));
                limits.Domain = Of(ours, "domain", limits.Domain);
                limits.SessionName = Of(ours, "session_name", limits.SessionName);
                limits.ClientName = Of(ours, "client_name", limits.ClientName);
                limits.ClientAddress = Of(ours, "client_address", limits.ClientAddress);
                return limits;
            }
        }

        public static SessionBatch Validate(int computerId, PayloadEnvelope envelope, DateTime nowUtc, Limits limits)
        {
            if (envelope.Items.Count > MaxSessions)
                throw new PayloadException("The report holds " + envelope.Items.Count + " sessions; at most " + MaxSessions + " are accepted.");
            if (envelope.Events.Count > MaxEvents)
                throw new PayloadException("The report holds " + envelope.Events.Count + " events; at most " + MaxEvents + " are accepted.");
            CheckAgent(computerId, envelope.AgentId, "the envelope");
            DateTime generated = envelope.GeneratedUtc ?? nowUtc;
            CheckDate(generated, nowUtc, "the envelope", "generatedUtc");
            if (generated > nowUtc) generated = nowUtc; // an endpoint clock running ahead cannot push its reports past later ones
            string computerName = Text(envelope.ComputerName, Name, limits.ComputerName, "the envelope", "computerName");

            var sessions = new List<SessionRecord>(envelope.Items.Count);
            for (int i = 0; i < envelope.Items.Count; i++)
            {
                UserSession s = SessionJson.Session(envelope.Items[i], i);
                string where = "items[" + i + "]";
                CheckAgent(computerId, s.AgentId, where);
                foreach (var (field, value) in new[] { ("LogonTime", s.LogonTime), ("ConnectTime", s.ConnectTime), ("DisconnectTime", s.DisconnectTime), ("LastInputTime", s.LastInputTime) })
                    if (value.HasValue) CheckDate(value.Value.ToUniversalTime(), nowUtc, where, field);
                if (s.IdleTime.HasValue && (s.IdleTime.Value < TimeSpan.Zero || s.IdleTime.Value > MaxDuration))
                    throw Field.Bad(where, "IdleTime", "is negative or longer than 10 years");
                if (s.SessionLength.HasValue && (s.SessionLength.Value < 0 || s.SessionLength.Value > MaxDuration.TotalMinutes))
                    throw Field.Bad(where, "SessionLength", "is negative or longer than 10 years");
                sessions.Add(new SessionRecord
                {
                    ComputerName = Text(s.ComputerName, Name, limits.ComputerName, where, "ComputerName") ?? computerName,
                    SessionId = Text(s.SessionId, Identifier, limits.SessionId, where, "SessionId"),
                    UserName = Text(s.UserName, UserName, limits.UserName, where, "UserName"),
                    Domain = Text(s.Domain, Name, limits.Domain, where, "Domain"),
                    SessionName = Text(s.SessionName, Terminal, limits.SessionName, where, "SessionName"),
                    State = s.State.ToString(),
                    ClientName = Text(s.ClientName, Name, limits.ClientName, where, "ClientName"),
                    ClientAddress = Address(s.ClientAddress, limits.ClientAddress, where),
                    LogonUtc = s.LogonTime?.ToUniversalTime(),
                    ConnectUtc = s.ConnectTime?.ToUniversalTime(),
                    DisconnectUtc = s.DisconnectTime?.ToUniversalTime(),
                    LastInputUtc = s.LastInputTime?.ToUniversalTime(),
                    IdleSeconds = s.IdleTime.HasValue ? (int?)Math.Round(s.IdleTime.Value.TotalSeconds) : null,
                    SessionMinutes = s.SessionLength,
                    IsConsole = s.IsConsole,
                    IsLocked = s.IsLocked,
                });
            }
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (SessionRecord s in sessions)
            {
                if (!keys.Add((s.SessionId ?? string.Empty) + "\n" + (s.UserName ?? string.Empty) + "\n" + s.LogonUtc?.Ticks))
                    throw new PayloadException("The report lists session '" + s.SessionId + "' of '" + s.UserName + "' twice.");
            }

            var events = new List<SessionEventRecord>(envelope.Events.Count);
            for (int i = 0; i < envelope.Events.Count; i++)
            {
                SessionEvent e = SessionJson.Event(envelope.Events[i], i);
                string where = "events[" + i + "]";
                CheckDate(e.TimeCreated.ToUniversalTime(), nowUtc, where, "TimeCreated");
                Text(e.SessionName, Terminal, limits.SessionName, where, "SessionName");
                Address(e.ClientAddress, limits.ClientAddress, where);
                Text(e.Source, Terminal, 64, where, "Source");
                events.Add(new SessionEventRecord
                {
                    SessionId = Text(e.SessionId, Identifier, limits.SessionId, where, "SessionId"),
                    UserName = Text(e.UserName, UserName, limits.UserName, where, "UserName"),
                    Domain = Text(e.Domain, Name, limits.Domain, where, "Domain"),
                    Kind = e.Kind.ToString(),
                    TimeUtc = e.TimeCreated.ToUniversalTime(),
                });
            }
            return new SessionBatch { ComputerId = computerId, ComputerName = computerName, GeneratedUtc = generated, Sessions = sessions, Events = events };
        }

        internal static void CheckAgent(int computerId, int? agentId, string where)
        {
            if (agentId.HasValue && agentId.Value != computerId)
                throw new PayloadException(where + " says it comes from agent " + agentId.Value.ToString(CultureInfo.InvariantCulture) + ", but Automate ran the script on computer " +
                    computerId.ToString(CultureInfo.InvariantCulture) + ": a cloned agent or tampering. Nothing was saved.");
        }

        internal static void CheckDate(DateTime utc, DateTime nowUtc, string where, string field)
        {
            if (utc < Earliest || utc > nowUtc.AddDays(1))
                throw Field.Bad(where, field, "is outside 2000-01-01 .. tomorrow (" + utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC)");
        }

        internal static string Text(string value, Regex allowed, int maxLength, string where, string field)
        {
            if (string.IsNullOrEmpty(value)) return null;
            if (value.Length > maxLength) throw Field.Bad(where, field, "is " + value.Length + " characters long; the column holds " + maxLength);
            if (!allowed.IsMatch(value)) throw Field.Bad(where, field, "holds characters a " + field + " cannot have ('" + Json.Shorten(Printable(value)) + "')");
            return value;
        }

        internal static string Address(string value, int maxLength, string where)
        {
            if (string.IsNullOrEmpty(value)) return null;
            if (value.Length > maxLength) throw Field.Bad(where, "ClientAddress", "is " + value.Length + " characters long; the column holds " + maxLength);
            // IPv4 and IPv6 text (with a %zone) are host-name characters too; nothing else an endpoint reports is an address.
            if (HostName.IsMatch(value)) return value;
            throw Field.Bad(where, "ClientAddress", "is neither an IP address nor a host name ('" + Json.Shorten(Printable(value)) + "')");
        }

        private static string Printable(string value) => new string(value.Select(c => c < 0x20 || c == 0x7f ? '?' : c).ToArray());
    }
}
