using System;
using System.Collections.Generic;
using System.Linq;
using MySqlConnector;

namespace AutomateAudit.Storage
{
    /// <summary>What the module asks of the database server itself: its clock and zone rules, named locks, and settings.</summary>
    internal sealed class ServerStore
    {
        private readonly AuditDatabase _db;

        public ServerStore(AuditDatabase db) { _db = db; }

        public (DateTime Local, DateTime Utc) Now() =>
            _db.Read("SELECT NOW() AS Local, UTC_TIMESTAMP() AS Utc", null, r => (r.GetDateTime(0), r.GetDateTime(1)))[0];

        /// <summary>
        /// Pins NOW()/UTC_TIMESTAMP() of this session to a simulated instant (MySQL's and MariaDB's session
        /// timestamp). For simulations that replay days of history; production never calls it.
        /// </summary>
        public void UseSimulatedClock(DateTime utc)
        {
            long seconds = (long)(DateTime.SpecifyKind(utc, DateTimeKind.Utc) - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
            _db.Execute("SET timestamp = @seconds", new { seconds });
        }

        /// <summary>The server's UTC offset at each step (unit DAY or MINUTE) from fromUtc to toUtc inclusive.</summary>
        public List<(DateTime Utc, TimeSpan Offset)> Offsets(DateTime fromUtc, DateTime toUtc, bool daily, int step)
        {
            // MySQL stops a recursive CTE after cte_max_recursion_depth (1000) rows: callers ask in pieces.
            string unit = daily ? "DAY" : "MINUTE";
            string sql =
                "WITH RECURSIVE t(u) AS (SELECT CAST(@from AS DATETIME) UNION ALL SELECT u + INTERVAL " + step + " " + unit + " FROM t WHERE u < @to) " +
                "SELECT u AS Utc, TIMESTAMPDIFF(SECOND, u, " + SqlTime.UtcToLocal("u") + ") AS Seconds FROM t";
            return _db.Read(sql, new { from = fromUtc, to = toUtc }, r => (r.GetDateTime(0), TimeSpan.FromSeconds(r.Int64(1))));
        }

        public DateTime UtcToLocal(DateTime utc) =>
            _db.QuerySingle<DateTime>("SELECT " + SqlTime.UtcToLocal("CAST(@utc AS DATETIME)"), new { utc });

        /// <summary>Local server times to UTC, by the server's rules (an ambiguous fall-back hour takes the later offset).</summary>
        public DateTime[] LocalToUtc(IReadOnlyList<DateTime> locals)
        {
            if (locals.Count == 0) return new DateTime[0];
            var parameters = new SqlArgs();
            var rows = new List<string>();
            for (int i = 0; i < locals.Count; i++)
            {
                parameters.Add("l" + i, locals[i]);
                rows.Add("SELECT " + i + " AS I, " + SqlTime.LocalToUtc("CAST(@l" + i + " AS DATETIME)") + " AS U");
            }
            return _db.Query<(long I, DateTime U)>(string.Join(" UNION ALL ", rows), parameters)
                .OrderBy(r => r.I).Select(r => r.U).ToArray();
        }

        /// <summary>
        /// A named lock on the server, per database (two Automate databases on one server do not wait for
        /// each other): serialises jobs that must not overlap, without touching any table.
        /// </summary>
        public bool TryGetLock(string name, int timeoutSeconds) =>
            _db.QuerySingle<long?>("SELECT GET_LOCK(@name, @timeout)", new { name = LockName(name, _db.Settings.Database), timeout = timeoutSeconds }) == 1;

        /// <summary>The server-side name of a module lock in a database (MySQL allows 64 characters).</summary>
        public static string LockName(string name, string database)
        {
            string full = name + "@" + database;
            return full.Length <= 64 ? full : full.Substring(0, 64);
        }

        public void ReleaseLock(string name)
        {
            try { _db.Execute("DO RELEASE_LOCK(@name)", new { name = LockName(name, _db.Settings.Database) }); }
            catch (AuditDatabaseException) { /* the lock dies with the session anyway */ }
        }

        /// <summary>
        /// The module writes with INSERT ... SELECT at READ COMMITTED, which a server logging statements
        /// (binlog_format=STATEMENT) refuses half-way through a run. Say so before anything is written.
        /// </summary>
        public void AssertRowBasedLogging()
        {
            var (logBin, format) = _db.Read("SELECT @@log_bin AS LogBin, @@session.binlog_format AS Format", null, r => (r.Int64(0), r.NullableString(1)))[0];
            if (logBin == 1 && string.Equals(format, "STATEMENT", StringComparison.OrdinalIgnoreCase))
            {
                throw new AuditDatabaseException(
                    "The database server at " + _db.Settings.Describe() + " writes its binary log in STATEMENT format, in which it refuses the module's " +
                    "READ COMMITTED writes. Nothing was written. Set binlog_format to ROW (MySQL 8's default) or MIXED: " +
                    "SET PERSIST binlog_format = 'ROW' on MySQL 8, or binlog_format=MIXED in the server's configuration (MariaDB), then run the command again.");
            }
        }
    }
}
