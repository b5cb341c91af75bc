using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.Benchmarks
{
    /// <summary>
    /// ./build.sh bench [sizes...]: the connection audit at 10,000 and 100,000 computers with 30 days of
    /// history (10 changes a day on a tenth of the fleet, 1 a day on the rest), each operation beside
    /// the straightforward approach, on a private MariaDB. Results go to bench/RESULTS.md.
    /// </summary>
    public static class Program
    {
        private const int BaselineTimeoutSeconds = 300;

        public static int Main(string[] args)
        {
            if (args.Contains("--endpoint")) return EndpointBench.Run();
            if (args.Contains("--precompiled-pwsh"))
            {
                // For measuring by hand: `dotnet <this path> -NoProfile ...` is pwsh as its platform packages ship it.
                Console.WriteLine(PrecompiledPwsh.Prepare());
                return 0;
            }
            bool profile = args.Contains("--profile");
            bool skipLong = args.Contains("--quick");
            bool seedOnly = args.Contains("--seed-only"), proVal = args.Contains("--proval");
            args = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
            var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : new[] { 10_000, 100_000 };
            if (seedOnly)
            {
                // A database left running for manual profiling: prints its connection string. With --proval, ProVal's own
                // tables hold the history and the module is not installed (for profiling adoption and the report after it).
                var keep = MariaDbServer.StartOrConnect(EveningZone.ForNow(), bufferPoolMegabytes: 2048);
                string keepCs = keep.CreateDatabase((proVal ? "adopt_" : "profile_") + sizes[0]);
                AutomateSchema.Create(keepCs);
                if (!proVal) { using var setup = AuditSession.Open(ConnectionSettings.FromConnectionString(keepCs)); new SchemaInstaller(setup).InstallAll(); }
                using (var sql = new MySqlConnection(keepCs + ";DefaultCommandTimeout=600"))
                {
                    sql.Open();
                    if (proVal) CreateProValTables(sql);
                    Seed(sql, sizes[0], tenthChurn: !proVal);
                }
                Console.WriteLine(keepCs);
                Console.ReadLine();
                return 0;
            }
            if (profile)
            {
                using var profServer = MariaDbServer.StartOrConnect("UTC", bufferPoolMegabytes: 2048);
                Profile(profServer, sizes[0]);
                return 0;
            }
            var report = new StringBuilder();
            report.AppendLine("# Connection audit benchmark");
            report.AppendLine();
            report.AppendLine($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, MariaDB from Debian's packages (private instance, 2 GiB buffer pool), .NET {Environment.Version}, pwsh 7.6.9.");
            report.AppendLine("History: 30 days; a tenth of the computers change state 10 times a day, the rest once a day; a recording run every 5 minutes.");
            report.AppendLine();
            report.AppendLine("**Fresh process** (the figure): a new `pwsh` per command, `Import-Module`, then a Stopwatch around the cmdlet call; the median of " +
                FreshBench.Runs + " processes. **Wall**: the whole process, beside `pwsh -c exit`. **In-process**: the engine called in a warm benchmark process (median of its repetitions). " +
                "**Straightforward**: the obvious SQL for the same answer, in the same run; the ratio is straightforward / fresh process.");
            report.AppendLine();
            string zone = EveningZone.ForNow();
            using var server = MariaDbServer.StartOrConnect(zone, bufferPoolMegabytes: 2048);
            report.AppendLine("The server's clock: " + EveningZone.Describe(zone) + ".");
            report.AppendLine();
            double baseline = FreshProcess.Baseline(FreshBench.Runs) / 1000;
            var import = FreshBench.ImportModule();
            report.AppendLine($"`pwsh -c exit`: {Seconds(baseline)} wall. Import-Module: **{Seconds(import.FreshCmdlet)}** (target 300 ms), {Seconds(import.FreshWall)} wall.");
            report.AppendLine();
            report.AppendLine("| computers | history rows | operation | fresh process | wall | in-process | straightforward | ratio | target |");
            report.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
            var extra = new List<string>();
            foreach (int size in sizes)
            {
                foreach (string line in RunSize(server, size, !skipLong && size == sizes.Max(), extra)) { report.AppendLine(line); Console.WriteLine(line); }
            }
            if (extra.Count > 0)
            {
                report.AppendLine();
                foreach (string line in extra) report.AppendLine(line);
            }
            string path = Path.Combine(RepoPaths.Root, "bench", "RESULTS.md");
            // Hand-written notes under "## Notes" survive a new run.
            string old = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
            int notes = old.IndexOf("\n## Notes", StringComparison.Ordinal);
            File.WriteAllText(path, report + (notes >= 0 ? old.Substring(notes) : string.Empty));
            Console.WriteLine("Written to " + path);
            return 0;
        }

        private static IEnumerable<string> RunSize(MariaDbServer server, int n, bool longRuns, List<string> extra)
        {
            string cs = server.CreateDatabase("bench_" + n);
            AutomateSchema.Create(cs);
            var settings = ConnectionSettings.FromConnectionString(cs);
            using var db = AuditSession.Open(settings);
            new SchemaInstaller(db).InstallAll();
            using var sql = new MySqlConnection(cs + ";DefaultCommandTimeout=" + BaselineTimeoutSeconds);
            sql.Open();

            var watch = Stopwatch.StartNew();
            long rows = Seed(sql, n, tenthChurn: true);
            Console.WriteLine($"[{n}] seeded {rows} history rows in {watch.Elapsed.TotalSeconds:0} s");

            // Roll up the 30 past days in order (this also fills the daily table the report reads).
            var rollup = new DailyRollup(db, ServerClock.Read(db.Server));
            DateTime today = sql.QuerySingle<DateTime>("SELECT CURDATE()");
            var dayTimes = new List<double>();
            var pending = rollup.PendingDays(new RollupOptions());
            var later = new HashSet<DateTime>(pending);
            foreach (DateTime day in pending)
            {
                later.Remove(day);
                var w = Stopwatch.StartNew();
                rollup.RollDay(day, later);
                // The partial first day (history starts 30 days ago, mid-day) is not a typical day.
                if (day >= today.AddDays(-29)) dayTimes.Add(w.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"[{n}] rolled up {pending.Count} days in {dayTimes.Sum():0} s");
            DateTime probeDay = today.AddDays(-2);
            var rollDay = new Measured { Operation = "Invoke-DailyRollup, one day (yesterday, the nightly run)", InProcess = Median(dayTimes), Target = 5 };
            double inOrderSeconds = dayTimes.Sum() * 30 / dayTimes.Count;
            rollDay.Straightforward = Time(() => sql.Query(StraightforwardDay, new { start = probeDay, end = probeDay.AddDays(1) }).Count());
            (rollDay.FreshCmdlet, rollDay.FreshWall) = FreshBench.RollupOneDay(db, sql, cs, today.AddDays(-1));

            // Update-ConnectionAudit in steady state: 1% of the computers changed since the last run.
            var recorder = new ConnectionRecorder(db);
            recorder.Record(TimeSpan.FromMinutes(15));
            var updateTimes = new List<double>();
            var detectTimes = new List<double>();
            for (int i = 0; i < 5; i++)
            {
                sql.Execute("UPDATE computers SET LastContact = IF(LastContact > NOW() - INTERVAL 15 MINUTE, NOW() - INTERVAL 2 HOUR, NOW() - INTERVAL 1 MINUTE) WHERE ComputerID % 100 = @i", new { i });
                int changes = 0;
                updateTimes.Add(Time(() => changes = recorder.Record(TimeSpan.FromMinutes(15)).Changes.Count));
                if (Math.Abs(changes - n / 100) > n / 1000 + 1) throw new InvalidOperationException($"expected about {n / 100} changes, got {changes}");
                detectTimes.Add(Time(() => sql.Query(StraightforwardDetect).Count()));
            }
            var update = new Measured { Operation = "Update-ConnectionAudit, steady state (1% changed)", InProcess = Median(updateTimes), Straightforward = Median(detectTimes), Target = 0.3 };
            (update.FreshCmdlet, update.FreshWall) = FreshBench.Update(sql, cs, n);

            // Get-ConnectionReport for all computers: first row and all rows.
            var reporter = new ConnectionReports(db, ServerClock.Read(db.Server), ConnectionRecorder.DefaultOfflineAfter);
            var firstRow = new List<double>();
            var allRows = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                var w = Stopwatch.StartNew();
                int count = 0;
                foreach (var row in reporter.Rolling.Rows(new ComputerFilter()))
                {
                    if (count++ == 0) firstRow.Add(w.Elapsed.TotalSeconds);
                }
                allRows.Add(w.Elapsed.TotalSeconds);
                if (count != n) throw new InvalidOperationException($"report returned {count} rows for {n} computers");
            }
            double baselineFirst = 0;
            double baselineAll = Time(() =>
            {
                var w = Stopwatch.StartNew();
                int count = 0;
                foreach (var row in sql.Query(StraightforwardReport, buffered: false)) if (count++ == 0) baselineFirst = w.Elapsed.TotalSeconds;
            });
            var fresh = FreshBench.Report(cs, n);
            var first = new Measured { Operation = "Get-ConnectionReport, all computers, 24h/7d/30d: first row", InProcess = Median(firstRow), Straightforward = baselineFirst, Target = 0.3 };
            (first.FreshCmdlet, first.FreshWall) = fresh.First;
            var all = new Measured { Operation = "Get-ConnectionReport, all computers, 24h/7d/30d: all rows", InProcess = Median(allRows), Straightforward = baselineAll, Target = 1.5 };
            (all.FreshCmdlet, all.FreshWall) = fresh.All;
            foreach (var m in new[] { update, first, all, rollDay }) yield return Row(n, rows, m);

            // One more fresh process per command, with the module's log on: where the time goes.
            extra.Add($"### Where a fresh process's time goes at {n:N0} computers (one run each, with the module's log on)");
            extra.Add("");
            extra.Add("| command | cmdlet | connection open | SQL (server and round trips) | the rest: PowerShell, JIT, objects | slowest statements |");
            extra.Add("|---|---:|---:|---:|---:|---|");
            sql.Execute("UPDATE computers SET LastContact = IF(LastContact > NOW() - INTERVAL 15 MINUTE, NOW() - INTERVAL 2 HOUR, NOW() - INTERVAL 1 MINUTE) WHERE ComputerID % 100 = 99");
            extra.Add(FreshBench.Profile("Update-ConnectionAudit (1% changed)", "Update-ConnectionAudit -ConnectionString " + FreshBench.Quote(cs) + " -Confirm:$false"));
            extra.Add(FreshBench.Profile("Get-ConnectionReport, all rows", "Get-ConnectionReport -ConnectionString " + FreshBench.Quote(cs)));
            db.Rollup.Unmark(today.AddDays(-1));
            sql.Execute("DELETE FROM pvl_automate_connection_audit_daily WHERE day = @day", new { day = today.AddDays(-1) });
            extra.Add(FreshBench.Profile("Invoke-DailyRollup, one day", "Invoke-DailyRollup -ConnectionString " + FreshBench.Quote(cs) + " -Confirm:$false"));
            extra.Add("");
            extra.AddRange(FreshBench.Windows(cs, n, today));

            if (longRuns)
            {
                extra.AddRange(FreshBench.Hosts(sql, cs, n, update, first, all));
                extra.AddRange(Backfill(db, cs, n, inOrderSeconds));
                extra.AddRange(Adoption(server, n));
            }
            server.DropDatabase("bench_" + n);
        }

        /// <summary>A 30-day backfill and a -Force re-roll, each one fresh process, beside 30 in-order days.</summary>
        private static IEnumerable<string> Backfill(AuditSession db, string cs, int n, double inOrderSeconds)
        {
            DateTime today = ServerClock.Read(db.Server).NowLocal.Date;
            string days = string.Join(",", Enumerable.Range(1, 30).Select(d => "'" + today.AddDays(-d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'"));
            var force = FreshBench.Once("$d = @(Invoke-DailyRollup -ConnectionString " + FreshBench.Quote(cs) + " -Force -PassThru -Confirm:$false); if ($d.Count -lt 30) { throw \"rolled $($d.Count) days\" }");
            // The days named newest first: the order a backfill script might list them in.
            var reverse = FreshBench.Once("$d = @(Invoke-DailyRollup -ConnectionString " + FreshBench.Quote(cs) + " -Day " + days + " -PassThru -Confirm:$false); if ($d.Count -ne 30) { throw \"rolled $($d.Count) days\" }");
            // One day rolled again alone, ten rolled days after it: first as it is, then with two hours of its runs gone (every computer changes).
            DateTime tenBack = today.AddDays(-11);
            string once = "$d = @(Invoke-DailyRollup -ConnectionString " + FreshBench.Quote(cs) + " -Day '" + tenBack.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) +
                "' -PassThru -Confirm:$false); if ($d.Count -ne 1) { throw \"rolled $($d.Count) days\" }";
            var unchanged = FreshBench.Once(once);
            DateTime[] bounds = ServerClock.Read(db.Server).ToUtc(tenBack.AddHours(6), tenBack.AddHours(8));
            using (var sql = new MySqlConnection(cs)) sql.Execute("DELETE FROM aa_run_log WHERE started_utc >= @from AND started_utc < @to", new { from = bounds[0], to = bounds[1] });
            var changed = FreshBench.Once(once);
            yield return $"### Backfill at {n:N0} computers (one fresh process each)";
            yield return "";
            yield return "| run | fresh process | wall | per day |";
            yield return "|---|---:|---:|---:|";
            yield return $"| 30 days rolled one by one in order (in-process, the sum) | {Seconds(inOrderSeconds)} | | {Seconds(inOrderSeconds / 30)} |";
            yield return $"| Invoke-DailyRollup -Force (re-rolls all 30 days) | {Seconds(force.Cmdlet)} | {Seconds(force.Wall)} | {Seconds(force.Cmdlet / 30)} |";
            yield return $"| Invoke-DailyRollup -Day (30 days listed newest first) | {Seconds(reverse.Cmdlet)} | {Seconds(reverse.Wall)} | {Seconds(reverse.Cmdlet / 30)} |";
            yield return $"| Invoke-DailyRollup -Day (one day, ten rolled days after it; nothing changed) | {Seconds(unchanged.Cmdlet)} | {Seconds(unchanged.Wall)} | |";
            yield return $"| Invoke-DailyRollup -Day (the same day, two hours of its runs deleted: every computer changed) | {Seconds(changed.Cmdlet)} | {Seconds(changed.Wall)} | |";
            yield return "";
        }

        /// <summary>
        /// Install-AuditTable over an existing ProVal table (ProVal's four columns only, 30 days, about 43.5 rows
        /// per computer: 4.35 million at 100,000), then the first Get-ConnectionReport before any rollup.
        /// </summary>
        private static IEnumerable<string> Adoption(MariaDbServer server, int n)
        {
            string name = "adopt_" + n;
            string cs = server.CreateDatabase(name);
            AutomateSchema.Create(cs);
            long rows;
            using (var sql = new MySqlConnection(cs + ";DefaultCommandTimeout=" + BaselineTimeoutSeconds))
            {
                sql.Open();
                CreateProValTables(sql);
                rows = Seed(sql, n, tenthChurn: false);
            }
            Console.WriteLine($"[{n}] ProVal table with {rows} rows");
            var install = FreshBench.Once("$null = Install-AuditTable -ConnectionString " + FreshBench.Quote(cs) + " -Confirm:$false");
            using (var sql = new MySqlConnection(cs))
            {
                sql.Open();
                long after = sql.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit");
                long filled = sql.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit WHERE effective_utc IS NOT NULL");
                if (after != rows || filled != rows) throw new InvalidOperationException($"adoption: {rows} rows before, {after} after, {filled} with effective_utc");
            }
            var report = FreshBench.Report(cs, n);
            server.DropDatabase(name);
            yield return $"### Adopting an existing ProVal table at {n:N0} computers ({rows:N0} rows, one fresh process; then the first report, before any rollup)";
            yield return "";
            yield return "| operation | fresh process | wall | target |";
            yield return "|---|---:|---:|---:|";
            yield return $"| Install-AuditTable adopting {rows:N0} ProVal rows (no row lost: checked) | {Seconds(install.Cmdlet)} | {Seconds(install.Wall)} | 120 s |";
            yield return $"| Get-ConnectionReport right after adoption: all rows | {Seconds(report.All.Cmdlet)} | {Seconds(report.All.Wall)} | 1.5 s |";
            yield return $"| Get-ConnectionReport right after adoption: first row | {Seconds(report.First.Cmdlet)} | {Seconds(report.First.Wall)} | 0.3 s |";
            yield return "";
        }

        private static void CreateProValTables(MySqlConnection sql) =>
            sql.Execute("CREATE TABLE pvl_automate_connection_audit (computerid INT, state TINYINT, lastcontact DATETIME, datacollectiontime DATETIME); " +
                "CREATE TABLE pvl_automate_connection_audit_daily (computerid INT, online INT, offline INT, datacollectiontime DATETIME)");

        /// <summary>--profile N: where a full report spends its time, statement by statement.</summary>
        private static void Profile(MariaDbServer server, int n)
        {
            string cs = server.CreateDatabase("bench_" + n);
            AutomateSchema.Create(cs);
            using (var setup = AuditSession.Open(ConnectionSettings.FromConnectionString(cs)))
            {
                new SchemaInstaller(setup).InstallAll();
            }
            using var sql = new MySqlConnection(cs);
            sql.Open();
            Seed(sql, n, tenthChurn: true);
            var totals = new Dictionary<string, (int Count, long Ms)>();
            using var db = AuditSession.Open(ConnectionSettings.FromConnectionString(cs), line =>
            {
                var m = System.Text.RegularExpressions.Regex.Match(line, @"^SQL \((\d+) ms[^)]*\): (.{0,70})");
                if (!m.Success) return;
                string key = m.Groups[2].Value;
                totals.TryGetValue(key, out var t);
                totals[key] = (t.Count + 1, t.Ms + long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            });
            DateTime today = sql.QuerySingle<DateTime>("SELECT CURDATE()");
            var rollup = new DailyRollup(db, ServerClock.Read(db.Server));
            for (int d = 30; d >= 1; d--) rollup.RollDay(today.AddDays(-d));
            Print("rollup of 30 days", totals);
            totals.Clear();
            var w = Stopwatch.StartNew();
            int count = new ConnectionReports(db, ServerClock.Read(db.Server), ConnectionRecorder.DefaultOfflineAfter).Rolling.Rows(new ComputerFilter()).Count();
            Console.WriteLine($"report: {count} rows in {w.ElapsedMilliseconds} ms");
            Print("report", totals);
        }

        private static void Print(string title, Dictionary<string, (int Count, long Ms)> totals)
        {
            Console.WriteLine("== " + title);
            foreach (var (key, t) in totals.OrderByDescending(kv => kv.Value.Ms).Select(kv => (kv.Key, kv.Value)).Take(12))
                Console.WriteLine($"{t.Ms,8} ms {t.Count,6}x  {key}");
        }

        /// <summary>
        /// History seeded in SQL (MariaDB's sequence engine), shaped as the recorder writes it. With tenthChurn a tenth
        /// of the fleet changes 10 times a day (57 rows per computer); without, a twentieth does and only ProVal's four
        /// columns are written, as an existing ProVal installation has them (43.5 rows per computer).
        /// </summary>
        private static long Seed(MySqlConnection sql, int n, bool tenthChurn)
        {
            sql.Execute("INSERT INTO clients (ClientID, Name) SELECT seq, CONCAT('Client ', seq) FROM seq_1_to_50");
            sql.Execute("INSERT INTO locations (LocationID, ClientID, Name) SELECT seq, (seq - 1) DIV 3 + 1, CONCAT('Site ', seq) FROM seq_1_to_150");
            sql.Execute(@"INSERT INTO computers (ComputerID, ClientID, LocationID, Name, OS, BiosFlash, Flags, LastUsername, LastContact, Uptime)
                SELECT seq, seq % 50 + 1, seq % 150 + 1, CONCAT('PC', seq), IF(seq % 7 = 0, 'Microsoft Windows Server 2022', 'Microsoft Windows 11 Pro'),
                       IF(seq % 3 = 0, 'Portable', ''), IF(seq % 14 = 0, 2048, 0), 'jsmith', NOW(), 100 FROM seq_1_to_" + n);
            string busy = tenthChurn ? "c.seq % 10 = 0" : "c.seq % 20 = 0";
            string columns = tenthChurn ? "computerid, state, lastcontact, datacollectiontime, effective_utc, collected_utc, removed, run_id" : "computerid, state, lastcontact, datacollectiontime";
            // The server's UTC offset now (the benchmark's zone is a fixed one: see EveningZone).
            long offset = sql.QuerySingle<long>("SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())");
            // Changes alternate online/offline from 30 days ago; the busy part of the fleet every 2.4 hours, the rest daily.
            foreach (var (filter, changes, period) in new[] { (busy, 300, 8640), ("NOT (" + busy + ")", 30, 86400) })
            {
                string at = string.Format(CultureInfo.InvariantCulture, "UTC_TIMESTAMP() - INTERVAL 30 DAY + INTERVAL (k.seq * {0} + c.seq * 37 % {0}", period);
                // lastcontact and datacollectiontime are the server's local time (Automate's), effective_utc and collected_utc UTC.
                sql.Execute(string.Format(CultureInfo.InvariantCulture,
                    "INSERT INTO pvl_automate_connection_audit ({3}) " +
                    "SELECT c.seq, IF(k.seq % 2 = 0, 1, 0), {4}) SECOND + INTERVAL @offset SECOND, {4} + 300) SECOND + INTERVAL @offset SECOND" +
                    (tenthChurn ? ", {4}) SECOND, {4} + 300) SECOND, 0, 1 " : " ") +
                    "FROM seq_1_to_{0} c JOIN seq_0_to_{1} k WHERE {2} ORDER BY k.seq, c.seq",
                    n, changes - 1, filter, columns, at), new { offset });
            }
            if (tenthChurn)
            {
                sql.Execute(@"INSERT INTO aa_connection_state (computerid, state, lastcontact, lastcontact_utc, effective_utc, removed, updated_utc)
                    SELECT a.computerid, a.state, a.lastcontact, a.effective_utc, a.effective_utc, 0, UTC_TIMESTAMP()
                    FROM pvl_automate_connection_audit a JOIN (SELECT computerid, MAX(id) AS id FROM pvl_automate_connection_audit GROUP BY computerid) l ON l.id = a.id");
                sql.Execute("UPDATE computers c JOIN aa_connection_state s ON s.computerid = c.ComputerID SET c.LastContact = IF(s.state = 1, NOW() - INTERVAL 2 MINUTE, s.lastcontact)");
                sql.Execute(@"INSERT INTO aa_run_log (job, started_utc, started_local, finished_utc, status, rows_written)
                    SELECT 'connection', UTC_TIMESTAMP() - INTERVAL 31 DAY + INTERVAL seq * 5 MINUTE, NOW() - INTERVAL 31 DAY + INTERVAL seq * 5 MINUTE,
                           UTC_TIMESTAMP() - INTERVAL 31 DAY + INTERVAL seq * 5 MINUTE, 'ok', 0 FROM seq_0_to_8927");
                sql.Execute("ANALYZE TABLE pvl_automate_connection_audit, aa_connection_state, computers");
            }
            return sql.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit");
        }

        // The obvious ways to get the same answers: latest state by a group-wise maximum over the whole
        // history; a day's minutes by finding each row's successor row by row; the report from raw history.
        private const string StraightforwardDetect = @"
            SELECT c.ComputerID, IF(c.LastContact > NOW() - INTERVAL 15 MINUTE, 1, 0) AS st
            FROM computers c LEFT JOIN (
              SELECT a.computerid, a.state FROM pvl_automate_connection_audit a
              JOIN (SELECT computerid, MAX(id) AS id FROM pvl_automate_connection_audit GROUP BY computerid) m ON m.id = a.id) l
              ON l.computerid = c.ComputerID
            WHERE l.computerid IS NULL OR l.state <> IF(c.LastContact > NOW() - INTERVAL 15 MINUTE, 1, 0)";

        private const string StraightforwardDay = @"
            SELECT computerid,
              SUM(IF(state = 1, TIMESTAMPDIFF(SECOND, GREATEST(effective_utc, @start), LEAST(nxt, @end)), 0)) AS online,
              SUM(IF(state = 0, TIMESTAMPDIFF(SECOND, GREATEST(effective_utc, @start), LEAST(nxt, @end)), 0)) AS offline
            FROM (SELECT a.computerid, a.state, a.effective_utc,
                    COALESCE((SELECT MIN(b.effective_utc) FROM pvl_automate_connection_audit b
                              WHERE b.computerid = a.computerid AND b.effective_utc > a.effective_utc), UTC_TIMESTAMP()) AS nxt
                  FROM pvl_automate_connection_audit a WHERE a.effective_utc < @end) p
            WHERE nxt > @start GROUP BY computerid";

        private const string StraightforwardReport = @"
            SELECT c.ComputerID, c.Name, cl.Name AS Client, l.Name AS Location,
              SUM(IF(p.state = 1, GREATEST(0, TIMESTAMPDIFF(SECOND, GREATEST(p.s, UTC_TIMESTAMP() - INTERVAL 1 DAY), p.e)), 0)) AS on24,
              SUM(IF(p.state = 0, GREATEST(0, TIMESTAMPDIFF(SECOND, GREATEST(p.s, UTC_TIMESTAMP() - INTERVAL 1 DAY), p.e)), 0)) AS off24,
              SUM(IF(p.state = 1, GREATEST(0, TIMESTAMPDIFF(SECOND, GREATEST(p.s, UTC_TIMESTAMP() - INTERVAL 7 DAY), p.e)), 0)) AS on7,
              SUM(IF(p.state = 0, GREATEST(0, TIMESTAMPDIFF(SECOND, GREATEST(p.s, UTC_TIMESTAMP() - INTERVAL 7 DAY), p.e)), 0)) AS off7,
              SUM(IF(p.state = 1, GREATEST(0, TIMESTAMPDIFF(SECOND, GREATEST(p.s, UTC_TIMESTAMP() - INTERVAL 30 DAY), p.e)), 0)) AS on30,
              SUM(IF(p.state = 0, GREATEST(0, TIMESTAMPDIFF(SECOND, GREATEST(p.s, UTC_TIMESTAMP() - INTERVAL 30 DAY), p.e)), 0)) AS off30
            FROM computers c
            LEFT JOIN clients cl ON cl.ClientID = c.ClientID LEFT JOIN locations l ON l.LocationID = c.LocationID
            LEFT JOIN (SELECT computerid, state, effective_utc AS s,
                         COALESCE(LEAD(effective_utc) OVER (PARTITION BY computerid ORDER BY effective_utc, id), UTC_TIMESTAMP()) AS e
                       FROM pvl_automate_connection_audit) p ON p.computerid = c.ComputerID
            GROUP BY c.ComputerID, c.Name, cl.Name, l.Name ORDER BY c.ComputerID";

        private static double Time(Action action)
        {
            var watch = Stopwatch.StartNew();
            try { action(); }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.QueryInterrupted || ex.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase)) { return double.PositiveInfinity; }
            catch (MySqlException ex) when (ex.InnerException is TimeoutException) { return double.PositiveInfinity; }
            return watch.Elapsed.TotalSeconds;
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }

        internal static string Seconds(double s) =>
            double.IsPositiveInfinity(s) ? $"> {BaselineTimeoutSeconds} s (timed out)" : s < 1 ? $"{s * 1000:0} ms" : $"{s:0.00} s";

        private static string Row(int n, long rows, Measured m) =>
            $"| {n:N0} | {rows:N0} | {m.Operation} | **{Seconds(m.FreshCmdlet)}** | {Seconds(m.FreshWall)} | {Seconds(m.InProcess)} | {Seconds(m.Straightforward)} | " +
            (double.IsPositiveInfinity(m.Straightforward) ? $"> {BaselineTimeoutSeconds / m.FreshCmdlet:0}x" : $"{m.Straightforward / m.FreshCmdlet:0.0}x") +
            $" | {Seconds(m.Target)}{(m.FreshCmdlet <= m.Target ? " met" : " **missed**")} |";
    }
}
