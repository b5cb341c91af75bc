using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using MySqlConnector;

namespace AutomateAudit.Demo
{
    /// <summary>
    /// ./build.sh demo: a sandbox MariaDB holding a simulated Automate fleet (Automate's tables and a
    /// week of agents coming and going), then the module's cmdlets run against it as an admin's jobs
    /// would, in real PowerShell (pwsh 7, the repository's local dotnet tool). The sandbox is deleted at the end.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            int agents = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 300;
            string zone = LocalZone();
            Console.WriteLine($"Starting a sandbox MariaDB (time zone {zone})...");
            using var server = MariaDbServer.StartOrConnect(zone);
            string cs = server.CreateDatabase("labtech");
            AutomateSchema.Create(cs);

            DateTime now = DateTime.UtcNow;
            var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddDays(-8);
            var simulator = new FleetSimulator(new FleetOptions { Agents = agents, Clients = 12, StartUtc = start, Days = 8, TimeZone = zone });
            using var connection = new MySqlConnection(cs);
            connection.Open();
            simulator.WriteDirectory(connection);
            Console.WriteLine($"Simulated fleet: {agents} agents over 12 clients, 8 days of check-ins.");

            if (RunScript(cs, "Install") != 0) return 1;

            Console.Write("Recording 8 days of history every 5 minutes (the engine on a simulated clock)");
            using (var db = AuditSession.Open(ConnectionSettings.FromConnectionString(cs)))
            {
                var recorder = new ConnectionRecorder(db);
                var replay = new HistoryReplay(simulator, start.AddSeconds(97), DateTime.UtcNow.AddMinutes(-7));
                DateTime lastDay = DateTime.MinValue;
                replay.Run(connection, t =>
                {
                    db.Server.UseSimulatedClock(t);
                    recorder.Record(ConnectionRecorder.DefaultOfflineAfter);
                    if (t.Date != lastDay) { Console.Write('.'); lastDay = t.Date; }
                });
            }
            simulator.ApplyUntil(connection, DateTime.UtcNow);
            Console.WriteLine(" done.");
            Console.WriteLine();
            return RunScript(cs, "Report");
        }

        /// <summary>
        /// Runs Demo.ps1 in real PowerShell: pwsh from the repository's local tool manifest
        /// (.config/dotnet-tools.json; ./build.sh restores it), started from the repository root so that
        /// 'dotnet pwsh' finds the manifest.
        /// </summary>
        private static int RunScript(string connectionString, string step)
        {
            string root = RepoPaths.Root;
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = root };
            foreach (string arg in new[]
            {
                "pwsh", "-NoProfile", "-NonInteractive",
                "-File", Path.Combine(AppContext.BaseDirectory, "Demo.ps1"),
                "-ConnectionString", connectionString, "-Module", RepoPaths.ModuleManifest, "-Step", step,
            }) info.ArgumentList.Add(arg);
            using var process = Process.Start(info);
            process.WaitForExit();
            if (process.ExitCode != 0)
                Console.Error.WriteLine($"Demo.ps1 -Step {step} failed (exit code {process.ExitCode}). Is pwsh restored? Run 'dotnet tool restore' in {root}.");
            return process.ExitCode;
        }

        /// <summary>The machine's IANA zone, so that times typed at the demo's prompt mean the server's local time.</summary>
        private static string LocalZone()
        {
            string id = TimeZoneInfo.Local.Id;
            return File.Exists(Path.Combine("/usr/share/zoneinfo", id)) ? id : "UTC";
        }
    }
}
