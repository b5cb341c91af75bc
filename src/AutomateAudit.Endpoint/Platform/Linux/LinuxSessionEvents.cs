using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;

namespace AutomateAudit.Endpoint.Platform.Linux
{
    /// <summary>The events half of the Linux session source: logons and logoffs from wtmp, paired as `last` pairs them.</summary>
    internal sealed partial class LinuxSessionSource
    {
        public IReadOnlyList<SessionEvent> GetEvents(DateTime sinceUtc)
        {
            if (sinceUtc.Kind == DateTimeKind.Local) sinceUtc = sinceUtc.ToUniversalTime();
            if (!File.Exists(WtmpPath))
            {
                throw new FileNotFoundException(
                    $"The login history file {WtmpPath} was not found. Systems that keep it in wtmpdb instead (openSUSE, newer Debian) are not supported yet.",
                    WtmpPath);
            }

            // The previous month's file (logrotate's wtmp.1, uncompressed by default) is replayed first when present:
            // it holds events before the current file starts, and the logins that a logoff in the current file closes.
            var files = new List<string>();
            string rotated = WtmpPath + ".1";
            if (File.Exists(rotated)) files.Add(rotated);
            files.Add(WtmpPath);
            return ReadEvents(files, sinceUtc);
        }

        /// <summary>
        /// Replays wtmp records in file order, as `last` pairs them (it reads backwards; this reads forwards to the same
        /// pairs): USER_PROCESS opens a login on its line (Logon); DEAD_PROCESS on that line closes it (Logoff), matched by
        /// ut_pid where both are set, else the latest open login on the line; the user, domain and address come from the
        /// login. BOOT_TIME ("reboot") and the RUN_LVL "shutdown" record close every open login at their time, as `last`
        /// reports "down" / "crash". A login whose line is reused by a new login without a DEAD_PROCESS record ("gone - no
        /// logout") gets no Logoff, since its end is not recorded. DEAD_PROCESS records that close no login (getty
        /// restarts) are ignored. Records before sinceUtc are replayed, so a logoff after sinceUtc still names its user,
        /// but only events at or after sinceUtc are returned, oldest first.
        /// </summary>
        internal IReadOnlyList<SessionEvent> ReadEvents(IEnumerable<string> files, DateTime sinceUtc)
        {
            string computerName = _machine.ComputerName;
            int? agentId = _machine.AgentId;
            var open = new List<OpenLogin>();
            var events = new List<SessionEvent>();

            void Emit(OpenLogin login, SessionEventKind kind, DateTime whenUtc)
            {
                if (whenUtc < sinceUtc) return;
                events.Add(new SessionEvent
                {
                    ComputerName = computerName,
                    AgentId = agentId,
                    UserName = login.UserName,
                    Domain = login.Domain,
                    SessionId = login.Pid > 0 ? login.Pid.ToString(CultureInfo.InvariantCulture) : null,
                    SessionName = login.Line,
                    Kind = kind,
                    TimeCreated = whenUtc.ToLocalTime(),
                    ClientAddress = login.ClientAddress,
                    Source = EventSource,
                });
            }

            foreach (string file in files)
            {
                foreach (UtmpRecord r in UtmpFormat.ReadFile(file, _layout))
                {
                    DateTime? t = r.TimeUtc;
                    if (!t.HasValue) continue;
                    switch (r.Type)
                    {
                        case UtmpType.UserProcess:
                        {
                            if (r.User.Length == 0 || r.Line.Length == 0 || r.Line == "~") break;
                            OpenLogin same = open.FirstOrDefault(o => o.Line == r.Line && o.Pid == r.Pid && r.Pid > 0);
                            if (same != null) break; // the same login written twice
                            open.RemoveAll(o => o.Line == r.Line); // earlier logins on this line: gone, no logout recorded
                            SplitUser(r.User, computerName, out string user, out string domain);
                            DescribeClient(r.Host, r.Address, out _, out string address);
                            var login = new OpenLogin { Line = r.Line, Pid = r.Pid, UserName = user, Domain = domain, ClientAddress = address };
                            open.Add(login);
                            Emit(login, SessionEventKind.Logon, t.Value);
                            break;
                        }
                        case UtmpType.DeadProcess:
                        {
                            if (r.Line.Length == 0) break;
                            OpenLogin login = null;
                            if (r.Pid > 0) login = open.LastOrDefault(o => o.Line == r.Line && o.Pid == r.Pid);
                            if (login == null) login = open.LastOrDefault(o => o.Line == r.Line);
                            if (login == null) break;
                            open.Remove(login);
                            Emit(login, SessionEventKind.Logoff, t.Value);
                            break;
                        }
                        case UtmpType.BootTime:
                        case UtmpType.RunLevel:
                        {
                            bool closesAll = r.Type == UtmpType.BootTime || r.User == "shutdown";
                            if (!closesAll) break;
                            foreach (OpenLogin login in open) Emit(login, SessionEventKind.Logoff, t.Value);
                            open.Clear();
                            break;
                        }
                    }
                }
            }
            // Stable: records with the same time keep their file order.
            return events.OrderBy(e => e.TimeCreated.ToUniversalTime()).ToList();
        }

        private sealed class OpenLogin
        {
            public string Line;
            public int Pid;
            public string UserName;
            public string Domain;
            public string ClientAddress;
        }
    }
}
