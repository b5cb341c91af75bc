using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using AutomateAudit.Engine;
using AutomateAudit.Storage;
using AutomateAudit.Testing;
using MySqlConnector;

namespace AutomateAudit.Sandbox
{
    /// <summary>
    /// The sandbox tool of the Pester suite and the demo (tests/Pester/TestHelpers.psm1 drives it):
    /// <code>
    ///   start --root DIR [--zone IANA] [--default-sql-mode]   start a private MariaDB that outlives this tool (or reuse the one
    ///                                                         running there); prints {"AdminConnectionString","Pid","DataRoot"}
    ///   stop --root DIR                                       stop it and delete its data
    ///   new-database --admin CS --name DB [--agents N] [--days D] [--record] [--install]
    ///                                                         Automate's fixture schema, a simulated fleet, D days of history
    ///                                                         recorded by the engine; prints the database's connection string
    ///   sql --cs CS (--query SQL | --query-base64 B64 | --query-file PATH)
    ///                                                         runs SQL; prints the rows of the last result set as a JSON array
    /// </code>
    /// AUTOMATEAUDIT_TEST_MYSQL names an existing server to use instead of a private one.
    /// </summary>
    public static class Program
    {
        private const string StateFile = "sandbox.json";

        public static int Main(string[] args)
        {
            if (args.Length == 0) return Usage();
            try
            {
                var options = ParseOptions(args.Skip(1).ToArray());
                switch (args[0])
                {
                    case "start": return Start(options);
                    case "stop": return Stop(options);
                    case "new-database": return NewDatabase(options);
                    case "sql": return Sql(options);
                    default: return Usage();
                }
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is MySqlException || e is IOException)
            {
                Console.Error.WriteLine("sandbox " + args[0] + ": " + e.Message);
                return 1;
            }
        }

        private static int Usage()
        {
            Console.Error.WriteLine("usage: sandbox start --root DIR [--zone IANA] [--default-sql-mode] | stop --root DIR |");
            Console.Error.WriteLine("       new-database --admin CS --name DB [--agents N] [--days D] [--record] [--install] |");
            Console.Error.WriteLine("       sql --cs CS (--query SQL | --query-base64 B64 | --query-file PATH)");
            return 2;
        }

        private static int Start(Dictionary<string, string> options)
        {
            string root = Path.GetFullPath(Required(options, "root"));
            Directory.CreateDirectory(root);
            string state = Path.Combine(root, StateFile);

            // Idempotent: a server this root already runs is reused.
            if (File.Exists(state))
            {
                using var json = JsonDocument.Parse(File.ReadAllText(state));
                string admin = json.RootElement.GetProperty("AdminConnectionString").GetString();
                if (CanConnect(admin))
                {
                    Console.WriteLine(File.ReadAllText(state).Trim());
                    return 0;
                }
                string oldData = json.RootElement.TryGetProperty("DataRoot", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (oldData != null) MariaDbServer.Stop(oldData);
                File.Delete(state);
            }

            string zone = options.TryGetValue("zone", out string z) ? z : MariaDbServer.DefaultTimeZone;
            string sqlMode = options.ContainsKey("default-sql-mode") ? MariaDbServer.ServerDefaultSqlMode : MariaDbServer.StrictSqlMode;
            bool existing = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MariaDbServer.ExistingServerVariable));
            var server = MariaDbServer.StartOrConnect(zone, existing ? null : Path.Combine(root, "mariadb"), 256, sqlMode, detached: true);
            string line = JsonSerializer.Serialize(new { server.AdminConnectionString, Pid = server.ProcessId, server.DataRoot });
            File.WriteAllText(state, line + "\n");
            Console.WriteLine(line);
            return 0;
        }

        private static int Stop(Dictionary<string, string> options)
        {
            string root = Path.GetFullPath(Required(options, "root"));
            string state = Path.Combine(root, StateFile);
            string dataRoot = Path.Combine(root, "mariadb");
            if (File.Exists(state))
            {
                using var json = JsonDocument.Parse(File.ReadAllText(state));
                if (json.RootElement.TryGetProperty("DataRoot", out var d) && d.ValueKind == JsonValueKind.String) dataRoot = d.GetString();
            }
            bool stopped = Directory.Exists(dataRoot) && MariaDbServer.Stop(dataRoot);
            if (File.Exists(state)) File.Delete(state);
            try { if (Directory.Exists(root) && !Directory.EnumerateFileSystemEntries(root).Any()) Directory.Delete(root); } catch (IOException) { }
            Console.Error.WriteLine(stopped ? "sandbox stopped: " + root : "no sandbox server was running in " + root);
            return 0;
        }

