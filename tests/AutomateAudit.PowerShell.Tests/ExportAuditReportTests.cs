using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AutomateAudit.Engine;
using AutomateAudit.Engine.Html;
using AutomateAudit.Testing;
using Dapper;
using Microsoft.Playwright;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>
    /// Export-AuditReport against the seeded fleet (150 computers, 5 clients, 3 days of history), with user
    /// sessions and idle hours added, checked in a real browser: Debian's headless Chromium driven by Playwright.
    /// </summary>
    public class ExportAuditReportTests : IClassFixture<SeededFleet>
    {
        /// <summary>Debian's chromium package; AUTOMATEAUDIT_CHROMIUM overrides it.</summary>
        public static string ChromiumPath => Environment.GetEnvironmentVariable("AUTOMATEAUDIT_CHROMIUM") is string p && p.Length > 0 ? p : "/usr/bin/chromium";

        private readonly SeededFleet _fleet;
        private static readonly object SeedLock = new object();
        private static readonly Dictionary<string, (int BarelyUsed, int Busy)> Seeded = new Dictionary<string, (int, int)>();

        public ExportAuditReportTests(SeededFleet fleet)
        {
            _fleet = fleet;
            lock (SeedLock)
            {
                if (!Seeded.TryGetValue(fleet.ConnectionString, out var ids)) Seeded[fleet.ConnectionString] = ids = SeedSessionsAndIdle();
                (BarelyUsedId, BusyId) = ids;
            }
        }

        private static string OutputDir
        {
            get
            {
                string dir = Path.Combine(RepoPaths.Root, "artifacts", "test-report");
                Directory.CreateDirectory(dir);
                return dir;
            }
        }

        /// <summary>The window the usage checks rely on: the last two days, all of them recorded, in the database server's local time.</summary>
        private DateTime TwoDaysAgo => ServerNow.AddDays(-2);

        private DateTime ServerNow => _fleet.Connection.QuerySingle<DateTime>("SELECT NOW()");

        private readonly int BarelyUsedId;
        private readonly int BusyId;

        /// <summary>
        /// Sessions and idle hours for two computers online (nearly) all of the last two days: one barely used,
        /// one busy. Test data only: written straight into the module's tables.
        /// </summary>
        private (int BarelyUsed, int Busy) SeedSessionsAndIdle()
        {
            var rows = _fleet.Ps.Run("Get-ConnectionReport -ConnectionString $cs -Start $start", ("cs", _fleet.ConnectionString), ("start", TwoDaysAgo));
            var online = rows.Where(r => (double?)r.Properties["OnlinePercent"].Value >= 99 && (int)r.Properties["UnknownMinutes"].Value < 60)
                .Select(r => (int)r.Properties["ComputerId"].Value).OrderBy(i => i).ToList();
            Assert.True(online.Count >= 2, "the seeded fleet has computers online all of the last two days");
            DateTime now = DateTime.UtcNow;
            DateTime hour0 = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(-50);
            var c = _fleet.Connection;
            foreach (var (id, user, active) in new[] { (online[0], "idle.ian", 1), (online[1], "busy.bea", 40) })
            {
                c.Execute("INSERT INTO aa_session_history (computerid, session_id, user_name, domain, session_name, start_utc, start_exact, last_seen_utc, last_state, end_utc, end_exact) " +
                          "VALUES (@id, '1', @user, 'CONTOSO', 'console', @start, 1, @seen, 'Active', NULL, 0)",
                    new { id, user, start = hour0, seen = now.AddMinutes(-3) });
                for (int h = 0; h < 52; h++)
                    c.Execute("INSERT INTO aa_idle_hourly (computerid, user_name, domain, session_id, hour_utc, active_minutes, idle_minutes, unknown_minutes, updated_utc) " +
                              "VALUES (@id, @user, 'CONTOSO', '1', @hour, @active, @idle, 0, @now)",
                        new { id, user, hour = hour0.AddHours(h), active, idle = 60 - active, now });
            }
            return (online[0], online[1]);
        }

        private string Export(string arguments, string file)
        {
            string path = Path.Combine(OutputDir, file);
            if (File.Exists(path)) File.Delete(path);
            var output = _fleet.Ps.Run("Export-AuditReport -ConnectionString $cs -Path $path -PassThru " + arguments, ("cs", _fleet.ConnectionString), ("path", path), ("start", TwoDaysAgo));
            var info = Assert.IsType<FileInfo>(Assert.Single(output).BaseObject);
            Assert.Equal(path, info.FullName);
            Assert.True(File.Exists(path));
            return path;
        }

        /// <summary>No external URL of any kind: no src/href, no url(), no @import, no scheme anywhere.</summary>
        private static void AssertSelfContained(string html)
        {
            Assert.DoesNotMatch(@"(?i)\b(src|href|srcset|action|xlink:href)\s*=", html);
            Assert.DoesNotMatch(@"(?i)url\s*\(|@import", html);
            Assert.DoesNotMatch(@"(?i)(https?|ftp|wss?|data|file|javascript):", html);
            Assert.DoesNotContain("//cdn", html, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, Regex.Matches(html, "<script>").Count); // inline, no src
            Assert.Equal(1, Regex.Matches(html, "<style>").Count);
        }

        private sealed class Browser : IAsyncDisposable
        {
            public IPlaywright Playwright;
            public IBrowser Chromium;
            public IPage Page;
            public readonly List<string> Errors = new List<string>();
            public readonly List<string> Requests = new List<string>();

            public static async Task<Browser> Open(string file)
            {
                Assert.True(File.Exists(ChromiumPath), "Debian's chromium is installed at " + ChromiumPath + " (apt-get install chromium)");
                var b = new Browser();
                b.Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
                b.Chromium = await b.Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ChromiumPath, Headless = true,
                    Args = new[] { "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync" },
                });
                var context = await b.Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 2000 }, Offline = true });
                // Works offline: any request other than the page itself is recorded and refused.
                await context.RouteAsync("**/*", async route =>
                {
                    string url = route.Request.Url;
                    if (url == new Uri(file).AbsoluteUri) { await route.ContinueAsync(); return; }
                    lock (b.Requests) b.Requests.Add(url);
                    await route.AbortAsync();
                });
                b.Page = await context.NewPageAsync();
                b.Page.Console += (_, msg) => { if (msg.Type == "error") lock (b.Errors) b.Errors.Add("console " + msg.Type + ": " + msg.Text); };
                b.Page.PageError += (_, error) => { lock (b.Errors) b.Errors.Add("page error: " + error); };
                var response = await b.Page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
                await b.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                return b;
            }

            public void AssertClean()
            {
                Assert.True(Errors.Count == 0, "script or console errors:\n" + string.Join("\n", Errors));
                Assert.True(Requests.Count == 0, "the page asked for:\n" + string.Join("\n", Requests));
            }

            public Task<string[]> Column(string table, int column, bool visibleOnly = false) =>
                Page.EvalOnSelectorAllAsync<string[]>("#" + table + " tbody tr" + (visibleOnly ? ":not(.hidden)" : string.Empty),
                    "(rows, c) => rows.map(r => r.cells[c].getAttribute('data-v') ?? r.cells[c].textContent.trim())", column);

            public Task<int> VisibleRows(string table) => Page.Locator("#" + table + " tbody tr:visible").CountAsync();

            public async ValueTask DisposeAsync()
            {
                await Chromium.CloseAsync();
                Playwright.Dispose();
            }
        }

        [Fact]
        public async Task TheReportLoadsInChromiumWithoutErrorsSortsFiltersAndShowsEveryClient()
        {
            string path = Export("-Start $start", "fleet.html");
            string html = File.ReadAllText(path);
            AssertSelfContained(html);

            var clients = _fleet.Connection.Query<string>("SELECT Name FROM clients ORDER BY Name").ToList();
            var perClient = _fleet.Connection.Query<(string, long)>("SELECT l.Name, COUNT(*) FROM computers c JOIN clients l ON l.ClientID = c.ClientID GROUP BY l.Name")
                .ToDictionary(x => x.Item1, x => (int)x.Item2);
            int computers = _fleet.Connection.QuerySingle<int>("SELECT COUNT(*) FROM computers");

            await using var b = await Browser.Open(path);
            b.AssertClean();

            // Every client in the data appears, in the per-client table and in the per-computer rows.
            var clientCells = await b.Column("clients-table", 0);
            Assert.Equal(clients, clientCells.OrderBy(x => x, StringComparer.Ordinal).ToList());
            foreach (string client in clients) Assert.Contains(client, await b.Column("machines-table", 1));
            Assert.Equal(computers.ToString("#,0", CultureInfo.InvariantCulture), (await b.Page.InnerTextAsync("#card-computers .v")).Trim());
            Assert.Equal(computers, await b.VisibleRows("machines-table"));
            Assert.Equal(computers, await b.Page.Locator("#machines-table tbody svg.timeline").CountAsync());

            // Sorting: click a numeric header twice, a text header once; read the order back.
            var offlineHeader = b.Page.Locator("#machines-table thead th").Nth(5);
            await offlineHeader.ClickAsync();
            Assert.Equal("ascending", await offlineHeader.GetAttributeAsync("aria-sort"));
            var up = (await b.Column("machines-table", 5)).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(up.OrderBy(v => v).ToList(), up);
            await offlineHeader.ClickAsync();
            Assert.Equal("descending", await offlineHeader.GetAttributeAsync("aria-sort"));
            var down = (await b.Column("machines-table", 5)).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(up.OrderByDescending(v => v).ToList(), down);
            Assert.True(down.First() > down.Last(), "the fleet has computers with different offline time");
            await b.Page.Locator("#machines-table thead th").Nth(0).ClickAsync();
            var names = (await b.Column("machines-table", 0)).ToList();
            Assert.Equal(names.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList(), names);
            var clientHeader = b.Page.Locator("#clients-table thead th").Nth(0);
            await clientHeader.ClickAsync();
            await clientHeader.ClickAsync();
            Assert.Equal(clients.AsEnumerable().Reverse().ToList(), (await b.Column("clients-table", 0)).ToList());

            // Filtering: type in the box, count the visible rows.
            string one = clients[2];
            await b.Page.FillAsync("#machines-table-filter", one);
            Assert.Equal(perClient[one], await b.VisibleRows("machines-table"));
            Assert.All(await b.Column("machines-table", 1, visibleOnly: true), c => Assert.Equal(one, c));
            Assert.Equal(perClient[one] + " of " + computers + " rows", (await b.Page.InnerTextAsync("#machines-table-count")).Trim());
            await b.Page.FillAsync("#machines-table-filter", names[7]);
            Assert.Equal(1, await b.VisibleRows("machines-table"));
            await b.Page.FillAsync("#machines-table-filter", "no such computer anywhere");
            Assert.Equal(0, await b.VisibleRows("machines-table"));
            await b.Page.FillAsync("#machines-table-filter", "");
            Assert.Equal(computers, await b.VisibleRows("machines-table"));
            await b.Page.FillAsync("#clients-table-filter", one);
            Assert.Equal(1, await b.VisibleRows("clients-table"));

            // Users and activity: both seeded computers, the barely used one flagged and first.
            var usage = await b.Column("usage-table", 0);
            Assert.Equal(2, usage.Length);
            string barely = _fleet.Connection.QuerySingle<string>("SELECT Name FROM computers WHERE ComputerID = @BarelyUsedId", new { BarelyUsedId });
            Assert.Equal(barely, usage[0]);
            Assert.Contains("barely used", await b.Page.InnerTextAsync("#usage-table tbody tr:first-child"));
            Assert.DoesNotContain("barely used", await b.Page.InnerTextAsync("#usage-table tbody tr:nth-child(2)"));
            Assert.Contains("CONTOSO\\idle.ian", await b.Page.InnerTextAsync("#usage-table"));
            Assert.Equal("1", (await b.Page.InnerTextAsync("#card-barely-used .v")).Trim());
            b.AssertClean();

            // The screenshot (tools/screenshot-report.sh makes the same one with chromium alone).
            await b.Page.FillAsync("#machines-table-filter", "");
            await b.Page.FillAsync("#clients-table-filter", "");
            string png = Path.Combine(OutputDir, "fleet.png");
            await b.Page.ScreenshotAsync(new PageScreenshotOptions { Path = png, FullPage = false });
            Assert.True(new FileInfo(png).Length > 20_000, "the screenshot has content");
            byte[] pdf = await b.Page.PdfAsync(new PagePdfOptions { Format = "A4", Landscape = true, PrintBackground = true });
            Assert.True(pdf.Length > 10_000, "the page prints");
        }

        [Fact]
        public async Task AboveMaxComputersOnlyTheWorstAreShownAndThePageSaysWhatWasLeftOut()
        {
            // One fixed window for both commands: a computer offline now gains a minute every minute.
            DateTime end = ServerNow, start = end.AddDays(-7);
            string path = Path.Combine(OutputDir, "max10.html");
            Assert.Single(_fleet.Ps.Run("Export-AuditReport -ConnectionString $cs -Path $path -MaxComputers 10 -Start $s -End $e -PassThru",
                ("cs", _fleet.ConnectionString), ("path", path), ("s", start), ("e", end)));
            int computers = _fleet.Connection.QuerySingle<int>("SELECT COUNT(*) FROM computers");
            var worst = _fleet.Ps.Run("Get-ConnectionReport -ConnectionString $cs -Start $s -End $e", ("cs", _fleet.ConnectionString), ("s", start), ("e", end))
                .Select(r => (int)r.Properties["OfflineMinutes"].Value).OrderByDescending(m => m).Take(10).ToList();

            await using var b = await Browser.Open(path);
            b.AssertClean();
            Assert.Equal(10, await b.VisibleRows("machines-table"));
            var offline = (await b.Column("machines-table", 5)).Select(v => (int)double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(worst, offline);
            string note = await b.Page.InnerTextAsync("#machines-omitted");
            Assert.Contains("10 computers with the most offline time, of " + computers, note);
            Assert.Contains((computers - 10) + " computers are left out", note);
            // Summaries still count everything.
            Assert.Equal(computers.ToString("#,0", CultureInfo.InvariantCulture), (await b.Page.InnerTextAsync("#card-computers .v")).Trim());
            Assert.Equal(computers, (await b.Column("clients-table", 1)).Sum(v => int.Parse(v, CultureInfo.InvariantCulture)));
        }

        [Fact]
        public async Task APerClientReportHasTheTitleOnlyThatClientAndEncodesEverything()
        {
            string client = _fleet.Connection.QuerySingle<string>("SELECT Name FROM clients ORDER BY ClientID LIMIT 1");
            int count = _fleet.Connection.QuerySingle<int>("SELECT COUNT(*) FROM computers c JOIN clients l ON l.ClientID = c.ClientID WHERE l.Name = @client", new { client });
            string title = "Uptime for <Contoso & \"Partners\"> <script>alert(1)</script>";
            string path = Path.Combine(OutputDir, "client.html");
            var output = _fleet.Ps.Run("Export-AuditReport $path -ConnectionString $cs -Client $client -Title $title -PassThru",
                ("cs", _fleet.ConnectionString), ("path", path), ("client", client), ("title", title));
            Assert.Single(output);
            string html = File.ReadAllText(path);
            AssertSelfContained(html);
            Assert.DoesNotContain("<script>alert", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);

            await using var b = await Browser.Open(path);
            b.AssertClean();
            Assert.Equal(title, await b.Page.TitleAsync());
            Assert.Equal(title, (await b.Page.InnerTextAsync("#title")).Trim());
            Assert.Equal(new[] { client }, await b.Column("clients-table", 0));
            Assert.Equal(count, await b.VisibleRows("machines-table"));
            Assert.Contains(client, await b.Page.InnerTextAsync("#scope"));
        }

        [Fact]
        public void WhatIfWritesNothingAndPipedComputersAreTheReport()
        {
            string path = Path.Combine(OutputDir, "whatif.html");
            if (File.Exists(path)) File.Delete(path);
            Assert.Empty(_fleet.Ps.Run("Export-AuditReport -ConnectionString $cs -Path $path -WhatIf -PassThru", ("cs", _fleet.ConnectionString), ("path", path)));
            Assert.False(File.Exists(path));

            string piped = Path.Combine(OutputDir, "piped.html");
            var three = _fleet.Ps.Run("Get-ConnectionReport -ConnectionString $cs", ("cs", _fleet.ConnectionString)).Take(3).ToArray();
            var output = _fleet.Ps.Run("$three | Export-AuditReport -ConnectionString $cs -Path $path -PassThru",
                ("cs", _fleet.ConnectionString), ("path", piped), ("three", three));
            Assert.Single(output);
            string html = File.ReadAllText(piped);
            Assert.Equal(3, Regex.Matches(html, "<tr data-id=").Count);

            var (_, errors) = _fleet.Ps.TryRun("Export-AuditReport -ConnectionString $cs -Path $path -Start $s -End $e", ("cs", _fleet.ConnectionString), ("path", path), ("s", ServerNow), ("e", ServerNow.AddDays(-1)));
            Assert.Contains(errors, e => e.FullyQualifiedErrorId.StartsWith("InvalidWindow", StringComparison.Ordinal));
        }

        /// <summary>A synthetic fleet of 100,000 computers: the page stays small, says what it left out, and loads cleanly.</summary>
        [Fact]
        public async Task AHundredThousandComputersMakeAUsablePage()
        {
            var start = new DateTime(2026, 11, 1);
            var model = new AuditReportModel { Title = "Big fleet", Scope = "All computers", WindowStart = start, WindowEnd = start.AddDays(7), GeneratedAt = start.AddDays(7) };
            var random = new Random(5);
            for (int i = 1; i <= 100_000; i++)
            {
                int off = random.Next(0, 600), unk = i % 10 == 0 ? 10080 - off : random.Next(0, 100);
                int on = 10080 - off - unk;
                model.Computers.Add(new ConnectionWindowRow
                {
                    ComputerId = i, Computer = "PC" + i.ToString("D6", CultureInfo.InvariantCulture), Client = "Client " + (i % 1500), Location = "Site " + (i % 3),
                    Status = i % 7 == 0 ? "Offline" : "Online", OnlineMinutes = on, OfflineMinutes = off, UnknownMinutes = unk, ObservedMinutes = on + off, WindowMinutes = 10080,
                    OnlinePercent = on + off > 0 ? Math.Round(100.0 * on / (on + off), 2) : (double?)null,
                });
                if (i % 20 == 0) model.Usage[i] = new MachineUsage { ComputerId = i, Sessions = 1, SessionMinutes = 600, HasIdleData = true, ActiveMinutes = 30, IdleMinutes = 500 };
            }
            foreach (var c in AuditReportModel.Worst(model.Computers, model.MaxComputers))
                model.Periods[c.ComputerId] = new List<ConnectionPeriodRow>
                {
                    new ConnectionPeriodRow { ComputerId = c.ComputerId, State = "Online", Start = start, End = start.AddDays(3), DurationMinutes = 4320 },
                    new ConnectionPeriodRow { ComputerId = c.ComputerId, State = "Offline", Start = start.AddDays(3), End = start.AddDays(3).AddMinutes(c.OfflineMinutes), DurationMinutes = c.OfflineMinutes },
                    new ConnectionPeriodRow { ComputerId = c.ComputerId, State = "Online", Start = start.AddDays(3).AddMinutes(c.OfflineMinutes), End = start.AddDays(7), DurationMinutes = 5760 - c.OfflineMinutes },
                };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            string html = AuditReportPage.Render(model);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "rendered in " + watch.Elapsed);
            Assert.True(html.Length < 4_000_000, "page of " + html.Length + " characters");
            AssertSelfContained(html);
            Assert.Equal(500, Regex.Matches(html, "<tr data-id=").Count);
            Assert.Contains("99,500 computers are left out", html);
            Assert.Contains("<div class=\"v\">100,000</div>", html);

            string path = Path.Combine(OutputDir, "hundred-thousand.html");
            File.WriteAllText(path, html);
            await using var b = await Browser.Open(path);
            b.AssertClean();
            Assert.Equal(500, await b.VisibleRows("machines-table"));
            Assert.Equal(1500, await b.VisibleRows("clients-table"));
            Assert.Equal(500, await b.VisibleRows("usage-table"));
            Assert.Contains("4,500 computers are left out", await b.Page.InnerTextAsync("#usage-omitted"));
        }
    }
}
