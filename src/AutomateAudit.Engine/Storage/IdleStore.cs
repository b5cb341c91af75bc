using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using static AutomateAudit.Storage.IdleTables;

namespace AutomateAudit.Storage
{
    /// <summary>One user's idle time as ProVal's table holds it (text columns), from a checked report.</summary>
    internal sealed class IdleRecord
    {
        public string UserName { get; set; }
        public string Domain { get; set; }
        /// <summary>IdleMon's TimeSpan text, [d.]hh:mm:ss[.fffffff].</summary>
        public string IdleTime { get; set; }
        public bool? IsAdmin { get; set; }
        public bool? IsDomainAdmin { get; set; }
        public bool? IsEnterpriseAdmin { get; set; }
    }

    internal sealed class IdleHourRecord
    {
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string SessionId { get; set; }
        public DateTime HourUtc { get; set; }
        public int Active { get; set; }
        public int Idle { get; set; }
        public int Unknown { get; set; }
    }

    /// <summary>A row of the IdleMon dataview: the latest report's row of a computer and user.</summary>
    internal sealed class StoredIdleRow
    {
        public int ComputerId { get; set; }
        public string UserName { get; set; }
        public string Domain { get; set; }
        public string IdleTime { get; set; }
        public string IsAdmin { get; set; }
        public string IsDomainAdmin { get; set; }
        public string IsEnterpriseAdmin { get; set; }
        public DateTime? ScriptRunTime { get; set; }
    }

    /// <summary>pvl_report_idlemon (rows added per report, ProVal's columns, ScriptRunTime from the database clock) and aa_idle_hourly.</summary>
    internal sealed class IdleStore
    {
        public const string NotLoggedIn = "Not Logged In";
        private const string ProValTable = "pvl_report_idlemon";
        private const int InsertBatch = 400;
        private readonly AuditDatabase _db;

        public IdleStore(AuditDatabase db) { _db = db; }

        // Written once, run here with parameters and embedded in the hosted importer (HostedInboxProcedure) with its
        // parameters bound to the procedure's checked rows (see SessionStore).
        internal const string ProValInsert = "INSERT INTO " + ProValTable + " (computerid, Username, Domain, IdleTime, IsAdmin, IsDomainAdmin, IsEnterpriseAdmin, ScriptRunTime) ";
        internal const string ProValRow = "@computerId, @u, @d, @t, @a, @da, @ea, NOW()";
        internal const string HoursInsert = "INSERT INTO " + HourlyTable + " (computerid, user_name, domain, session_id, hour_utc, active_minutes, idle_minutes, unknown_minutes, updated_utc) ";
        internal const string HoursRow = "@computerId AS computerid, CAST(@u AS CHAR) AS user_name, CAST(@d AS CHAR) AS domain, CAST(@s AS CHAR) AS session_id, " +
            "CAST(@h AS DATETIME) AS hour_utc, @a AS active_minutes, @i AS idle_minutes, @n AS unknown_minutes, UTC_TIMESTAMP() AS updated_utc";
        internal const string HoursUpdate = " ON DUPLICATE KEY UPDATE domain = dt.domain, active_minutes = dt.active_minutes, idle_minutes = dt.idle_minutes, " +
            "unknown_minutes = dt.unknown_minutes, updated_utc = dt.updated_utc";

        /// <summary>Adds the report's rows to ProVal's table; with nobody logged on, ProVal's "Not Logged In" row.</summary>
        public void AddProValRows(int computerId, IReadOnlyList<IdleRecord> samples)
        {
            IReadOnlyList<IdleRecord> rows = samples.Count > 0 ? samples : new[] { new IdleRecord { UserName = NotLoggedIn } };
            var shared = new HashSet<string> { "computerId" };
            for (int start = 0; start < rows.Count; start += InsertBatch)
            {
                var parameters = new SqlArgs(new { computerId });
                var values = new List<string>();
                for (int i = start; i < Math.Min(rows.Count, start + InsertBatch); i++)
                {
                    IdleRecord r = rows[i];
                    parameters.Add("u" + i, r.UserName); parameters.Add("d" + i, r.Domain); parameters.Add("t" + i, r.IdleTime);
                    parameters.Add("a" + i, Flag(r.IsAdmin)); parameters.Add("da" + i, Flag(r.IsDomainAdmin)); parameters.Add("ea" + i, Flag(r.IsEnterpriseAdmin));
                    values.Add("(" + SqlTemplate.Number(ProValRow, i, shared) + ")");
                }
                _db.Execute(ProValInsert + "VALUES " + string.Join(", ", values), parameters);
            }
        }

        private static string Flag(bool? value) => value.HasValue ? (value.Value ? "True" : "False") : null;