        private static int NewDatabase(Dictionary<string, string> options)
        {
            string admin = Required(options, "admin");
            string name = Required(options, "name");
            int agents = options.TryGetValue("agents", out string a) ? int.Parse(a, CultureInfo.InvariantCulture) : 0;
            int days = options.TryGetValue("days", out string d) ? int.Parse(d, CultureInfo.InvariantCulture) : 7;
            bool record = options.ContainsKey("record");
            if (!name.All(c => char.IsLetterOrDigit(c) || c == '_') || name.Length > 64) throw new ArgumentException("Bad database name '" + name + "' (letters, digits, _; at most 64)");
            if (record && agents <= 0) throw new ArgumentException("--record needs --agents N (N > 0)");

            string cs;
            using (var connection = new MySqlConnection(admin))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "DROP DATABASE IF EXISTS `" + name + "`; CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4";
                command.ExecuteNonQuery();
                cs = new MySqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
            }
            AutomateSchema.Create(cs);
            string zone = ServerZone(cs);

            if (options.ContainsKey("install") || record)
            {
                using var db = AuditSession.Open(ConnectionSettings.FromConnectionString(cs));
                new SchemaInstaller(db).InstallAll();
            }

            if (agents > 0)
            {
                DateTime now = DateTime.UtcNow;
                var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddDays(-Math.Max(days, 1));
                var simulator = new FleetSimulator(new FleetOptions
                {
                    Agents = agents, Clients = Math.Max(1, Math.Min(12, agents / 5)), StartUtc = start, Days = Math.Max(days, 1), TimeZone = zone,
                    // Every agent is still in Automate now: the Pester suites address computers 1..N. With removals, which
                    // agents go depends on the time of day the fleet is seeded (the random draws follow the timelines).
                    RemovedShare = 0,
                });
                using var connection = new MySqlConnection(cs);
                connection.Open();
                simulator.WriteDirectory(connection);
                if (record)
                {
                    using var db = AuditSession.Open(ConnectionSettings.FromConnectionString(cs));
                    var recorder = new ConnectionRecorder(db);
                    var replay = new HistoryReplay(simulator, start.AddSeconds(97), DateTime.UtcNow.AddMinutes(-7));
                    replay.Run(connection, t =>
                    {
                        db.Server.UseSimulatedClock(t);
                        recorder.Record(ConnectionRecorder.DefaultOfflineAfter);
                    });
                }
                simulator.ApplyUntil(connection, DateTime.UtcNow);
            }
            MySqlConnection.ClearAllPools();
            Console.WriteLine(cs);
            return 0;
        }

        private static int Sql(Dictionary<string, string> options)
        {
            string cs = Required(options, "cs");
            string query = options.TryGetValue("query", out string q) ? q
                : options.TryGetValue("query-base64", out string b) ? Encoding.UTF8.GetString(Convert.FromBase64String(b))
                : options.TryGetValue("query-file", out string f) ? File.ReadAllText(f)
                : throw new ArgumentException("sql needs --query, --query-base64 or --query-file");

            var rows = new List<Dictionary<string, object>>();
            using (var connection = new MySqlConnection(new MySqlConnectionStringBuilder(cs) { AllowUserVariables = true, Pooling = false }.ConnectionString))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = query;
                command.CommandTimeout = 600;
                using var reader = command.ExecuteReader();
                do
                {
                    if (reader.FieldCount == 0) continue;
                    rows = new List<Dictionary<string, object>>();
                    while (reader.Read())
                    {
                        var row = new Dictionary<string, object>(StringComparer.Ordinal);
                        for (int i = 0; i < reader.FieldCount; i++)
                        {
                            string column = reader.GetName(i);
                            if (row.ContainsKey(column)) column += "_" + i;
                            row[column] = ToJson(reader.IsDBNull(i) ? null : reader.GetValue(i));
                        }
                        rows.Add(row);
                    }
                } while (reader.NextResult());
            }
            Console.WriteLine(JsonSerializer.Serialize(rows));
            return 0;
        }

        private static object ToJson(object value) => value switch
        {
            null => null,
            DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            DateTimeOffset t => t.ToString("o", CultureInfo.InvariantCulture),
            TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToBase64String(bytes),
            Guid g => g.ToString(),
            MySqlDateTime m => m.IsValidDateTime ? m.GetDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : m.ToString(),
            _ => value,
        };

        /// <summary>The IANA zone of the server's SYSTEM time zone when it is a private sandbox, else the default.</summary>
        private static string ServerZone(string cs)
        {
            using var connection = new MySqlConnection(cs);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT @@system_time_zone, TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())";
            using var reader = command.ExecuteReader();
            reader.Read();
            string abbreviation = reader.GetString(0);
            if (abbreviation == "UTC") return "UTC";
            return MariaDbServer.DefaultTimeZone;
        }

        private static bool CanConnect(string cs)
        {
            try
            {
                using var connection = new MySqlConnection(new MySqlConnectionStringBuilder(cs) { Pooling = false, ConnectionTimeout = 5 }.ConnectionString);
                connection.Open();
                return true;
            }
            catch (MySqlException) { return false; }
        }

        private static string Required(Dictionary<string, string> options, string name) =>
            options.TryGetValue(name, out string value) && !string.IsNullOrEmpty(value) ? value : throw new ArgumentException("missing --" + name);

        private static Dictionary<string, string> ParseOptions(string[] args)
        {
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException("unexpected argument '" + args[i] + "'");
                string name = args[i].Substring(2);
                bool flag = i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal);
                options[name] = flag ? "true" : args[++i];
            }
            return options;
        }
    }
}
