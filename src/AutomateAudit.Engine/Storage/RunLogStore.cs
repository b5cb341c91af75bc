using System;
using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Storage
{
    /// <summary>aa_run_log: one row per run of a job, the record of when the module was watching.</summary>
    internal sealed class RunLogStore
    {
        private const string Table = ModuleTables.RunLogTable;
        private readonly AuditDatabase _db;

        public RunLogStore(AuditDatabase db) { _db = db; }

        public long Start(string job, DateTime startedUtc, DateTime startedLocal, string host, string moduleVersion)
        {
            _db.Execute("INSERT INTO " + Table + " (job, started_utc, started_local, status, host, module_version) " +
                "VALUES (@job, @startedUtc, @startedLocal, 'running', @host, @moduleVersion)",
                new { job, startedUtc, startedLocal, host, moduleVersion });
            return _db.QuerySingle<long>("SELECT LAST_INSERT_ID()");
        }

        public void Finish(long id, string status, int rows, string detail)
        {
            if (detail != null && detail.Length > 1000) detail = detail.Substring(0, 1000);
            _db.Execute("UPDATE " + Table + " SET finished_utc = UTC_TIMESTAMP(), status = @status, rows_written = @rows, detail = @detail WHERE id = @id",
                new { id, status, rows, detail });
        }

        /// <summary>Start times of the successful runs of a job from 30 minutes before @from to 30 minutes after @to.</summary>
        public List<DateTime> SuccessfulRunsAround(string job, DateTime fromUtc, DateTime toUtc) =>
            _db.Query<DateTime>("SELECT started_utc FROM " + Table + " WHERE job = @job AND status = 'ok' " +
                "AND started_utc >= @from - INTERVAL 30 MINUTE AND started_utc <= @to + INTERVAL 30 MINUTE ORDER BY started_utc",
                new { job, from = fromUtc, to = toUtc }).ToList();

        public (long Id, DateTime StartedUtc)? FirstSuccessfulRun(string job)
        {
            var row = _db.Read("SELECT id, started_utc FROM " + Table + " WHERE job = @job AND status = 'ok' ORDER BY started_utc, id LIMIT 1",
                new { job }, r => (r.Int64(0), r.GetDateTime(1)));
            return row.Count == 0 ? ((long, DateTime)?)null : row[0];
        }

        public long CountBefore(DateTime beforeUtc, long keepId) =>
            _db.QuerySingle<long>("SELECT COUNT(*) FROM " + Table + " WHERE started_utc < @before AND id <> @keepId", new { before = beforeUtc, keepId });

        /// <summary>Deletes runs older than the cut-off in batches, except one (the first recording run, which marks where adopted history ends).</summary>
        public long DeleteBefore(DateTime beforeUtc, long keepId, int batch)
        {
            long deleted = 0;
            int n;
            while ((n = _db.Execute("DELETE FROM " + Table + " WHERE started_utc < @before AND id <> @keepId LIMIT " + batch, new { before = beforeUtc, keepId })) > 0) deleted += n;
            return deleted;
        }
    }
}
