using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using AutomateAudit.Endpoint.Platform.Linux;
using AutomateAudit.Testing;

namespace AutomateAudit.Benchmarks
{
    /// <summary>
    /// ./build.sh bench --endpoint: Get-UserSession on a Linux machine with a few live sessions (utmp written for
    /// live processes, a wtmp of a month of logins), in fresh pwsh processes and warm in-process.
    /// Results go to bench/RESULTS-endpoint.md.
    /// </summary>
    internal static class EndpointBench
    {
        private const int Runs = 5;

        public static int Run()
        {
            string dir = Path.Combine(Path.GetTempPath(), "aa-endpoint-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            var sleepers = Enumerable.Range(0, 5).Select(_ => Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })).ToList();
            try
            {
                DateTime now = DateTime.UtcNow;
                var records = new List<UtmpRecord>();
                for (int i = 0; i < sleepers.Count; i++)
                {
                    var r = new UtmpRecord { Type = UtmpType.UserProcess, Pid = sleepers[i].Id, Line = "pts/" + (90 + i), Id = "ts" + i, User = "user" + i, Host = "10.0.0." + (10 + i) };
                    r.SetTimeUtc(now.AddMinutes(-30 * (i + 1)));
                    records.Add(r);
                }
                string utmp = Path.Combine(dir, "utmp"), wtmp = Path.Combine(dir, "wtmp");
                UtmpFormat.WriteFile(utmp, records, UtmpFormat.HostLayout);
                var history = new List<UtmpRecord>();
                for (int d = 30; d >= 1; d--)
                    for (int u = 0; u < 5; u++)
                    {
                        var login = new UtmpRecord { Type = UtmpType.UserProcess, Pid = 50000 + d * 10 + u, Line = "pts/" + u, User = "user" + u, Host = "10.0.0.9" };
                        login.SetTimeUtc(now.AddDays(-d).AddHours(8 + u));
                        var logout = new UtmpRecord { Type = UtmpType.DeadProcess, Pid = login.Pid, Line = login.Line };
                        logout.SetTimeUtc(now.AddDays(-d).AddHours(12 + u));
                        history.Add(login);
                        history.Add(logout);
                    }
                UtmpFormat.WriteFile(wtmp, history, UtmpFormat.HostLayout);

                string sessions = "$w=[Diagnostics.Stopwatch]::StartNew(); $r=@(Get-UserSession -UtmpPath '" + utmp + "'); 'cmdlet_ms=' + $w.Elapsed.TotalMilliseconds; " +
                    "if ($r.Count -ne 5) { throw \"expected 5 sessions, got $($r.Count)\" }";
                string payload = "$w=[Diagnostics.Stopwatch]::StartNew(); $p=Get-UserSession -UtmpPath '" + utmp + "' -IncludeEvents -Since (Get-Date).AddDays(-7) -WtmpPath '" + wtmp + "' -AsPayload; " +
                    "'cmdlet_ms=' + $w.Elapsed.TotalMilliseconds; if ($p.Length -lt 1000) { throw 'payload too small' }";
                double baseline = FreshProcess.Baseline(Runs);
                var plain = FreshProcess.Median(sessions, Runs);
                var withEvents = FreshProcess.Median(payload, Runs);

                var source = new LinuxSessionSource(utmp, wtmp);
                for (int i = 0; i < 20; i++) source.GetSessions(false);
                var warm = Enumerable.Range(0, 200).Select(_ => { var w = Stopwatch.StartNew(); source.GetSessions(false); return w.Elapsed.TotalMilliseconds; }).ToList();
                var warmEvents = Enumerable.Range(0, 50).Select(_ => { var w = Stopwatch.StartNew(); source.GetEvents(now.AddDays(-31)); return w.Elapsed.TotalMilliseconds; }).ToList();

                var report = new StringBuilder();
                report.AppendLine("# Endpoint benchmark: Get-UserSession");
                report.AppendLine();
                report.AppendLine($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores (Linux), pwsh 7.6.9 (`dotnet pwsh`), .NET {Environment.Version}, by `./build.sh bench --endpoint`.");
                report.AppendLine("A utmp with 5 live sessions (each held by a live process), a wtmp with 30 days of logins and logouts of 5 users (300 records).");
                report.AppendLine($"Fresh process: each figure is the median of {Runs} fresh pwsh processes; the cmdlet is timed by a Stopwatch inside the process, after Import-Module.");
                report.AppendLine();
                report.AppendLine("| command | cmdlet (fresh process) | Import-Module | whole process | `pwsh -c exit` | warm, in-process |");
                report.AppendLine("|---|---:|---:|---:|---:|---:|");
                report.AppendLine($"| Get-UserSession (5 sessions) | {plain.CmdletMs:0} ms | {plain.ImportMs:0} ms | {plain.WallMs:0} ms | {baseline:0} ms | {FreshProcess.Median(warm):0.00} ms |");
                report.AppendLine($"| Get-UserSession -IncludeEvents -Since 7 days ago -AsPayload | {withEvents.CmdletMs:0} ms | {withEvents.ImportMs:0} ms | {withEvents.WallMs:0} ms | {baseline:0} ms | {FreshProcess.Median(warmEvents):0.00} ms (events only) |");
                report.AppendLine();
                report.AppendLine("Target (issue 7): under 50 ms for a machine with a few sessions, with no child processes. The fresh-process figure is the first call in a new");
                report.AppendLine("process, so it includes loading and JIT-compiling the endpoint assembly; the warm figure is the OS reads alone.");
                string path = Path.Combine(RepoPaths.Root, "bench", "RESULTS-endpoint.md");
                File.WriteAllText(path, report.ToString());
                Console.Write(report);
                return 0;
            }
            finally
            {
                foreach (var p in sleepers) { try { p.Kill(); } catch (InvalidOperationException) { } p.Dispose(); }
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
