using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AutomateAudit.Endpoint.Payload
{
    /// <summary>
    /// UserSession and SessionEvent to and from JSON members. Member names are the property names, so the
    /// JSON that ConvertTo-Json writes for Get-UserSession's output reads back the same way (State as a name
    /// or as its number, dates in either PowerShell's style). Types are checked here; limits and character
    /// rules are the server's (SessionValidator), since the server decides what its columns hold.
    /// </summary>
    internal static class SessionJson
    {
        // Members are built in the shape the reader produces (dates as ISO text, numbers as Json.Number), so a
        // report checked on the server without a round trip through text meets exactly the same reads.
        private static object Date(DateTime? t) => t.HasValue ? Json.Iso(t.Value) : null;

        private static object Number(int? n) => n.HasValue ? new Json.Number(n.Value.ToString(CultureInfo.InvariantCulture)) : null;

        public static Dictionary<string, object> ToMembers(UserSession s) => new Dictionary<string, object>
        {
            ["ComputerName"] = s.ComputerName,
            ["AgentId"] = Number(s.AgentId),
            ["UserName"] = s.UserName,
            ["Domain"] = s.Domain,
            ["SessionId"] = s.SessionId,
            ["SessionName"] = s.SessionName,
            ["State"] = s.State.ToString(),
            ["ClientName"] = s.ClientName,
            ["ClientAddress"] = s.ClientAddress,
            ["LogonTime"] = Date(s.LogonTime),
            ["ConnectTime"] = Date(s.ConnectTime),
            ["DisconnectTime"] = Date(s.DisconnectTime),
            ["LastInputTime"] = Date(s.LastInputTime),
            ["IdleTime"] = s.IdleTime?.ToString("c", CultureInfo.InvariantCulture),
            ["SessionLength"] = Number(s.SessionLength),
            ["IsConsole"] = s.IsConsole,
            ["IsLocked"] = s.IsLocked,
        };

        public static Dictionary<string, object> ToMembers(SessionEvent e) => new Dictionary<string, object>
        {
            ["UserName"] = e.UserName,
            ["Domain"] = e.Domain,
            ["SessionId"] = e.SessionId,
            ["SessionName"] = e.SessionName,
            ["Kind"] = e.Kind.ToString(),
            ["TimeCreated"] = Date(e.TimeCreated),
            ["ClientAddress"] = e.ClientAddress,
            ["Source"] = e.Source,
        };

        public static UserSession Session(Dictionary<string, object> m, int index)
        {
            string where = "items[" + index + "]";
            return new UserSession
            {
                ComputerName = Field.OptionalString(m, "ComputerName", where),
                AgentId = Field.OptionalInt(m, "AgentId", where),
                UserName = Field.OptionalString(m, "UserName", where),
                Domain = Field.OptionalString(m, "Domain", where),
                SessionId = Identifier(m, "SessionId", where),
                SessionName = Field.OptionalString(m, "SessionName", where),
                State = Enum<UserSessionState>(m, "State", where) ?? throw Field.Bad(where, "State", "is missing"),
                ClientName = Field.OptionalString(m, "ClientName", where),
                ClientAddress = Field.OptionalString(m, "ClientAddress", where),
                LogonTime = Local(Field.OptionalDate(m, "LogonTime", where)),
                ConnectTime = Local(Field.OptionalDate(m, "ConnectTime", where)),
                DisconnectTime = Local(Field.OptionalDate(m, "DisconnectTime", where)),
                LastInputTime = Local(Field.OptionalDate(m, "LastInputTime", where)),
                IdleTime = Field.OptionalTimeSpan(m, "IdleTime", where),
                SessionLength = Field.OptionalInt(m, "SessionLength", where),
                IsConsole = Field.OptionalBool(m, "IsConsole", where) ?? false,
                IsLocked = Field.OptionalBool(m, "IsLocked", where),
            };
        }

        public static SessionEvent Event(Dictionary<string, object> m, int index)
        {
            string where = "events[" + index + "]";
            return new SessionEvent
            {
                UserName = Field.OptionalString(m, "UserName", where),
                Domain = Field.OptionalString(m, "Domain", where),
                SessionId = Identifier(m, "SessionId", where),
                SessionName = Field.OptionalString(m, "SessionName", where),
                Kind = Enum<SessionEventKind>(m, "Kind", where) ?? throw Field.Bad(where, "Kind", "is missing"),
                TimeCreated = Local(Field.OptionalDate(m, "TimeCreated", where)) ?? throw Field.Bad(where, "TimeCreated", "is missing"),
                ClientAddress = Field.OptionalString(m, "ClientAddress", where),
                Source = Field.OptionalString(m, "Source", where),
            };
        }

        /// <summary>An id given as text or as a whole number (Windows session ids are numbers).</summary>
        private static string Identifier(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            if (v is string s) return s;
            if (v is Json.Number n && long.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long id)) return id.ToString(CultureInfo.InvariantCulture);
            throw Field.Bad(where, name, "is neither text nor a whole number");
        }

        /// <summary>An enum member by name (any case), or by its number (ConvertTo-Json writes enums as numbers).</summary>
        public static T? Enum<T>(Dictionary<string, object> m, string name, string where) where T : struct
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            // A name exactly, ignoring the case of its (ASCII) letters: no lists, numbers in quotes or spaces, which
            // Enum.TryParse would take and the hosted importer's SQL would not.
            if (v is string s && s.All(c => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            {
                string member = System.Enum.GetNames(typeof(T)).FirstOrDefault(n => string.Equals(n, s, StringComparison.OrdinalIgnoreCase));
                if (member != null) return (T)System.Enum.Parse(typeof(T), member);
            }
            if (v is Json.Number n && int.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && System.Enum.IsDefined(typeof(T), number))
                return (T)System.Enum.ToObject(typeof(T), number);
            throw Field.Bad(where, name, "is not one of " + string.Join(", ", System.Enum.GetNames(typeof(T))));
        }

        private static DateTime? Local(DateTime? utc) => utc?.ToLocalTime();
    }
}
