using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using MySqlConnector;

namespace AutomateAudit.Testing
{
    /// <summary>
    /// A real MariaDB server for tests, benchmarks and the demo: a private instance on a free loopback
    /// port with a throwaway data directory, or an existing server named by AUTOMATEAUDIT_TEST_MYSQL
    /// (a connection string whose user may create databases).
    /// </summary>
    public sealed class MariaDbServer : IDisposable
    {
        public const string ExistingServerVariable = "AUTOMATEAUDIT_TEST_MYSQL";
        public const string DefaultTimeZone = "America/New_York";

        private readonly Process _process;
        private readonly string _dataRoot;
        private readonly bool _keepData;

        private MariaDbServer(string adminConnectionString, Process process, string dataRoot, bool keepData, string timeZone)
        {
            AdminConnectionString = adminConnectionString;
            _process = process;
            _dataRoot = dataRoot;
            _keepData = keepData;
            TimeZone = timeZone;
        }

        /// <summary>Connection string of a user that may create databases (no database selected).</summary>
        public string AdminConnectionString { get; }

        /// <summary>IANA zone the server's SYSTEM time zone runs in (null for an existing server: ask it).</summary>
        public string TimeZone { get; }

        public static MariaDbServer StartOrConnect(string timeZone = DefaultTimeZone, string dataRoot = null, int bufferPoolMegabytes = 256)
        {
            string existing = Environment.GetEnvironmentVariable(ExistingServerVariable);
            if (!string.IsNullOrWhiteSpace(existing))
            {
                var builder = new MySqlConnectionStringBuilder(existing) { Database = string.Empty };
                return new MariaDbServer(builder.ConnectionString, null, null, keepData: true, timeZone: null);
            }
            return Start(timeZone, dataRoot, bufferPoolMegabytes);
        }

        private static MariaDbServer Start(string timeZone, string dataRoot, int bufferPoolMegabytes)
        {
            string daemon = FindProgram("mariadbd", "mysqld");
            string installer = FindProgram("mariadb-install-db", "mysql_install_db");
            if (daemon == null || installer == null)
            {
                throw new InvalidOperationException(
                    "No MariaDB server for the database tests: install Debian's package (apt-get install -y mariadb-server) " +
                    "or set " + ExistingServerVariable + " to the connection string of a server where the tests may create databases.");
            }

            RemoveAbandonedSandboxes();
            bool keep = dataRoot != null;
            dataRoot = dataRoot ?? Path.Combine(Path.GetTempPath(), "automateaudit-mariadb-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            string dataDir = Path.Combine(dataRoot, "data");
            string socket = Path.Combine(dataRoot, "mariadb.sock");
            string initFile = Path.Combine(dataRoot, "init.sql");
            Directory.CreateDirectory(dataRoot);
            bool asRoot = Environment.UserName == "root";

            if (!Directory.Exists(Path.Combine(dataDir, "mysql")))
            {
                string arguments = "--datadir=" + dataDir + " --auth-root-authentication-method=normal --skip-test-db" + (asRoot ? " --user=root" : string.Empty);
                try
                {
                    Run(installer, arguments, null);
                }
                catch (InvalidOperationException)
                {
                    // Seen once with two test hosts bootstrapping at the same moment: start over once.
                    Thread.Sleep(1000);
                    if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
                    Run(installer, arguments, null);
                }
            }
            File.WriteAllText(initFile,
                "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';\n" +
                "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n");

            int port = FreeLoopbackPort();
            var start = new ProcessStartInfo(daemon,
                "--no-defaults --datadir=" + dataDir + " --socket=" + socket + " --port=" + port +
                " --bind-address=127.0.0.1 --skip-log-bin --init-file=" + initFile +
                " --innodb-buffer-pool-size=" + bufferPoolMegabytes + "M --innodb-flush-log-at-trx-commit=2 --max-connections=200" +
                " --pid-file=" + Path.Combine(dataRoot, "mariadb.pid") + (asRoot ? " --user=root" : string.Empty))
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            if (timeZone != null) start.Environment["TZ"] = timeZone;
            var process = Process.Start(start);
            var log = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();

            string admin = new MySqlConnectionStringBuilder
            {
                Server = "127.0.0.1", Port = (uint)port, UserID = "root", Password = string.Empty,
                AllowUserVariables = true, Pooling = true,
            }.ConnectionString;

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException("MariaDB exited while starting (code " + process.ExitCode + "):\n" + log);
                try
                {
                    using (var connection = new MySqlConnection(admin)) { connection.Open(); }
                    break;
                }
                catch (MySqlException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(200);
                }
            }
            return new MariaDbServer(admin, process, dataRoot, keep, timeZone);
        }

        /// <summary>Creates (or empties) a database and returns a connection string for it.</summary>
        public string CreateDatabase(string name)
        {
            if (!name.All(c => char.IsLetterOrDigit(c) || c == '_')) throw new ArgumentException("Bad database name " + name);
            using (var connection = new MySqlConnection(AdminConnectionString))
            {
                connection.Open();
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "DROP DATABASE IF EXISTS `" + name + "`; CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4";
                    command.ExecuteNonQuery();
                }
            }
            return new MySqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        }

        public void DropDatabase(string name)
        {
            using (var connection = new MySqlConnection(AdminConnectionString))
            {
                connection.Open();
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "DROP DATABASE IF EXISTS `" + name + "`";
                    command.ExecuteNonQuery();
                }
            }
        }

        public void Dispose()
        {
            MySqlConnection.ClearAllPools();
            if (_process != null && !_process.HasExited)
            {
                try
                {
                    Process.Start("kill", "-TERM " + _process.Id)?.WaitForExit(5000);
                    if (!_process.WaitForExit(30000)) _process.Kill();
                }
                catch (InvalidOperationException) { }
            }
            if (!_keepData && _dataRoot != null)
            {
                try { Directory.Delete(_dataRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        /// <summary>
        /// A test host that is killed (not stopped) leaves its sandbox behind: remove every sandbox whose
        /// server is no longer running and that nobody has touched for half an hour.
        /// </summary>
        private static void RemoveAbandonedSandboxes()
        {
            foreach (string dir in Directory.GetDirectories(Path.GetTempPath(), "automateaudit-mariadb-*"))
            {
                string pidFile = Path.Combine(dir, "mariadb.pid");
                bool running = File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid) && Directory.Exists("/proc/" + pid);
                // A sandbox still being set up by another process has no pid file yet: leave young ones alone.
                if (running || Directory.GetLastWriteTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-30)) continue;
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        private static int FreeLoopbackPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private static string FindProgram(params string[] names)
        {
            var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
                .Concat(new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" });
            return names.SelectMany(n => folders.Select(f => Path.Combine(f, n))).FirstOrDefault(File.Exists);
        }

        private static void Run(string program, string arguments, string timeZone)
        {
            var info = new ProcessStartInfo(program, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            using (var process = Process.Start(info))
            {
                string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0) throw new InvalidOperationException(program + " failed (" + process.ExitCode + "):\n" + output);
            }
        }
    }
}
