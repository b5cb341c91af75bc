using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace AutomateAudit.Engine.Html
{
    /// <summary>
    /// Export-AuditReport's page: one self-contained HTML document (inline style, script and SVG; no
    /// external URL) from an AuditReportModel. Pure: data in, string out; every value is HTML-encoded.
    /// Summaries cover every computer; the per-machine rows and bars cover at most MaxComputers (the most
    /// offline), and the page says how many were left out.
    /// </summary>
    public static class AuditReportPage
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        /// <summary>Online at least this share of the window, and active at most UsedShare of the online time: "online all window, barely used".</summary>
        public const double OnlineAllWindowShare = 0.9, BarelyUsedShare = 0.05;

        public static string Render(AuditReportModel model)
        {
            if (model == null) throw new ArgumentNullException(nameof(model));
            var h = new StringBuilder(64 * 1024 + model.Computers.Count * 64);
            h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            h.Append("<meta name=\"generator\" content=\"AutomateAudit Export-AuditReport\">\n");
            h.Append("<title>").Append(E(model.Title)).Append("</title>\n<style>").Append(AuditReportAssets.Style).Append("\n</style>\n</head>\n<body>\n<main>\n");
            Header(h, model);
            if (model.Computers.Count == 0)
            {
                h.Append("<p class=\"omitted\" id=\"empty\">No computers match this report's filters.</p>\n");
            }
            else
            {
                var shown = AuditReportModel.Worst(model.Computers, model.MaxComputers);
                Summary(h, model);
                Clients(h, model);
                Outages(h, model, shown);
                Machines(h, model, shown);
                Usage(h, model);
            }
            h.Append("<footer>Made by AutomateAudit's Export-AuditReport at ").Append(E(T(model.GeneratedAt))).Append(" (database server time). ")
             .Append("Online + offline + unknown time adds up to the window for every computer. Unknown is time nobody could observe ")
             .Append("(before recording started, while it was stopped, or before the computer was added); it is never counted as online or offline. ")
             .Append("Uptime is online time as a share of observed (online + offline) time.</footer>\n");
            h.Append("</main>\n<script>").Append(AuditReportAssets.Script).Append("\n</script>\n</body>\n</html>\n");
            return h.ToString();
        }

        private static void Header(StringBuilder h, AuditReportModel m)
        {
            h.Append("<header>\n<h1 id=\"title\">").Append(E(m.Title)).Append("</h1>\n");
            h.Append("<p class=\"sub\">").Append(E(T(m.WindowStart))).Append(" to ").Append(E(T(m.WindowEnd)))
             .Append(" (").Append(E(Dur(m.WindowMinutes))).Append(", database server time)</p>\n");
            h.Append("<p class=\"sub\" id=\"scope\">").Append(E(m.Scope ?? "All computers")).Append("</p>\n</header>\n");
        }

        private static void Summary(StringBuilder h, AuditReportModel m)
        {
            long on = m.Computers.Sum(c => (long)c.OnlineMinutes), off = m.Computers.Sum(c => (long)c.OfflineMinutes), unk = m.Computers.Sum(c => (long)c.UnknownMinutes);
            int onlineNow = m.Computers.Count(c => c.Status == "Online");
            int neverObserved = m.Computers.Count(c => c.ObservedMinutes == 0);
            int clients = m.Computers.Select(c => c.Client ?? string.Empty).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            h.Append("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
            Card(h, "computers", "Computers", N(m.Computers.Count), clients + (clients == 1 ? " client" : " clients"));
            Card(h, "online-now", "Online now", N(onlineNow), Pct(onlineNow, m.Computers.Count) + " of computers");
            Card(h, "fleet-uptime", clients == 1 ? "Uptime" : "Fleet uptime", on + off > 0 ? Pct(on, on + off) : "unknown", "of observed computer-time");
            Card(h, "offline-time", "Offline time", Dur(off), "summed over computers");
            Card(h, "unknown-time", "Unknown time", unk == 0 ? "none" : Pct(unk, on + off + unk), unk == 0 ? "every minute observed" : Dur(unk) + " not observed");
            h.Append("</div>\n");
            h.Append(Bar3(on, off, unk, "Fleet: ", "fleet"));
            Legend(h);
            if (neverObserved > 0)
                h.Append("<p class=\"note\" id=\"never-observed\">").Append(N(neverObserved)).Append(neverObserved == 1 ? " computer was" : " computers were")
                 .Append(" not observed at all in this window: its time is unknown, not offline, and it has no uptime figure.</p>\n");
            h.Append("</section>\n");
        }

        private static void Card(StringBuilder h, string id, string label, string value, string detail)
        {
            h.Append("<div class=\"card\" id=\"card-").Append(id).Append("\"><div class=\"k\">").Append(E(label)).Append("</div><div class=\"v\">")
             .Append(E(value)).Append("</div><div class=\"d\">").Append(E(detail)).Append("</div></div>\n");
        }

        private static void Clients(StringBuilder h, AuditReportModel m)
        {
            var groups = m.Computers.GroupBy(c => c.Client ?? string.Empty, StringComparer.OrdinalIgnoreCase)
                .Select(g => new
                {
                    Client = g.First().Client ?? string.Empty, Count = g.Count(), OnlineNow = g.Count(c => c.Status == "Online"),
                    On = g.Sum(c => (long)c.OnlineMinutes), Off = g.Sum(c => (long)c.OfflineMinutes), Unk = g.Sum(c => (long)c.UnknownMinutes),
                })
                .OrderBy(g => g.Client, StringComparer.OrdinalIgnoreCase).ToList();
            h.Append("<section id=\"clients\">\n<h2>Uptime per client</h2>\n");
            Tools(h, "clients-table", "Filter clients");
            h.Append("<div class=\"wrap\"><table class=\"sortable\" id=\"clients-table\">\n<thead><tr><th>Client</th><th class=\"n\" data-type=\"num\">Computers</th><th class=\"n\" data-type=\"num\">Online now</th>")
             .Append("<th class=\"n\" data-type=\"num\">Uptime</th><th class=\"n\" data-type=\"num\">Offline</th><th class=\"n\" data-type=\"num\">Unknown</th><th data-nosort>Online / offline / unknown</th></tr></thead>\n<tbody>\n");
            foreach (var g in groups)
            {
                long observed = g.On + g.Off, all = observed + g.Unk;
                h.Append("<tr><td>").Append(E(g.Client)).Append("</td>");
                Num(h, g.Count, N(g.Count));
                Num(h, g.OnlineNow, N(g.OnlineNow));
                NumOrBlank(h, observed > 0 ? 100.0 * g.On / observed : (double?)null, observed > 0 ? Pct(g.On, observed) : "unknown");
                Num(h, g.Off, Dur(g.Off));
                Num(h, all > 0 ? 100.0 * g.Unk / all : 0, all > 0 ? Pct(g.Unk, all) : "-");
                h.Append("<td class=\"bar\">").Append(Bar3(g.On, g.Off, g.Unk, E(g.Client) + ": ")).Append("</td></tr>\n");
            }
            h.Append("</tbody></table></div>\n</section>\n");
        }

        private static void Outages(StringBuilder h, AuditReportModel m, List<ConnectionWindowRow> shown)
        {
            var worst = shown.Where(c => c.OfflineMinutes > 0).Take(Math.Max(0, m.OutageMachines)).ToList();
            h.Append("<section id=\"outages\">\n<h2>Most offline time</h2>\n");
            if (worst.Count == 0)
            {
                h.Append("<p class=\"note\">No computer was seen offline in this window.</p>\n</section>\n");
                return;
            }
            int offlineComputers = m.Computers.Count(c => c.OfflineMinutes > 0);
            h.Append("<p class=\"note\">The ").Append(worst.Count).Append(worst.Count == 1 ? " computer" : " computers").Append(" with the most offline time, of ")
             .Append(N(offlineComputers)).Append(" that were offline at some point, and their outages (longest first).</p>\n<div class=\"outages\">\n");
            foreach (ConnectionWindowRow c in worst)
            {
                m.Periods.TryGetValue(c.ComputerId, out List<ConnectionPeriodRow> periods);
                var offline = (periods ?? new List<ConnectionPeriodRow>()).Where(p => p.State == "Offline").OrderByDescending(p => p.DurationMinutes).ThenBy(p => p.Start).ToList();
                h.Append("<section class=\"outage\"><h3>").Append(E(c.Computer)).Append("</h3><p class=\"note\">").Append(E(c.Client)).Append(" / ").Append(E(c.Location))
                 .Append(" &middot; offline ").Append(E(Dur(c.OfflineMinutes))).Append(" in ").Append(offline.Count).Append(offline.Count == 1 ? " outage" : " outages").Append("</p>\n");
                h.Append("<table><thead><tr><th>From</th><th>To</th><th class=\"n\">Duration</th></tr></thead><tbody>\n");
                foreach (ConnectionPeriodRow p in offline.Take(Math.Max(0, m.OutagesPerMachine)))
                {
                    h.Append("<tr><td>").Append(E(T(p.Start))).Append("</td><td>").Append(p.Open ? "still offline" : E(T(p.End))).Append("</td><td class=\"n\">")
                     .Append(E(Dur(p.DurationMinutes))).Append("</td></tr>\n");
                }
                h.Append("</tbody></table>\n");
                if (offline.Count > m.OutagesPerMachine)
                    h.Append("<p class=\"note\">").Append(N(offline.Count - m.OutagesPerMachine)).Append(" shorter outages not listed.</p>\n");
                h.Append("</section>\n");
            }
            h.Append("</div>\n</section>\n");
        }

        private static void Machines(StringBuilder h, AuditReportModel m, List<ConnectionWindowRow> shown)
        {
            int left = m.Computers.Count - shown.Count;
            h.Append("<section id=\"machines\">\n<h2>Uptime per computer</h2>\n");
            if (left > 0)
            {
                int leftOffline = m.Computers.Count(c => c.OfflineMinutes > 0) - shown.Count(c => c.OfflineMinutes > 0);
                h.Append("<p class=\"omitted\" id=\"machines-omitted\">This table shows the ").Append(N(shown.Count)).Append(" computers with the most offline time, of ")
                 .Append(N(m.Computers.Count)).Append(". <strong>").Append(N(left)).Append(" computers are left out</strong> (")
                 .Append(N(leftOffline)).Append(" of them were offline at some point, at most ").Append(E(Dur(shown.Last().OfflineMinutes)))
                 .Append(" each). Every summary above counts all ").Append(N(m.Computers.Count)).Append(" computers. Narrow the report with -Client, -Location or -Computer, or raise -MaxComputers, to see them.</p>\n");
            }
            Legend(h);
            Tools(h, "machines-table", "Filter computers, clients, locations");
            h.Append("<div class=\"wrap\"><table class=\"sortable\" id=\"machines-table\">\n<thead><tr><th>Computer</th><th>Client</th><th>Location</th><th>Status</th>")
             .Append("<th class=\"n\" data-type=\"num\">Uptime</th><th class=\"n\" data-type=\"num\">Offline</th><th class=\"n\" data-type=\"num\">Unknown</th><th data-nosort>")
             .Append(E(D(m.WindowStart))).Append(" &rarr; ").Append(E(D(m.WindowEnd))).Append("</th></tr></thead>\n<tbody>\n");
            foreach (ConnectionWindowRow c in shown)
            {
                h.Append("<tr data-id=\"").Append(c.ComputerId.ToString(Inv)).Append("\"><td>").Append(E(c.Computer)).Append("</td><td>").Append(E(c.Client)).Append("</td><td>")
                 .Append(E(c.Location)).Append("</td><td><span class=\"st ").Append(c.Status == "Online" ? "Online" : "Offline").Append("\">").Append(E(c.Status)).Append("</span></td>");
                NumOrBlank(h, c.OnlinePercent, c.OnlinePercent.HasValue ? c.OnlinePercent.Value.ToString("0.0", Inv) + "%" : "unknown");
                Num(h, c.OfflineMinutes, Dur(c.OfflineMinutes));
                Num(h, c.UnknownMinutes, Dur(c.UnknownMinutes));
                m.Periods.TryGetValue(c.ComputerId, out List<ConnectionPeriodRow> periods);
                h.Append("<td class=\"bar\">").Append(Timeline(m, c, periods)).Append("</td></tr>\n");
            }
            h.Append("</tbody></table></div>\n</section>\n");
        }

        private static void Usage(StringBuilder h, AuditReportModel m)
        {
            h.Append("<section id=\"usage\">\n<h2>Users and activity</h2>\n");
            var byId = m.Computers.ToDictionary(c => c.ComputerId);
            var rows = m.Usage.Values.Where(u => byId.ContainsKey(u.ComputerId)).Select(u => new { U = u, C = byId[u.ComputerId] }).ToList();
            if (rows.Count == 0)
            {
                h.Append("<p class=\"note\" id=\"usage-none\">No user session or idle data were recorded for these computers in this window (see Save-UserSession and Save-IdleSample).</p>\n</section>\n");
                return;
            }
            int window = m.WindowMinutes;
            Func<ConnectionWindowRow, MachineUsage, bool> barely = (c, u) => u.HasIdleData && c.OnlineMinutes >= OnlineAllWindowShare * window && u.ActiveMinutes <= BarelyUsedShare * c.OnlineMinutes;
            int barelyCount = rows.Count(r => barely(r.C, r.U));
            int withSessions = rows.Count(r => r.U.Sessions > 0), withIdle = rows.Count(r => r.U.HasIdleData);
            var users = new HashSet<string>(rows.SelectMany(r => r.U.Users), StringComparer.OrdinalIgnoreCase);
            h.Append("<div class=\"cards\">\n");
            Card(h, "users", "Users", N(users.Count), "logged on in the window");
            Card(h, "with-sessions", "With sessions", N(withSessions), "computers with session data");
            Card(h, "with-idle", "With idle data", N(withIdle), "computers with activity samples");
            Card(h, "barely-used", "Online, barely used", N(barelyCount), "online " + (OnlineAllWindowShare * 100).ToString("0", Inv) + "%+ of the window, active " + (BarelyUsedShare * 100).ToString("0", Inv) + "% or less");
            h.Append("</div>\n");
            // Barely used first, then the lowest share of active time.
            var ordered = rows.OrderByDescending(r => barely(r.C, r.U))
                .ThenBy(r => r.U.HasIdleData && r.C.OnlineMinutes > 0 ? (double)r.U.ActiveMinutes / r.C.OnlineMinutes : double.MaxValue)
                .ThenBy(r => r.C.Computer, StringComparer.OrdinalIgnoreCase).ToList();
            var list = ordered.Take(Math.Max(0, m.MaxComputers)).ToList();
            if (list.Count < ordered.Count)
                h.Append("<p class=\"omitted\" id=\"usage-omitted\">This table shows ").Append(N(list.Count)).Append(" of ").Append(N(ordered.Count))
                 .Append(" computers with session or idle data (barely used ones and the lowest share of active time first). <strong>")
                 .Append(N(ordered.Count - list.Count)).Append(" computers are left out</strong>; the figures above count them all.</p>\n");
            h.Append("<p class=\"note\">Active and idle minutes come from the idle sampler, summed over users; logged-on time sums each session's minutes in the window. Active share is active time as a share of the computer's online time.</p>\n");
            Tools(h, "usage-table", "Filter computers, users");
            h.Append("<div class=\"wrap\"><table class=\"sortable\" id=\"usage-table\">\n<thead><tr><th>Computer</th><th>Client</th><th>Users</th><th class=\"n\" data-type=\"num\">Logged on</th>")
             .Append("<th class=\"n\" data-type=\"num\">Active</th><th class=\"n\" data-type=\"num\">Idle</th><th class=\"n\" data-type=\"num\">Online</th><th class=\"n\" data-type=\"num\">Active share</th><th>Note</th></tr></thead>\n<tbody>\n");
            foreach (var r in list)
            {
                var u = r.U; var c = r.C;
                string userText = string.Join(", ", u.Users.Take(8)) + (u.Users.Count > 8 ? " +" + (u.Users.Count - 8) + " more" : string.Empty);
                h.Append("<tr><td>").Append(E(c.Computer)).Append("</td><td>").Append(E(c.Client)).Append("</td><td>").Append(E(userText)).Append("</td>");
                if (u.Sessions > 0) Num(h, u.SessionMinutes, Dur(u.SessionMinutes)); else NumOrBlank(h, null, "no data");
                if (u.HasIdleData) { Num(h, u.ActiveMinutes, Dur(u.ActiveMinutes)); Num(h, u.IdleMinutes, Dur(u.IdleMinutes)); }
                else { NumOrBlank(h, null, "no data"); NumOrBlank(h, null, "no data"); }
                Num(h, c.OnlineMinutes, Dur(c.OnlineMinutes));
                double? share = u.HasIdleData && c.OnlineMinutes > 0 ? 100.0 * u.ActiveMinutes / c.OnlineMinutes : (double?)null;
                NumOrBlank(h, share, share.HasValue ? share.Value.ToString("0.0", Inv) + "%" : "-");
                h.Append("<td>").Append(barely(c, u) ? "<span class=\"flag\">online all window, barely used</span>" : string.Empty).Append("</td></tr>\n");
            }
            h.Append("</tbody></table></div>\n</section>\n");
        }

        private static void Tools(StringBuilder h, string tableId, string placeholder)
        {
            h.Append("<div class=\"tools\"><input type=\"search\" class=\"filter\" data-table=\"").Append(tableId).Append("\" id=\"").Append(tableId).Append("-filter\" placeholder=\"")
             .Append(E(placeholder)).Append("\" aria-label=\"").Append(E(placeholder)).Append("\"><span class=\"count\" id=\"").Append(tableId).Append("-count\"></span></div>\n");
        }

        private static void Legend(StringBuilder h) =>
            h.Append("<div class=\"legend\"><span><i class=\"sw on\"></i>Online</span><span><i class=\"sw off\"></i>Offline</span><span><i class=\"sw unk\"></i>Unknown (not observed)</span></div>\n");

        private const double W = 1000;

        /// <summary>A proportional online / offline / unknown bar.</summary>
        private static string Bar3(long on, long off, long unk, string label, string extraClass = null)
        {
            long all = on + off + unk;
            var s = new StringBuilder("<svg class=\"bar3" + (extraClass == null ? string.Empty : " " + extraClass) + "\" viewBox=\"0 0 1000 14\" preserveAspectRatio=\"none\" height=\"14\" role=\"img\" aria-label=\"");
            s.Append(label).Append(E("online " + Dur(on) + ", offline " + Dur(off) + ", unknown " + Dur(unk))).Append("\">");
            if (all <= 0) { s.Append("<rect class=\"unk\" x=\"0\" y=\"0\" width=\"1000\" height=\"14\"/></svg>"); return s.ToString(); }
            double x = 0;
            foreach (var (cls, v, name) in new[] { ("on", on, "Online"), ("off", off, "Offline"), ("unk", unk, "Unknown") })
            {
                if (v <= 0) continue;
                double w = W * v / all;
                s.Append("<rect class=\"").Append(cls).Append("\" x=\"").Append(F(x)).Append("\" y=\"0\" width=\"").Append(F(w)).Append("\" height=\"14\"><title>")
                 .Append(name).Append(' ').Append(E(Dur(v))).Append(" (").Append(E(Pct(v, all))).Append(")</title></rect>");
                x += w;
            }
            return s.Append("</svg>").ToString();
        }

        /// <summary>One computer's window as a bar: each period at its place in time, with day boundaries marked.</summary>
        private static string Timeline(AuditReportModel m, ConnectionWindowRow c, List<ConnectionPeriodRow> periods)
        {
            double span = (m.WindowEnd - m.WindowStart).TotalMinutes;
            var s = new StringBuilder("<svg class=\"timeline\" viewBox=\"0 0 1000 16\" preserveAspectRatio=\"none\" height=\"16\" role=\"img\" aria-label=\"");
            s.Append(E(c.Computer + ": online " + Dur(c.OnlineMinutes) + ", offline " + Dur(c.OfflineMinutes) + ", unknown " + Dur(c.UnknownMinutes))).Append("\">");
            if (periods == null || periods.Count == 0 || span <= 0)
                s.Append("<rect class=\"unk\" x=\"0\" y=\"0\" width=\"1000\" height=\"16\"><title>No history in this window</title></rect>");
            else
            {
                // Online underneath; offline and unknown drawn on top, at least a hair wide so a short outage still shows.
                foreach (string state in new[] { "Online", "Unknown", "Offline" })
                {
                    foreach (ConnectionPeriodRow p in periods)
                    {
                        if (p.State != state) continue;
                        double x0 = Clamp((p.Start - m.WindowStart).TotalMinutes / span * W), x1 = Clamp((p.End - m.WindowStart).TotalMinutes / span * W);
                        double w = x1 - x0;
                        if (state != "Online" && w < 1.5) { w = 1.5; if (x0 + w > W) x0 = W - w; }
                        if (w <= 0) continue;
                        string cls = state == "Online" ? "on" : state == "Offline" ? "off" : "unk";
                        s.Append("<rect class=\"").Append(cls).Append("\" x=\"").Append(F(x0)).Append("\" y=\"0\" width=\"").Append(F(w)).Append("\" height=\"16\"><title>")
                         .Append(E(state + " " + T(p.Start) + " to " + T(p.End) + " (" + Dur(p.DurationMinutes) + ")")).Append("</title></rect>");
                    }
                }
            }
            // Day boundaries (at most 62 of them, so long windows stay readable).
            DateTime day = m.WindowStart.Date.AddDays(1);
            if ((m.WindowEnd - m.WindowStart).TotalDays <= 62)
                for (; day < m.WindowEnd; day = day.AddDays(1))
                    s.Append("<rect class=\"day\" x=\"").Append(F(Clamp((day - m.WindowStart).TotalMinutes / span * W) - 0.6)).Append("\" y=\"0\" width=\"1.2\" height=\"16\"/>");
            return s.Append("</svg>").ToString();
        }

        private static double Clamp(double x) => x < 0 ? 0 : x > W ? W : x;
        private static string F(double x) => Math.Round(x, 2).ToString("0.##", Inv);

        private static void Num(StringBuilder h, double sortValue, string text) =>
            h.Append("<td class=\"n\" data-v=\"").Append(Math.Round(sortValue, 3).ToString("0.###", Inv)).Append("\">").Append(E(text)).Append("</td>");

        private static void NumOrBlank(StringBuilder h, double? sortValue, string text)
        {
            if (sortValue.HasValue) { Num(h, sortValue.Value, text); return; }
            h.Append("<td class=\"n\" data-v=\"\">").Append(E(text)).Append("</td>");
        }

        /// <summary>HTML-encodes any text (element content and attribute values alike).</summary>
        internal static string E(string s) => WebUtility.HtmlEncode(s ?? string.Empty);

        private static string T(DateTime t) => t.ToString("yyyy-MM-dd HH:mm", Inv);
        private static string D(DateTime t) => t.ToString("ddd yyyy-MM-dd HH:mm", Inv);
        private static string N(long n) => n.ToString("#,0", Inv);
        private static string Pct(long part, long whole) => whole <= 0 ? "unknown" : (100.0 * part / whole).ToString("0.0", Inv) + "%";

        /// <summary>"3d 4h 05m", "4h 10m", "12m".</summary>
        internal static string Dur(double minutes)
        {
            long m = (long)Math.Round(Math.Max(0, minutes));
            long d = m / 1440, hr = m % 1440 / 60, mi = m % 60;
            if (d > 0) return d.ToString(Inv) + "d " + hr.ToString(Inv) + "h " + mi.ToString("00", Inv) + "m";
            if (hr > 0) return hr.ToString(Inv) + "h " + mi.ToString("00", Inv) + "m";
            return mi.ToString(Inv) + "m";
        }
    }
}
