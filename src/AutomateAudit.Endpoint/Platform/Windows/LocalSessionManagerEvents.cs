using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace AutomateAudit.Endpoint.Platform.Windows
{
    /// <summary>
    /// The TerminalServices-LocalSessionManager operational log's session events, as EvtRender(EvtRenderEventXml)
    /// writes them: 21 logon, 23 logoff, 24 disconnect, 25 reconnect. Pure: the query text and the XML parsing.
    /// </summary>
    /// <remarks>
    /// The XML looks like this (a real event 21, Windows 10 19044; Psmths/windows-forensic-artifacts,
    /// network/terminal-services-local-21.md):
    /// <code>
    /// &lt;Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"&gt;
    ///   &lt;System&gt; ... &lt;EventID&gt;21&lt;/EventID&gt; ... &lt;TimeCreated SystemTime="2023-07-12T12:01:05.5944806Z" /&gt;
    ///   &lt;EventRecordID&gt;1520&lt;/EventRecordID&gt; ... &lt;/System&gt;
    ///   &lt;UserData&gt;&lt;EventXML xmlns="Event_NS"&gt;&lt;User&gt;HLPC01\john.doe&lt;/User&gt;&lt;SessionID&gt;4&lt;/SessionID&gt;
    ///   &lt;Address&gt;192.168.180.57&lt;/Address&gt;&lt;/EventXML&gt;&lt;/UserData&gt;
    /// &lt;/Event&gt;
    /// </code>
    /// Address is "LOCAL" for a console logon, and absent from event 23.
    /// </remarks>
    internal static class LocalSessionManagerEvents
    {
        public const string Channel = "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational";
        public const string EventNamespace = "http://schemas.microsoft.com/win/2004/08/events/event";

        /// <summary>
        /// The XPath for EvtQuery: the four session events created at or after the instant, to the millisecond
        /// (the form Get-WinEvent writes for -FilterHashtable StartTime).
        /// </summary>
        public static string BuildQuery(DateTime since)
        {
            DateTime utc = since.Kind == DateTimeKind.Local ? since.ToUniversalTime()
                : DateTime.SpecifyKind(since, DateTimeKind.Utc);
            return "*[System[(EventID=21 or EventID=23 or EventID=24 or EventID=25) and TimeCreated[@SystemTime>='"
                + utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "']]]";
        }

        /// <summary>The event kind for a LocalSessionManager event id; null for any other id.</summary>
        public static SessionEventKind? KindOf(int eventId)
        {
            switch (eventId)
            {
                case 21: return SessionEventKind.Logon;
                case 23: return SessionEventKind.Logoff;
                case 24: return SessionEventKind.Disconnect;
                case 25: return SessionEventKind.Reconnect;
                default: return null;
            }
        }

        /// <summary>
        /// One rendered event as a SessionEvent; null (with the reason in <paramref name="problem"/>) when the XML is
        /// malformed, lacks the fields every such event has, or has another event id. Never throws on bad input.
        /// </summary>
        public static SessionEvent Parse(string xml, string computerName, int? agentId, out string problem)
        {
            problem = null;
            if (string.IsNullOrWhiteSpace(xml)) { problem = "empty event XML"; return null; }
            XElement root;
            try
            {
                var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
                using (var reader = XmlReader.Create(new StringReader(xml), settings))
                    root = XDocument.Load(reader).Root;
            }
            catch (XmlException e)
            {
                problem = "malformed event XML: " + e.Message;
                return null;
            }
            if (root == null || root.Name.LocalName != "Event") { problem = "the XML is not an Event"; return null; }

            XElement system = Child(root, "System");
            string recordId = Text(Child(system, "EventRecordID"));
            string where = recordId == null ? "an event" : "event record " + recordId;

            if (!int.TryParse(Text(Child(system, "EventID")), NumberStyles.Integer, CultureInfo.InvariantCulture, out int eventId))
            {
                problem = where + " has no EventID";
                return null;
            }
            SessionEventKind? kind = KindOf(eventId);
            if (kind == null) { problem = where + " has event id " + eventId.ToString(CultureInfo.InvariantCulture) + ", not 21, 23, 24 or 25"; return null; }

            string systemTime = (string)Child(system, "TimeCreated")?.Attribute("SystemTime");
            DateTime? created = ParseSystemTime(systemTime);
            if (created == null) { problem = where + " has no readable TimeCreated (" + (systemTime ?? "none") + ")"; return null; }

            XElement data = Child(Child(root, "UserData"), "EventXML");
            if (data == null) { problem = where + " has no UserData/EventXML"; return null; }

            SplitUser(Text(Child(data, "User")), out string domain, out string user);
            string sessionId = Text(Child(data, "SessionID"));
            if (sessionId != null && !int.TryParse(sessionId, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                problem = where + " has a SessionID that is not a number (" + sessionId + ")";
                return null;
            }
            string address = Text(Child(data, "Address"));
            if (string.Equals(address, "LOCAL", StringComparison.OrdinalIgnoreCase)) address = null;

            return new SessionEvent
            {
                ComputerName = computerName,
                AgentId = agentId,
                UserName = user,
                Domain = domain,
                SessionId = sessionId,
                SessionName = null, // the events do not name the WinStation
                Kind = kind.Value,
                TimeCreated = created.Value.ToLocalTime(),
                ClientAddress = address,
                Source = recordId,
            };
        }

        /// <summary>Parses many rendered events: the good ones oldest first, and one line per skipped event.</summary>
        public static List<SessionEvent> ParseAll(IEnumerable<string> xmls, string computerName, int? agentId, ICollection<string> skipped)
        {
            var events = new List<SessionEvent>();
            var order = new List<KeyValuePair<int, SessionEvent>>();
            int i = 0;
            foreach (string xml in xmls)
            {
                var e = Parse(xml, computerName, agentId, out string problem);
                if (e != null) order.Add(new KeyValuePair<int, SessionEvent>(i++, e));
                else skipped?.Add(problem);
            }
            // Oldest first; read order (record order) breaks ties. OrderBy is stable.
            events.AddRange(order.OrderBy(p => p.Value.TimeCreated.ToUniversalTime()).ThenBy(p => p.Key).Select(p => p.Value));
            return events;
        }

        private static readonly Regex SystemTimePattern = new Regex(
            @"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$", RegexOptions.CultureInvariant);

        /// <summary>
        /// TimeCreated/@SystemTime as UTC. Windows writes 7 fractional digits today and wrote 9 on older versions
        /// ("2016-03-01T14:11:39.616412200Z"); digits past the 7th (below 100 ns) are dropped.
        /// </summary>
        public static DateTime? ParseSystemTime(string text)
        {
            if (text == null) return null;
            Match m = SystemTimePattern.Match(text.Trim());
            if (!m.Success) return null;
            if (!DateTime.TryParseExact(m.Groups[1].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTime whole))
                return null;
            string fraction = m.Groups[2].Success ? m.Groups[2].Value : "";
            if (fraction.Length > 7) fraction = fraction.Substring(0, 7);
            long ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0'), CultureInfo.InvariantCulture);
            return DateTime.SpecifyKind(whole, DateTimeKind.Utc).AddTicks(ticks);
        }

        /// <summary>"DOMAIN\user" as its parts; a name without a backslash has no domain. Blank parts are null.</summary>
        public static void SplitUser(string text, out string domain, out string user)
        {
            domain = null;
            user = null;
            if (string.IsNullOrWhiteSpace(text)) return;
            text = text.Trim();
            int slash = text.IndexOf('\\');
            if (slash < 0) { user = text; return; }
            domain = Blank(text.Substring(0, slash));
            user = Blank(text.Substring(slash + 1));
        }

        /// <summary>EvtRender's buffer (UTF-16LE, bufferUsed bytes including the terminating NUL) as a string.</summary>
        public static string DecodeRendered(byte[] buffer, int bufferUsed)
        {
            if (buffer == null || bufferUsed <= 0) return null;
            int length = Math.Min(bufferUsed, buffer.Length) & ~1;
            string s = Encoding.Unicode.GetString(buffer, 0, length);
            int nul = s.IndexOf('\0');
            return nul >= 0 ? s.Substring(0, nul) : s;
        }

        // Elements are matched by local name: the Event namespace on System, Event_NS on the EventXML children.
        private static XElement Child(XElement parent, string localName) =>
            parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

        private static string Text(XElement e) => e == null ? null : Blank(e.Value);

        private static string Blank(string s)
        {
            if (s == null) return null;
            s = s.Trim();
            return s.Length == 0 ? null : s;
        }
    }
}
