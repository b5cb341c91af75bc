using System;
using System.Net;
using MySqlConnector;

namespace AutomateAudit.Storage
{

    /// <summary>Where the Automate database is and how to log on to it.</summary>
    internal sealed class ConnectionSettings
    {
        public const string DefaultDatabase = "labtech";
        public const int DefaultPort = 3306;

        private readonly MySqlConnectionStringBuilder _builder;

        private ConnectionSettings(MySqlConnectionStringBuilder builder)
        {
            _builder = builder;
            if (string.IsNullOrEmpty(_builder.Database)) _builder.Database = DefaultDatabase;
            // Reports stream large result sets; the server-side default of 30 s is too short for a
            // 100,000-computer backfill on a busy server. Ctrl+C (StopProcessing) still cancels at once.
            if (_builder.DefaultCommandTimeout == 30) _builder.DefaultCommandTimeout = 600;
            _builder.AllowUserVariables = true;
            // UPDATE counts the rows it matched, changed or not (the summary's upsert relies on it).
            _builder.UseAffectedRows = false;
            _builder.ConvertZeroDateTime = true;
            _builder.ApplicationName = "AutomateAudit";
        }

        public static ConnectionSettings FromConnectionString(string connectionString)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new ArgumentException("The connection string is empty.", nameof(connectionString));
            MySqlConnectionStringBuilder builder;
            try
            {
                builder = new MySqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                // The framework's message can quote the offending fragment, which may hold the password.
                throw new ArgumentException("The connection string is not valid: " + RedactedReason(ex), nameof(connectionString));
            }
            if (string.IsNullOrEmpty(builder.Server))
                throw new ArgumentException("The connection string names no server (Server=...).", nameof(connectionString));
            return new ConnectionSettings(builder);
        }

        public static ConnectionSettings FromParts(string server, int port, string database, NetworkCredential credential, string sslMode)
        {
            if (string.IsNullOrWhiteSpace(server)) throw new ArgumentException("A server name is required.", nameof(server));
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "The port must be between 1 and 65535.");
            var builder = new MySqlConnectionStringBuilder
            {
                Server = server,
                Port = (uint)port,
                Database = string.IsNullOrWhiteSpace(database) ? DefaultDatabase : database,
            };
            if (credential != null)
            {
                builder.UserID = credential.UserName;
                builder.Password = credential.Password;
            }
            if (sslMode != null) builder.SslMode = (MySqlSslMode)Enum.Parse(typeof(MySqlSslMode), sslMode, ignoreCase: true);
            return new ConnectionSettings(builder);
        }

        /// <summary>The same settings with short connect and command timeouts (for tab completion, which must not hang).</summary>
        public ConnectionSettings WithTimeouts(int seconds)
        {
            var copy = new MySqlConnectionStringBuilder(_builder.ConnectionString) { ConnectionTimeout = (uint)seconds, DefaultCommandTimeout = (uint)seconds };
            return new ConnectionSettings(copy);
        }

        public string Server => _builder.Server;
        public uint Port => _builder.Port;
        public string Database => _builder.Database;
        public string UserName => _builder.UserID;

        /// <summary>The full connection string, password included: never print it.</summary>
        internal string ConnectionString => _builder.ConnectionString;

        /// <summary>"user@server:port/database" for messages and verbose output; never the password.</summary>
        public string Describe()
        {
            string user = string.IsNullOrEmpty(UserName) ? string.Empty : UserName + "@";
            return user + Server + ":" + Port + "/" + Database;
        }

        public override string ToString() => Describe();

        private static string RedactedReason(ArgumentException ex)
        {
            string message = ex.Message ?? string.Empty;
            int quote = message.IndexOf('\'');
            return quote >= 0 ? message.Substring(0, quote).Trim() : message;
        }
    }
}
