using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Dapper;
using MySqlConnector;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// One open connection to the Automate database. Every statement goes through here so that each
    /// one is logged (text and duration, never parameter values or the password) and can be cancelled.
    /// Parameters are bound by <see cref="SqlArgs"/> and one-column results read by <see cref="ScalarColumn{T}"/>; Dapper only
    /// maps rows to row types (tuples, classes) where a store asks for them.
    /// </summary>
    internal sealed class AuditDatabase : IDisposable
    {
        private readonly MySqlConnection _connection;
        private readonly Action<string> _log;
        private MySqlTransaction _transaction;

        private AuditDatabase(ConnectionSettings settings, MySqlConnection connection, Action<string> log, CancellationToken cancellation)
        {
            Settings = settings;
            _connection = connection;
            _log = log ?? (_ => { });
            Cancellation = cancellation;
        }

        public ConnectionSettings Settings { get; }
        public CancellationToken Cancellation { get; }

        /// <summary>Whether the server is MariaDB (its version string says so; MySQL's does not).</summary>
        public bool IsMariaDb => _connection.ServerVersion.IndexOf("MariaDB", StringComparison.OrdinalIgnoreCase) >= 0;

        public static AuditDatabase Open(ConnectionSettings settings, Action<string> log = null, CancellationToken cancellation = default)
        {
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            var connection = new MySqlConnection(settings.ConnectionString);
            var watch = Stopwatch.StartNew();
            try
            {
                connection.Open();
            }
            catch (Exception ex) when (ex is MySqlException || ex is InvalidOperationException || ex is System.IO.IOException || ex is TimeoutException)
            {
                connection.Dispose();
                throw new AuditDatabaseException(
                    "Cannot connect to the Automate database at " + settings.Describe() + ": " + ex.Message, ex)
                { IsConnectionFailure = true };
            }
            var database = new AuditDatabase(settings, connection, log, cancellation);
            database._log("Connected to " + settings.Describe() + " (server " + connection.ServerVersion + ") in " + watch.ElapsedMilliseconds + " ms.");
            // Naive DATETIMEs are compared in the server's own local time (as Automate does), whatever
            // time zone a pooled connection was left in.
            database.Execute("SET time_zone = @@global.time_zone");
            return database;
        }

        public IEnumerable<T> Query<T>(string sql, object parameters = null)
        {
            return Run(sql, () =>
            {
                var rows = new List<T>();
                using (MySqlCommand command = Command(sql, parameters))
                using (MySqlDataReader reader = command.ExecuteReader())
                {
                    Func<System.Data.Common.DbDataReader, T> read = ScalarColumn<T>.IsScalar ? ScalarColumn<T>.Read : reader.GetRowParser<T>();
                    while (reader.Read()) rows.Add(read(reader));
                }
                return (IEnumerable<T>)rows;
            }, r => ((List<T>)r).Count);
        }

        /// <summary>
        /// Rows mapped by the caller with the reader's typed getters, for the reads of a whole fleet (hundreds of thousands of
        /// rows): Dapper reads every value as an object, and those boxes were a quarter of a report's garbage.
        /// </summary>
        public List<T> Read<T>(string sql, object parameters, Func<IDataRecord, T> map)
        {
            var rows = new List<T>();
            ReadEach(sql, parameters, r => rows.Add(map(r)));
            return rows;
        }

        /// <summary>Like <see cref="Read{T}"/>, each row handed over as it arrives instead of collected; returns the number of rows.</summary>
        public int ReadEach(string sql, object parameters, Action<IDataRecord> onRow)
        {
            return Run(sql, () =>
            {
                using (MySqlCommand command = Command(sql, parameters))
                using (IDataReader reader = command.ExecuteReader()) return ReadAll(reader, onRow);
            }, n => n);
        }

        [System.Runtime.CompilerServices.MethodImpl(Engine.Hot.Loop)]
        private static int ReadAll(IDataReader reader, Action<IDataRecord> onRow)
        {
            int rows = 0;
            for (; reader.Read(); rows++) onRow(reader);
            return rows;
        }

        /// <summary>Rows as column-name dictionaries, for statements whose columns are generated.</summary>
        public IReadOnlyList<IDictionary<string, object>> QueryRows(string sql, object parameters = null)
        {
            return Run(sql, () =>
            {
                using (MySqlCommand command = Command(sql, parameters))
                using (MySqlDataReader reader = command.ExecuteReader())
                    return reader.Parse<object>().Select(r => (IDictionary<string, object>)r).ToList();
            }, r => r.Count);
        }

        public T QuerySingle<T>(string sql, object parameters = null)
        {
            return Run(sql, () =>
            {
                using (MySqlCommand command = Command(sql, parameters))
                using (MySqlDataReader reader = command.ExecuteReader())
                {
                    Func<System.Data.Common.DbDataReader, T> read = ScalarColumn<T>.IsScalar ? ScalarColumn<T>.Read : reader.GetRowParser<T>();
                    if (!reader.Read()) return default(T);
                    T value = read(reader);
                    if (reader.Read()) throw new InvalidOperationException("The statement returned more than one row where one was expected.");
                    return value;
                }
            }, _ => null);
        }

        public int Execute(string sql, object parameters = null)
        {
            return Run(sql, () =>
            {
                using (MySqlCommand command = Command(sql, parameters)) return command.ExecuteNonQuery();
            }, n => n);
        }

        public bool InTransaction => _transaction != null;

        public void BeginTransaction(IsolationLevel level = IsolationLevel.ReadCommitted)
        {
            if (_transaction != null) throw new InvalidOperationException("A transaction is already open.");
            _transaction = _connection.BeginTransaction(level);
            _log("BEGIN (" + level + ")");
        }

        public void Commit()
        {
            _transaction?.Commit();
            _transaction?.Dispose();
            _transaction = null;
            _log("COMMIT");
        }

        public void Rollback()
        {
            if (_transaction == null) return;
            try { _transaction.Rollback(); } catch (Exception ex) when (ex is MySqlException || ex is InvalidOperationException) { }
            _transaction.Dispose();
            _transaction = null;
            _log("ROLLBACK");
        }

        private MySqlCommand Command(string sql, object parameters)
        {
            var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = sql;
            if (parameters != null) new SqlArgs(parameters).BindTo(command);
            return command;
        }

        private TResult Run<TResult>(string sql, Func<TResult> action, Func<TResult, int?> count)
        {
            // Ctrl+C between two statements stops the command before the next one starts.
            Cancellation.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            // Synchronous calls do not watch the token: Ctrl+C kills the running statement on the server.
            using (Cancellation.CanBeCanceled ? Cancellation.Register(KillRunningStatement) : default(CancellationTokenRegistration))
            try
            {
                TResult result = action();
                // A statement killed by Ctrl+C may still return (GET_LOCK answers NULL): its result means nothing.
                Cancellation.ThrowIfCancellationRequested();
                int? rows = count(result);
                _log("SQL (" + watch.ElapsedMilliseconds + " ms" + (rows.HasValue ? ", " + rows.Value + " rows" : string.Empty) + "): " + Shorten(sql));
                return result;
            }
            catch (MySqlException) when (Cancellation.IsCancellationRequested)
            {
                throw new OperationCanceledException(Cancellation);
            }
            catch (MySqlException ex)
            {
                throw new AuditDatabaseException(
                    "The database at " + Settings.Describe() + " refused a statement (" + ex.ErrorCode + "): " + ex.Message
                    + Environment.NewLine + "Statement: " + Shorten(sql), ex);
            }
        }

        private void KillRunningStatement()
        {
            try
            {
                using (var killer = new MySqlConnection(Settings.ConnectionString))
                {
                    killer.Open();
                    using (var command = killer.CreateCommand())
                    {
                        command.CommandText = "KILL QUERY " + _connection.ServerThread.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        command.ExecuteNonQuery();
                    }
                }
            }
            catch (Exception ex) when (ex is MySqlException || ex is InvalidOperationException || ex is System.IO.IOException)
            {
                // The statement may have finished, or the server be gone: nothing left to stop.
            }
        }

        private static string Shorten(string sql)
        {
            string flat = string.Join(" ", sql.Split(new[] { ' ', '\r', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries));
            return flat.Length <= 400 ? flat : flat.Substring(0, 400) + " ...";
        }

        public void Dispose()
        {
            Rollback();
            _connection.Dispose();
        }
    }
}
