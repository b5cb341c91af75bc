using System;
using System.Linq;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.Tests
{
    /// <summary>A fresh Automate database on the shared MariaDB, with the module installed and a simulator connection.</summary>
    internal sealed class Harness : IDisposable
    {
        public Harness(string purpose, bool install = true)
        {
            ConnectionString = SharedServer.NewAutomateDatabase(purpose);
            Settings = ConnectionSettings.FromConnectionString(ConnectionString);
            Db = AuditSession.Open(Settings);
            Simulator = new MySqlConnection(ConnectionString);
            Simulator.Open();
            if (install)
            {
                new SchemaInstaller(Db).InstallAll();
            }
        }

        public string ConnectionString { get; }
        public ConnectionSettings Settings { get; }
        public AuditSession Db { get; }
        public MySqlConnection Simulator { get; }

        public RecordResult RecordAt(DateTime utc, int offlineMinutes = 15)
        {
            Db.Server.UseSimulatedClock(utc);
            return new ConnectionRecorder(Db).Record(TimeSpan.FromMinutes(offlineMinutes));
        }

        /// <summary>The last day a rollup at this instant rolls up (a day is final 30 minutes after its server-local midnight).</summary>
        public DateTime LastComplete(DateTime nowUtc)
        {
            DateTime local = Simulator.QuerySingle<DateTime>("SELECT CONVERT_TZ(@nowUtc, '+00:00', @@session.time_zone)", new { nowUtc });
            return local.AddMinutes(-30) < local.Date ? local.Date.AddDays(-2) : local.Date.AddDays(-1);
        }

        public long Scalar(string sql)
        {
            using (var command = Simulator.CreateCommand())
            {
                command.CommandText = sql;
                return Convert.ToInt64(command.ExecuteScalar());
            }
        }

        /// <summary>CHECKSUM TABLE's value: changes whenever any row of the table changes.</summary>
        public long Checksum(string table)
        {
            using (var command = Simulator.CreateCommand())
            {
                command.CommandText = "CHECKSUM TABLE `" + table + "`";
                using (var reader = command.ExecuteReader())
                {
                    reader.Read();
                    return Convert.ToInt64(reader.GetValue(1));
                }
            }
        }

        public void Execute(string sql)
        {
            using (var command = Simulator.CreateCommand())
            {
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
        }

        /// <summary>The reports with every window accounted from the raw history (no rollup rows).</summary>
        public static ConnectionReports RawReports(AuditSession db)
        {
            var reports = new ConnectionReports(db, ServerClock.Read(db.Server), ConnectionRecorder.DefaultOfflineAfter);
            reports.Accounting.UseRollupRows = false;
            return reports;
        }

        public void Dispose()
        {
            Db.Dispose();
            Simulator.Dispose();
        }
    }
}
