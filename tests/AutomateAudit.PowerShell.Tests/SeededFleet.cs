using System;
using System.Linq;
using AutomateAudit.Testing;
using MySqlConnector;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>
    /// 150 simulated agents with three days of recorded history ending at the real now. The history is
    /// recorded by the module's own engine (the test process's copy, not the imported module's) with
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
            FleetRecording.Record(ConnectionString, Simulator, Connection, start.AddSeconds(97), DateTime.UtcNow.AddMinutes(-1));
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
