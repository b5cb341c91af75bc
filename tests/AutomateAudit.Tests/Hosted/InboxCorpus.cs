using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AutomateAudit.Endpoint.Payload;

namespace AutomateAudit.Tests.Hosted
{
    /// <summary>One payload of the corpus: who sends it, its text, and what the module must do with it.</summary>
    internal sealed class CorpusEntry
    {
        public CorpusEntry(string name, int computerId, string payload, string expect) { Name = name; ComputerId = computerId; Payload = payload; Expect = expect; }
        public string Name { get; }
        public int ComputerId { get; }
        public string Payload { get; }
        /// <summary>Null: applied (saved or stale, and deleted); otherwise a fragment of the reason it is refused with.</summary>
        public string Expect { get; }
        public override string ToString() => Name;
    }

    /// <summary>
    /// Payloads for the inbox, good and hostile, written as an endpoint (or an attacker holding one) would: the same
    /// corpus goes through Import-AuditInbox's C# and through CALL aa_import_inbox, and both must do the same.
    /// Computers 7 to 12 exist; 99 does not.
    /// </summary>
    internal static class InboxCorpus
    {
        public const string JsonRefused = "The JSON is not valid";

        public static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        public static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);
        public static string Iso(DateTime utc) => Json.Iso(utc);
        private static string Q(string s) => Json.Write(s);

        public static string Envelope(string kind, int? agent, string generated, string items, string extra = "", string computerName = "\"PC1\"", string format = "1") =>
            "{\"format\":" + format + ",\"kind\":" + Q(kind) + ",\"computerName\":" + computerName + (agent.HasValue ? ",\"agentId\":" + agent.Value : "") +
            (generated == null ? "" : ",\"generatedUtc\":" + generated) + ",\"items\":" + items + extra + "}";

        /// <summary>A session item; members given replace or add to the defaults (a null value leaves the member out).</summary>
        public static string Session(DateTime logonUtc, params (string Name, string Json)[] members)
        {
            var m = new List<(string Name, string Json)>
            {
                ("ComputerName", "\"PC1\""), ("UserName", "\"alice\""), ("Domain", "\"CONTOSO\""), ("SessionId", "\"2\""), ("SessionName", "\"RDP-Tcp#2\""),
                ("State", "\"Active\""), ("ClientName", "\"LAPTOP-2\""), ("ClientAddress", "\"10.1.2.2\""), ("LogonTime", Q(Iso(logonUtc))),
                ("ConnectTime", Q(Iso(logonUtc))), ("LastInputTime", Q(Iso(logonUtc.AddMinutes(5)))), ("IdleTime", "\"00:03:00\""), ("SessionLength", "42"),
                ("IsConsole", "false"), ("IsLocked", "false"),
            };
            return Object(m, members);
        }

        public static string Event(string kind, DateTime utc, params (string Name, string Json)[] members) =>
            Object(new List<(string, string)> { ("UserName", "\"alice\""), ("Domain", "\"CONTOSO\""), ("SessionId", "\"2\""), ("SessionName", "\"RDP-Tcp#2\""),
                ("Kind", Q(kind)), ("TimeCreated", Q(Iso(utc))), ("Source", "\"Security\"") }, members);

        public static string Sample(DateTime utc, params (string Name, string Json)[] members) =>
            Object(new List<(string, string)> { ("ComputerName", "\"PC8\""), ("UserName", "\"bob\""), ("Domain", "\"CONTOSO\""), ("SessionId", "\"3\""),
                ("Timestamp", Q(Iso(utc))), ("IdleTime", "\"00:00:07.2809998\""), ("Source", "\"Sampler\""), ("IsLocked", "false"), ("SamplerRunning", "true"),
                ("IsAdmin", "true"), ("IsDomainAdmin", "false"), ("IsEnterpriseAdmin", "false") }, members);

        public static string Hour(DateTime hourUtc, int active, int idle, int unknown, params (string Name, string Json)[] members) =>
            Object(new List<(string, string)> { ("UserName", "\"bob\""), ("Domain", "\"CONTOSO\""), ("SessionId", "\"3\""), ("HourUtc", Q(Iso(hourUtc))),
                ("ActiveMinutes", active.ToString(CultureInfo.InvariantCulture)), ("IdleMinutes", idle.ToString(CultureInfo.InvariantCulture)),
                ("UnknownMinutes", unknown.ToString(CultureInfo.InvariantCulture)) }, members);

