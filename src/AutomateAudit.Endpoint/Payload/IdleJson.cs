using System;
using System.Collections.Generic;
using System.Globalization;

namespace AutomateAudit.Endpoint.Payload
{
    /// <summary>IdleSample and IdleHour to and from JSON members, as SessionJson does for sessions.</summary>
    internal static class IdleJson
    {
        private static object Date(DateTime? t) => t.HasValue ? Json.Iso(t.Value) : null;

        private static object Number(int? n) => n.HasValue ? new Json.Number(n.Value.ToString(CultureInfo.InvariantCulture)) : null;

        public static Dictionary<string, object> ToMembers(IdleSample s) => new Dictionary<string, object>
        {
            ["ComputerName"] = s.ComputerName,
            ["AgentId"] = Number(s.AgentId),
            ["UserName"] = s.UserName,
            ["Domain"] = s.Domain,
            ["SessionId"] = s.SessionId,
            ["Timestamp"] = Date(s.Timestamp),
            ["IdleTime"] = s.IdleTime?.ToString("c", CultureInfo.InvariantCulture),
            ["Source"] = s.Source.ToString(),
            ["IsLocked"] = s.IsLocked,
            ["SamplerRunning"] = s.SamplerRunning,
            ["SamplerLastWrite"] = Date(s.SamplerLastWrite),
            ["IsAdmin"] = s.IsAdmin,
            ["IsDomainAdmin"] = s.IsDomainAdmin,
            ["IsEnterpriseAdmin"] = s.IsEnterpriseAdmin,
        };

        public static Dictionary<string, object> ToMembers(IdleHour h) => new Dictionary<string, object>
        {
            ["UserName"] = h.UserName,
            ["Domain"] = h.Domain,
            ["SessionId"] = h.SessionId,
            ["HourUtc"] = Date(DateTime.SpecifyKind(h.HourUtc, DateTimeKind.Utc)),
            ["ActiveMinutes"] = Number(h.ActiveMinutes),
            ["IdleMinutes"] = Number(h.IdleMinutes),
            ["UnknownMinutes"] = Number(h.UnknownMinutes),
        };

        public static IdleSample Sample(Dictionary<string, object> m, int index)
        {
            string where = "items[" + index + "]";
            return new IdleSample
            {
                ComputerName = Field.OptionalString(m, "ComputerName", where),
                AgentId = Field.OptionalInt(m, "AgentId", where),
                UserName = Field.OptionalString(m, "UserName", where),
                Domain = Field.OptionalString(m, "Domain", where),
                SessionId = Field.OptionalString(m, "SessionId", where) ?? Field.OptionalInt(m, "SessionId", where)?.ToString(CultureInfo.InvariantCulture),
                Timestamp = (Field.OptionalDate(m, "Timestamp", where) ?? throw Field.Bad(where, "Timestamp", "is missing")).ToLocalTime(),
                IdleTime = Field.OptionalTimeSpan(m, "IdleTime", where),
                Source = SessionJson.Enum<IdleSource>(m, "Source", where) ?? throw Field.Bad(where, "Source", "is missing"),
                IsLocked = Field.OptionalBool(m, "IsLocked", where),
                SamplerRunning = Field.OptionalBool(m, "SamplerRunning", where) ?? false,
                SamplerLastWrite = Field.OptionalDate(m, "SamplerLastWrite", where)?.ToLocalTime(),
                IsAdmin = Field.OptionalBool(m, "IsAdmin", where),
                IsDomainAdmin = Field.OptionalBool(m, "IsDomainAdmin", where),
                IsEnterpriseAdmin = Field.OptionalBool(m, "IsEnterpriseAdmin", where),
            };
        }

        public static IdleHour Hour(Dictionary<string, object> m, int index)
        {
            string where = "hours[" + index + "]";
            return new IdleHour
            {
                UserName = Field.OptionalString(m, "UserName", where),
                Domain = Field.OptionalString(m, "Domain", where),
                SessionId = Field.OptionalString(m, "SessionId", where),
                HourUtc = Field.OptionalDate(m, "HourUtc", where) ?? throw Field.Bad(where, "HourUtc", "is missing"),
                ActiveMinutes = Field.OptionalInt(m, "ActiveMinutes", where) ?? throw Field.Bad(where, "ActiveMinutes", "is missing"),
                IdleMinutes = Field.OptionalInt(m, "IdleMinutes", where) ?? throw Field.Bad(where, "IdleMinutes", "is missing"),
                UnknownMinutes = Field.OptionalInt(m, "UnknownMinutes", where) ?? throw Field.Bad(where, "UnknownMinutes", "is missing"),
            };
        }
    }
}
