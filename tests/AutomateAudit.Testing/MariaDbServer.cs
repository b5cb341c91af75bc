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

        /// <summary>
        /// The sql_mode the private server runs with unless told otherwise: strict, as a carefully configured
        /// production server would be, so that code relying on MariaDB's lenient defaults fails here first.
        /// </summary>
        public const string StrictSqlMode = "STRICT_ALL_TABLES,ONLY_FULL_GROUP_BY,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

        /// <summary>Pass as sqlMode to run the private server with the server's own default sql_mode (a smoke run).</summary>
        public const string ServerDefaultSqlMode = null;

        private const string PidFileName = "mariadb.pid";
        private const string LogFileName = "mariadb.err";

        private readonly Process _process;
        private readonly string _dataRoot;
        private readonly bool _keepData;
        private bool _detached;

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

        /// <summary>Process id of the private server (null for an existing server).</summary>
        public int? ProcessId => _process?.Id;

        /// <summary>Folder holding the private server's data directory, pid file and log (null for an existing server).</summary>
        public string DataRoot => _dataRoot;

        /// <summary>
        /// Leaves the private server running (and its data in place) when this object is disposed, e.g. for a
        /// sandbox that outlives the process that started it. Stop it later with <see cref="Stop(string)"/>.
        /// </summary>
        public MariaDbServer Detach()
        {
            _detached = true;
            return this;
        }

        /// <summary>
        /// Stops a private server started (and detached) earlier with this data root: SIGTERM, then SIGKILL
        /// after 30 s; then deletes the data root. Returns false when no server was running there.
        /// </summary>
        public static bool Stop(string dataRoot)
        {
            bool stopped = false;
            string pidFile = Path.Combine(dataRoot, PidFileName);
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid)) stopped = Stop(pid);
            try { if (Directory.Exists(dataRoot)) Directory.Delete(dataRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return stopped;
        }

        /// <summary>Stops the server process with this id: SIGTERM, then SIGKILL after 30 s. False when it was not running.</summary>
        public static bool Stop(int pid)
        {
            if (!Directory.Exists("/proc/" + pid)) return false;
            Process process;
            try { process = Process.GetProcessById(pid); } catch (ArgumentException) { return false; }
            using (process)
            {
                try
                {
                    Process.Start("kill", "-TERM " + pid)?.WaitForExit(5000);
                    var deadline = DateTime.UtcNow.AddSeconds(30);
                    while (Directory.Exists("/proc/" + pid) && !IsZombie(pid) && DateTime.UtcNow < deadline) Thread.Sleep(100);
                    if (Directory.Exists("/proc/" + pid) && !IsZombie(pid)) process.Kill();
                }
                catch (InvalidOperationException) { }
            }
            return true;
        }

        private static bool IsZombie(int pid)
        {
            try { return File.ReadAllText("/proc/" + pid + "/stat").Split(')').Last().TrimStart().StartsWith("Z", StringComparison.Ordinal); }
            catch (IOException) { return false; }
        }

        /// <param name="timeZone">IANA zone of the private server's SYSTEM time zone.</param>
        /// <param name="dataRoot">Where the private server keeps its data (kept on Dispose); null: a throwaway folder in /tmp.</param>
        /// <param name="bufferPoolMegabytes">innodb_buffer_pool_size of the private server.</param>
        /// <param name="sqlMode">sql_mode of the private server: <see cref="StrictSqlMode"/> by default,
        /// <see cref="ServerDefaultSqlMode"/> (null) for the server's own default.</param>
        /// <param name="detached">Start a server that outlives this process: its output goes to a log file in the
        /// data root instead of this process's pipes (a server on our pipes dies with us, which is what tests want),
        /// and Dispose leaves it running (<see cref="Detach"/>); stop it with <see cref="Stop(string)"/>.</param>
        /// <param name="binlogFormat">binlog_format of the private server (MIXED, as MariaDB's default; STATEMENT to test the module's refusal).</param>
        public static MariaDbServer StartOrConnect(string timeZone = DefaultTimeZone, string dataRoot = null, int bufferPoolMegabytes = 256, string sqlMode = StrictSqlMode, bool detached = false, string binlogFormat = "MIXED")
        {
            string existing = Environment.GetEnvironmentVariable(ExistingServerVariable);
            if (!string.IsNullOrWhiteSpace(existing))
            {
                var builder = new MySqlConnectionStringBuilder(existing) { Database = string.Empty };
                return new MariaDbServer(builder.ConnectionString, null, null, keepData: true, timeZone: null);
            }
            var server = Start(timeZone, dataRoot, bufferPoolMegabytes, sqlMode, detached, binlogFormat);
            return detached ? server.Detach() : server;
        }

        /// <summary>Always a private server (never the one AUTOMATEAUDIT_TEST_MYSQL names): for tests of server settings.</summary>
        public static MariaDbServer StartPrivate(string sqlMode = StrictSqlMode, string binlogFormat = "MIXED") =>
            Start(DefaultTimeZone, null, 128, sqlMode, detached: false, binlogFormat);

        private static MariaDbServer Start(string timeZone, string dataRoot, int bufferPoolMegabytes, string sqlMode, bool detached, string binlogFormat)
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
            string logFile = Path.Combine(dataRoot, LogFileName);
            // Attached (tests): the server's output comes through pipes of this process, so a test host that is
            // killed takes its server with it. Detached: the output goes to a file, so that the server neither
            // holds the caller's stdout open (a shell capturing it would wait forever) nor dies writing to it.
            // The binary log is on, as on production servers, so that statements unsafe for it fail here too.
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = !detached, RedirectStandardOutput = !detached };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(detached ? "exec \"$0\" \"$@\" </dev/null >>\"" + logFile + "\" 2>&1" : "exec \"$0\" \"$@\" </dev/null");
            foreach (string argument in new[]
            {
                daemon, "--no-defaults", "--datadir=" + dataDir, "--socket=" + socket, "--port=" + port,
                "--bind-address=127.0.0.1", "--log-bin=mariadb-bin", "--binlog-format=" + binlogFormat, "--sync-binlog=0", "--server-id=1",
                "--init-file=" + initFile,
                "--innodb-buffer-pool-size=" + bufferPoolMegabytes + "M", "--innodb-flush-log-at-trx-commit=2", "--max-connections=200",
                "--pid-file=" + Path.Combine(dataRoot, PidFileName),
                // Its own temporary folder: internal temporary tables never share /tmp with other servers or cleanups.
                "--tmpdir=" + PrivateTmp(dataRoot),
            }) start.ArgumentList.Add(argument);
            if (sqlMode != null) start.ArgumentList.Add("--sql-mode=" + sqlMode);
            if (asRoot) start.ArgumentList.Add("--user=root");
            if (timeZone != null) start.Environment["TZ"] = timeZone;
            var process = Process.Start(start);
            var output = new System.Text.StringBuilder();
            if (!detached)
            {
                process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
                process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
                process.BeginErrorReadLine();
                process.BeginOutputReadLine();
            }
            Func<string> log = () =>
            {
                if (!detached) { lock (output) return output.ToString(); }
                try { return File.ReadAllText(logFile); } catch (IOException) { return string.Empty; }
            };

            string admin = new MySqlConnectionStringBuilder
            {
                Server = "127.0.0.1", Port = (uint)port, UserID = "root", Password = string.Empty,
                AllowUserVariables = true, Pooling = true,
            }.ConnectionString;

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException("MariaDB exited while starting (code " + process.ExitCode + "):\n" + log());
                try
                {
                    using (var connection = new MySqlConnection(admin)) { connection.Open(); }
                    break;
                }
                catch (MySqlException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(200);
                }
                catch (MySqlException e)
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    throw new InvalidOperationException("MariaDB did not accept connections within 60 s (" + e.Message + "):\n" + log(), e);
                }
            }
            return new MariaDbServer(admin, process, dataRoot, keep, timeZone);
        }

        /// <summary>Creates (or empties) a database and returns a connection string for it.</summary>
        private static string PrivateTmp(string dataRoot)
        {
            string tmp = Path.Combine(dataRoot, "tmp");
            Directory.CreateDirectory(tmp);
            return tmp;
        }

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
            if (_detached) return;
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
                string pidFile = Path.Combine(dir, PidFileName);
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
