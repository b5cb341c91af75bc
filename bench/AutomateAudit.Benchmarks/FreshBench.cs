using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.Benchmarks
{
    /// <summary>One benchmarked operation: the in-process figure, the fresh-process figures and the straightforward SQL.</summary>
    internal sealed class Measured
    {
        public string Operation;
        public double InProcess = double.NaN;   // seconds
        public double FreshCmdlet = double.NaN; // seconds, median of the fresh processes
        public double FreshWall = double.NaN;   // seconds, the whole process
        public double Straightforward = double.NaN;
        public double Target = double.NaN;
    }

    /// <summary>
    /// Each command the way a scheduled task or an Automate step runs it: a fresh pwsh 7 process, Import-Module,
    /// a Stopwatch around the cmdlet call; the median of <see cref="Runs"/> processes.
    /// </summary>
    internal static class FreshBench
    {
        public const int Runs = 5;

        public static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

        /// <summary>Import-Module alone (the figure is the import, the wall is the whole process).</summary>
        public static Measured ImportModule() 
        {
            var r = FreshProcess.Median("'cmdlet_ms=0'", Runs);
            return new Measured { Operation = "Import-Module", FreshCmdlet = r.ImportMs / 1000, FreshWall = r.WallMs / 1000, Target = 0.3 };
        }

        /// <summary>Update-ConnectionAudit with 1% of the fleet changed before each process.</summary>
        public static (double Cmdlet, double Wall) Update(MySqlConnection sql, string cs, int n)
        {
            var runs = new List<(double, double, double)>();
            for (int i = 0; i < Runs; i++)
            {
                sql.Execute("UPDATE computers SET LastContact = IF(LastContact > NOW() - INTERVAL 15 MINUTE, NOW() - INTERVAL 2 HOUR, NOW() - INTERVAL 1 MINUTE) WHERE ComputerID % 100 = @i", new { i = 50 + i });
                var run = FreshProcess.Run("$w = [Diagnostics.Stopwatch]::StartNew(); $c = @(Update-ConnectionAudit -ConnectionString " + Quote(cs) +
                    " -PassThru -Confirm:$false); 'cmdlet_ms=' + $w.Elapsed.TotalMilliseconds; 'changes=' + $c.Count");
                runs.Add(run);
            }
            return (FreshProcess.Median(runs.Select(r => r.Item1)) / 1000, FreshProcess.Median(runs.Select(r => r.Item3)) / 1000);
        }

        /// <summary>Get-ConnectionReport for the whole fleet: all rows collected, and the first row (Select-Object -First 1 stops the command).</summary>
        public static ((double Cmdlet, double Wall) All, (double Cmdlet, double Wall) First) Report(string cs, int n, string extra = "", bool firstRow = true)
        {
            string call = "Get-ConnectionReport -ConnectionString " + Quote(cs) + extra;
            var all = FreshProcess.Median("$w = [Diagnostics.Stopwatch]::StartNew(); $rows = @(" + call + "); 'cmdlet_ms=' + $w.Elapsed.TotalMilliseconds; " +
                "if ($rows.Count -ne " + n + ") { throw \"$($rows.Count) rows for " + n + " computers\" }", Runs);
            if (!firstRow) return ((all.CmdletMs / 1000, all.WallMs / 1000), (0, 0));
            var first = FreshProcess.Median("$w = [Diagnostics.Stopwatch]::StartNew(); $row = " + call + " | Select-Object -First 1; 'cmdlet_ms=' + $w.Elapsed.TotalMilliseconds; " +
                "if ($null -eq $row) { throw 'no row' }", Runs);
            return ((all.CmdletMs / 1000, all.WallMs / 1000), (first.CmdletMs / 1000, first.WallMs / 1000));
        }

        /// <summary>
        /// Get-ConnectionReport -Start for the whole fleet, ending now (the monthly or quarterly figure a user asks for): one
        /// window starting at a midnight (whole days from the summary, today from the raw history) and one starting mid-day
        /// (its first day's part from the raw history too). No target of its own; measured so it is known.
        /// </summary>
        public static IEnumerable<string> Windows(string cs, int n, DateTime today)
        {
            yield return $"### Get-ConnectionReport -Start at {n:N0} computers, all rows (fresh process, median of {Runs})";
            yield return "";
            yield return "| window | fresh process | wall |";
            yield return "|---|---:|---:|";
            foreach (DateTime start in new[] { today.AddDays(-30), today.AddDays(-20).AddHours(13).AddMinutes(45) })
            {
                string text = start.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
                var (all, _) = Report(cs, n, " -Start '" + text + "' -WarningAction SilentlyContinue", firstRow: false);
                yield return $"| -Start '{text}' (server local), ending now | {Program.Seconds(all.Cmdlet)} | {Program.Seconds(all.Wall)} |";
            }
            yield return "";
        }

        /// <summary>
        /// Invoke-DailyRollup rolling yesterday, the one pending day, as the nightly job finds it: reopened and its daily
        /// rows deleted before each process (the in-process figure rolls new days too).
        /// </summary>
        public static (double Cmdlet, double Wall) RollupOneDay(AuditSession db, MySqlConnection sql, string cs, DateTime yesterday)
        {
            var runs = new List<(double, double, double)>();
            for (int i = 0; i < Runs; i++)
            {
                db.Rollup.Unmark(yesterday);
                sql.Execute("DELETE FROM pvl_automate_connection_audit_daily WHERE day = @yesterday", new { yesterday });
                runs.Add(FreshProcess.Run("$w = [Diagnostics.Stopwatch]::StartNew(); $d = @(Invoke-DailyRollup -ConnectionString " + Quote(cs) +
                    " -PassThru -Confirm:$false); 'cmdlet_ms=' + $w.Elapsed.TotalMilliseconds; if ($d.Count -ne 1) { throw \"rolled $($d.Count) days\" }"));
            }
            return (FreshProcess.Median(runs.Select(r => r.Item1)) / 1000, FreshProcess.Median(runs.Select(r => r.Item3)) / 1000);
        }

        /// <summary>One fresh process (for the long operations: adoption, backfill).</summary>
        public static (double Cmdlet, double Wall) Once(string script)
        {
            var r = FreshProcess.Run("$w = [Diagnostics.Stopwatch]::StartNew(); " + script + "; 'cmdlet_ms=' + $w.Elapsed.TotalMilliseconds");
            return (r.CmdletMs / 1000, r.WallMs / 1000);
        }

        /// <summary>
        /// Where one fresh process's cmdlet call spends its time: the module's own log (-Verbose and debug output)
        /// gives the connection time and each statement's time; the rest is PowerShell, JIT compilation and the
        /// objects the cmdlet builds.
        /// </summary>
        public static string Profile(string operation, string call)
        {
            var r = FreshProcess.RunLogged("$DebugPreference = 'Continue'; $w = [Diagnostics.Stopwatch]::StartNew(); $all = @(" + call +
                " -Verbose 4>&1 5>&1); $ms = $w.Elapsed.TotalMilliseconds; " +
                "$all | Where-Object { $_ -is [System.Management.Automation.InformationalRecord] } | ForEach-Object { 'log=' + $_.Message }; 'cmdlet_ms=' + $ms");
            double connect = 0, sql = 0;
            int statements = 0;
            var slowest = new List<(double Ms, string Sql)>();
            foreach (string line in r.Output.Split('\n').Where(l => l.StartsWith("log=", StringComparison.Ordinal)).Select(l => l.Substring(4)))
            {
                var m = System.Text.RegularExpressions.Regex.Match(line, @"^Connected .* in (\d+) ms");
                if (m.Success) { connect += double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture); continue; }
                m = System.Text.RegularExpressions.Regex.Match(line, @"^SQL \((\d+) ms[^)]*\): (.*)$");
                if (!m.Success) continue;
                double ms = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                sql += ms;
                statements++;
                slowest.Add((ms, m.Groups[2].Value.Length > 60 ? m.Groups[2].Value.Substring(0, 60) + "..." : m.Groups[2].Value));
            }
            string top = string.Join("; ", slowest.OrderByDescending(x => x.Ms).Take(2).Select(x => $"{x.Ms:0} ms `{x.Sql.Replace("`", "").Replace("|", "/")}`"));
            return $"| {operation} | {r.CmdletMs:0} ms | {connect:0} ms | {sql:0} ms in {statements} statements | {r.CmdletMs - connect - sql:0} ms | {top} |";
        }

        /// <summary>
        /// The same fresh-process figures under pwsh precompiled as PowerShell's platform packages ship it, beside the
        /// pinned dotnet tool (IL only) that every other figure here uses.
        /// </summary>
        private static string Pair(double cmdlet, double wall) => Program.Seconds(cmdlet) + " / " + Program.Seconds(wall);

        public static IEnumerable<string> Hosts(MySqlConnection sql, string cs, int n, Measured update, Measured first, Measured all)
        {
            string precompiled = PrecompiledPwsh.Prepare();
            double toolExit = FreshProcess.Baseline(Runs) / 1000;
            var toolImport = ImportModule();
            FreshProcess.HostDll = precompiled;
            try
            {
                double exit = FreshProcess.Baseline(Runs) / 1000;
                var import = ImportModule();
                var (updateCmdlet, updateWall) = Update(sql, cs, n);
                var report = Report(cs, n);
                FreshProcess.HostDll = null;
                FreshProcess.Environment["DOTNET_TieredPGO"] = "0";
                double pgoExit = FreshProcess.Baseline(Runs) / 1000;
                var pgoImport = ImportModule();
                var (pgoUpdateCmdlet, pgoUpdateWall) = Update(sql, cs, n);
                var pgoReport = Report(cs, n);
                yield return $"### The same at {n:N0} computers under pwsh precompiled (ReadyToRun) as PowerShell's deb, rpm, tar.gz and MSI packages ship it, and without tiered PGO";
                yield return "";
                yield return "The dotnet tool package of pwsh that this repository pins (and every figure above runs) is framework-dependent, which " +
                    "PowerShell's build leaves uncompiled: each fresh process JIT-compiles PowerShell itself. Users install the platform packages. " +
                    "Same 7.6.9 assemblies, precompiled here with the SDK's ReadyToRun compiler (bench/AutomateAudit.Benchmarks/PrecompiledPwsh.cs). " +
                    "The last column is the pinned tool with the .NET setting `DOTNET_TieredPGO=0` in the process's environment (no instrumented " +
                    "re-compilation of hot methods). Medians of " + Runs + " fresh processes each, cmdlet / whole process.";
                yield return "";
                yield return "| command | pinned dotnet tool (IL) | precompiled pwsh | pinned tool, `DOTNET_TieredPGO=0` | target |";
                yield return "|---|---:|---:|---:|---:|";
                yield return $"| `pwsh -c exit` | {Program.Seconds(toolExit)} wall | {Program.Seconds(exit)} wall | {Program.Seconds(pgoExit)} wall | |";
                yield return $"| Import-Module | {Pair(toolImport.FreshCmdlet, toolImport.FreshWall)} | {Pair(import.FreshCmdlet, import.FreshWall)} | {Pair(pgoImport.FreshCmdlet, pgoImport.FreshWall)} | 300 ms |";
                yield return $"| Update-ConnectionAudit (1% changed) | {Pair(update.FreshCmdlet, update.FreshWall)} | {Pair(updateCmdlet, updateWall)} | {Pair(pgoUpdateCmdlet, pgoUpdateWall)} | 300 ms |";
                yield return $"| Get-ConnectionReport: first row | {Pair(first.FreshCmdlet, first.FreshWall)} | {Pair(report.First.Cmdlet, report.First.Wall)} | {Pair(pgoReport.First.Cmdlet, pgoReport.First.Wall)} | 300 ms |";
                yield return $"| Get-ConnectionReport: all rows | {Pair(all.FreshCmdlet, all.FreshWall)} | {Pair(report.All.Cmdlet, report.All.Wall)} | {Pair(pgoReport.All.Cmdlet, pgoReport.All.Wall)} | 1.5 s |";
                yield return "";
            }
            finally
            {
                FreshProcess.HostDll = null;
                FreshProcess.Environment.Remove("DOTNET_TieredPGO");
            }
        }
    }
}
