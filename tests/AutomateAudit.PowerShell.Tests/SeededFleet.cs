using System;
using System.Linq;
using AutomateAudit.Testing;
using MySqlConnector;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>
    /// 150 simulated agents with three days of recorded history ending at the real now. The history is
    /// recorded by the module's own engine (reached through the imported module's public types) with
    /// the session clock pinned to each simulated run; everything after that runs on the server clock.
    /// </summary>
    public sealed class SeededFleet : IDisposable
    {
        public SeededFleet()
        {
            ConnectionString = SharedServer.NewAutomateDatabase("ps_fleet");
            Ps = new PsSession();
            Ps.Run("Install-AuditTable -ConnectionString $cs", ("cs", ConnectionString));
            DateTime now = DateTime.UtcNow;
            var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddDays(-3);
            Simulator = new FleetSimulator(new FleetOptions { Agents = 150, Clients = 5, StartUtc = start, Days = 3, Seed = 99 });
            Connection = new MySqlConnection(ConnectionString);
            Connection.Open();
            Simulator.WriteDirectory(Connection);
            Ps.Run("$script:db = [AutomateAudit.Storage.AuditDatabase]::Open([AutomateAudit.Storage.ConnectionSettings]::FromConnectionString($cs), $null, [System.Threading.CancellationToken]::None); " +
                   "$script:recorder = [AutomateAudit.Engine.ConnectionRecorder]::new($script:db)", ("cs", ConnectionString));
            var replay = new HistoryReplay(Simulator, start.AddSeconds(97), DateTime.UtcNow.AddMinutes(-1));
            replay.Run(Connection, t => Ps.Run("$script:db.UseSimulatedClock($t); $null = $script:recorder.Record([TimeSpan]::FromMinutes(15), $true)", ("t", t)));
            Ps.Run("$script:db.Dispose()");
            Simulator.ApplyUntil(Connection, DateTime.UtcNow);
        }

        public string ConnectionString { get; }
        public PsSession Ps { get; }
        public FleetSimulator Simulator { get; }
        public MySqlConnection Connection { get; }

        public void Dispose()
        {
            Ps.Dispose();
            Connection.Dispose();
        }
    }
}
