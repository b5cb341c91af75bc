using System;
using System.Threading;

namespace AutomateAudit.Testing
{
    /// <summary>
    /// One MariaDB server per test process, started on first use and stopped at exit. Tests each create
    /// their own database on it. A server that cannot start fails every test that needs it, with the reason.
    /// </summary>
    public static class SharedServer
    {
        private static readonly Lazy<MariaDbServer> Server = new Lazy<MariaDbServer>(() =>
        {
            var server = MariaDbServer.StartOrConnect();
            AppDomain.CurrentDomain.ProcessExit += (_, __) => server.Dispose();
            return server;
        }, LazyThreadSafetyMode.ExecutionAndPublication);

        private static int _counter;

        public static MariaDbServer Instance => Server.Value;

        /// <summary>A fresh database holding Automate's fixture schema; returns its connection string.</summary>
        public static string NewAutomateDatabase(string purpose)
        {
            string name = "aa_" + purpose.ToLowerInvariant() + "_" + Environment.ProcessId + "_" + Interlocked.Increment(ref _counter);
            string connectionString = Instance.CreateDatabase(name);
            AutomateSchema.Create(connectionString);
            return connectionString;
        }
    }
}
