using System;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using MySqlConnector;

namespace AutomateAudit.Testing
{
    /// <summary>
    /// Records a simulated fleet's history through the module's own engine, run by run, with the session
    /// clock pinned to each simulated run (what Update-ConnectionAudit every 5 minutes would have written).
    /// </summary>
    public static class FleetRecording
    {
        public static void InstallTables(string connectionString)
        {
            using var session = AuditSession.Open(ConnectionSettings.FromConnectionString(connectionString));
            new SchemaInstaller(session).InstallAll();
        }

        /// <summary>Replays the simulator from startUtc to endUtc, recording every run; returns the number of runs.</summary>
        public static int Record(string connectionString, FleetSimulator simulator, MySqlConnection directory, DateTime startUtc, DateTime endUtc, Action<DateTime> progress = null)
        {
            using var session = AuditSession.Open(ConnectionSettings.FromConnectionString(connectionString));
            var recorder = new ConnectionRecorder(session);
            var replay = new HistoryReplay(simulator, startUtc, endUtc);
            return replay.Run(directory, t =>
            {
                session.Server.UseSimulatedClock(t);
                recorder.Record(ConnectionRecorder.DefaultOfflineAfter);
                progress?.Invoke(t);
            });
        }
    }
}
