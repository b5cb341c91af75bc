using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Tests.Windows
{
    public class LocalSessionManagerEventsTests
    {
        // ---------- fixtures: real events ----------

        /// <summary>
        /// Event 21, verbatim from Psmths/windows-forensic-artifacts, network/terminal-services-local-21.md
        /// ("This example was produced on Windows 10, Version 10.0.19044 Build 19044"). It is Event Viewer's
        /// "XML View" copy, with the viewer's "- " fold markers in front of the collapsible elements; see
        /// <see cref="WithoutFoldMarkers"/>.
        /// </summary>
        private const string Psmths21 = @"- <Event xmlns=""http://schemas.microsoft.com/win/2004/08/events/event"">
- <System>
  <Provider Name=""Microsoft-Windows-TerminalServices-LocalSessionManager"" Guid=""{5d896912-022d-40aa-a3a8-4fa5515c76d7}"" /> 
  <EventID>21</EventID> 
  <Version>0</Version> 
  <Level>4</Level> 
  <Task>0</Task> 
  <Opcode>0</Opcode> 
  <Keywords>0x1000000000000000</Keywords> 
  <TimeCreated SystemTime=""2023-07-12T12:01:05.5944806Z"" /> 
  <EventRecordID>1520</EventRecordID> 
  <Correlation ActivityID=""{f4204024-08a2-45cd-951b-f756f64b0000}"" /> 
  <Execution ProcessID=""1440"" ThreadID=""18112"" /> 
  <Channel>Microsoft-Windows-TerminalServices-LocalSessionManager/Operational</Channel> 
  <Computer>HLPC01</Computer> 
  <Security UserID=""S-1-5-18"" /> 
  </System>
- <UserData>
- <EventXML xmlns=""Event_NS"">
  <User>HLPC01\john.doe</User> 
  <SessionID>4</SessionID> 
  <Address>192.168.180.57</Address> 
  </EventXML>
  </UserData>
  </Event>";

        /// <summary>Event 24, verbatim from the same repository, network/terminal-services-local-24.md (Windows 10 19044).</summary>
        private const string Psmths24 = @"- <Event xmlns=""http://schemas.microsoft.com/win/2004/08/events/event"">
- <System>
  <Provider Name=""Microsoft-Windows-TerminalServices-LocalSessionManager"" Guid=""{5d896912-022d-40aa-a3a8-4fa5515c76d7}"" /> 
  <EventID>24</EventID> 
  <Version>0</Version> 
  <Level>4</Level> 
  <Task>0</Task> 
  <Opcode>0</Opcode> 
  <Keywords>0x1000000000000000</Keywords> 
  <TimeCreated SystemTime=""2023-07-12T12:46:43.1684648Z"" /> 
  <EventRecordID>1544</EventRecordID> 
  <Correlation ActivityID=""{f4207ac4-a73b-4efa-b345-178e7e530000}"" /> 
  <Execution ProcessID=""1440"" ThreadID=""7996"" /> 
  <Channel>Microsoft-Windows-TerminalServices-LocalSessionManager/Operational</Channel> 
  <Computer>HLPC01</Computer> 
  <Security UserID=""S-1-5-18"" /> 
  </System>
- <UserData>
- <EventXML xmlns=""Event_NS"">
  <User>HLPC01\john.doe</User> 
  <SessionID>4</SessionID> 
  <Address>192.168.180.57</Address> 
  </EventXML>
  </UserData>
  </Event>";

        /// <summary>
        /// Events 21 (console logon, Address LOCAL) and 23 (logoff: no Address element) in the exact form EvtRender
        /// writes (one line, single-quoted attributes), verbatim from a public Rust project's test fixtures labelled
        /// "A real console logon (21) from a Windows 11 26200 host, 2026-10-05, with the computer and account renamed"
        /// and "A real logoff (23) from the same host: no `Address` element" (found with the code search; the index
        /// does not name the repository).
        /// </summary>
        private const string Win11Console21 = @"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-TerminalServices-LocalSessionManager' Guid='{5d896912-022d-40aa-a3a8-4fa5515c76d7}'/><EventID>21</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x1000000000000000</Keywords><TimeCreated SystemTime='2026-10-05T11:46:09.8088735Z'/><EventRecordID>16693</EventRecordID><Correlation ActivityID='{f48050f4-5382-4583-b7f5-6c0251ba0000}'/><Execution ProcessID='2312' ThreadID='2324'/><Channel>Microsoft-Windows-TerminalServices-LocalSessionManager/Operational</Channel><Computer>SANDBOX</Computer><Security UserID='S-1-5-18'/></System><UserData><EventXML xmlns='Event_NS'><User>SANDBOX\alice</User><SessionID>1</SessionID><Address>LOCAL</Address></EventXML></UserData></Event>";

        private const string Win11Logoff23 = @"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-TerminalServices-LocalSessionManager' Guid='{5d896912-022d-40aa-a3a8-4fa5515c76d7}'/><EventID>23</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x1000000000000000</Keywords><TimeCreated SystemTime='2026-10-05T00:04:15.7851490Z'/><EventRecordID>16688</EventRecordID><Correlation ActivityID='{f48064b9-4c41-4efa-85e2-92176a980000}'/><Execution ProcessID='2292' ThreadID='39104'/><Channel>Microsoft-Windows-TerminalServices-LocalSessionManager/Operational</Channel><Computer>SANDBOX</Computer><Security UserID='S-1-5-18'/></System><UserData><EventXML xmlns='Event_NS'><User>SANDBOX\alice</User><SessionID>1</SessionID></EventXML></UserData></Event>";

        /// <summary>
        /// Event 25. No verbatim sample of a 25 was found; the documented payload is the same User, SessionID and
        /// Address as 24, so this is the real 24 above with its EventID, time and record id changed.
        /// </summary>
        private static readonly string Derived25 = WithoutFoldMarkers(Psmths24)
            .Replace("<EventID>24</EventID>", "<EventID>25</EventID>")
            .Replace("2023-07-12T12:46:43.1684648Z", "2023-07-12T13:02:10.0000001Z")
            .Replace("<EventRecordID>1544</EventRecordID>", "<EventRecordID>1551</EventRecordID>");

        /// <summary>Event Viewer's XML View puts "- " before collapsible elements; the saved XML has no such text.</summary>
        private static string WithoutFoldMarkers(string eventViewerText) =>
            Regex.Replace(eventViewerText, @"^\s*- (?=<)", "", RegexOptions.Multiline);

        private static SessionEvent Parse(string xml)
        {
            var e = LocalSessionManagerEvents.Parse(xml, "SRV01", 4711, out string problem);
            Assert.True(e != null, problem);
            Assert.Null(problem);
            return e;
        }

        // ---------- the four kinds ----------

        [Fact]
        public void Event_21_is_a_logon_with_its_client_address()
        {
            SessionEvent e = Parse(WithoutFoldMarkers(Psmths21));
            Assert.Equal(SessionEventKind.Logon, e.Kind);
            Assert.Equal("HLPC01", e.Domain);
            Assert.Equal("john.doe", e.UserName);
            Assert.Equal("4", e.SessionId);
            Assert.Equal("192.168.180.57", e.ClientAddress);
            Assert.Equal(new DateTime(2023, 7, 12, 12, 1, 5, DateTimeKind.Utc).AddTicks(5944806), e.TimeCreated.ToUniversalTime());
            Assert.Equal(DateTimeKind.Local, e.TimeCreated.Kind);
            Assert.Equal("1520", e.Source);
            Assert.Equal("SRV01", e.ComputerName);
            Assert.Equal(4711, e.AgentId);
            Assert.Null(e.SessionName);
        }

        [Fact]
        public void Event_21_from_the_console_has_no_client_address()
        {
            SessionEvent e = Parse(Win11Console21);
            Assert.Equal(SessionEventKind.Logon, e.Kind);
            Assert.Equal("SANDBOX", e.Domain);
            Assert.Equal("alice", e.UserName);
            Assert.Equal("1", e.SessionId);
            Assert.Null(e.ClientAddress); // "LOCAL"
            Assert.Equal(new DateTime(2026, 10, 5, 11, 46, 9, DateTimeKind.Utc).AddTicks(8088735), e.TimeCreated.ToUniversalTime());
            Assert.Equal("16693", e.Source);
        }

        [Fact]
        public void Event_23_is_a_logoff_and_has_no_address_element()
        {
            SessionEvent e = Parse(Win11Logoff23);
            Assert.Equal(SessionEventKind.Logoff, e.Kind);
            Assert.Equal("alice", e.UserName);
            Assert.Equal("1", e.SessionId);
            Assert.Null(e.ClientAddress);
            Assert.Equal(new DateTime(2026, 10, 5, 0, 4, 15, DateTimeKind.Utc).AddTicks(7851490), e.TimeCreated.ToUniversalTime());
            Assert.Equal("16688", e.Source);
        }

        [Fact]
        public void Event_24_is_a_disconnect()
        {
            SessionEvent e = Parse(WithoutFoldMarkers(Psmths24));
            Assert.Equal(SessionEventKind.Disconnect, e.Kind);
            Assert.Equal("john.doe", e.UserName);
            Assert.Equal("192.168.180.57", e.ClientAddress);
            Assert.Equal(new DateTime(2023, 7, 12, 12, 46, 43, DateTimeKind.Utc).AddTicks(1684648), e.TimeCreated.ToUniversalTime());
            Assert.Equal("1544", e.Source);
        }

        [Fact]
        public void Event_25_is_a_reconnect()
        {
            SessionEvent e = Parse(Derived25);
            Assert.Equal(SessionEventKind.Reconnect, e.Kind);
            Assert.Equal("4", e.SessionId);
            Assert.Equal("192.168.180.57", e.ClientAddress);
            Assert.Equal("1551", e.Source);
        }

        // ---------- what is skipped, never thrown ----------

        [Theory]
        [InlineData("")]
        [InlineData("not xml at all")]
        [InlineData("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>21</EventID>")]
        [InlineData("<Other/>")]
        public void Malformed_xml_is_skipped_with_a_reason(string xml)
        {
            var e = LocalSessionManagerEvents.Parse(xml, "SRV01", null, out string problem);
            Assert.Null(e);
            Assert.False(string.IsNullOrEmpty(problem));
        }

        [Fact]
        public void The_event_viewer_copy_with_its_fold_markers_is_not_xml_and_is_skipped()
        {
            Assert.Null(LocalSessionManagerEvents.Parse(Psmths21, "SRV01", null, out string problem));
            Assert.Contains("malformed", problem);
        }

        [Fact]
        public void Another_event_id_is_skipped()
        {
            string shell22 = Win11Console21.Replace("<EventID>21</EventID>", "<EventID>22</EventID>");
            Assert.Null(LocalSessionManagerEvents.Parse(shell22, "SRV01", null, out string problem));
            Assert.Contains("22", problem);
            Assert.Contains("16693", problem);
        }

        [Fact]
        public void An_event_without_time_or_payload_or_with_a_bad_session_id_is_skipped()
        {
            string noTime = Win11Console21.Replace("<TimeCreated SystemTime='2026-10-05T11:46:09.8088735Z'/>", "");
            string badTime = Win11Console21.Replace("2026-10-05T11:46:09.8088735Z", "yesterday");
            string noPayload = Regex.Replace(Win11Console21, "<UserData>.*</UserData>", "");
            string badSession = Win11Console21.Replace("<SessionID>1</SessionID>", "<SessionID>one</SessionID>");
            foreach (string xml in new[] { noTime, badTime, noPayload, badSession })
            {
                Assert.Null(LocalSessionManagerEvents.Parse(xml, "SRV01", null, out string problem));
                Assert.NotNull(problem);
            }
        }

        [Fact]
        public void A_document_type_declaration_is_refused()
        {
            string xml = "<!DOCTYPE Event [<!ENTITY x 'y'>]>" + Win11Console21;
            Assert.Null(LocalSessionManagerEvents.Parse(xml, "SRV01", null, out string problem));
            Assert.NotNull(problem);
        }

        [Fact]
        public void Parse_all_keeps_the_good_events_oldest_first_and_reports_the_rest()
        {
            var skipped = new List<string>();
            var events = LocalSessionManagerEvents.ParseAll(new[]
            {
                Derived25,
                "<broken",
                WithoutFoldMarkers(Psmths24),
                Win11Console21.Replace("<EventID>21</EventID>", "<EventID>40</EventID>"),
                WithoutFoldMarkers(Psmths21),
                null,
            }, "SRV01", 4711, skipped);
            Assert.Equal(new[] { "1520", "1544", "1551" }, events.Select(e => e.Source).ToArray());
            Assert.Equal(new[] { SessionEventKind.Logon, SessionEventKind.Disconnect, SessionEventKind.Reconnect },
                events.Select(e => e.Kind).ToArray());
            Assert.Equal(3, skipped.Count);
        }

        // ---------- pieces ----------

        [Theory]
        [InlineData("2023-07-12T12:01:05.5944806Z", 2023, 7, 12, 12, 1, 5, 5944806)]
        [InlineData("2016-03-01T14:11:39.616412200Z", 2016, 3, 1, 14, 11, 39, 6164122)] // 9 digits, as Windows 7 wrote
        [InlineData("2016-03-01T14:11:39.5Z", 2016, 3, 1, 14, 11, 39, 5000000)]
        [InlineData("2016-03-01T14:11:39Z", 2016, 3, 1, 14, 11, 39, 0)]
        public void System_time_is_read_as_utc_to_the_tick(string text, int y, int mo, int d, int h, int mi, int s, long ticks)
        {
            DateTime? t = LocalSessionManagerEvents.ParseSystemTime(text);
            Assert.Equal(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc).AddTicks(ticks), t);
            Assert.Equal(DateTimeKind.Utc, t.Value.Kind);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("2016-03-01 14:11:39Z")]
        [InlineData("2016-03-01T14:11:39")]
        [InlineData("2016-02-30T14:11:39Z")]
        [InlineData("2016-03-01T14:11:39.Z")]
        public void A_system_time_that_is_not_one_is_null(string text)
        {
            Assert.Null(LocalSessionManagerEvents.ParseSystemTime(text));
        }

        [Theory]
        [InlineData(@"CONTOSO\alice", "CONTOSO", "alice")]
        [InlineData("alice", null, "alice")]
        [InlineData(@"\alice", null, "alice")]
        [InlineData(@"NT AUTHORITY\SYSTEM", "NT AUTHORITY", "SYSTEM")]
        [InlineData("", null, null)]
        [InlineData(null, null, null)]
        public void User_splits_into_domain_and_name(string text, string domain, string user)
        {
            LocalSessionManagerEvents.SplitUser(text, out string d, out string u);
            Assert.Equal(domain, d);
            Assert.Equal(user, u);
        }

        [Fact]
        public void The_query_asks_for_the_four_events_since_the_instant_in_utc()
        {
            Assert.Equal(
                "*[System[(EventID=21 or EventID=23 or EventID=24 or EventID=25) and TimeCreated[@SystemTime>='2024-03-10T08:15:00.123Z']]]",
                LocalSessionManagerEvents.BuildQuery(new DateTime(2024, 3, 10, 8, 15, 0, 123, DateTimeKind.Utc)));
            var local = new DateTime(2024, 3, 10, 8, 15, 0, 123, DateTimeKind.Utc).ToLocalTime();
            Assert.Equal(
                "*[System[(EventID=21 or EventID=23 or EventID=24 or EventID=25) and TimeCreated[@SystemTime>='2024-03-10T08:15:00.123Z']]]",
                LocalSessionManagerEvents.BuildQuery(local));
            Assert.Equal("Microsoft-Windows-TerminalServices-LocalSessionManager/Operational", LocalSessionManagerEvents.Channel);
        }

        [Fact]
        public void The_rendered_buffer_is_read_up_to_its_nul()
        {
            byte[] text = Encoding.Unicode.GetBytes("<Event/>\0");
            var buffer = new byte[64];
            for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)'z';
            Array.Copy(text, buffer, text.Length);
            Assert.Equal("<Event/>", LocalSessionManagerEvents.DecodeRendered(buffer, text.Length));
            Assert.Null(LocalSessionManagerEvents.DecodeRendered(buffer, 0));
        }
    }
}
