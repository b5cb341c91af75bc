using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Payload;

namespace AutomateAudit.Tests.Sessions
{
    /// <summary>Payloads as an endpoint would send them, good and hostile.</summary>
    internal static class Payloads
    {
        public static UserSession Session(string user, string id, DateTime logonUtc, UserSessionState state = UserSessionState.Active, int? agentId = null) => new UserSession
        {
            ComputerName = "PC1", AgentId = agentId, UserName = user, Domain = "CONTOSO", SessionId = id, SessionName = "RDP-Tcp#" + id,
            State = state, ClientName = "LAPTOP-" + id, ClientAddress = "10.1.2." + id, LogonTime = logonUtc.ToLocalTime(),
            ConnectTime = logonUtc.ToLocalTime(), LastInputTime = logonUtc.AddMinutes(5).ToLocalTime(), IdleTime = TimeSpan.FromMinutes(3),
            SessionLength = 42, IsConsole = false, IsLocked = false,
        };

        public static PayloadEnvelope Envelope(DateTime generatedUtc, int? agentId, IEnumerable<UserSession> sessions, IEnumerable<SessionEvent> events = null) => new PayloadEnvelope
        {
            Kind = PayloadCodec.SessionsKind, ComputerName = "PC1", AgentId = agentId, GeneratedUtc = generatedUtc,
            Items = sessions.Select(SessionJson.ToMembers).ToList(),
            Events = (events ?? Enumerable.Empty<SessionEvent>()).Select(SessionJson.ToMembers).ToList(),
        };

        public static string Encode(PayloadEnvelope envelope) => PayloadCodec.Encode(envelope);

        public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        /// <summary>The hostile corpus: each must be refused whole, with nothing written.</summary>
        public static IEnumerable<(string Name, string Payload, string ReasonContains)> Hostile(int computerId, DateTime nowUtc)
        {
            DateTime t = nowUtc.AddMinutes(-30);
            string Good(Func<Dictionary<string, object>, Dictionary<string, object>> change, int? agent = null)
            {
                var env = Envelope(nowUtc, agent ?? computerId, new[] { Session("alice", "2", t) });
                env.Items[0] = change(env.Items[0]);
                return Base64(PayloadCodec.ToJson(env));
            }
            yield return ("not JSON", Base64("this is not json {"), "not valid");
            yield return ("not base64", "eyJmb3JtYXQiOjF9'; DROP TABLE computers; --", "base64");
            yield return ("3 MB", new string('A', 3 * 1024 * 1024), "at most 60000");
            yield return ("wrong types", Good(m => { m["SessionLength"] = "forty-two"; return m; }), "SessionLength");
            yield return ("wrong type of State", Good(m => { m["State"] = new List<object> { 1 }; return m; }), "State");
            yield return ("invalid date", Good(m => { m["LogonTime"] = "2026-13-45T99:00:00Z"; return m; }), "LogonTime");
            yield return ("date without a zone", Good(m => { m["LogonTime"] = "2026-11-01T10:00:00"; return m; }), "LogonTime");
            yield return ("date in the future", Good(m => { m["LogonTime"] = "2099-01-01T00:00:00Z"; return m; }), "LogonTime");
            var many = Envelope(nowUtc, computerId, Enumerable.Range(1, 10000).Select(i => Session("u" + i, i.ToString(), t)));
            yield return ("10,000 sessions", Base64(PayloadCodec.ToJson(many)), "at most 60000");
            yield return ("5,000-character name", Good(m => { m["UserName"] = new string('x', 5000); return m; }), "UserName");
            yield return ("SQL fragment in a name", Good(m => { m["UserName"] = "x'); DROP TABLE computers; --"; return m; }), "UserName");
            yield return ("SQL fragment in a domain", Good(m => { m["Domain"] = "CONTOSO' OR '1'='1"; return m; }), "Domain");
            yield return ("SQL fragment in an address", Good(m => { m["ClientAddress"] = "1.2.3.4'; --"; return m; }), "ClientAddress");
            yield return ("mismatched AgentId", Good(m => m, agent: computerId + 1), "cloned agent or tampering");
            yield return ("mismatched AgentId in an item", Good(m => { m["AgentId"] = new Json.Number((computerId + 7).ToString()); return m; }), "cloned agent or tampering");
            yield return ("newer format version", Base64("{\"format\":2,\"kind\":\"UserSessions\",\"generatedUtc\":\"2026-11-25T00:00:00Z\",\"items\":[]}"), "format version 2");
            yield return ("negative idle time", Good(m => { m["IdleTime"] = "-00:05:00"; return m; }), "IdleTime");
            yield return ("duplicate member", Base64("{\"format\":1,\"format\":1,\"kind\":\"UserSessions\",\"items\":[]}"), "twice");
            yield return ("nested too deep", Base64(new string('[', 100) + new string(']', 100)), "deeper");
        }
    }
}
