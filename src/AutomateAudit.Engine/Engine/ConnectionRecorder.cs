using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    public enum ChangeKind { Changed, FirstSeen, Removed }

    /// <summary>One state change recorded (or, with -WhatIf, that would be recorded) by Update-ConnectionAudit.</summary>
    public sealed class ConnectionChange
    {
        public int ComputerId { get; set; }
        public string State { get; set; }
        public ChangeKind Kind { get; set; }
        public DateTime? LastContact { get; set; }
        public DateTime EffectiveUtc { get; set; }
        public DateTime DataCollectionTime { get; set; }
        public long? RunId { get; set; }
    }

    public sealed class RecordResult
    {
        public long? RunId { get; set; }
        public DateTime NowLocal { get; set; }
        public DateTime NowUtc { get; set; }
        public IReadOnlyList<ConnectionChange> Changes { get; set; }
    }

    /// <summary>
    /// The 5-minute internal monitor, done right: one set-based pass over computers that writes a row per
    /// state change. Runs are serialised by a named server lock and each is a single transaction, so
    /// overlapping or interrupted runs never duplicate or lose a change. Automate's own tables are only
    /// read, at READ COMMITTED (a consistent read that takes no row locks on computers).
    /// </summary>
    public sealed class ConnectionRecorder
    {
        public const string LockName = "AutomateAudit.ConnectionAudit";
        public static readonly TimeSpan DefaultOfflineAfter = TimeSpan.FromMinutes(15);

        private readonly AuditDatabase _db;

        public ConnectionRecorder(AuditDatabase db) { _db = db; }

        public int LockTimeoutSeconds { get; set; } = 60;

        public RecordResult Record(TimeSpan offlineAfter, bool write = true)
        {
            if (offlineAfter < TimeSpan.FromMinutes(1) || offlineAfter > TimeSpan.FromDays(1))
                throw new ArgumentOutOfRangeException(nameof(offlineAfter), offlineAfter, "OfflineAfter must be between 1 minute and 1 day.");
            if (!write) return Preview(offlineAfter);

            if (!_db.TryGetLock(LockName, LockTimeoutSeconds))
                throw new AuditDatabaseException("Another Update-ConnectionAudit run has held the lock '" + LockName + "' on " + _db.Settings.Describe() + " for over " + LockTimeoutSeconds + " seconds; this run recorded nothing.");
            try
            {
                ServerClock clock = ServerClock.Read(_db);
                long runId = StartRun(clock);
                try
                {
                    var args = new { nowLocal = clock.NowLocal, nowUtc = clock.NowUtc, offlineSeconds = (int)offlineAfter.TotalSeconds, runId };
                    _db.BeginTransaction();
                    _db.Execute(ConnectionAuditSql.PrepareChanges);
                    int changed = _db.Execute(ConnectionAuditSql.CollectChanges, args);
                    List<ConnectionChange> changes = new List<ConnectionChange>();
                    if (changed > 0)
                    {
                        _db.Execute(ConnectionAuditSql.WriteChanges, args);
                        _db.Execute(ConnectionAuditSql.WriteState, args);
                        _db.Execute(ConnectionAuditSql.ReopenRolledDays);
                        changes = ReadChanges(ConnectionAuditSql.ReadChanges, null, clock, runId);
                    }
                    _db.Execute(ModuleSql.FinishRun, new { id = runId, status = "ok", rows = changed, detail = "offline after " + (int)offlineAfter.TotalMinutes + " min" });
                    _db.Commit();
                    return new RecordResult { RunId = runId, NowLocal = clock.NowLocal, NowUtc = clock.NowUtc, Changes = changes };
                }
                catch (Exception ex)
                {
                    _db.Rollback();
                    TryFailRun(runId, ex);
                    throw;
                }
            }
            finally
            {
                _db.ReleaseLock(LockName);
            }
        }

        private RecordResult Preview(TimeSpan offlineAfter)
        {
            ServerClock clock = ServerClock.Read(_db);
            var args = new { nowLocal = clock.NowLocal, nowUtc = clock.NowUtc, offlineSeconds = (int)offlineAfter.TotalSeconds };
            var changes = ReadChanges(ConnectionAuditSql.DetectChanges + " ORDER BY ComputerId", args, clock, null);
            return new RecordResult { NowLocal = clock.NowLocal, NowUtc = clock.NowUtc, Changes = changes };
        }

        private List<ConnectionChange> ReadChanges(string sql, object args, ServerClock clock, long? runId)
        {
            return _db.Query<(int ComputerId, int State, DateTime? LastContact, DateTime EffectiveUtc, int Removed, int FirstSeen)>(sql, args)
                .Select(r => new ConnectionChange
                {
                    ComputerId = r.ComputerId,
                    State = r.Removed == 1 ? "Removed" : r.State == 1 ? "Online" : "Offline",
                    Kind = r.Removed == 1 ? ChangeKind.Removed : r.FirstSeen == 1 ? ChangeKind.FirstSeen : ChangeKind.Changed,
                    LastContact = r.LastContact,
                    EffectiveUtc = DateTime.SpecifyKind(r.EffectiveUtc, DateTimeKind.Utc),
                    DataCollectionTime = clock.NowLocal,
                    RunId = runId,
                }).ToList();
        }

        private long StartRun(ServerClock clock)
        {
            _db.Execute(ModuleSql.InsertRun, new { job = Coverage.Job, startedUtc = clock.NowUtc, startedLocal = clock.NowLocal, host = ModuleInfo.Host, moduleVersion = ModuleInfo.Version });
            return _db.QuerySingle<long>("SELECT LAST_INSERT_ID()");
        }

        private void TryFailRun(long runId, Exception ex)
        {
            try
            {
                string detail = ex.Message.Length > 1000 ? ex.Message.Substring(0, 1000) : ex.Message;
                _db.Execute(ModuleSql.FinishRun, new { id = runId, status = "failed", rows = 0, detail });
            }
            catch (Exception) when (!(ex is OutOfMemoryException))
            {
                // The run stays 'running', which coverage ignores just the same.
            }
        }
    }
}