        /// <summary>Adds or replaces hourly minutes (a report re-sends the hour still going on).</summary>
        public void UpsertHours(int computerId, IReadOnlyList<IdleHourRecord> hours)
        {
            var shared = new HashSet<string> { "computerId" };
            for (int start = 0; start < hours.Count; start += InsertBatch)
            {
                var parameters = new SqlArgs(new { computerId });
                var sql = new StringBuilder(HoursInsert + "SELECT * FROM (");
                for (int i = start; i < Math.Min(hours.Count, start + InsertBatch); i++)
                {
                    IdleHourRecord h = hours[i];
                    if (i > start) sql.Append(" UNION ALL ");
                    sql.Append("SELECT " + SqlTemplate.Number(HoursRow, i, shared));
                    parameters.Add("u" + i, h.UserName); parameters.Add("d" + i, h.Domain); parameters.Add("s" + i, h.SessionId ?? string.Empty); parameters.Add("h" + i, h.HourUtc);
                    parameters.Add("a" + i, h.Active); parameters.Add("i" + i, h.Idle); parameters.Add("n" + i, h.Unknown);
                }
                sql.Append(") AS dt" + HoursUpdate);
                _db.Execute(sql.ToString(), parameters);
            }
        }

        /// <summary>ProVal's ThresholdDays: deletes report rows older than the cut-off (server local time), in small batches.</summary>
        public long DeleteProValBefore(DateTime beforeLocal, int batch)
        {
            long deleted = 0;
            int n;
            while ((n = _db.Execute("DELETE FROM " + ProValTable + " WHERE ScriptRunTime < @before LIMIT " + batch, new { before = beforeLocal })) > 0) deleted += n;
            return deleted;
        }

        public long DeleteHoursBefore(DateTime beforeUtc, int batch)
        {
            long deleted = 0;
            int n;
            while ((n = _db.Execute("DELETE FROM " + HourlyTable + " WHERE hour_utc < @before LIMIT " + batch, new { before = beforeUtc })) > 0) deleted += n;
            return deleted;
        }

        /// <summary>The rows of each computer's latest report in ProVal's table (its rows share the report's ScriptRunTime).</summary>
        public List<StoredIdleRow> Latest(IReadOnlyCollection<int> ids, IReadOnlyList<string> userLike)
        {
            var parameters = new SqlArgs(new { ids });
            var sql = new StringBuilder("SELECT p.computerid AS ComputerId, p.Username AS UserName, p.Domain AS Domain, p.IdleTime AS IdleTime, p.IsAdmin AS IsAdmin, " +
                "p.IsDomainAdmin AS IsDomainAdmin, p.IsEnterpriseAdmin AS IsEnterpriseAdmin, p.ScriptRunTime AS ScriptRunTime FROM " + ProValTable + " p JOIN (" +
                "SELECT computerid, MAX(ScriptRunTime) AS latest FROM " + ProValTable + " WHERE computerid IN @ids GROUP BY computerid) m " +
                "ON m.computerid = p.computerid AND m.latest = p.ScriptRunTime WHERE p.computerid IN @ids");
            if (userLike != null && userLike.Count > 0)
            {
                sql.Append(" AND (").Append(string.Join(" OR ", userLike.Select((_, i) => "p.Username LIKE @user" + i))).Append(')');
                for (int i = 0; i < userLike.Count; i++) parameters.Add("user" + i, userLike[i]);
            }
            sql.Append(" ORDER BY p.computerid, p.Username");
            return _db.Query<StoredIdleRow>(sql.ToString(), parameters).ToList();
        }

        /// <summary>Per computer and user: active, idle and unknown minutes of the hours overlapping [fromUtc, toUtc), prorated at the window's edges.</summary>
        public List<(int ComputerId, string UserName, string Domain, double Active, double Idle, double Unknown)> Sums(IReadOnlyCollection<int> ids, DateTime fromUtc, DateTime toUtc, IReadOnlyList<string> userLike)
        {
            var parameters = new SqlArgs(new { ids, fromUtc, toUtc });
            string overlap = "GREATEST(0, TIMESTAMPDIFF(SECOND, GREATEST(hour_utc, @fromUtc), LEAST(hour_utc + INTERVAL 1 HOUR, @toUtc))) / 3600";
            var sql = new StringBuilder("SELECT computerid AS ComputerId, user_name AS UserName, MAX(domain) AS Domain, " +
                "SUM(active_minutes * " + overlap + ") AS Active, SUM(idle_minutes * " + overlap + ") AS Idle, SUM(unknown_minutes * " + overlap + ") AS Unknown " +
                "FROM " + HourlyTable + " WHERE computerid IN @ids AND hour_utc < @toUtc AND hour_utc > @fromUtc - INTERVAL 1 HOUR");
            if (userLike != null && userLike.Count > 0)
            {
                sql.Append(" AND (").Append(string.Join(" OR ", userLike.Select((_, i) => "user_name LIKE @user" + i))).Append(')');
                for (int i = 0; i < userLike.Count; i++) parameters.Add("user" + i, userLike[i]);
            }
            sql.Append(" GROUP BY computerid, user_name ORDER BY computerid, user_name");
            return _db.Query<(int, string, string, double, double, double)>(sql.ToString(), parameters).ToList();
        }
    }
}