        private static string Object(List<(string Name, string Json)> defaults, (string Name, string Json)[] members)
        {
            foreach (var (name, json) in members)
            {
                int i = defaults.FindIndex(d => d.Name == name);
                if (i >= 0) defaults[i] = (name, json); else defaults.Add((name, json));
            }
            return "{" + string.Join(",", defaults.Where(d => d.Json != null).Select(d => Q(d.Name) + ":" + d.Json)) + "}";
        }

        public static string Array(IEnumerable<string> items) => "[" + string.Join(",", items) + "]";

        /// <summary>The first round: every kind of payload, against fresh tables.</summary>
        public static List<CorpusEntry> Round1(DateTime now)
        {
            DateTime t = now.AddHours(-3);
            string gen = Q(Iso(now.AddMinutes(-10)));
            var e = new List<CorpusEntry>();
            void Add(string name, int computer, string payload, string expect) => e.Add(new CorpusEntry(name, computer, payload, expect));
            const int E = 11, F = 12; // the envelope's and the fields' hostile payloads: fewer than 50 refusals each, so none is trimmed
            string S(params (string, string)[] m) => Base64(Envelope("UserSessions", F, gen, Array(new[] { Session(t, m) })));
            string I(params (string, string)[] m) => Base64(Envelope("IdleSamples", 8, gen, Array(new[] { Sample(now.AddMinutes(-11), m) })));
            string H(string hour) => Base64(Envelope("IdleSamples", 8, gen, "[]", ",\"hours\":[" + hour + "]"));

            // Good ones.
            Add("sessions with events", 7, Base64(Envelope("UserSessions", 7, Q(Iso(now.AddMinutes(-30))),
                Array(new[] { Session(t), Session(t.AddMinutes(7), ("UserName", "\"ALICE\""), ("State", "\"disconnected\""), ("IdleTime", "185.5"), ("IsLocked", null)) }),
                ",\"events\":" + Array(new[] { Event("Logon", t.AddMinutes(-1), ("UserName", "\"carol\"")), Event("Logoff", t.AddMinutes(2), ("UserName", "\"carol\"")) }))), null);
            Add("sessions, newer, other forms", 7, Base64(Envelope("UserSessions", 7, Q(Iso(now.AddMinutes(-20)).Replace("Z", "+00:00")),
                Array(new[]
                {
                    Session(t, ("SessionId", "2"), ("State", "4"), ("LogonTime", Q("/Date(" + (long)(t - new DateTime(1970, 1, 1)).TotalMilliseconds + ")/")),
                        ("ConnectTime", Q(t.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "+02:00")), ("IdleTime", "{\"Ticks\":25000000,\"Days\":0}")),
                    Session(t.AddMinutes(1), ("UserName", "\"Jürgen Ñoño😀\""), ("Domain", "\"MÜNCHEN\""), ("SessionId", "\"3\""), ("IdleTime", "\"1.02:03:03.5000000\""),
                        ("ClientAddress", "\"fe80::1%12\""), ("ComputerName", "\"\""), ("SessionLength", null), ("IsConsole", "true")),
                }), ",\"events\":null,\"extra\":{\"a\":" + new string('[', 14) + "1" + new string(']', 14) + ",\"n\":-0.5e-3}")), null);
            Add("idle samples and hours", 8, Base64(Envelope("IdleSamples", 8, gen, Array(new[] { Sample(now.AddMinutes(-11)), Sample(now.AddMinutes(-11), ("UserName", "\"eve\""), ("IdleTime", null), ("IsAdmin", null)) }),
                ",\"hours\":" + Array(new[] { Hour(now.Date.AddHours(now.Hour - 2), 30, 20, 10), Hour(now.Date.AddHours(now.Hour - 1), 60, 0, 0), Hour(now.Date.AddHours(now.Hour - 1), 1, 2, 3, ("UserName", "\"BOB\"")) }),
                computerName: "\"PC8\"")), null);
            Add("idle, nobody logged on", 9, Base64(Envelope("IdleSamples", null, gen, "[]", computerName: "\"PC9\"")), null);
            Add("clock ahead: clamped to now", 10, Base64(Envelope("UserSessions", 10, Q(Iso(now.AddHours(2))), Array(new[] { Session(t) }), computerName: "\"PC10\"")), null);

            // Base64 and UTF-8.
            Add("empty", E, "", "empty");
            Add("not base64", E, "eyJmb3JtYXQiOjF9'; DROP TABLE computers; --", "base64");
            Add("base64 with a newline", E, "QUJ" + "\n", "base64");
            Add("oversize", E, new string('A', 60004), "at most 60000");
            Add("not UTF-8", E, Base64(new byte[] { 0x7b, 0xff, 0xfe, 0x7d }), "UTF-8");
            Add("UTF-8 surrogate", E, Base64(new byte[] { 0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d }), "UTF-8");
            Add("overlong UTF-8", E, Base64(new byte[] { 0x5b, 0x22, 0xc0, 0xaf, 0x22, 0x5d }), "UTF-8");

            // JSON the strict reader refuses.
            Add("not JSON", E, Base64("this is not json {"), JsonRefused);
            string good = Envelope("UserSessions", E, gen, Array(new[] { Session(t) }));
            Add("truncated", E, Base64(good.Substring(0, good.Length / 2)), JsonRefused);
            Add("duplicate member", E, Base64("{\"format\":1,\"format\":1,\"kind\":\"UserSessions\",\"items\":[]}"), JsonRefused);
            Add("duplicate member in an item", E, Base64(Envelope("UserSessions", E, gen, "[{\"State\":\"Active\",\"UserName\":\"a\",\"UserName\":\"b\"}]")), JsonRefused);
            Add("escaped member name", E, Base64(Envelope("UserSessions", E, gen, "[{\"State\":\"Active\",\"User\\u004eame\":\"x\"}]")), JsonRefused);
            Add("nested too deep", E, Base64(new string('[', 100) + new string(']', 100)), JsonRefused);
            Add("18 levels", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":" + new string('[', 17) + new string(']', 17))), JsonRefused);
            Add("number of 41 digits", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":" + new string('9', 41))), JsonRefused);
            Add("malformed number 1.", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":1.")), JsonRefused);
            Add("malformed number -", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":[-]")), JsonRefused);
            Add("malformed number 1e", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":1e")), JsonRefused);
            Add("unknown escape", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":\"a\\qb\"")), JsonRefused);
            Add("lone surrogate", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":\"\\ud800\"")), JsonRefused);
            Add("raw control character", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"x\":\"a\tb\"")), JsonRefused);
            Add("trailing text", E, Base64(good + "x"), JsonRefused);

            // The envelope.
            Add("plain array", E, Base64("[{\"State\":\"Active\"}]"), "no generatedUtc");
            Add("plain array with a number", E, Base64("[{\"State\":\"Active\"},5]"), "items[1] is not an object");
            Add("a number", E, Base64("42"), "neither an envelope");
            Add("newer format", E, Base64(Envelope("UserSessions", E, gen, "[]", format: "2")), "format version 2");
            Add("format 0", E, Base64(Envelope("UserSessions", E, gen, "[]", format: "-0")), "format 0 is not");
            Add("format as text", E, Base64(Envelope("UserSessions", E, gen, "[]", format: "\"1\"")), "missing or not a whole number");
            Add("format 1.0", E, Base64(Envelope("UserSessions", E, gen, "[]", format: "1.0")), "missing or not a whole number");
            Add("unknown kind", E, Base64(Envelope("Passwords" + new string('x', 50), 7, gen, "[]")), "which this module does not read");
            Add("kind with a space", E, Base64(Envelope("UserSessions ", 7, gen, "[]")), "which this module does not read");
            Add("computerName a number", E, Base64(Envelope("UserSessions", E, gen, "[]", computerName: "5")), "'computerName' is not a string");
            Add("agentId 1.5", E, Base64(Envelope("UserSessions", null, gen, "[]", ",\"agentId\":1.5")), "'agentId' is not a whole number");
            Add("no generatedUtc", E, Base64(Envelope("UserSessions", E, null, "[]")), "no generatedUtc");
            Add("generatedUtc without zone", E, Base64(Envelope("UserSessions", E, "\"2026-11-25T10:00:00\"", "[]")), "'generatedUtc' is not a date");
            Add("no items", E, Base64("{\"format\":1,\"kind\":\"UserSessions\",\"generatedUtc\":" + gen + "}"), "has no items");
            Add("items null", E, Base64(Envelope("UserSessions", E, gen, "null")), "'items' is not an array");
            Add("items an object", E, Base64(Envelope("UserSessions", E, gen, "{}")), "'items' is not an array");
            Add("events a string", E, Base64(Envelope("UserSessions", E, gen, "[]", ",\"events\":\"x\"")), "'events' is not an array");
            Add("hours with a number", 8, Base64(Envelope("IdleSamples", 8, gen, "[]", ",\"hours\":[{},1]")), "hours[1] is not an object");

            // Who sent it.
            Add("wrong AgentId", E, Base64(Envelope("UserSessions", 70, gen, "[]")), "cloned agent or tampering");
            Add("wrong AgentId in an item", F, S(("AgentId", "8")), "cloned agent or tampering");
            Add("unknown computer", 99, Base64(Envelope("UserSessions", 99, gen, "[]")), "no computer with ComputerID 99");
            Add("too many sessions", E, Base64(Envelope("UserSessions", E, gen, Array(Enumerable.Repeat("{\"State\":0}", 2001)))), "2001 sessions");

            // Fields.
            Add("5,000-character name", F, S(("UserName", Q(new string('x', 5000)))), "5000 characters long");
            Add("forbidden character in a user name", F, S(("UserName", "\"a/b\"")), "cannot have ('a/b')");
            Add("user name with a trailing newline", F, S(("UserName", "\"alice\\n\"")), "cannot have ('alice?')");
            Add("null byte in a user name", F, S(("UserName", "\"a\\u0000b\"")), "cannot have ('a?b')");
            Add("SQL in a user name", F, S(("UserName", "\"x'); DROP TABLE computers; --\"")), "'UserName' holds characters");
            Add("SQL in a domain", F, S(("Domain", "\"CONTOSO' OR '1'='1\"")), "'Domain' holds characters");
            Add("SQL in an address", F, S(("ClientAddress", "\"1.2.3.4'; --\"")), "neither an IP address");
            Add("bracketed IPv6", F, S(("ClientAddress", "\"[::1]\"")), "neither an IP address");
            Add("emoji in a domain", F, S(("Domain", "\"CONTOSO😀\"")), "'Domain' holds characters");
            Add("letter beyond U+FFFF in a domain", F, S(("Domain", "\"CONTOSO\uD835\uDC00\"")), "'Domain' holds characters");
            Add("Kelvin sign in a session id", F, S(("SessionId", "\"\u212A1\"")), "'SessionId' holds characters");
            Add("long computer name", F, S(("ComputerName", Q(new string('c', 41) + "/"))), "'ComputerName' holds characters a ComputerName cannot have ('" + new string('c', 40) + "...')");
            Add("SessionLength as text", F, S(("SessionLength", "\"forty-two\"")), "'SessionLength' is not a whole number");
            Add("SessionLength too big for int", F, S(("SessionLength", "2147483648")), "'SessionLength' is not a whole number");
            Add("SessionLength over 10 years", F, S(("SessionLength", "6000000")), "negative or longer than 10 years");
            Add("State a list", F, S(("State", "[1]")), "'State' is not one of Active");
            Add("State two names", F, S(("State", "\"Active,Disconnected\"")), "'State' is not one of");
            Add("State with a space", F, S(("State", "\" Active\"")), "'State' is not one of");
            Add("State 10", F, S(("State", "10")), "'State' is not one of");
            Add("State missing", F, S(("State", null)), "'State' is missing");
            Add("IsConsole as text", F, S(("IsConsole", "\"true\"")), "'IsConsole' is not true or false");
            Add("SessionId negative", F, S(("SessionId", "-5")), "neither text nor a whole number");
            Add("IdleTime 1:2:3", F, S(("IdleTime", "\"1:2:3\"")), "'IdleTime' is not a duration");
            Add("IdleTime 24 hours", F, S(("IdleTime", "\"24:00:00\"")), "'IdleTime' is not a duration");
            Add("IdleTime with an exponent", F, S(("IdleTime", "1e2")), "'IdleTime' is not a duration");
            Add("IdleTime negative", F, S(("IdleTime", "\"-00:05:00\"")), "negative or longer");
            Add("invalid date", F, S(("LogonTime", "\"2026-02-30T00:00:00Z\"")), "'LogonTime' is not a date");
            Add("date without a zone", F, S(("LogonTime", "\"2026-11-01T10:00:00\"")), "'LogonTime' is not a date");
            Add("offset beyond 14 hours", F, S(("LogonTime", "\"2026-11-01T10:00:00+14:30\"")), "'LogonTime' is not a date");
            Add("lowercase t", F, S(("LogonTime", "\"2026-11-01t10:00:00Z\"")), "'LogonTime' is not a date");
            Add("date in 1999", F, S(("ConnectTime", "\"1999-12-31T23:59:59.9999999Z\"")), "outside 2000-01-01 .. tomorrow (1999-12-31 23:59:59 UTC)");
            Add("date in year 1", F, S(("ConnectTime", "\"0001-01-01T00:30:00-01:00\"")), "outside 2000-01-01 .. tomorrow (0001-01-01 01:30:00 UTC)");
            Add("date before year 1", F, S(("ConnectTime", "\"0001-01-01T00:30:00+01:00\"")), "'ConnectTime' is not a date");
            Add("date in 2099", F, S(("DisconnectTime", "\"2099-01-01T00:00:00Z\"")), "outside 2000-01-01");
            Add("/Date/ in 1969", F, S(("LastInputTime", "\"/Date(-1000)/\"")), "(1969-12-31 23:59:59 UTC)");
            Add("duplicate session", F, Base64(Envelope("UserSessions", F, gen, Array(new[] { Session(t), Session(t, ("Domain", "\"OTHER\"")) }))), "lists session '2' of 'alice' twice");
            Add("event without a time", F, Base64(Envelope("UserSessions", F, gen, "[]", ",\"events\":[" + Event("Logon", t, ("TimeCreated", null)) + "]")), "'TimeCreated' is missing");
            Add("event of an unknown kind", F, Base64(Envelope("UserSessions", F, gen, "[]", ",\"events\":[" + Event("Hack", t) + "]")), "'Kind' is not one of Logon");
            Add("event source too long", F, Base64(Envelope("UserSessions", F, gen, "[]", ",\"events\":[" + Event("Logon", t, ("Source", Q(new string('s', 65)))) + "]")), "'Source' is 65 characters long; the column holds 64");
            Add("idle sample without a user", 8, I(("UserName", null)), "'UserName' is missing");
            Add("idle sample with a numeric session id", 8, I(("SessionId", "3")), "'SessionId' is not a string");
            Add("idle sample of an unknown source", 8, I(("Source", "\"Spy\"")), "'Source' is not one of Sampler");
            Add("idle time of 9999999 days", 8, I(("IdleTime", "\"9999999.00:00:00\"")), "negative or longer");
            Add("hour not at the start", 8, H(Hour(now.Date.AddHours(1).AddMinutes(30), 1, 1, 1)), "not the start of an hour");
            Add("hour over 60 minutes", 8, H(Hour(now.Date.AddHours(1), 2147483647, 2147483647, 2)), "negative or more than an hour");
            Add("hour repeated", 8, H(Hour(now.Date.AddHours(1), 1, 1, 1) + "," + Hour(now.Date.AddHours(1), 2, 2, 2)), "hours[1] repeats an hour");
            Add("hour without minutes", 8, H(Hour(now.Date.AddHours(1), 1, 1, 1, ("IdleMinutes", null))), "'IdleMinutes' is missing");
            Add("idle computer name with a slash", 8, Base64(Envelope("IdleSamples", 8, gen, "[]", computerName: "\"PC/8\"")), "'computerName' holds characters");
            return e;
        }

        /// <summary>The second round: reports older than those saved (stale), and a flooding endpoint.</summary>
        public static List<CorpusEntry> Round2(DateTime now)
        {
            DateTime t = now.AddHours(-3);
            var e = new List<CorpusEntry>
            {
                new CorpusEntry("stale sessions", 7, Base64(Envelope("UserSessions", 7, Q(Iso(now.AddMinutes(-50))), Array(new[] { Session(t, ("UserName", "\"mallory\"")) }))), null),
                new CorpusEntry("stale idle with an old hour", 8, Base64(Envelope("IdleSamples", 8, Q(Iso(now.AddMinutes(-50))), Array(new[] { Sample(now.AddMinutes(-51)) }),
                    ",\"hours\":" + Array(new[] { Hour(now.Date.AddHours(now.Hour - 5), 5, 5, 5), Hour(now.Date.AddHours(now.Hour - 1), 9, 9, 9) }), computerName: "\"PC8\"")), null),
            };
            for (int i = 0; i < 8; i++)
                e.Add(new CorpusEntry("flood " + i, 9, Base64(Envelope("IdleSamples", 9, Q(Iso(now.AddMinutes(-40 + i))), "[]", computerName: "\"PC9\"")), i < 6 ? "more than 5 payloads" : null));
            for (int i = 0; i < 3; i++) e.Add(new CorpusEntry("junk " + i, 9, "bm90IGpzb24=", JsonRefused));
            // More refusals than are kept for one computer: the oldest go.
            for (int i = 0; i < 55; i++) e.Add(new CorpusEntry("flood of junk " + i, 10, "bm90IGpzb24=", i < 50 ? "more than 5 payloads" : JsonRefused));
            return e;
        }
    }
}
